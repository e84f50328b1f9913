"""Presets: named, JSON-round-trippable configurations -> compiled GANs.

A preset config is plain JSON: the architecture (generator / discriminator builder + kwargs), the
model class and its arguments, the loss, regularisers, optimisers, d_steps, EMA, default data and
training schedule. `from_preset(name_or_folder, overrides)` builds and compiles the GAN; dotted
override keys reach any leaf ("d_optimizer.learning_rate": 4e-4).
"""
from __future__ import annotations

import copy
import difflib
import json
from pathlib import Path
from typing import Any, Optional

import keras

from tfgan_zoo import models as models_lib

CONFIG_FILE = "config.json"

# --- building blocks -----------------------------------------------------------------------

def adam(learning_rate: "float | dict" = 2e-4, beta_1: float = 0.5, beta_2: float = 0.999,
         epsilon: float = 1e-7) -> dict:
    spec = {"name": "adam", "learning_rate": learning_rate, "beta_1": beta_1, "beta_2": beta_2}
    return spec if epsilon == 1e-7 else {**spec, "epsilon": epsilon}


def rmsprop(learning_rate: float = 5e-5) -> dict:
    return {"name": "rmsprop", "learning_rate": learning_rate}


_OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}


def cosine(initial: float, decay_steps: int, alpha: float = 0.0) -> dict:
    """A cosine learning-rate decay (Loshchilov & Hutter 2017) from `initial` to `alpha * initial`."""
    return {"schedule": "cosine", "initial": initial, "decay_steps": decay_steps, "alpha": alpha}


_SCHEDULES = {"cosine": lambda initial, decay_steps, alpha=0.0: keras.optimizers.schedules.CosineDecay(
    initial, decay_steps, alpha=alpha)}


def make_learning_rate(spec: Any) -> Any:
    """A float, or {"schedule": "cosine", "initial": ..., "decay_steps": ..., "alpha": ...}."""
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


def _dcgan(description: str, *, loss: str = "nonsaturating", loss_params: Optional[dict] = None,
           regularizers: Optional[list] = None, d_steps: int = 1, g_optimizer: Optional[dict] = None,
           d_optimizer: Optional[dict] = None, d_normalization: Optional[str] = "batch",
           spectral_norm: bool = False, architecture: str = "dcgan", num_classes: Optional[int] = None,
           ema_decay: Optional[float] = 0.999, steps: int = 2000, data: str = "mnist5k") -> dict:
    return {
        "description": description,
        "data": data,
        "model": {"class": "GAN", "latent_dim": 64, "num_classes": num_classes, "seed": 0},
        "generator": {"builder": "dcgan_generator", "latent_dim": 64, "resolution": 28, "channels": 1,
                      "width": 32, "normalization_kind": "batch", "num_classes": num_classes},
        "discriminator": {"builder": "dcgan_discriminator", "resolution": 28, "channels": 1, "width": 32,
                          "normalization_kind": d_normalization, "spectral_norm": spectral_norm,
                          "architecture": architecture, "num_classes": num_classes},
        "compile": {"loss": loss, "loss_params": loss_params or {}, "regularizers": regularizers or [],
                    "d_steps": d_steps, "d_batches": "reuse", "ema_decay": ema_decay,
                    "generator_adversarial_weight": 1.0},
        "g_optimizer": g_optimizer or adam(),
        "d_optimizer": d_optimizer or adam(),
        "training": {"batch_size": 64, "steps": steps, "log_every": 50, "sample_every": 250,
                     "checkpoint_every": 500, "keep_checkpoints": 3, "num_samples": 64, "fid_every": 0},
    }


