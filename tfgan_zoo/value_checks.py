"""Config values that can only be mistakes (refused) and ones that may be intended (warned about).

    check_values(config)                      # ValueError: "g_optimizer.learning_rate must be ..."
    value_warnings(config, info, batch)       # ["batch 64 is larger than the 50 examples ...", ...]

`config` is the JSON form (tfgan_zoo.config). `config.resolve` and `training.build.build_gan` call
`check_values`; the runner prints `value_warnings` once per `train`. Plain Python: no Keras.

Refused, naming the dotted key (what `--set` takes), the value and the expected range: learning
rates that are not > 0 (plain numbers and the `initial` of a schedule dict, whose `decay_steps`
must be >= 1 and `alpha` in [0, 1]), Adam/RMSprop decay rates (beta_1, beta_2, rho, momentum)
outside [0, 1), a non-positive epsilon or clipping norm, a negative weight decay, negative loss
weights (generator_adversarial_weight, regulariser weights), regulariser intervals < 1, a
non-positive clip, label-smoothing targets outside (0, 1] / [0, 1). NaN and infinity anywhere are
refused by `config.resolve`; d_steps, ema_decay and the model classes' own arguments (BEGAN's
gamma, the unrolling steps) by `GAN.compile` and the model classes; the training counts by
`config.TrainingConfig` -- each with the same kind of one-line message.

Warned about (may be intended): a learning rate above 0.1 (GANs train at 1e-5 .. 1e-3), and a
batch larger than the dataset, which then holds each image more than once.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterator, Optional

import numpy as np

OPTIMIZER_SECTIONS = ("g_optimizer", "d_optimizer")
LARGE_LEARNING_RATE = 0.1

_IN_0_1 = (lambda v: 0.0 <= v < 1.0, "a number in [0, 1)")
_POSITIVE = (lambda v: v > 0.0, "a finite number > 0")
_NON_NEGATIVE = (lambda v: v >= 0.0, "a finite number >= 0")
# Optimizer arguments and their valid ranges (None is allowed where Keras takes None).
_OPTIMIZER_RANGES: dict[str, tuple[Callable[[float], bool], str]] = {
    "beta_1": _IN_0_1, "beta_2": _IN_0_1, "rho": _IN_0_1, "momentum": _IN_0_1,
    "epsilon": _POSITIVE, "clipnorm": _POSITIVE, "clipvalue": _POSITIVE, "global_clipnorm": _POSITIVE,
    "weight_decay": _NON_NEGATIVE,
}
_LOSS_PARAM_RANGES = {"alpha": (lambda v: 0.0 < v <= 1.0, "a real-label target in (0, 1]"),
                      "beta": (lambda v: 0.0 <= v < 1.0, "a fake-label target in [0, 1)")}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _require(key: str, value: Any, valid: tuple[Callable[[float], bool], str], allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    ok, expected = valid
    if not _is_number(value) or not math.isfinite(float(value)) or not ok(float(value)):
        raise ValueError(f"{key} must be {expected}, got {value!r}.")


def check_num_classes(num_classes: Any) -> Optional[int]:
    """A network's or GAN's class count: None (unconditional) or an integer >= 2, else one line."""
    if num_classes is None:
        return None
    if not _is_number(num_classes) or int(num_classes) != num_classes or num_classes < 2:
        raise ValueError(f"num_classes must be None or an integer >= 2, got {num_classes!r}.")
    return int(num_classes)


def _require_count(key: str, value: Any) -> None:
    if not _is_number(value) or int(value) != value or value < 1:
        raise ValueError(f"{key} must be an integer >= 1, got {value!r}.")


def learning_rates(config: dict) -> Iterator[tuple[str, Any]]:
    """(dotted key, value) of each optimiser's learning rate; a schedule dict gives its `initial`."""
    for section in OPTIMIZER_SECTIONS:
        rate = (config.get(section) or {}).get("learning_rate")
        if isinstance(rate, dict):
            yield f"{section}.learning_rate.initial", rate.get("initial")
        elif rate is not None:
            yield f"{section}.learning_rate", rate


def _check_optimizer(section: str, spec: Any) -> None:
    if not isinstance(spec, dict):
        return  # the optimiser factory names what it expected
    for name, valid in _OPTIMIZER_RANGES.items():
        if name in spec:
            _require(f"{section}.{name}", spec[name], valid, allow_none=True)
    rate = spec.get("learning_rate")
    if isinstance(rate, dict):
        if "decay_steps" in rate:
            _require_count(f"{section}.learning_rate.decay_steps", rate["decay_steps"])
        if "alpha" in rate:
            _require(f"{section}.learning_rate.alpha", rate["alpha"],
                     (lambda v: 0.0 <= v <= 1.0, "a fraction in [0, 1]"))


def check_values(config: dict) -> None:
    """Raise ValueError for the first config value that can only be a mistake (module docstring)."""
    for key, rate in learning_rates(config):
        _require(key, rate, (lambda v: v > 0.0, "a finite learning rate > 0"))
    for section in OPTIMIZER_SECTIONS:
        _check_optimizer(section, config.get(section))
    compile_config = config.get("compile") or {}
    if "generator_adversarial_weight" in compile_config:
        _require("compile.generator_adversarial_weight", compile_config["generator_adversarial_weight"],
                 _NON_NEGATIVE)
    for index, regularizer in enumerate(compile_config.get("regularizers") or []):
        if not isinstance(regularizer, dict):
            continue
        prefix = f"compile.regularizers[{index}] ({regularizer.get('kind')})"
        if "weight" in regularizer:
            _require(f"{prefix} weight", regularizer["weight"], _NON_NEGATIVE)
        if "interval" in regularizer:
            _require_count(f"{prefix} interval", regularizer["interval"])
        if "clip" in regularizer:
            _require(f"{prefix} clip", regularizer["clip"], _POSITIVE)
    for name, valid in _LOSS_PARAM_RANGES.items():
        if name in (compile_config.get("loss_params") or {}):
            _require(f"compile.loss_params.{name}", compile_config["loss_params"][name], valid)


def value_warnings(config: dict, info: Any, batch: int) -> list[str]:
    """One line per value that may be intended but usually is not: a learning rate above
    LARGE_LEARNING_RATE, and `batch` (the examples one step draws) above the dataset's size."""
    found = [f"{key} {rate!r} is above {LARGE_LEARNING_RATE}; GANs usually train at 1e-5 .. 1e-3 and "
             "diverge far above." for key, rate in learning_rates(config)
             if _is_number(rate) and rate > LARGE_LEARNING_RATE]
    size: Optional[int] = getattr(info, "num_examples", None)
    if size is not None and batch > size:
        per_step = f"batch {batch}" if batch == config["training"]["batch_size"] else (
            f"{batch} examples per step (batch {config['training']['batch_size']} x "
            f"{config['compile'].get('d_steps')} critic batches)")
        found.append(f"{per_step} is larger than the {size} examples of {info.name}: every batch repeats "
                     f"examples, holding at most {size} distinct ones.")
    return found


__all__ = ["LARGE_LEARNING_RATE", "check_values", "learning_rates", "value_warnings"]
