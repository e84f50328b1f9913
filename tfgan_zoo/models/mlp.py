"""MLP generator and discriminator for 2-D toy mixtures (Metz et al. 2016, Unrolled GANs, app. A:
two hidden layers of 128 units)."""
from __future__ import annotations

from typing import Optional

import keras

from tfgan_zoo.models.common import check_choice, maybe_spectral

ACTIVATIONS = ("tanh", "relu", "leaky_relu")


def _activation(kind: str, name: str) -> keras.layers.Layer:
    check_choice("activation", kind, ACTIVATIONS)
    if kind == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=0.2, name=name)
    return keras.layers.Activation(kind, name=name)


def mlp_generator(
    latent_dim: int = 256, output_dim: int = 2, width: int = 128, depth: int = 2, activation: str = "tanh",
    name: str = "generator",
) -> keras.Model:
    """z (batch, latent_dim) -> points (batch, output_dim), linear output."""
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i in range(depth):
        h = keras.layers.Dense(width, name=f"dense_{i}")(h)
        h = _activation(activation, f"act_{i}")(h)
    points = keras.layers.Dense(output_dim, name="points")(h)
    return keras.Model(z, points, name=name)


def mlp_discriminator(
    input_dim: int = 2, width: int = 128, depth: int = 2, activation: str = "tanh",
    spectral_norm: bool = False, minibatch_discrimination: Optional[dict] = None, name: str = "discriminator",
) -> keras.Model:
    """points (batch, input_dim) -> logits (batch, 1). The last hidden layer is named 'features'.

    `minibatch_discrimination`: kwargs of tfgan_zoo.layers.MinibatchDiscrimination, applied to
    the last hidden features (Salimans et al. 2016, sec. 3.2)."""
    points = keras.Input((input_dim,), name="points")
    h = points
    for i in range(depth):
        h = maybe_spectral(keras.layers.Dense(width, name=f"dense_{i}"), spectral_norm)(h)
        h = _activation(activation, "features" if i == depth - 1 else f"act_{i}")(h)
    if minibatch_discrimination is not None:
        from tfgan_zoo.layers import MinibatchDiscrimination

        h = MinibatchDiscrimination(**minibatch_discrimination, name="minibatch_discrimination")(h)
    logits = maybe_spectral(keras.layers.Dense(1, name="logits"), spectral_norm)(h)
    return keras.Model(points, logits, name=name)
