"""Global sum pooling (Miyato et al. 2018, the SNGAN ResNet discriminator)."""
from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfgan_zoo.layers._validation import check_rank


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class GlobalSumPooling2D(keras.layers.Layer):
    """Sum a feature map over its spatial positions: (N, H, W, C) -> (N, C).

    Miyato, Kataoka, Koyama, Yoshida, "Spectral Normalization for Generative Adversarial
    Networks", ICLR 2018, appendix B (table 4: "global sum pooling"); the official code's
    ``F.sum(h, axis=(2, 3))``, kept by SAGAN and BigGAN. It equals H*W times global average
    pooling, so the discriminator's output scale grows with the map size.
    """

    def call(self, inputs: Any) -> Any:
        check_rank("GlobalSumPooling2D", inputs.shape, allowed=(4,), description="(batch, height, width, channels)")
        return ops.sum(inputs, axis=(1, 2))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = check_rank("GlobalSumPooling2D", input_shape, allowed=(4,), description="(batch, height, width, channels)")
        return (shape[0], shape[3])
