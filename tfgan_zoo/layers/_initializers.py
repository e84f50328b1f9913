"""Initializer helper shared by the layers and builders of this package (private)."""
from __future__ import annotations

from typing import Any

import keras


def fresh_initializer(spec: Any) -> keras.initializers.Initializer:
    """A new initializer instance from a name, a config or an instance.

    Keras 3 gives an unseeded initializer instance one fixed seed: two layers handed the same
    instance start with identical kernels (measured: SelfAttention's query and key convolutions
    were equal at initialisation). One fresh instance per layer draws independent kernels.
    """
    return keras.initializers.get(keras.initializers.serialize(keras.initializers.get(spec)))