def _toy(description: str, *, loss: str = "nonsaturating", loss_params: Optional[dict] = None,
         regularizers: Optional[list] = None, d_steps: int = 1, g_optimizer: Optional[dict] = None,
         d_optimizer: Optional[dict] = None, spectral_norm: bool = False, activation: str = "relu",
         latent_dim: int = 16, width: int = 128, batch_size: int = 256, steps: int = 3000,
         data: str = "toy:ring8", model: Optional[dict] = None, ema_decay: Optional[float] = None,
         kernel_initializer: "str | dict" = "glorot_uniform") -> dict:
    return {
        "description": description,
        "data": data,
        "model": {"class": "GAN", "latent_dim": latent_dim, "num_classes": None, "seed": 0, **(model or {})},
        "generator": {"builder": "mlp_generator", "latent_dim": latent_dim, "output_dim": 2, "width": width,
                      "depth": 2, "activation": activation, "kernel_initializer": kernel_initializer},
        "discriminator": {"builder": "mlp_discriminator", "input_dim": 2, "width": width, "depth": 2,
                          "activation": activation, "spectral_norm": spectral_norm,
                          "kernel_initializer": kernel_initializer},
        "compile": {"loss": loss, "loss_params": loss_params or {}, "regularizers": regularizers or [],
                    "d_steps": d_steps, "d_batches": "reuse", "ema_decay": ema_decay,
                    "generator_adversarial_weight": 1.0},
        "g_optimizer": g_optimizer or adam(1e-3),
        "d_optimizer": d_optimizer or adam(1e-3),
        "training": {"batch_size": batch_size, "steps": steps, "log_every": 100, "sample_every": 500,
                     "checkpoint_every": 1000, "keep_checkpoints": 3, "num_samples": 2500},
    }


GP = {"kind": "gradient_penalty", "weight": 10.0}
CLIP = {"kind": "weight_clipping", "clip": 0.01}
WGANGP_ADAM = adam(1e-4, 0.0, 0.9)  # Gulrajani et al. 2017, Algorithm 1
# Metz et al. 2016, app. A, and the authors' reference notebook: 2x128 tanh MLPs with orthogonal
# initialisation (gain 1.4), z 256-d, batch 512, the saturating minimax objective, Adam D 1e-4 /
# G 1e-3, beta1 0.5, epsilon 1e-8.
ORTHOGONAL_1_4 = {"class_name": "Orthogonal", "config": {"gain": 1.4}}
METZ_TOY = dict(loss="minimax", activation="tanh", latent_dim=256, batch_size=512, steps=25000,
                kernel_initializer=ORTHOGONAL_1_4, g_optimizer=adam(1e-3, 0.5, epsilon=1e-8),
                d_optimizer=adam(1e-4, 0.5, epsilon=1e-8))

