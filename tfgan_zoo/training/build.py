"""Build a compiled GAN from a RunConfig: the networks from their builders, the model class,
the optimizers (with learning-rate schedules) and `compile`."""
from __future__ import annotations

import contextlib
import importlib
from typing import Any, Mapping, Union

import keras

from tfgan_zoo.config import RunConfig
from tfgan_zoo.value_checks import check_values

# model.class -> "module:attribute"; imported on use, so a variant's module loads only when needed.
MODEL_CLASSES = {
    "GAN": "tfgan_zoo.training.gan:GAN",
    "UnrolledGAN": "tfgan_zoo.training.unrolled:UnrolledGAN",
    "BEGAN": "tfgan_zoo.training.began:BEGAN",
    "InfoGAN": "tfgan_zoo.training.infogan:InfoGAN",
    "ClusteredGAN": "tfgan_zoo.training.clustered:ClusteredGAN",
    "StyleGAN": "tfgan_zoo.training.stylegan:StyleGAN",
    "ProgressiveGAN": "tfgan_zoo.training.progressive:ProgressiveGAN",
}
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}


def register_model_class(name: str, target: str) -> None:
    """Make a GAN subclass available to configs as model.class = name ("module:attribute")."""
    MODEL_CLASSES[name] = target


def model_class(name: str) -> type:
    if name not in MODEL_CLASSES:
        raise ValueError(f"Unknown model class {name!r}; expected one of {sorted(MODEL_CLASSES)}.")
    module, _, attribute = MODEL_CLASSES[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def _linear_decay(initial: float, decay_steps: int, final: float = 0.0) -> Any:
    return keras.optimizers.schedules.PolynomialDecay(initial, decay_steps, end_learning_rate=final, power=1.0)


SCHEDULES = {
    "cosine": lambda initial, decay_steps, alpha=0.0: keras.optimizers.schedules.CosineDecay(
        initial, decay_steps, alpha=alpha),
    "linear": _linear_decay,
}


def make_learning_rate(spec: Any) -> Any:
    """A float, or {"schedule": "cosine" | "linear", "initial": ..., "decay_steps": ..., ...}."""
    if not isinstance(spec, Mapping):
        return float(spec) if isinstance(spec, int) and not isinstance(spec, bool) else spec  # Keras takes floats
    spec = dict(spec)
    kind = spec.pop("schedule", None)
    if kind not in SCHEDULES:
        raise ValueError(f"Unknown learning-rate schedule {kind!r}; expected one of {sorted(SCHEDULES)}.")
    try:
        return SCHEDULES[kind](**spec)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Bad {kind!r} learning-rate schedule {spec}: {error}") from None


def make_optimizer(spec: Mapping[str, Any]) -> keras.optimizers.Optimizer:
    """{"name": "adam", **kwargs} -> a keras optimizer; learning_rate may be a schedule dict."""
    spec = dict(spec)
    name = spec.pop("name", None)
    if name not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {name!r}; expected one of {sorted(OPTIMIZERS)}.")
    if "learning_rate" in spec:
        spec["learning_rate"] = make_learning_rate(spec["learning_rate"])
    try:
        return OPTIMIZERS[name](**spec)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Bad optimizer config {spec} for {name!r}: {error}") from None


@contextlib.contextmanager
def dtype_policy(precision: str):
    """Build layers under a Keras dtype policy ("float32", "mixed_float16", "mixed_bfloat16"),
    restoring the previous global policy afterwards (built layers keep theirs)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {list(PRECISIONS)}, got {precision!r}.")
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def build_gan(config: Union[RunConfig, Mapping[str, Any]], strategy: Any = None) -> Any:
    """A compiled GAN from a config (a RunConfig or its JSON form), inside `strategy`'s scope.

    The run section may ask for mixed precision (`run.precision`, see PRECISIONS: the policy is
    set while the networks are built; float16 wraps both optimizers in a LossScaleOptimizer) and
    XLA (`run.jit`: the step is compiled with jit_compile=True).
    """
    if not isinstance(config, RunConfig):
        config = RunConfig.from_dict(config)
    check_values(config.to_dict())  # what `resolve` refuses, for configs that did not come through it
    compile_kwargs = dict(config.compile)
    if config.run.get("jit"):
        compile_kwargs["jit_compile"] = True
    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    with scope, dtype_policy(config.run.get("precision") or "float32"):
        generator = config.generator.build()
        discriminator = config.discriminator.build()
        gan = model_class(config.model_class)(generator, discriminator, **config.model_kwargs)
        gan.compile(g_optimizer=make_optimizer(config.g_optimizer), d_optimizer=make_optimizer(config.d_optimizer),
                    **compile_kwargs)
    gan.preset_config = config.to_dict()
    gan.run_config = config
    return gan
