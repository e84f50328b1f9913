"""The run config: a preset resolved once -- overrides, then the data -- into typed sections.

    config = resolve(preset_dict, data_info, overrides={...}, steps=2000, seed=0)
    config.kind, config.resolution, config.channels, config.num_classes, config.training.steps
    config.to_dict()   # the JSON of config.json; RunConfig.from_dict(json) reads it back

A config's JSON layout (what presets write and config.json holds):

    description   one line
    data          the data spec ("mnist5k", "tfds:cifar10", "toy:ring8", ...)
    model         {"class": "GAN" | a registered variant, "latent_dim", "num_classes", "seed", ...}
    generator     {"builder": name, **builder kwargs}   (see tfgan_zoo.models.registry)
    discriminator {"builder": name, **builder kwargs}
    compile       GAN.compile kwargs (loss, regularizers, d_steps, ema_decay, ...)
    g_optimizer   {"name": "adam", "learning_rate": ..., ...}; d_optimizer likewise
    training      batch_size, steps, log_every, sample_every, checkpoint_every, keep_checkpoints,
                  num_samples, fid_every
    run           how a run was made (preset, overrides, seed, ...); absent in a preset
    data_fit      optional: how images of another size meet the networks' resolution (DATA_FITS):
                  "resize" (centre crop and resize; the default), "pad" (centre-pad with black:
                  28x28 digits on a 32x32 canvas), "exact" (the data must have that size)
    + any other top-level section a model class reads (kept as it is)

Adapting to data uses the builders' declarations: both networks must make/read what the data
holds (images or points); images take the smallest resolution both builders support at or above
the data's (the pipeline resizes, or pads), or a fixed-resolution builder's preset resolution
(a growing schedule's final one), the data's channel count and class count.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import math
from typing import Any, Mapping, Optional

from tfgan_zoo.models.registry import Builder, BuilderError, get_builder
from tfgan_zoo.value_checks import check_values

SECTIONS = ("description", "data", "model", "generator", "discriminator", "compile", "g_optimizer",
            "d_optimizer", "training")
DATA_FITS = ("resize", "pad", "exact")
TRAINING_COUNTS = ("batch_size", "steps", "log_every", "sample_every", "checkpoint_every", "keep_checkpoints",
                   "num_samples")


class ConfigError(ValueError):
    """A config that cannot make a run: a missing section, a bad value, data it cannot use."""


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be an integer >= 1, got {value!r}.")
    return value


@dataclasses.dataclass(frozen=True)
class TrainingConfig:
    """The training schedule of a run (counts are in generator steps)."""

    batch_size: int
    steps: int
    log_every: int
    sample_every: int
    checkpoint_every: int
    keep_checkpoints: int
    num_samples: int
    fid_every: int = 0

    def __post_init__(self) -> None:
        for key in TRAINING_COUNTS:
            _positive_int(f"training.{key}", getattr(self, key))
        if isinstance(self.fid_every, bool) or not isinstance(self.fid_every, int) or self.fid_every < 0:
            raise ConfigError(f"training.fid_every must be an integer >= 0 (0: no FID during training), "
                              f"got {self.fid_every!r}.")

    @classmethod
    def from_dict(cls, section: Mapping[str, Any]) -> "TrainingConfig":
        missing = [key for key in TRAINING_COUNTS if key not in section]
        if missing:
            raise ConfigError(f"The config's training section lacks {', '.join(missing)}.")
        unknown = sorted(set(section) - {field.name for field in dataclasses.fields(cls)})
        if unknown:
            raise ConfigError(f"Unknown training keys {unknown}; expected {[f.name for f in dataclasses.fields(cls)]}.")
        return cls(**section)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class NetworkConfig:
    """One network: its builder's declaration and the keyword arguments it is built with."""

    builder: Builder
    kwargs: Mapping[str, Any]

    @classmethod
    def from_dict(cls, section: Mapping[str, Any], role: str) -> "NetworkConfig":
        if not isinstance(section, Mapping) or "builder" not in section:
            raise ConfigError(f"The config's {role} section must name its builder, got {section!r}.")
        kwargs = dict(section)
        try:
            builder = get_builder(kwargs.pop("builder"))
        except BuilderError as error:
            raise ConfigError(str(error)) from None
        if builder.role != role:
            raise ConfigError(f"Builder {builder.name!r} makes a {builder.role}, but the config uses it as the {role}.")
        return cls(builder, kwargs)

    def build(self) -> Any:
        """The keras.Model."""
        return self.builder(**self.kwargs)

    def to_dict(self) -> dict:
        return {"builder": self.builder.name, **copy.deepcopy(dict(self.kwargs))}


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """A resolved config: typed where the runner needs answers, JSON-round-trippable."""

    description: str
    data: str
    model: Mapping[str, Any]
    generator: NetworkConfig
    discriminator: NetworkConfig
    compile: Mapping[str, Any]
    g_optimizer: Mapping[str, Any]
    d_optimizer: Mapping[str, Any]
    training: TrainingConfig
    run: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    # --- reading and writing ---------------------------------------------------------------------

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> "RunConfig":
        """A RunConfig from its JSON form (a preset or a config.json)."""
        if not isinstance(config, Mapping):
            raise ConfigError(f"A config is a JSON object, got {type(config).__name__}.")
        missing = [key for key in SECTIONS if key not in config and key != "description"]
        if missing:
            raise ConfigError(f"The config lacks the section(s) {', '.join(missing)}.")
        config = copy.deepcopy(dict(config))
        if not isinstance(config["model"], dict):
            raise ConfigError(f"The config's model section must be an object, got {config['model']!r}.")
        extra = {key: value for key, value in config.items() if key not in SECTIONS and key != "run"}
        return cls(
            description=str(config.get("description", "")),
            data=config["data"],
            model=config["model"],
            generator=NetworkConfig.from_dict(config["generator"], "generator"),
            discriminator=NetworkConfig.from_dict(config["discriminator"], "discriminator"),
            compile=config["compile"],
            g_optimizer=config["g_optimizer"],
            d_optimizer=config["d_optimizer"],
            training=TrainingConfig.from_dict(config["training"]),
            run=config.get("run") or {},
            extra=extra,
        )

    def to_dict(self) -> dict:
        """The JSON form (the layout of the module docstring)."""
        config = {
            "description": self.description,
            "data": self.data,
            "model": copy.deepcopy(dict(self.model)),
            "generator": self.generator.to_dict(),
            "discriminator": self.discriminator.to_dict(),
            "compile": copy.deepcopy(dict(self.compile)),
            "g_optimizer": copy.deepcopy(dict(self.g_optimizer)),
            "d_optimizer": copy.deepcopy(dict(self.d_optimizer)),
            "training": self.training.to_dict(),
            **copy.deepcopy(dict(self.extra)),
        }
        if self.run:
            config["run"] = copy.deepcopy(dict(self.run))
        return config

    def replace(self, **changes: Any) -> "RunConfig":
        """A copy with some fields changed (dataclasses.replace)."""
        return dataclasses.replace(self, **changes)

    # --- answers ---------------------------------------------------------------------------------

    @property
    def model_class(self) -> str:
        return str(self.model.get("class", "GAN"))

    @property
    def model_kwargs(self) -> dict:
        """The model section without its class: the GAN class's constructor arguments."""
        return {key: copy.deepcopy(value) for key, value in self.model.items() if key != "class"}

    @property
    def latent_dim(self) -> int:
        return int(self.model["latent_dim"])

    @property
    def num_classes(self) -> Optional[int]:
        value = self.model.get("num_classes")
        return None if value is None else int(value)

    @property
    def conditional(self) -> bool:
        return self.num_classes is not None

    @property
    def kind(self) -> str:
        """"images" or "points": what the generator makes."""
        return self.generator.builder.makes

    @property
    def resolution(self) -> Optional[int]:
        """The square image size both networks work at (None for points)."""
        return self.discriminator.kwargs.get("resolution") if self.kind == "images" else None

    @property
    def channels(self) -> Optional[int]:
        return self.discriminator.kwargs.get("channels") if self.kind == "images" else None

    @property
    def data_fit(self) -> str:
        """How the pipeline brings images of another size to `resolution` (see DATA_FITS)."""
        return str(self.extra.get("data_fit", "resize"))

    @property
    def point_dim(self) -> Optional[int]:
        builder = self.discriminator.builder
        return self.discriminator.kwargs.get(builder.point_dim_arg) if self.kind == "points" else None

    @property
    def seed(self) -> int:
        seed = self.run.get("seed", self.model.get("seed"))
        return 0 if seed is None else int(seed)

    @property
    def preset(self) -> Optional[str]:
        return self.run.get("preset")

    @property
    def data_dir(self) -> Optional[str]:
        return self.run.get("data_dir")

    @property
    def global_batch_size(self) -> int:
        """Images per dataset batch: batch_size, times d_steps when each critic step gets its own."""
        batch = self.training.batch_size
        if self.compile.get("d_batches") == "split":
            batch *= int(self.compile.get("d_steps", 1))
        return batch