_PRESETS: dict[str, dict] = {
    "dcgan_mnist5k": _dcgan("DCGAN (Radford 2015), non-saturating loss (Goodfellow 2014), EMA generator; the default"),
    "minimax_mnist5k": _dcgan("DCGAN with the original saturating minimax generator loss (Goodfellow 2014)", loss="minimax"),
    "onesided_ls_mnist5k": _dcgan("one-sided label smoothing, real target 0.9 (Salimans 2016)",
                                  loss="one_sided_label_smoothing", loss_params={"alpha": 0.9}),
    "twosided_ls_mnist5k": _dcgan("two-sided label smoothing, targets 0.9 / 0.1 (Salimans 2016)",
                                  loss="two_sided_label_smoothing", loss_params={"alpha": 0.9, "beta": 0.1}),
    "lsgan_mnist5k": _dcgan("least squares GAN, a=-1 b=1 c=0 (Mao 2017)", loss="least_squares"),
    "wgan_mnist5k": _dcgan("WGAN: weight clipping 0.01, RMSprop 5e-5, 5 critic steps (Arjovsky 2017)",
                           loss="wasserstein", regularizers=[CLIP], d_steps=5,
                           g_optimizer=rmsprop(5e-5), d_optimizer=rmsprop(5e-5)),
    "wgangp_mnist5k": _dcgan("WGAN-GP: gradient penalty 10, Adam(1e-4, 0, 0.9), 5 critic steps, layer-norm critic (Gulrajani 2017)",
                             loss="wasserstein", regularizers=[GP], d_steps=5, g_optimizer=WGANGP_ADAM,
                             d_optimizer=WGANGP_ADAM, d_normalization="layer"),
    "sngan_mnist5k": _dcgan("hinge loss + spectral norm on the SNGAN standard CNN discriminator (Miyato 2018)",
                            loss="hinge", spectral_norm=True, d_normalization=None, architecture="sngan",
                            g_optimizer=adam(2e-4, 0.5, 0.999), d_optimizer=adam(2e-4, 0.5, 0.999)),
    "ttur_mnist5k": _dcgan("TTUR: D lr 4e-4, G lr 1e-4, Adam(0, 0.9), hinge + spectral norm (Heusel 2017; Zhang 2019)",
                           loss="hinge", spectral_norm=True, d_normalization=None, architecture="sngan",
                           g_optimizer=adam(1e-4, 0.0, 0.9), d_optimizer=adam(4e-4, 0.0, 0.9)),
    "cdcgan_mnist5k": _dcgan("conditional DCGAN: label embedding in G, projection D (Miyato & Koyama 2018)",
                             num_classes=10),
    "sngan_cifar10": {**_dcgan("SNGAN on CIFAR-10 (Miyato 2018): hinge, spectral norm, standard CNN D",
                               loss="hinge", spectral_norm=True, d_normalization=None, architecture="sngan",
                               g_optimizer=adam(2e-4, 0.5, 0.999), d_optimizer=adam(2e-4, 0.5, 0.999),
                               data="tfds:cifar10", steps=50000)},
    "gan_toy": _toy("MLP GAN, non-saturating loss, on ring8"),
    "minimax_toy": _toy("MLP GAN, saturating minimax loss", loss="minimax"),
    "onesided_ls_toy": _toy("one-sided label smoothing 0.9", loss="one_sided_label_smoothing"),
    "twosided_ls_toy": _toy("two-sided label smoothing 0.9 / 0.1", loss="two_sided_label_smoothing"),
    "lsgan_toy": _toy("least squares GAN", loss="least_squares"),
    "wgan_toy": _toy("WGAN with weight clipping, RMSprop 5e-5, 5 critic steps", loss="wasserstein",
                     regularizers=[CLIP], d_steps=5, g_optimizer=rmsprop(5e-5), d_optimizer=rmsprop(5e-5)),
    "wgangp_toy": _toy("WGAN-GP, lambda 10, Adam(1e-4, 0, 0.9), 5 critic steps", loss="wasserstein",
                       regularizers=[GP], d_steps=5, g_optimizer=WGANGP_ADAM, d_optimizer=WGANGP_ADAM),
    "hinge_sn_toy": _toy("hinge loss + spectral norm", loss="hinge", spectral_norm=True),
    "ttur_toy": _toy("TTUR: D 4e-4, G 1e-4, Adam(0, 0.9), hinge + spectral norm", loss="hinge",
                     spectral_norm=True, g_optimizer=adam(1e-4, 0.0, 0.9), d_optimizer=adam(4e-4, 0.0, 0.9)),
}
# --- issue 5: the classic techniques ------------------------------------------------------
_PRESETS.update({
    "feature_matching_mnist5k": _dcgan("feature matching replaces the generator objective (Salimans 2016)",
                                       regularizers=[{"kind": "feature_matching", "weight": 1.0}]),
    # No batch norm in D: it normalises each all-real / all-fake batch, which hides the
    # within-batch similarity the layer measures (Salimans et al. used weight norm, no batch norm).
    "minibatch_disc_mnist5k": _dcgan("minibatch discrimination layer in a D without batch norm (Salimans 2016)",
                                     d_normalization=None),
    "minibatch_stddev_mnist5k": _dcgan("minibatch standard deviation layer in D (Karras 2018)"),
    "unrolled_mnist5k": _dcgan("unrolled GAN, K=3 Adam-unrolled D steps, first order (Metz 2016)", steps=1000),
    "feature_matching_toy": _toy("feature matching generator objective (Salimans 2016)",
                                 regularizers=[{"kind": "feature_matching", "weight": 1.0}]),
    "minibatch_disc_toy": _toy("minibatch discrimination in the MLP discriminator (Salimans 2016)"),
    "toy_gan": _toy("vanilla GAN in the published unrolled-GAN toy setup (Metz 2016): the baseline",
                    **METZ_TOY),
    "toy_unrolled": _toy("unrolled GAN, K=5, in the published toy setup (Metz 2016)",
                         **METZ_TOY, model={"class": "UnrolledGAN", "unrolling_steps": 5, "unroll_optimizer": "adam",
                                            "first_order": False, "unroll_learning_rate": None,
                                            "unrolled_objective": "value"}),
    # The zoo's best toy recipe: wider/deeper ReLU MLPs, non-saturating loss with a light R1
    # penalty (Mescheder 2018), an EMA generator (Yazici 2019) and cosine-decayed Adam.
    "toy_stable": _toy("the zoo's stable toy recipe: 3x256 ReLU MLPs, R1 0.2, EMA 0.999, cosine-decayed Adam",
                       latent_dim=64, width=256, batch_size=512, steps=20000, ema_decay=0.999,
                       regularizers=[{"kind": "r1", "weight": 0.2}],
                       g_optimizer=adam(cosine(1e-3, 20000, 0.01), 0.5, 0.9),
                       d_optimizer=adam(cosine(1e-3, 20000, 0.01), 0.5, 0.9)),
})
for _name in ("toy_stable",):
    _PRESETS[_name]["generator"]["depth"] = _PRESETS[_name]["discriminator"]["depth"] = 3
