"""Fail early, and clearly, when Keras is not set up to run on TensorFlow -- without importing
either (importing `tfgan_zoo`, `tfgan-zoo --help` and `tfgan-zoo list` stay fast)."""
from __future__ import annotations

import importlib.metadata
import json
import os


def _configured_backend() -> tuple[str, str]:
    """(backend, where it was set) as Keras 3 will choose it: $KERAS_BACKEND, else the "backend"
    of keras.json in $KERAS_HOME (default ~/.keras, /tmp/.keras when the home is not writable),
    else TensorFlow."""
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"], "KERAS_BACKEND"
    home = os.path.expanduser("~")
    keras_dir = os.environ.get("KERAS_HOME") or os.path.join(home if os.access(home, os.W_OK) else "/tmp", ".keras")
    config = os.path.join(keras_dir, "keras.json")
    try:
        with open(config) as handle:
            backend = json.load(handle).get("backend")
    except (OSError, ValueError, AttributeError):
        backend = None
    return (backend, config) if backend else ("tensorflow", "the default")


def require_tensorflow_backend() -> None:
    """Raise ImportError unless Keras 3 is installed and configured for the TensorFlow backend."""
    backend, source = _configured_backend()
    if backend != "tensorflow":
        where = "KERAS_BACKEND" if source == "KERAS_BACKEND" else f"the 'backend' key of {source}"
        raise ImportError(
            f"tfgan_zoo needs Keras on the TensorFlow backend, but {where} is {backend!r}. "
            "Unset KERAS_BACKEND or set KERAS_BACKEND=tensorflow before importing tfgan_zoo."
        )
    try:
        version = importlib.metadata.version("keras")
    except importlib.metadata.PackageNotFoundError:
        raise ImportError("tfgan_zoo needs Keras 3 (pip install 'keras>=3'); Keras is not installed.") from None
    if not version.startswith("3."):
        raise ImportError(f"tfgan_zoo needs Keras 3, found keras {version}.")
