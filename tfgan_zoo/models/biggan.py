"""BigGAN generator and discriminator (Brock, Donahue, Simonyan 2019, "Large Scale GAN Training
for High Fidelity Natural Image Synthesis", appendix B), as ajbrock/BigGAN-PyTorch's `BigGAN.py`
(`G_arch`, `D_arch`) at 32, 64 and 128 px, plus 28 px (the 32 px pair with a 7x7 bottom).

Generator: a shared class embedding (no spectral norm, as the released code) and hierarchical
latents: z is split into len(blocks) + 1 equal chunks; the first feeds the input linear, chunk
k + 1 goes to block k, whose two conditional batch norms take c_k = [shared embedding(y), z_k]
through spectrally normalised linear maps (gain 1 + W_gamma c_k, bias W_beta c_k:
`tfgan_zoo.layers.LinearConditionalBatchNormalization`); the output batch norm is unconditional.
Discriminator: the first block without pre-activation, wide blocks, ReLU, global sum pooling,
linear(h) + sum(embed(y) * h) with a spectrally normalised embedding. Spectral norm on every layer
of both networks except G's shared embedding; self-attention after the block of
`attention_resolution` pixels; orthogonal initialisation of every kernel and embedding; batch norm
eps 1e-5 with PyTorch momentum 0.1 (Keras 0.9). Widths: channels = `width` (the released `ch`) x
the layout's multiplier. Unconditional (`num_classes=None`): c_k = z_k and no projection.
"""
from __future__ import annotations

from math import inf
from typing import Optional

import keras

from tfgan_zoo.layers import LinearConditionalBatchNormalization
from tfgan_zoo.models.common import check_positive
from tfgan_zoo.models.registry import declare
from tfgan_zoo.models.resnet import (
    BatchNormSpec, ConvStyle, DiscriminatorLayout, GeneratorLayout, check_attention_resolution,
    generator_trunk, layout_for, resnet_discriminator,
)
from tfgan_zoo.value_checks import check_num_classes

GENERATOR_LAYOUTS = {
    28: GeneratorLayout(bottom=7, start=4, blocks=(4, 4)),
    32: GeneratorLayout(bottom=4, start=4, blocks=(4, 4, 4)),
    64: GeneratorLayout(bottom=4, start=16, blocks=(16, 8, 4, 2)),
    128: GeneratorLayout(bottom=4, start=16, blocks=(16, 8, 4, 2, 1)),
}
DISCRIMINATOR_LAYOUTS = {
    28: DiscriminatorLayout(((4, True), (4, True), (4, False), (4, False))),
    32: DiscriminatorLayout(((4, True), (4, True), (4, False), (4, False))),
    64: DiscriminatorLayout(((1, True), (2, True), (4, True), (8, True), (16, False))),
    128: DiscriminatorLayout(((1, True), (2, True), (4, True), (8, True), (16, True), (16, False))),
}
RESOLUTIONS = tuple(sorted(GENERATOR_LAYOUTS))
CONVS = ConvStyle(spectral_norm=True, initializer="orthogonal")
BATCH_NORM = dict(momentum=0.9, epsilon=1e-5)


def latent_chunks(resolution: int) -> int:
    """How many chunks z is split into: one per generator block plus one for the input linear."""
    return len(layout_for(GENERATOR_LAYOUTS, resolution).blocks) + 1