for _name in ("feature_matching_mnist5k", "feature_matching_toy"):
    _PRESETS[_name]["compile"]["generator_adversarial_weight"] = 0.0
_PRESETS["minibatch_disc_mnist5k"]["discriminator"]["minibatch_discrimination"] = {"num_kernels": 50, "kernel_dim": 5}
_PRESETS["minibatch_disc_toy"]["discriminator"]["minibatch_discrimination"] = {"num_kernels": 50, "kernel_dim": 5}
_PRESETS["minibatch_stddev_mnist5k"]["discriminator"]["minibatch_stddev"] = {"group_size": 4}
_PRESETS["unrolled_mnist5k"]["model"].update({"class": "UnrolledGAN", "unrolling_steps": 3, "unroll_optimizer": "adam",
                                             "first_order": True, "unroll_learning_rate": None,
                                             "unrolled_objective": "generator_loss"})
_PRESETS["began_mnist5k"] = {
    "description": "BEGAN: autoencoder D, L1 reconstruction, k_t control, gamma 0.7 (Berthelot 2017)",
    "data": "mnist5k",
    "model": {"class": "BEGAN", "latent_dim": 64, "num_classes": None, "seed": 0, "gamma": 0.7, "lambda_k": 0.001},
    "generator": {"builder": "began_generator", "latent_dim": 64, "resolution": 28, "channels": 1, "width": 32,
                  "output_activation": "tanh"},
    # A linear autoencoder output: a tanh one settles on the all-background digit and stops learning.
    "discriminator": {"builder": "began_autoencoder", "resolution": 28, "channels": 1, "hidden": 64, "width": 32,
                      "output_activation": "linear"},
    "compile": {"loss": "began", "loss_params": {}, "regularizers": [], "d_steps": 1, "d_batches": "reuse",
                "ema_decay": 0.999, "generator_adversarial_weight": 1.0},
    "g_optimizer": adam(4e-4, 0.5), "d_optimizer": adam(4e-4, 0.5),
    "training": dict(_PRESETS["dcgan_mnist5k"]["training"]),
}
_PRESETS["sngan_cifar10"]["generator"].update(resolution=32, channels=3, width=64)
_PRESETS["sngan_cifar10"]["discriminator"].update(resolution=32, channels=3, width=64)
# The default demo (`tfgan-zoo train` with no arguments): 4000 steps draw clearly recognisable
# digits in about 3 minutes on two CPU cores (2000 steps still give blotchy strokes); 8 grids.
# The shipped generators (saved_models/) are trained with these defaults too.
for _name in ("dcgan_mnist5k", "cdcgan_mnist5k", "wgangp_mnist5k"):
    _PRESETS[_name]["training"].update(steps=4000, sample_every=500, checkpoint_every=1000)

DEFAULT_PRESET = "dcgan_mnist5k"

_MODEL_CLASSES = {
    "GAN": "tfgan_zoo.training.gan:GAN",
    "UnrolledGAN": "tfgan_zoo.training.unrolled:UnrolledGAN",
    "BEGAN": "tfgan_zoo.training.began:BEGAN",
    "StyleGAN": "tfgan_zoo.training.stylegan:StyleGAN",
}


