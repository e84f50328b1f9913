"""A per-channel bias as its own layer (the official StyleGAN / PGGAN `apply_bias`)."""
from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfgan_zoo.layers._validation import check_known_channels, check_rank


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class Bias(keras.layers.Layer):
    """Add a learned bias per channel (last axis), initialised to 0.

    Karras, Laine, Aila, "A Style-Based Generator Architecture for Generative Adversarial
    Networks", CVPR 2019: in each synthesis layer the bias comes after the blur and the noise
    input (conv -> blur -> noise -> bias -> leaky ReLU, the official `layer_epilogue`), which
    a convolution's own bias cannot do: the zero-padded blur would scale it near the borders.
    """

    def build(self, input_shape: Any) -> None:
        shape = check_rank("Bias", input_shape, min_rank=2, description="(batch, ..., channels)")
        channels = check_known_channels("Bias", shape)
        self.bias = self.add_weight(name="bias", shape=(channels,), initializer="zeros")

    def call(self, inputs: Any) -> Any:
        return inputs + ops.cast(self.bias, inputs.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape
