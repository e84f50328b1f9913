"""Low-pass [1, 2, 1] filtering around resampling (StyleGAN, Karras et al., 2019)."""
from __future__ import annotations

from typing import Any, Sequence

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.layers._validation import check_known_channels, check_rank


def blur_kernel(taps: Sequence[float]) -> np.ndarray:
    """The normalised separable 2-D filter outer(taps, taps) / sum, shape (k, k)."""
    taps = np.asarray(taps, dtype=np.float64)
    kernel = np.outer(taps, taps)
    return (kernel / kernel.sum()).astype(np.float32)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class Blur2D(keras.layers.Layer):
    """Depthwise convolution with a fixed binomial filter (channels last, zero "same" padding).

    Karras, Laine, Aila, "A Style-Based Generator Architecture for Generative Adversarial
    Networks", CVPR 2019, section 2 (after Zhang, "Making Convolutional Networks
    Shift-Invariant Again", 2019): the official `blur2d` with f = [1, 2, 1], normalised to
    sum 1, applied after each upsampling convolution of the generator and before each
    downsampling convolution of the discriminator. No weights.

    Args:
        taps: the 1-D filter (default [1, 2, 1]); the 2-D kernel is outer(taps, taps) / sum.
    """

    def __init__(self, taps: Sequence[float] = (1.0, 2.0, 1.0), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        taps = [float(t) for t in taps]
        if len(taps) % 2 != 1 or sum(taps) <= 0:
            raise ValueError(f"Blur2D expects an odd number of taps with a positive sum, got {taps}")
        self.taps = taps

    def build(self, input_shape: Any) -> None:
        shape = check_rank(
            "Blur2D", input_shape, allowed=(4,), description="(batch, height, width, channels)"
        )
        channels = check_known_channels("Blur2D", shape)
        kernel = blur_kernel(self.taps)[:, :, None, None]
        self._filter = np.tile(kernel, [1, 1, channels, 1])

    def call(self, inputs: Any) -> Any:
        x = tf.cast(inputs, tf.float32)
        out = tf.nn.depthwise_conv2d(x, tf.constant(self._filter), strides=[1, 1, 1, 1], padding="SAME")
        return tf.cast(out, inputs.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"taps": list(self.taps)})
        return config
