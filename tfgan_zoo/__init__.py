"""tfgan_zoo: GAN training-stabilisation techniques (2014-2019) for TensorFlow 2 / Keras 3.

The public API is loaded lazily, so `import tfgan_zoo` stays cheap and sub-packages
(`tfgan_zoo.metrics`, `tfgan_zoo.data`, ...) can be imported on their own.
"""
from __future__ import annotations

import importlib

from tfgan_zoo._backend import require_tensorflow_backend

require_tensorflow_backend()

__version__ = "0.1.0"

# public name -> "module:attribute" (or "module" for a sub-package)
_LAZY = {
    "GAN": "tfgan_zoo.training.gan:GAN",
    "UnrolledGAN": "tfgan_zoo.training.unrolled:UnrolledGAN",
    "InfoGAN": "tfgan_zoo.training.infogan:InfoGAN",
    "ClusteredGAN": "tfgan_zoo.training.clustered:ClusteredGAN",
    "BEGAN": "tfgan_zoo.training.began:BEGAN",
    "StyleGAN": "tfgan_zoo.training.stylegan:StyleGAN",
    "ProgressiveGAN": "tfgan_zoo.training.progressive:ProgressiveGAN",
    "GrowthSchedule": "tfgan_zoo.training.progressive:GrowthSchedule",
    "losses": "tfgan_zoo.losses",
    "regularizers": "tfgan_zoo.regularizers",
    "layers": "tfgan_zoo.layers",
    "models": "tfgan_zoo.models",
    "training": "tfgan_zoo.training",
    "metrics": "tfgan_zoo.metrics",
    "data": "tfgan_zoo.data",
    "presets": "tfgan_zoo.presets",
    "from_preset": "tfgan_zoo.presets:from_preset",
    "list_presets": "tfgan_zoo.presets:list_presets",
    "mirrored_strategy": "tfgan_zoo.training.distribute:mirrored_strategy",
    "load_generator": "tfgan_zoo.pretrained:load_generator",
    "list_pretrained": "tfgan_zoo.pretrained:list_pretrained",
    "pretrained": "tfgan_zoo.pretrained",
    "train": "tfgan_zoo.training.runner:train",
    "load_run": "tfgan_zoo.training.runner:load_run",
    "export_generator": "tfgan_zoo.export:export_generator",
    "LatentPrior": "tfgan_zoo.latent:LatentPrior",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'tfgan_zoo' has no attribute {name!r}")
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    value = getattr(module, attribute) if attribute else module
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