# --- resolving -------------------------------------------------------------------------------

def adapt_to_data(config: Mapping[str, Any], info: Any) -> dict:
    """The config (JSON form) with the builders' data arguments set from a DataInfo: point
    dimension, or resolution, channels and class count (see the module docstring)."""
    config = copy.deepcopy(dict(config))
    generator = NetworkConfig.from_dict(config["generator"], "generator")
    discriminator = NetworkConfig.from_dict(config["discriminator"], "discriminator")
    kind = getattr(info, "kind", "images")
    for network in (generator, discriminator):
        if network.builder.makes != kind:
            other = "a *_toy preset" if kind == "points" else "an image preset"
            raise ConfigError(f"Data {info.name!r} holds {kind} but the preset's {network.builder.role} "
                              f"{network.builder.name!r} works on {network.builder.makes}; use {other}.")
    if kind == "points":
        for network, section in ((generator, config["generator"]), (discriminator, config["discriminator"])):
            section[network.builder.point_dim_arg] = int(info.point_dim)
        return config
    height, width, channels = info.shape
    if channels is None:
        raise ConfigError(f"Images of {info.name!r} have mixed channel counts; expected one channel count "
                          "(convert them all to grayscale or to RGB).")
    sections = (config["generator"], config["discriminator"])
    fit = config.get("data_fit", "resize")
    if fit not in DATA_FITS:
        raise ConfigError(f"data_fit must be one of {list(DATA_FITS)}, got {fit!r}.")
    if height is not None and width is not None:  # varying sizes: keep the preset's resolution
        size = min(height, width)
        resolution = _common_resolution(generator.builder, discriminator.builder, size,
                                        config["discriminator"].get("resolution"))
        _check_fit(fit, size, resolution, info.name)
        for section in sections:
            section["resolution"] = resolution
    for network in (generator, discriminator):
        try:
            network.builder.check_channels(int(channels))
        except BuilderError as error:
            raise ConfigError(f"Data {info.name!r}: {error}") from None
    for section in sections:
        section["channels"] = int(channels)
    _adapt_classes(config, info, generator, discriminator)
    return config


