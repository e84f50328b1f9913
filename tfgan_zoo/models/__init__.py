"""Architecture builders: each returns a keras.Model; `build(kind, **config)` by name."""
from __future__ import annotations

from typing import Any, Callable

import keras

from tfgan_zoo.models.began import began_autoencoder, began_generator
from tfgan_zoo.models.dcgan import dcgan_discriminator, dcgan_generator
from tfgan_zoo.models.mlp import mlp_discriminator, mlp_generator
from tfgan_zoo.models.stylegan import stylegan_generator

BUILDERS: dict[str, Callable[..., keras.Model]] = {
    "mlp_generator": mlp_generator,
    "mlp_discriminator": mlp_discriminator,
    "dcgan_generator": dcgan_generator,
    "dcgan_discriminator": dcgan_discriminator,
    "began_generator": began_generator,
    "began_autoencoder": began_autoencoder,
    "stylegan_generator": stylegan_generator,
}


def build(kind: str, **config: Any) -> keras.Model:
    """Build an architecture by builder name with its keyword config (presets store these)."""
    if kind not in BUILDERS:
        raise ValueError(f"Unknown model builder {kind!r}; expected one of {sorted(BUILDERS)}.")
    try:
        return BUILDERS[kind](**config)
    except TypeError as error:
        raise ValueError(f"Bad config for {kind!r}: {error}") from None


__all__ = ["BUILDERS", "began_autoencoder", "began_generator", "build", "dcgan_discriminator", "dcgan_generator", "mlp_discriminator", "mlp_generator", "stylegan_generator"]
