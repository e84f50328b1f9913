"""Clip a linear image output to the data range at inference only (StyleGAN, Karras et al., 2019)."""
from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class InferenceClip(keras.layers.Layer):
    """Identity in training; clip to [low, high] at inference.

    The progressive-GAN and StyleGAN generators end in a linear toRGB layer (Karras et al. 2018,
    2019): training sees the raw output, and the official code clips only when it converts
    samples to images (`convert_images_to_uint8`), also for its FID. This layer does that at the
    end of the network, so every inference path (sampling, export, `.keras` files) yields images
    in the data range while the training gradients stay those of the linear output.

    Args:
        low, high: the data range (default [-1, 1]).
    """

    def __init__(self, low: float = -1.0, high: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not float(low) < float(high):
            raise ValueError(f"InferenceClip expects low < high, got low={low!r}, high={high!r}")
        self.low, self.high = float(low), float(high)

    def call(self, inputs: Any, training: Any = None) -> Any:
        if training:
            return inputs
        return ops.clip(inputs, self.low, self.high)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"low": self.low, "high": self.high})
        return config
