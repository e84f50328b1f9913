"""Presets: named configs, plain JSON data, one module per family, registered in one place.

    tz.list_presets()                                   # name -> one-line description
    tz.presets.get_config("wgangp_mnist5k")             # the JSON form (see tfgan_zoo.config)
    tz.from_preset("sngan_mnist5k", {"d_optimizer.learning_rate": 4e-4})   # a compiled GAN

A family module derives its presets from a base with dotted overrides
(`derive(BASE, "one line", {"compile.loss": "hinge", ...})`) and `register`s each. Reading the
presets imports no Keras (the command line lists them without TensorFlow); building does.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from tfgan_zoo.presets._registry import (
    CONFIG_FILE, DEFAULT_PRESET, all_configs, get_config, list_presets, preset_names, register,
)
from tfgan_zoo.presets.optimizers import adam, cosine, linear, rmsprop
from tfgan_zoo.presets.overrides import apply_overrides, derive, format_value, parse_value
from tfgan_zoo.presets import began, classic, emoji, pggan, resnet, stacked_mnist, stylegan, toy  # noqa: F401,E402  (each family registers its presets)

WEIGHTS_FILE = "gan.weights.h5"


def from_preset(name_or_folder: str = DEFAULT_PRESET, overrides: Optional[dict[str, Any]] = None,
                strategy: Any = None, load_weights: bool = True, **kwargs: Any):
    """A compiled GAN from a preset name or a folder (a run directory or an exported preset).

    Overrides are dotted keys, as a dict or as keyword arguments with '__' for '.':
    `from_preset("wgangp_mnist5k", d_optimizer__learning_rate=4e-4)`. A folder's weights
    (`gan.weights.h5`) are loaded when present and `load_weights`. Under `strategy`, the model is
    built inside its scope. The config is not adapted to any data (see `tz.train` for that).
    """
    from tfgan_zoo.config import RunConfig
    from tfgan_zoo.training.build import build_gan

    merged = dict(overrides or {})
    merged.update({key.replace("__", "."): value for key, value in kwargs.items()})
    config = RunConfig.from_dict(apply_overrides(get_config(name_or_folder), merged))
    gan = build_gan(config, strategy=strategy)
    weights = Path(name_or_folder) / WEIGHTS_FILE
    if load_weights and Path(name_or_folder).is_dir() and weights.is_file():
        gan.load_weights(weights)
    return gan


def build_gan(config: Any, strategy: Any = None):
    """A compiled GAN from a config's JSON form or a RunConfig (tfgan_zoo.training.build)."""
    from tfgan_zoo.training.build import build_gan as build

    return build(config, strategy=strategy)


__all__ = [
    "CONFIG_FILE", "DEFAULT_PRESET", "adam", "all_configs", "apply_overrides", "build_gan", "cosine", "derive", "format_value",
    "from_preset", "get_config", "linear", "list_presets", "parse_value", "preset_names", "register", "rmsprop",
]
