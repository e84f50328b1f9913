"""Optimizers and learning-rate schedules from their JSON form in presets.

    make_optimizer({"name": "adam", "learning_rate": 2e-4, "beta_1": 0.5})
    make_optimizer({"name": "adam", "learning_rate": {"schedule": "cosine", "initial": 1e-3, "decay_steps": 20000}})

Kept apart from tfgan_zoo.presets so that reading presets needs no Keras.
"""
from __future__ import annotations

from typing import Any

import keras

_OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}
_SCHEDULES = {"cosine": lambda initial, decay_steps, alpha=0.0: keras.optimizers.schedules.CosineDecay(
    initial, decay_steps, alpha=alpha)}


def make_learning_rate(spec: Any) -> Any:
    """A float, or {"schedule": "cosine", "initial": ..., "decay_steps": ..., "alpha": ...}
    (Loshchilov & Hutter 2017)."""
    if not isinstance(spec, dict):
        return spec
    spec = dict(spec)
    kind = spec.pop("schedule", None)
    if kind not in _SCHEDULES:
        raise ValueError(f"Unknown learning-rate schedule {kind!r}; expected one of {sorted(_SCHEDULES)}.")
    try:
        return _SCHEDULES[kind](**spec)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Bad {kind!r} learning-rate schedule {spec}: {error}") from None


def make_optimizer(spec: dict) -> keras.optimizers.Optimizer:
    """{"name": "adam", **kwargs} -> a keras optimizer; learning_rate may be a schedule dict."""
    spec = dict(spec)
    name = spec.pop("name", None)
    if name not in _OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {name!r}; expected one of {sorted(_OPTIMIZERS)}.")
    if "learning_rate" in spec:
        spec["learning_rate"] = make_learning_rate(spec["learning_rate"])
    try:
        return _OPTIMIZERS[name](**spec)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Bad optimizer config {spec} for {name!r}: {error}") from None


__all__ = ["make_learning_rate", "make_optimizer"]