def _common_resolution(generator: Builder, discriminator: Builder, size: int, preset_resolution: Any) -> int:
    """The data's resolution as the builders support it (they must agree); a fixed-resolution
    builder keeps the preset's."""
    if generator.fixed_resolution or discriminator.fixed_resolution:
        return int(preset_resolution)
    common = sorted(set(generator.resolutions) & set(discriminator.resolutions))
    if not common:
        raise ConfigError(f"{generator.name!r} ({list(generator.resolutions)}) and {discriminator.name!r} "
                          f"({list(discriminator.resolutions)}) support no common resolution.")
    return next((r for r in common if r >= size), common[-1])


def _check_fit(fit: str, size: int, resolution: int, name: str) -> None:
    """Data of side `size` must reach the networks' `resolution` the way `fit` allows."""
    if fit == "exact" and size != resolution:
        need = "exactly that size"
    elif fit == "pad" and size > resolution:
        need = "at most that size (padding only enlarges)"
    else:
        return
    raise ConfigError(
        f"The networks work at {resolution}x{resolution} but data {name!r} has {size}x{size} images; "
        f"data_fit {fit!r} needs images of {need} (--set data_fit=resize resizes them)."
    )


def _adapt_classes(config: dict, info: Any, generator: NetworkConfig, discriminator: NetworkConfig) -> None:
    """A conditional config takes the data's class count; unlabelled data cannot feed it."""
    num_classes = config["model"].get("num_classes")
    if num_classes is None:
        return
    for network in (generator, discriminator):
        if not network.builder.conditional:
            raise ConfigError(f"The preset is conditional (num_classes={num_classes}) but builder "
                              f"{network.builder.name!r} is not; set model.num_classes=null.")
    data_classes = getattr(info, "num_classes", None)
    if data_classes is None:
        raise ConfigError(
            f"The preset is conditional (num_classes={num_classes}) but data {info.name!r} has no labels; "
            "expected labelled data (mnist5k, a tfds dataset with labels, a folder of class sub-folders, "
            "or an npz with 'labels'), or an unconditional preset."
        )
    for section in (config["model"], config["generator"], config["discriminator"]):
        if "num_classes" in section:
            section["num_classes"] = int(data_classes)


