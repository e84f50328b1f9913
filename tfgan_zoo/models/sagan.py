"""SAGAN generator and discriminator (Zhang, Goodfellow, Metaxas, Odena 2019, "Self-Attention
Generative Adversarial Networks"), as the official brain-research/self-attention-gan code: the
SNGAN-ResNet pair with

- a self-attention block (`tfgan_zoo.layers.SelfAttention`: query/key C/8, value C/2, 2x2
  max-pooled keys and values, output 1x1 conv, gamma 0, no biases) after the block whose output
  has `attention_resolution` pixels, in G and in D (the official 128 px networks put it on the
  32x32 maps);
- spectral norm on every layer of BOTH networks (the attention convolutions included);
- per-class conditional batch norm in G (`num_classes`; gain 1, bias 0 at init) and the projection
  discriminator with a spectrally normalised embedding;
- Xavier (Glorot uniform) initialisation everywhere, biases 0; batch norm decay 0.999, eps 1e-5
  (the official CBN); D blocks' hidden width = their output width; D linear with bias.

The official code is 128 px only; at 28/32/64 px the block layouts are those of SNGAN-ResNet
(`sngan_resnet.GENERATOR_LAYOUTS`; the 64 px layout is the 128 px one without its first block).
"""
from __future__ import annotations

from typing import Optional

import keras

from tfgan_zoo.models.registry import declare
from tfgan_zoo.models.resnet import BatchNormSpec, ConvStyle, layout_for, resnet_discriminator, resnet_generator
from tfgan_zoo.models.sngan_resnet import DEFAULT_WIDTHS, DISCRIMINATOR_LAYOUTS, GENERATOR_LAYOUTS

RESOLUTIONS = tuple(sorted(GENERATOR_LAYOUTS))
CONVS = ConvStyle(spectral_norm=True, initializer="glorot_uniform")
BATCH_NORM = dict(momentum=0.999, epsilon=1e-5)


@declare("generator", makes="images", resolutions=RESOLUTIONS, conditional=True)
def sagan_generator(
    latent_dim: int = 128, resolution: int = 32, channels: int = 3, width: Optional[int] = None,
    num_classes: Optional[int] = None, attention_resolution: Optional[int] = 16, sync_batch_norm: bool = False,
    name: str = "generator",
) -> keras.Model:
    """z (batch, latent_dim) [, labels (batch,)] -> images (batch, R, R, channels) in [-1, 1].

    `width`: channels = width x the layout's multiplier (default 256 at 28/32 px, 64 at 64 px).
    `attention_resolution`: a block output size (32 px: 8, 16 or 32) or None.
    """
    layout = layout_for(GENERATOR_LAYOUTS, resolution)
    return resnet_generator(
        latent_dim, resolution, layout, channels, DEFAULT_WIDTHS[resolution][0] if width is None else width,
        num_classes, CONVS, BatchNormSpec(**BATCH_NORM, synchronized=sync_batch_norm), attention_resolution, name,
    )


@declare("discriminator", makes="images", resolutions=RESOLUTIONS, conditional=True)
def sagan_discriminator(
    resolution: int = 32, channels: int = 3, width: Optional[int] = None, num_classes: Optional[int] = None,
    attention_resolution: Optional[int] = 16, name: str = "discriminator",
) -> keras.Model:
    """images (batch, R, R, channels) [, labels (batch,)] -> logits (batch, 1).

    `attention_resolution`: a block output size (32 px: 16 or 8) or None.
    """
    layout = layout_for(DISCRIMINATOR_LAYOUTS, resolution)
    return resnet_discriminator(
        resolution, layout, channels, DEFAULT_WIDTHS[resolution][1] if width is None else width, num_classes,
        CONVS, wide=True, attention_resolution=attention_resolution, output_bias=True, name=name,
    )