def register_preset(name: str, config: dict) -> None:
    """Add a preset (used by the technique modules, e.g. unrolled and BEGAN presets)."""
    json.dumps(config)  # must be JSON
    _PRESETS[name] = copy.deepcopy(config)


def register_model_class(name: str, target: str) -> None:
    """Make a GAN subclass available to configs as model.class = name ("module:attribute")."""
    _MODEL_CLASSES[name] = target


def list_presets() -> dict[str, str]:
    """Preset name -> one line saying what it demonstrates."""
    return {name: config["description"] for name, config in sorted(_PRESETS.items())}


# --- configs ---------------------------------------------------------------------------------

def get_config(name_or_folder: str) -> dict:
    """The config of a preset name, or of a folder holding config.json (a run or an export)."""
    if name_or_folder in _PRESETS:
        return copy.deepcopy(_PRESETS[name_or_folder])
    path = Path(name_or_folder)
    if path.is_dir():
        config_path = path / CONFIG_FILE
        if not config_path.is_file():
            raise FileNotFoundError(f"Preset folder {str(path)!r} has no {CONFIG_FILE}.")
        try:
            return json.loads(config_path.read_text())
        except json.JSONDecodeError as error:
            raise ValueError(f"{config_path} is not valid JSON: {error}") from None
    close = difflib.get_close_matches(name_or_folder, _PRESETS, n=3)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise ValueError(
        f"Unknown preset {name_or_folder!r} (not a preset name nor a folder with {CONFIG_FILE}).{hint} "
        f"Run `tfgan-zoo list` for the presets."
    )


def _leaf_keys(config: Any, prefix: str = "") -> list[str]:
    if isinstance(config, dict):
        keys = []
        for key, value in config.items():
            keys.extend(_leaf_keys(value, f"{prefix}{key}."))
            keys.append(f"{prefix}{key}")
        return keys
    return []


def parse_value(text: str) -> Any:
    """A command-line override value: JSON when it parses (numbers, true, null, lists), else text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def format_value(value: Any) -> str:
    """A --set value as typed on the command line (`parse_value` gives `value` back)."""
    if isinstance(value, str) and parse_value(value) == value:
        return value
    return json.dumps(value)


def apply_overrides(config: dict, overrides: dict[str, Any]) -> dict:
    """A copy of `config` with dotted keys set ("d_optimizer.learning_rate": 4e-4).

    A key must exist already (so typos fail): an unknown key is an error naming the nearest
    valid keys. Keys under "model", "compile" and the builder sections may add new kwargs by
    prefixing them with '+' ("+generator.kernel_size": 5).
    """
    config = copy.deepcopy(config)
    valid = _leaf_keys(config)
    for dotted, value in overrides.items():
        adding = dotted.startswith("+")
        dotted = dotted.lstrip("+")
        parts = dotted.split(".")
        node = config
        for part in parts[:-1]:
            if not isinstance(node, dict) or part not in node or not isinstance(node[part], dict):
                node = None
                break
            node = node[part]
        if node is None or (parts[-1] not in node and not adding):
            close = difflib.get_close_matches(dotted, valid, n=3, cutoff=0.5)
            hint = f" Nearest valid keys: {', '.join(close)}." if close else ""
            raise ValueError(f"Unknown config key {dotted!r}.{hint}")
        node[parts[-1]] = value
    return config


def adapt_to_data(config: dict, info: Any) -> dict:
    """Set resolution / channels (or point dimension) of the builders from a DataInfo.

    Image builders take the nearest supported resolution at or above the data's (28, 32, 64); the
    data pipeline resizes to it."""
    config = copy.deepcopy(config)
    generator, discriminator = config["generator"], config["discriminator"]
    is_mlp = generator["builder"].startswith("mlp")
    if getattr(info, "kind", "images") == "points":
        if not is_mlp:
            raise ValueError(f"Data {info.name!r} holds 2-D points but the preset's generator is {generator['builder']!r}; use a *_toy preset.")
        generator["output_dim"] = discriminator["input_dim"] = int(info.point_dim)
        return config
    if is_mlp:
        raise ValueError(f"Data {info.name!r} holds images but the preset's generator is {generator['builder']!r}; use an image preset.")
    height, width, channels = info.shape
    if channels is None:
        raise ValueError(
            f"Images of {info.name!r} have mixed channel counts; expected one channel count "
            "(convert them all to grayscale or to RGB)."
        )
    if height is not None and width is not None:  # varying sizes: keep the preset's resolution
        # The data pipeline centre-crops to a square of side min(height, width), then resizes.
        size = min(height, width)
        supported = sorted(models_lib.dcgan.RESOLUTIONS)
        resolution = next((r for r in supported if r >= size), supported[-1])
        for section in (generator, discriminator):
            if "resolution" in section:
                section["resolution"] = resolution
    for section in (generator, discriminator):
        if "channels" in section:
            section["channels"] = int(channels)
    _adapt_classes(config, info)
    return config


def _adapt_classes(config: dict, info: Any) -> None:
    """A conditional config takes the data's class count; unlabelled data cannot feed it."""
    num_classes = config["model"].get("num_classes")
    if num_classes is None:
        return
    data_classes = getattr(info, "num_classes", None)
    if data_classes is None:
        raise ValueError(
            f"The preset is conditional (num_classes={num_classes}) but data {info.name!r} has no labels; "
            "expected labelled data (mnist5k, a tfds dataset with labels, a folder of class sub-folders, "
            "or an npz with 'labels'), or an unconditional preset."
        )
    for section in (config["model"], config["generator"], config["discriminator"]):
        if "num_classes" in section:
            section["num_classes"] = int(data_classes)