@declare("generator", makes="images", resolutions=RESOLUTIONS, conditional=True)
def biggan_generator(
    latent_dim: int = 120, resolution: int = 32, channels: int = 3, width: int = 64,
    num_classes: Optional[int] = None, embedding_dim: int = 128, embedding_gain: float = 1.0,
    embedding_at_input: bool = False, attention_resolution: Optional[int] = 16, sync_batch_norm: bool = False,
    name: str = "generator",
) -> keras.Model:
    """z (batch, latent_dim) [, labels (batch,)] -> images (batch, R, R, channels) in [-1, 1].

    `latent_dim` must split evenly into `latent_chunks(resolution)` chunks (the default 120, the
    released 128 px setting, does at every resolution). `embedding_dim`: the shared embedding
    (released: 128), initialised orthogonally times `embedding_gain`: 1 is the released code
    (unit rows when num_classes <= embedding_dim); a larger gain gives the class part of each
    block's condition the norm of its z chunk from the start. `embedding_at_input`: the input
    linear takes [shared embedding, z chunk 0] (the input of BigGAN-deep, BigGAN-PyTorch's
    `BigGANdeep.py`, which takes [shared embedding, z]) instead of the chunk alone, so the label
    also shapes the bottom map. Each block's condition is the layer named 'block{k}_condition'.
    """
    layout = layout_for(GENERATOR_LAYOUTS, resolution)
    check_positive(latent_dim=latent_dim, channels=channels, width=width, embedding_dim=embedding_dim)
    if isinstance(embedding_gain, bool) or not isinstance(embedding_gain, (int, float)) or not 0 < embedding_gain < inf:
        raise ValueError(f"embedding_gain must be a positive finite number, got {embedding_gain!r}.")
    if not isinstance(embedding_at_input, bool):
        raise ValueError(f"embedding_at_input must be True or False, got {embedding_at_input!r}.")
    check_num_classes(num_classes)
    check_attention_resolution(attention_resolution, layout.block_resolutions(), f"{resolution} px generator")
    chunks = len(layout.blocks) + 1
    if latent_dim % chunks:
        raise ValueError(
            f"latent_dim must be a multiple of {chunks} at {resolution} px (one equal chunk per generator "
            f"block plus one for the input layer), got {latent_dim}."
        )
    z = keras.Input((latent_dim,), name="z")
    z_chunks = keras.ops.split(z, chunks, axis=1)
    labels, first = None, z_chunks[0]
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        shared = keras.layers.Embedding(
            num_classes, embedding_dim, embeddings_initializer=keras.initializers.Orthogonal(gain=embedding_gain),
            name="shared_embedding"
        )(labels)
        conditions = [
            keras.layers.Concatenate(name=f"block{k}_condition")([shared, chunk]) for k, chunk in enumerate(z_chunks[1:])
        ]
        if embedding_at_input:
            first = keras.layers.Concatenate(name="input_condition")([shared, z_chunks[0]])
    else:
        conditions = [keras.layers.Identity(name=f"block{k}_condition")(chunk) for k, chunk in enumerate(z_chunks[1:])]
    batch_norm = BatchNormSpec(**BATCH_NORM, synchronized=sync_batch_norm)

    def block_norm(h, index: int, layer_name: str):
        norm = LinearConditionalBatchNormalization(
            spectral_norm=CONVS.spectral_norm, momentum=batch_norm.momentum, epsilon=batch_norm.epsilon,
            synchronized=sync_batch_norm, kernel_initializer=CONVS.initializer, name=layer_name,
        )
        return norm([h, conditions[index]])

    images = generator_trunk(first, layout, width, channels, CONVS, batch_norm, block_norm, attention_resolution)
    return keras.Model([z, labels] if labels is not None else z, images, name=name)


@declare("discriminator", makes="images", resolutions=RESOLUTIONS, conditional=True)
def biggan_discriminator(
    resolution: int = 32, channels: int = 3, width: int = 64, num_classes: Optional[int] = None,
    attention_resolution: Optional[int] = 16, name: str = "discriminator",
) -> keras.Model:
    """images (batch, R, R, channels) [, labels (batch,)] -> logits (batch, 1)."""
    layout = layout_for(DISCRIMINATOR_LAYOUTS, resolution)
    return resnet_discriminator(
        resolution, layout, channels, width, num_classes, CONVS, wide=True,
        attention_resolution=attention_resolution, output_bias=True, name=name,
    )
