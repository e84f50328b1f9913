"""Fade-in of a new resolution block (Karras et al., 2018, progressive growing)."""
from __future__ import annotations

import numbers
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfgan_zoo.layers._validation import shape_tuple


def fade(old: Any, new: Any, alpha: Any) -> Any:
    """(1 - alpha) * old + alpha * new (Karras et al. 2018, fig. 2): exactly ``old`` at alpha 0 and
    exactly ``new`` at alpha 1 (for finite inputs), unlike old + (new - old) * alpha."""
    alpha = ops.cast(alpha, new.dtype)
    return (1.0 - alpha) * ops.cast(old, new.dtype) + alpha * new


def _check_alpha(value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:  # also rejects NaN
        raise ValueError(f"FadeIn expects alpha in [0, 1], got {value}")
    return value


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class FadeIn(keras.layers.Layer):
    """Blend the old (upsampled / downsampled) path into the new block's output.

    Karras, Aila, Laine, Lehtinen, "Progressive Growing of GANs for Improved Quality,
    Stability, and Variation", ICLR 2018, section 2 and figure 2:

        output = (1 - alpha) * old + alpha * new,   alpha rising linearly from 0 to 1

    ``alpha`` is a non-trainable float32 variable of the layer (saved with the model's
    weights); set it with ``layer.set_alpha(value)`` (Python number: checked eagerly;
    tensor: checked with a run-time assertion, so it can be called inside tf.function).
    Call as ``layer([old, new])``; both inputs must have the same shape.

    Args:
        alpha: initial blend factor in [0, 1] (default 0: only the old path).
    """

    def __init__(self, alpha: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        initial = _check_alpha(alpha)
        self.alpha = self.add_weight(
            name="alpha",
            shape=(),
            dtype="float32",
            initializer=keras.initializers.Constant(initial),
            trainable=False,
            autocast=False,
        )

    def set_alpha(self, value: Any) -> None:
        """Assign alpha; raises ValueError (or InvalidArgumentError for tensors) outside [0, 1]."""
        if isinstance(value, (numbers.Real, np.generic)) or (
            isinstance(value, np.ndarray) and value.ndim == 0
        ):
            self.alpha.assign(_check_alpha(value))
            return
        value = ops.cast(value, "float32")
        if tf.executing_eagerly():
            self.alpha.assign(_check_alpha(ops.convert_to_numpy(value)))
            return
        check = tf.debugging.Assert(
            ops.logical_and(value >= 0.0, value <= 1.0),
            ["FadeIn expects alpha in [0, 1], got", value],
        )
        with tf.control_dependencies([check]):
            self.alpha.assign(value)

    def _check_shapes(self, input_shape: Any) -> tuple:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not all(
            isinstance(s, (list, tuple)) or hasattr(s, "as_list") for s in input_shape
        ):
            raise ValueError(
                f"FadeIn expects to be called on a list [old, new], got input shape {input_shape}"
            )
        old, new = shape_tuple(input_shape[0]), shape_tuple(input_shape[1])
        compatible = len(old) == len(new) and all(
            a is None or b is None or a == b for a, b in zip(old, new)
        )
        if not compatible:
            raise ValueError(
                f"FadeIn expects old and new inputs of the same shape, got shapes {old} and {new}"
            )
        return tuple(a if a is not None else b for a, b in zip(old, new))

    def build(self, input_shape: Any) -> None:
        self._check_shapes(input_shape)

    def call(self, inputs: Any) -> Any:
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                f"FadeIn expects to be called on a list [old, new], got {type(inputs).__name__}"
            )
        old, new = inputs
        self._check_shapes([old.shape, new.shape])
        return fade(old, new, self.alpha)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self._check_shapes(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        # The current value, so that from_config(get_config()) reproduces the layer.
        config.update({"alpha": float(ops.convert_to_numpy(self.alpha))})
        return config
