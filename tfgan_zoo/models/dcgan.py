"""DCGAN generator and discriminator (Radford et al. 2015) at 28, 32 or 64 pixels, and the SNGAN
"standard CNN" discriminator (Miyato et al. 2018, table 3) via `architecture="sngan"`.

Conditional variants: the generator concatenates a label embedding to z; the discriminator uses the
projection output of Miyato & Koyama 2018.
"""
from __future__ import annotations

from typing import Optional

import keras

from tfgan_zoo.models.common import (
    check_choice, check_positive, label_embedding, maybe_spectral, normalization, projection_logits, resolution_plan,
)
from tfgan_zoo.models.registry import declare

RESOLUTIONS = {28: (7, 2), 32: (4, 3), 64: (4, 4)}  # resolution -> (start size, 2x upsamplings)
ARCHITECTURES = ("dcgan", "sngan")


@declare("generator", makes="images", resolutions=tuple(RESOLUTIONS), conditional=True)
def dcgan_generator(
    latent_dim: int = 100, resolution: int = 28, channels: int = 1, width: int = 64,
    normalization_kind: Optional[str] = "batch", num_classes: Optional[int] = None,
    kernel_size: int = 4, embedding_dim: int = 32, name: str = "generator",
) -> keras.Model:
    """z (batch, latent_dim) [, labels (batch,)] -> images (batch, R, R, channels) in [-1, 1].

    Dense to a start x start x (width * 2^(n-1)) map, then n stride-2 transposed convolutions,
    each but the last followed by normalisation and ReLU, halving the width; tanh output.
    """
    check_positive(latent_dim=latent_dim, channels=channels, width=width, kernel_size=kernel_size)
    start, upsamplings = resolution_plan(RESOLUTIONS, resolution)
    z = keras.Input((latent_dim,), name="z")
    inputs = [z]
    h = z
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs.append(labels)
        h = keras.layers.Concatenate(name="z_and_label")([z, label_embedding(labels, num_classes, embedding_dim, "label_embedding")])
    start_width = width * 2 ** (upsamplings - 1)
    h = keras.layers.Dense(start * start * start_width, use_bias=normalization_kind is None, name="project")(h)
    h = keras.layers.Reshape((start, start, start_width), name="reshape")(h)
    for i in range(upsamplings):
        norm = normalization(normalization_kind, f"norm_{i}")
        if norm is not None:
            h = norm(h)
        h = keras.layers.ReLU(name=f"relu_{i}")(h)
        last = i == upsamplings - 1
        filters = channels if last else width * 2 ** (upsamplings - 2 - i)
        h = keras.layers.Conv2DTranspose(
            filters, kernel_size, strides=2, padding="same", use_bias=last or normalization_kind is None,
            name=f"deconv_{i}",
        )(h)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(h)
    return keras.Model(inputs if num_classes is not None else z, images, name=name)


@declare("discriminator", makes="images", resolutions=tuple(RESOLUTIONS), conditional=True)
def dcgan_discriminator(
    resolution: int = 28, channels: int = 1, width: int = 64, normalization_kind: Optional[str] = "batch",
    spectral_norm: bool = False, num_classes: Optional[int] = None, architecture: str = "dcgan",
    minibatch_stddev: Optional[dict] = None, minibatch_discrimination: Optional[dict] = None,
    name: str = "discriminator",
) -> keras.Model:
    """images (batch, R, R, channels) [, labels] -> logits (batch, 1).

    architecture "dcgan": n stride-2 4x4 convolutions doubling the width, LeakyReLU(0.2),
    normalisation after all but the first. "sngan": the SNGAN standard CNN, a 3x3 stride-1 and a
    4x4 stride-2 convolution per level then a 3x3 convolution of 8 * width, LeakyReLU(0.1).
    `spectral_norm` wraps every convolution and dense layer. The flattened last feature map is the
    layer named 'features' (for feature matching). `minibatch_stddev` / `minibatch_discrimination`
    are kwargs of the tfgan_zoo.layers layers of those names, inserted before the flatten / the
    output layer (Karras et al. 2018; Salimans et al. 2016).
    """
    check_positive(channels=channels, width=width)
    check_choice("architecture", architecture, ARCHITECTURES)
    _, levels = resolution_plan(RESOLUTIONS, resolution)
    images = keras.Input((resolution, resolution, channels), name="images")
    inputs = [images]
    labels = None
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs.append(labels)
    slope = 0.2 if architecture == "dcgan" else 0.1

    def conv(h, filters, kernel, stride, index, normalize):
        h = maybe_spectral(keras.layers.Conv2D(filters, kernel, strides=stride, padding="same", name=f"conv_{index}"), spectral_norm)(h)
        norm = normalization(normalization_kind, f"norm_{index}") if normalize else None
        if norm is not None:
            h = norm(h)
        return keras.layers.LeakyReLU(negative_slope=slope, name=f"lrelu_{index}")(h)

    h = images
    if architecture == "dcgan":
        for i in range(levels):
            h = conv(h, width * 2 ** i, 4, 2, i, normalize=i > 0)
    else:
        index = 0
        for i in range(min(levels, 3)):
            h = conv(h, width * 2 ** i, 3, 1, index, normalize=index > 0)
            h = conv(h, width * 2 ** i, 4, 2, index + 1, normalize=True)
            index += 2
        for _ in range(levels - 3):  # 64 px: one more downsampling level at 8 * width
            h = conv(h, width * 8, 4, 2, index, normalize=True)
            index += 1
        h = conv(h, width * 8, 3, 1, index, normalize=True)
    if minibatch_stddev is not None:
        from tfgan_zoo.layers import MinibatchStdDev

        h = MinibatchStdDev(**minibatch_stddev, name="minibatch_stddev")(h)
    h = keras.layers.Flatten(name="features")(h)
    if minibatch_discrimination is not None:
        from tfgan_zoo.layers import MinibatchDiscrimination

        h = MinibatchDiscrimination(**minibatch_discrimination, name="minibatch_discrimination")(h)
    logits = projection_logits(h, labels, num_classes, spectral_norm)
    return keras.Model(inputs if num_classes is not None else images, logits, name=name)
