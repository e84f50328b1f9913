"""Fail early, and clearly, when Keras is not going to run on TensorFlow (without importing it)."""
from __future__ import annotations

import json
import os
from pathlib import Path


def _configured_backend() -> str:
    """The backend Keras will use: KERAS_BACKEND, else keras.json's "backend", else tensorflow."""
    if "KERAS_BACKEND" in os.environ:
        return os.environ["KERAS_BACKEND"]
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    try:
        return str(json.loads((home / "keras.json").read_text()).get("backend", "tensorflow"))
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


def require_tensorflow_backend() -> None:
    """Raise ImportError unless Keras is configured for the TensorFlow backend. Imports nothing
    heavy, so `import tfgan_zoo` stays cheap; Keras 3 itself is checked when it is imported."""
    requested = _configured_backend()
    if requested != "tensorflow":
        raise ImportError(
            f"tfgan_zoo needs Keras on the TensorFlow backend, but Keras is configured for {requested!r} "
            "(KERAS_BACKEND or ~/.keras/keras.json). Set KERAS_BACKEND=tensorflow before importing tfgan_zoo."
        )
