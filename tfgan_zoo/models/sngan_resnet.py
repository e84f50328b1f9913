"""SNGAN-ResNet generator and discriminator (Miyato et al. 2018, "Spectral Normalization for
Generative Adversarial Networks", appendix B, tables 4-6), as the official sngan_projection code.

    32 px (CIFAR-10, tables 4/5)   G: z -> linear 4x4xch -> 3 up-blocks (ch) -> BN-ReLU-conv3x3-tanh
                                   D: optimized block (ch) -> down-block (ch) -> 2 blocks (ch) -> ReLU
                                      -> global sum pool -> SN linear (no bias, resnet_32.py)
    64 px (resnet_64.py)           G: 4x4x16ch -> up-blocks 8ch, 4ch, 2ch, ch;
                                   D: ch, 2ch, 4ch, 8ch, 16ch, all downsampling, linear with bias
    28 px (not in the paper)       the 32 px pair with a 7x7 bottom and two up-blocks.

Spectral norm on every D layer (`spectral_norm`), none in G. Conditional (`num_classes`):
per-class batch norm in G (gain 1, bias 0 at init) and the projection discriminator with a
spectrally normalised embedding (Miyato & Koyama 2018). Initialisation as the Chainer code: block
3x3 convolutions GlorotUniform with gain sqrt(2) (Keras VarianceScaling(2, fan_avg, uniform)),
shortcuts, linears, embedding and output conv GlorotUniform (gain 1), biases 0; batch norm decay
0.9, eps 2e-5 (Chainer's defaults). The D blocks' hidden width is their input width
(sngan_projection's Block).
"""
from __future__ import annotations

from typing import Optional

import keras

from tfgan_zoo.models.registry import declare
from tfgan_zoo.models.resnet import (
    BatchNormSpec, ConvStyle, DiscriminatorLayout, GeneratorLayout, layout_for, resnet_discriminator,
    resnet_generator,
)

GENERATOR_LAYOUTS = {
    28: GeneratorLayout(bottom=7, start=1, blocks=(1, 1)),
    32: GeneratorLayout(bottom=4, start=1, blocks=(1, 1, 1)),
    64: GeneratorLayout(bottom=4, start=16, blocks=(8, 4, 2, 1)),
}
DISCRIMINATOR_LAYOUTS = {
    28: DiscriminatorLayout(((1, True), (1, True), (1, False), (1, False))),
    32: DiscriminatorLayout(((1, True), (1, True), (1, False), (1, False))),
    64: DiscriminatorLayout(((1, True), (2, True), (4, True), (8, True), (16, True))),
}
RESOLUTIONS = tuple(sorted(GENERATOR_LAYOUTS))
# resolution -> (generator ch, discriminator ch) of the official configs
DEFAULT_WIDTHS = {28: (256, 128), 32: (256, 128), 64: (64, 64)}
OUTPUT_BIAS = {28: False, 32: False, 64: True}  # resnet_32.py: nobias=True; resnet_64.py: bias

RESIDUAL_INITIALIZER = {"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_avg", "distribution": "uniform"}}
BATCH_NORM = dict(momentum=0.9, epsilon=2e-5)


@declare("generator", makes="images", resolutions=RESOLUTIONS, conditional=True)
def sngan_resnet_generator(
    latent_dim: int = 128, resolution: int = 32, channels: int = 3, width: Optional[int] = None,
    num_classes: Optional[int] = None, sync_batch_norm: bool = False, name: str = "generator",
) -> keras.Model:
    """z (batch, latent_dim) [, labels (batch,)] -> images (batch, R, R, channels) in [-1, 1].

    `width` is the official `ch` (default: 256 at 28/32 px, 64 at 64 px); `sync_batch_norm` uses
    batch statistics over all replicas under tf.distribute.
    """
    layout = layout_for(GENERATOR_LAYOUTS, resolution)
    return resnet_generator(
        latent_dim, resolution, layout, channels, DEFAULT_WIDTHS[resolution][0] if width is None else width, num_classes,
        ConvStyle(spectral_norm=False, residual_initializer=RESIDUAL_INITIALIZER),
        BatchNormSpec(**BATCH_NORM, synchronized=sync_batch_norm), None, name,
    )


@declare("discriminator", makes="images", resolutions=RESOLUTIONS, conditional=True)
def sngan_resnet_discriminator(
    resolution: int = 32, channels: int = 3, width: Optional[int] = None, num_classes: Optional[int] = None,
    spectral_norm: bool = True, name: str = "discriminator",
) -> keras.Model:
    """images (batch, R, R, channels) [, labels (batch,)] -> logits (batch, 1).

    `width` is the official `ch` (default: 128 at 28/32 px, 64 at 64 px). The sum-pooled features
    are the layer named 'features'.
    """
    layout = layout_for(DISCRIMINATOR_LAYOUTS, resolution)
    return resnet_discriminator(
        resolution, layout, channels, DEFAULT_WIDTHS[resolution][1] if width is None else width, num_classes,
        ConvStyle(spectral_norm=spectral_norm, residual_initializer=RESIDUAL_INITIALIZER),
        wide=False, attention_resolution=None, output_bias=OUTPUT_BIAS[resolution], name=name,
    )