def resolve(
    preset: Mapping[str, Any],
    info: Any,
    *,
    data: str,
    steps: Optional[int] = None,
    batch_size: Optional[int] = None,
    seed: Optional[int] = None,
    run: Optional[Mapping[str, Any]] = None,
) -> RunConfig:
    """Preset (JSON form, overrides already applied) + data -> the RunConfig a run trains.

    `info` describes `data` (tfgan_zoo.data.describe); steps / batch_size replace the preset's;
    seed defaults to model.seed (or 0); `run` records how the run was made.
    """
    config = adapt_to_data(preset, info)
    training = dict(config.get("training") or {})
    if batch_size is not None:
        training["batch_size"] = batch_size
    if steps is not None:
        training["steps"] = steps
    config["training"] = training
    if seed is None:
        seed = config["model"].get("seed")
        seed = 0 if seed is None else int(seed)
    config["data"] = data
    config["model"]["seed"] = int(seed)
    config["run"] = {**(run or {}), "seed": int(seed)}
    try:
        json.dumps(config)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"The config is not JSON: {error}") from None
    resolved = RunConfig.from_dict(config)
    if resolved.training.fid_every and resolved.kind != "images":
        raise ConfigError(f"training.fid_every={resolved.training.fid_every}: FID needs images, but {data!r} holds "
                          "points (evaluate toys with `tfgan-zoo evaluate --metrics modes`).")
    _check_finite_numbers(config)
    try:
        check_values(config)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    return resolved


def _check_finite_numbers(config: Any, path: str = "") -> None:
    """No NaN or infinity anywhere in a config (JSON cannot round-trip them faithfully)."""
    if isinstance(config, dict):
        for key, value in config.items():
            _check_finite_numbers(value, f"{path}{key}.")
    elif isinstance(config, list):
        for index, value in enumerate(config):
            _check_finite_numbers(value, f"{path}{index}.")
    elif isinstance(config, float) and not math.isfinite(config):
        raise ConfigError(f"{path[:-1]} must be a finite number, got {config!r}.")
