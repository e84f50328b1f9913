"""Custom Keras 3 layers for GANs, one per module, each registered as ``tfgan_zoo>Name``.

- ``MinibatchDiscrimination``  Salimans et al. 2016
- ``MinibatchStdDev``          Karras et al. 2018 (progressive growing)
- ``SelfAttention``            Zhang et al. 2019 (SAGAN), BigGAN variant options
- ``ConditionalBatchNormalization``  de Vries et al. 2017, Miyato & Koyama 2018
- ``LinearConditionalBatchNormalization``  BigGAN (Brock et al. 2019)
- ``GlobalSumPooling2D``       Miyato et al. 2018 (SNGAN ResNet discriminator)
- ``PixelNormalization``       Karras et al. 2018
- ``AdaIN``                    Huang & Belongie 2017, StyleGAN (Karras et al. 2019)
- ``FadeIn``                   Karras et al. 2018
- ``NoiseInjection``           StyleGAN (Karras et al. 2019)
- ``SpectralNormalization``    Miyato et al. 2018, with the gradient through sigma (eq. 12)
- ``Blur2D``, ``ConstantInput``, ``WAverage``, ``InferenceClip``  StyleGAN (Karras et al. 2019)
- ``EqualizedDense``, ``EqualizedConv2D``  Karras et al. 2018 (equalized learning rate)
- ``Bias``                     a per-channel bias (PGGAN's 4x4 dense, StyleGAN's noise inputs)
"""
from __future__ import annotations

from tfgan_zoo.layers.adain import AdaIN
from tfgan_zoo.layers.bias import Bias
from tfgan_zoo.layers.blur import Blur2D
from tfgan_zoo.layers.conditional_batch_norm import ConditionalBatchNormalization
from tfgan_zoo.layers.constant_input import ConstantInput
from tfgan_zoo.layers.equalized import EqualizedConv2D, EqualizedDense
from tfgan_zoo.layers.fade_in import FadeIn
from tfgan_zoo.layers.inference_clip import InferenceClip
from tfgan_zoo.layers.global_sum_pooling import GlobalSumPooling2D
from tfgan_zoo.layers.linear_conditional_batch_norm import LinearConditionalBatchNormalization
from tfgan_zoo.layers.minibatch_discrimination import MinibatchDiscrimination
from tfgan_zoo.layers.minibatch_stddev import MinibatchStdDev
from tfgan_zoo.layers.noise_injection import NoiseInjection
from tfgan_zoo.layers.pixel_norm import PixelNormalization
from tfgan_zoo.layers.self_attention import SelfAttention
from tfgan_zoo.layers.spectral_normalization import SpectralNormalization
from tfgan_zoo.layers.w_average import WAverage

__all__ = [
    "AdaIN",
    "Bias",
    "Blur2D",
    "ConditionalBatchNormalization",
    "ConstantInput",
    "EqualizedConv2D",
    "EqualizedDense",
    "FadeIn",
    "InferenceClip",
    "GlobalSumPooling2D",
    "LinearConditionalBatchNormalization",
    "MinibatchDiscrimination",
    "MinibatchStdDev",
    "NoiseInjection",
    "PixelNormalization",
    "SelfAttention",
    "SpectralNormalization",
    "WAverage",
]
