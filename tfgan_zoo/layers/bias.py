"""A learned per-channel bias, for layers whose bias is applied after a reshape or a resampling."""
from __future__ import annotations

from typing import Any

import keras

from tfgan_zoo.layers._validation import check_known_channels, check_rank


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class Bias(keras.layers.Layer):
    """y = x + b * lr_multiplier, one b per channel (last axis), initialised to ``bias_init``.

    The official progressive-GAN generator applies the 4x4 dense layer's bias after reshaping
    to (4, 4, C), one bias per feature map (Karras et al. 2018, `apply_bias` in the official
    networks.py), not one per dense unit; StyleGAN adds biases after the noise input the same way.

    Args:
        lr_multiplier: learning-rate multiplier (StyleGAN's mapping network: 0.01); the stored
            value is bias_init / lr_multiplier.
        bias_init: initial bias in effective units.
    """

    def __init__(self, lr_multiplier: float = 1.0, bias_init: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not lr_multiplier > 0:
            raise ValueError(f"Bias expects lr_multiplier > 0, got {lr_multiplier!r}")
        self.lr_multiplier = float(lr_multiplier)
        self.bias_init = float(bias_init)

    def build(self, input_shape: Any) -> None:
        shape = check_rank("Bias", input_shape, min_rank=2, description="(batch, ..., channels)")
        channels = check_known_channels("Bias", shape)
        self.bias = self.add_weight(
            name="bias",
            shape=(channels,),
            initializer=keras.initializers.Constant(self.bias_init / self.lr_multiplier),
            trainable=True,
        )

    def call(self, inputs: Any) -> Any:
        return inputs + keras.ops.cast(self.bias * self.lr_multiplier, inputs.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"lr_multiplier": self.lr_multiplier, "bias_init": self.bias_init})
        return config