def resolution_and_channels(config: dict) -> tuple[Optional[int], Optional[int]]:
    """The (resolution, channels) images must have for this config (None, None for points)."""
    discriminator = config["discriminator"]
    return discriminator.get("resolution"), discriminator.get("channels")


# --- building --------------------------------------------------------------------------------

def _model_class(name: str):
    import importlib

    if name not in _MODEL_CLASSES:
        raise ValueError(f"Unknown model class {name!r}; expected one of {sorted(_MODEL_CLASSES)}.")
    module, _, attribute = _MODEL_CLASSES[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def build_gan(config: dict):
    """An uncompiled-then-compiled GAN from a config (call inside a strategy scope to distribute)."""
    generator_config = dict(config["generator"])
    discriminator_config = dict(config["discriminator"])
    generator = models_lib.build(generator_config.pop("builder"), **generator_config)
    discriminator = models_lib.build(discriminator_config.pop("builder"), **discriminator_config)
    model_config = dict(config["model"])
    model_class = _model_class(model_config.pop("class", "GAN"))
    gan = model_class(generator, discriminator, **model_config)
    gan.compile(
        g_optimizer=make_optimizer(config["g_optimizer"]),
        d_optimizer=make_optimizer(config["d_optimizer"]),
        **config["compile"],
    )
    return gan


def from_preset(name_or_folder: str = DEFAULT_PRESET, overrides: Optional[dict[str, Any]] = None,
                strategy: Any = None, load_weights: bool = True, **kwargs: Any):
    """A compiled GAN from a preset name or a folder (a run directory or an exported preset).

    Overrides are dotted keys, as a dict or as keyword arguments with '__' for '.':
    `from_preset("wgangp_mnist5k", d_optimizer__learning_rate=4e-4)`. A folder's weights
    (`gan.weights.h5`) are loaded when present and `load_weights`. Under `strategy`, the model is
    built inside its scope.
    """
    config = get_config(name_or_folder)
    merged = dict(overrides or {})
    merged.update({key.replace("__", "."): value for key, value in kwargs.items()})
    config = apply_overrides(config, merged)
    scope = strategy.scope() if strategy is not None else _null_scope()
    with scope:
        gan = build_gan(config)
    gan.preset_config = config
    weights = Path(name_or_folder) / "gan.weights.h5"
    if load_weights and Path(name_or_folder).is_dir() and weights.is_file():
        gan.load_weights(weights)
    return gan


class _null_scope:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
