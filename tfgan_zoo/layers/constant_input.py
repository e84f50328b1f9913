"""The learned constant input of the style-based generator (Karras et al., 2019)."""
from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ConstantInput(keras.layers.Layer):
    """A learned (height, width, channels) tensor, repeated for every sample of the batch.

    Karras, Laine, Aila, "A Style-Based Generator Architecture for Generative Adversarial
    Networks", CVPR 2019, section 2: the synthesis network starts from a learned 4x4
    constant instead of the latent code; the official `const` is initialised to ones.
    Called on any tensor whose first axis is the batch (e.g. the styles); only its batch
    size is read.

    Args:
        height, width, channels: the shape of the constant.
        initializer: its initializer (default ones, as the official code).
    """

    def __init__(self, height: int = 4, width: int = 4, channels: int = 512,
                 initializer: Any = "ones", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for key, value in (("height", height), ("width", width), ("channels", channels)):
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"ConstantInput expects {key} to be a positive integer, got {value!r}")
        self.height, self.width, self.channels = int(height), int(width), int(channels)
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape: Any) -> None:
        self.constant = self.add_weight(
            name="constant", shape=(1, self.height, self.width, self.channels), initializer=self.initializer
        )

    def call(self, inputs: Any) -> Any:
        batch = ops.shape(inputs)[0]
        return ops.tile(ops.cast(self.constant, self.compute_dtype), [batch, 1, 1, 1])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], self.height, self.width, self.channels)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "channels": self.channels,
                       "initializer": keras.initializers.serialize(self.initializer)})
        return config
