"""MLP generator and discriminator for 2-D toy mixtures (Metz et al. 2016, Unrolled GANs, app. A:
two hidden layers of 128 units)."""
from __future__ import annotations

from typing import Optional

import keras

from tfgan_zoo.models.common import check_choice, maybe_spectral
from tfgan_zoo.models.registry import declare

ACTIVATIONS = ("tanh", "relu", "leaky_relu")
Initializer = "str | dict"


def _dense(units: int, name: str, kernel_initializer: Initializer, dtype: Optional[str] = None) -> keras.layers.Dense:
    """A Dense layer; `kernel_initializer` is a Keras initializer name or its JSON config, e.g.
    {"class_name": "Orthogonal", "config": {"gain": 1.4}} as in the unrolled-GAN reference code."""
    try:
        initializer = keras.initializers.get(kernel_initializer)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"kernel_initializer must be a Keras initializer name or config, got {kernel_initializer!r}: {error}"
        ) from None
    return keras.layers.Dense(units, kernel_initializer=initializer, dtype=dtype, name=name)


def _activation(kind: str, name: str) -> keras.layers.Layer:
    check_choice("activation", kind, ACTIVATIONS)
    if kind == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=0.2, name=name)
    return keras.layers.Activation(kind, name=name)


@declare("generator", makes="points", point_dim_arg="output_dim")
def mlp_generator(
    latent_dim: int = 256, output_dim: int = 2, width: int = 128, depth: int = 2, activation: str = "tanh",
    kernel_initializer: Initializer = "glorot_uniform", name: str = "generator",
) -> keras.Model:
    """z (batch, latent_dim) -> points (batch, output_dim), linear output."""
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i in range(depth):
        h = _dense(width, f"dense_{i}", kernel_initializer)(h)
        h = _activation(activation, f"act_{i}")(h)
    points = _dense(output_dim, "points", kernel_initializer, dtype="float32")(h)
    return keras.Model(z, points, name=name)


@declare("discriminator", makes="points", point_dim_arg="input_dim")
def mlp_discriminator(
    input_dim: int = 2, width: int = 128, depth: int = 2, activation: str = "tanh",
    spectral_norm: bool = False, minibatch_discrimination: Optional[dict] = None,
    kernel_initializer: Initializer = "glorot_uniform", name: str = "discriminator",
) -> keras.Model:
    """points (batch, input_dim) -> logits (batch, 1). The last hidden layer is named 'features'.

    `minibatch_discrimination`: kwargs of tfgan_zoo.layers.MinibatchDiscrimination, applied to
    the last hidden features (Salimans et al. 2016, sec. 3.2)."""
    points = keras.Input((input_dim,), name="points")
    h = points
    for i in range(depth):
        h = maybe_spectral(_dense(width, f"dense_{i}", kernel_initializer), spectral_norm)(h)
        h = _activation(activation, "features" if i == depth - 1 else f"act_{i}")(h)
    if minibatch_discrimination is not None:
        from tfgan_zoo.layers import MinibatchDiscrimination

        h = MinibatchDiscrimination(**minibatch_discrimination, name="minibatch_discrimination")(h)
    logits = maybe_spectral(_dense(1, "logits", kernel_initializer, dtype="float32"), spectral_norm)(h)
    return keras.Model(points, logits, name=name)
