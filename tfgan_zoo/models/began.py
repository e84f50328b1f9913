"""BEGAN architectures (Berthelot et al. 2017, "BEGAN: Boundary Equilibrium Generative Adversarial
Networks", sec. 3.5 and fig. 1): an autoencoder discriminator and a generator with the decoder's
architecture.

Decoder (and generator): a dense layer from the embedding h (or z) to a start x start x n map,
then blocks of two 3x3 convolutions with ELU (Clevert et al. 2015), nearest-neighbour 2x upsampling
between blocks, and a 3x3 convolution to the image channels. Encoder: a 3x3 convolution, then
blocks of two 3x3 convolutions whose filters grow linearly (n, 2n, 3n, ...), a stride-2 3x3
convolution ("sub-sampling") between blocks, and a dense layer (no activation) to h.
Resolutions: 28 (start 7), 32 (start 8) and 64 (start 8, the paper's).
"""
from __future__ import annotations

import keras

from tfgan_zoo.models.common import check_choice, check_positive, resolution_plan
from tfgan_zoo.models.registry import declare

RESOLUTIONS = {28: (7, 3), 32: (8, 3), 64: (8, 4)}  # resolution -> (start size, conv blocks)
OUTPUT_ACTIVATIONS = ("tanh", "clip", "linear")


def _output(h, output_activation: str, name: str):
    """tanh, a linear output clipped to [-1, 1] ("clip", keras's hard_tanh), or "linear"."""
    check_choice("output_activation", output_activation, OUTPUT_ACTIVATIONS)
    activation = {"tanh": "tanh", "clip": "hard_tanh", "linear": "linear"}[output_activation]
    return keras.layers.Activation(activation, dtype="float32", name=name)(h)


def _decode(h, resolution: int, channels: int, width: int, output_activation: str, prefix: str, output_name: str):
    start, blocks = resolution_plan(RESOLUTIONS, resolution)
    h = keras.layers.Dense(start * start * width, name=f"{prefix}project")(h)
    h = keras.layers.Reshape((start, start, width), name=f"{prefix}reshape")(h)
    for i in range(blocks):
        for part in ("a", "b"):
            h = keras.layers.Conv2D(width, 3, padding="same", activation="elu", name=f"{prefix}conv_{i}{part}")(h)
        if i < blocks - 1:
            h = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"{prefix}upsample_{i}")(h)
    h = keras.layers.Conv2D(channels, 3, padding="same", name=f"{prefix}to_images")(h)
    return _output(h, output_activation, output_name)


@declare("generator", makes="images", resolutions=tuple(RESOLUTIONS))
def began_generator(
    latent_dim: int = 64, resolution: int = 28, channels: int = 1, width: int = 64,
    output_activation: str = "tanh", name: str = "generator",
) -> keras.Model:
    """z (batch, latent_dim) -> images (batch, R, R, channels) in [-1, 1].

    The BEGAN decoder architecture (Berthelot et al. 2017, fig. 1a) with its own weights: dense to
    start x start x width, blocks of two 3x3 ELU convolutions with nearest-neighbour upsampling
    between them, a 3x3 convolution to `channels`, then tanh or ("clip") a linear output clipped to
    [-1, 1]. The paper uses N_z = 64 (z ~ U[-1, 1]^N_z) and n = 64 or 128 filters.
    """
    check_positive(latent_dim=latent_dim, channels=channels, width=width)
    resolution_plan(RESOLUTIONS, resolution)
    z = keras.Input((latent_dim,), name="z")
    images = _decode(z, resolution, channels, width, output_activation, "", "images")
    return keras.Model(z, images, name=name)


@declare("discriminator", makes="images", resolutions=tuple(RESOLUTIONS))
def began_autoencoder(
    resolution: int = 28, channels: int = 1, hidden: int = 64, width: int = 64,
    output_activation: str = "tanh", name: str = "discriminator",
) -> keras.Model:
    """images (batch, R, R, channels) -> reconstructions of the same shape (the BEGAN discriminator).

    Berthelot et al. 2017, fig. 1: encoder (3x3 ELU convolutions, filters n, 2n, 3n, ... growing
    with each stride-2 sub-sampling) to an embedding of size h = `hidden` (the dense layer named
    'embedding', no activation), then the decoder of `began_generator` (layers prefixed 'dec_').
    `width` is n. `output_activation="linear"` keeps the L1 reconstruction gradient alive where a
    tanh would saturate: on MNIST, whose median pixel is the -1 background, a tanh autoencoder
    settles on the all-background image (L1 about 0.26) and stops learning.
    """
    check_positive(channels=channels, hidden=hidden, width=width)
    _, blocks = resolution_plan(RESOLUTIONS, resolution)
    images = keras.Input((resolution, resolution, channels), name="images")
    h = keras.layers.Conv2D(width, 3, padding="same", activation="elu", name="enc_conv_in")(images)
    for i in range(blocks):
        filters = width * (i + 1)
        for part in ("a", "b"):
            h = keras.layers.Conv2D(filters, 3, padding="same", activation="elu", name=f"enc_conv_{i}{part}")(h)
        if i < blocks - 1:
            h = keras.layers.Conv2D(
                width * (i + 2), 3, strides=2, padding="same", activation="elu", name=f"enc_down_{i}"
            )(h)
    h = keras.layers.Flatten(name="enc_flatten")(h)
    embedding = keras.layers.Dense(hidden, name="embedding")(h)
    reconstructions = _decode(embedding, resolution, channels, width, output_activation, "dec_", "reconstructions")
    return keras.Model(images, reconstructions, name=name)
