"""Pixelwise feature vector normalization (Karras et al., 2018)."""
from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfgan_zoo.layers._validation import check_rank


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class PixelNormalization(keras.layers.Layer):
    """Normalise each pixel's feature vector to unit average square.

    Karras, Aila, Laine, Lehtinen, "Progressive Growing of GANs for Improved Quality,
    Stability, and Variation", ICLR 2018, section 4.2:

        b_{x,y} = a_{x,y} / sqrt( (1/C) * sum_c (a_{x,y}^c)^2 + epsilon ),  epsilon = 1e-8

    over the channel axis (last by default). No weights. Works on any rank >= 2
    (e.g. the latent vector of the PGGAN/StyleGAN generator, or (N, H, W, C) maps).

    Args:
        epsilon: added inside the square root (paper: 1e-8).
        axis: the channel axis (default -1).
    """

    def __init__(self, epsilon: float = 1e-8, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not epsilon >= 0:
            raise ValueError(f"PixelNormalization expects epsilon >= 0, got {epsilon!r}")
        self.epsilon = float(epsilon)
        self.axis = int(axis)

    def build(self, input_shape: Any) -> None:
        shape = check_rank(
            "PixelNormalization", input_shape, min_rank=2, description="(batch, ..., channels)"
        )
        if not -len(shape) <= self.axis < len(shape) or self.axis % len(shape) == 0:
            raise ValueError(
                f"PixelNormalization expects axis to be a non-batch axis of the input, "
                f"got axis={self.axis} for input shape {shape}"
            )

    def call(self, inputs: Any) -> Any:
        x = ops.cast(inputs, "float32")
        scale = ops.rsqrt(ops.mean(ops.square(x), axis=self.axis, keepdims=True) + self.epsilon)
        return ops.cast(x * scale, inputs.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"epsilon": self.epsilon, "axis": self.axis})
        return config
