"""Fail early, and clearly, when Keras is not running on TensorFlow."""
from __future__ import annotations

import os


def require_tensorflow_backend() -> None:
    """Raise ImportError unless Keras 3 runs on the TensorFlow backend."""
    requested = os.environ.get("KERAS_BACKEND", "tensorflow")
    if requested != "tensorflow":
        raise ImportError(
            f"tfgan_zoo needs Keras on the TensorFlow backend, but KERAS_BACKEND={requested!r}. "
            "Unset KERAS_BACKEND or set KERAS_BACKEND=tensorflow before importing tfgan_zoo."
        )
    import keras

    if not keras.__version__.startswith("3."):
        raise ImportError(f"tfgan_zoo needs Keras 3, found keras {keras.__version__}.")
    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise ImportError(
            f"tfgan_zoo needs Keras on the TensorFlow backend, but Keras is running on {backend!r}. "
            "Set KERAS_BACKEND=tensorflow (or the 'backend' key of ~/.keras/keras.json)."
        )
