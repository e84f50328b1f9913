"""Architecture builders: each returns a keras.Model and is declared with what it supports
(`tfgan_zoo.models.registry`); `build(name, **config)` builds by name (presets store these)."""
from __future__ import annotations

from tfgan_zoo.models.began import began_autoencoder, began_generator
from tfgan_zoo.models.biggan import biggan_discriminator, biggan_generator
from tfgan_zoo.models.dcgan import dcgan_discriminator, dcgan_generator
from tfgan_zoo.models.mlp import mlp_discriminator, mlp_generator
from tfgan_zoo.models.pggan import pggan_discriminator, pggan_generator
from tfgan_zoo.models.registry import BUILDERS, Builder, BuilderError, build, declare, get_builder
from tfgan_zoo.models.stylegan import stylegan_generator
from tfgan_zoo.models.sagan import sagan_discriminator, sagan_generator
from tfgan_zoo.models.sngan_resnet import sngan_resnet_discriminator, sngan_resnet_generator

__all__ = [
    "BUILDERS",
    "Builder",
    "BuilderError",
    "began_autoencoder",
    "began_generator",
    "biggan_discriminator",
    "biggan_generator",
    "build",
    "dcgan_discriminator",
    "dcgan_generator",
    "declare",
    "get_builder",
    "mlp_discriminator",
    "mlp_generator",
    "pggan_discriminator",
    "pggan_generator",
    "stylegan_generator",
    "sagan_discriminator",
    "sagan_generator",
    "sngan_resnet_discriminator",
    "sngan_resnet_generator",
]
