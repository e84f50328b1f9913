"""Progressive growing (Karras et al. 2018, "Progressive Growing of GANs for Improved Quality,
Stability, and Variation", sec. 2 and the official train.py).

The growth schedule is data (`GrowthSchedule`): a start and a final resolution, and the real
images shown per stable phase and per fade phase (600k each in the paper). Training starts stable
at the start resolution; then each doubling fades the new blocks in over `fade_images` and trains
them stable over `stable_images`, until the final resolution, which stays stable.

The level of detail -- the stage (its resolution) and the fade alpha -- is a pure function of the
number of real images the discriminator has seen (`level_of_detail`, the official
TrainingSchedule; only discriminator updates count images: images = D updates x batch). The model
keeps that count as a variable (`discriminator_updates`), so a checkpoint holds it and a run
stopped in the middle of a fade resumes exactly where it was.

Every block exists from the start (`models.pggan`), so the optimizers, the EMA copy and the
checkpoint layout never change. Each training step picks the stage in the graph
(`tf.switch_case`) and runs only that stage's blocks:

- the generator output: fade(nearest-upsampled toRGB of the previous stage, toRGB of the new
  stage, alpha), nearest-upsampled to the final resolution (the official G);
- the discriminator: fade(fromRGB of the 2x box-downscaled images, the new block on fromRGB of
  the images at the new resolution, alpha) (the official D);
- the real images (`preprocess_reals`, the official process_reals): at the stage's resolution,
  faded by the same alpha with their own 2x box-downscaled-and-upsampled version, then
  upsampled to the final resolution, so reals and fakes look alike at every alpha.

The pipeline serves images at the final resolution; every resampling happens in the step.

Optimizer reset (`reset_optimizers`, default True as the official reset_opt_for_new_lod): when
a phase starts (a fade, or the stable phase after it) every variable of both optimizers but the
learning rate is set to zero, as the official code re-initialises its Adam state -- moments AND
step counter, so Adam's bias correction starts over. The optimizers' `iterations` then count the
updates since the last phase change; the GAN's EMA warm-up and lazy-regulariser intervals, which
read them, restart with them: with the warm-up the generator average restarts at each phase (the
PGGAN presets use that, see tfgan_zoo/presets/pggan.py).
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional, Union

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import regularizers as regularizers_lib
from tfgan_zoo.layers.fade_in import fade
from tfgan_zoo.models import pggan as pggan_lib
from tfgan_zoo.training.gan import GAN, _replica_context

Tensor = tf.Tensor


def _positive_images(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float)) or int(value) != value or value < 1:
        raise ValueError(f"schedule.{name} must be an integer >= 1 (real images shown per phase), got {value!r}.")
    return int(value)


@dataclasses.dataclass(frozen=True)
class GrowthSchedule:
    """Resolutions and phase lengths of progressive growing (Karras et al. 2018, sec. 2).

    Args:
        start_resolution, final_resolution: powers of two in [4, 1024], start <= final; equal
            values train the final networks directly (the official `-nogrowing` configuration).
        stable_images: real images shown while a stage trains stable (paper: 600k).
        fade_images: real images shown while a new stage fades in (paper: 600k).
    """

    start_resolution: int = 4
    final_resolution: int = 32
    stable_images: int = 600_000
    fade_images: int = 600_000

    def __post_init__(self) -> None:
        start = pggan_lib.check_resolution(self.start_resolution, "schedule.start_resolution")
        final = pggan_lib.check_resolution(self.final_resolution, "schedule.final_resolution")
        if start > final:
            raise ValueError(
                f"schedule.start_resolution ({start}) must not exceed schedule.final_resolution ({final})."
            )
        object.__setattr__(self, "start_resolution", start)
        object.__setattr__(self, "final_resolution", final)
        object.__setattr__(self, "stable_images", _positive_images("stable_images", self.stable_images))
        object.__setattr__(self, "fade_images", _positive_images("fade_images", self.fade_images))

    @classmethod
    def from_config(cls, config: Union["GrowthSchedule", dict]) -> "GrowthSchedule":
        if isinstance(config, GrowthSchedule):
            return config
        if not isinstance(config, dict):
            raise ValueError(f"Expected a GrowthSchedule or a dict of its fields, got {config!r}.")
        fields = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(config) - fields)
        if unknown:
            raise ValueError(f"Unknown schedule keys {unknown}; expected some of {sorted(fields)}.")
        return cls(**config)

    def get_config(self) -> dict:
        return dataclasses.asdict(self)

    @property
    def resolutions(self) -> list[int]:
        """The resolution of each stage, from the start to the final one."""
        return pggan_lib.resolutions_between(self.start_resolution, self.final_resolution)

    @property
    def num_stages(self) -> int:
        return len(self.resolutions)

    @property
    def growth_images(self) -> int:
        """Real images after which the final stage trains stable (0 without growing)."""
        return (self.num_stages - 1) * (self.stable_images + self.fade_images)

    def level_of_detail(self, images_seen: Any) -> tuple[Tensor, Tensor]:
        """(stage, alpha) after `images_seen` real images; see `level_of_detail`."""
        return level_of_detail(images_seen, self)

    def level_at(self, images_seen: int) -> tuple[int, float]:
        """(resolution, alpha) after `images_seen` real images, as Python numbers."""
        stage, alpha = self.level_of_detail(images_seen)
        return self.resolutions[int(stage)], float(alpha)

    def describe(self, resolution: int, alpha: float) -> str:
        """"16x16, fading in (alpha 0.25)" / "32x32, stable" for messages."""
        state = "stable" if alpha >= 1.0 else f"fading in (alpha {alpha:.3g})"
        return f"{resolution}x{resolution}, {state}"


def level_of_detail(images_seen: Any, schedule: GrowthSchedule) -> tuple[Tensor, Tensor]:
    """The stage (int32: index into `schedule.resolutions`) and fade alpha (float32) after
    `images_seen` real images, in the graph (the official TrainingSchedule):

        phase  = stable_images + fade_images,  k = images // phase,  r = images - k phase
        p      = min(k + clip((r - stable_images) / fade_images, 0, 1), num_stages - 1)
        stage  = ceil(p),   alpha = p - stage + 1        (alpha = 1 while stable)

    So stage 0 is stable for the first stable_images images, stage 1 fades in over the next
    fade_images (alpha rising linearly from 0 to 1), is stable for stable_images, and so on; the
    last stage stays stable. Integer arithmetic up to the fade fraction keeps it exact for any
    number of images.
    """
    images = tf.cast(images_seen, tf.int64)
    stable, fading = tf.constant(schedule.stable_images, tf.int64), tf.constant(schedule.fade_images, tf.int64)
    last = schedule.num_stages - 1
    completed = images // (stable + fading)
    within = images - completed * (stable + fading)
    fraction = tf.clip_by_value(tf.cast(within - stable, tf.float64) / tf.cast(fading, tf.float64), 0.0, 1.0)
    in_fade = tf.logical_and(fraction > 0.0, completed < last)
    stage = tf.where(in_fade, completed + 1, tf.minimum(completed, last))
    alpha = tf.where(in_fade, fraction, tf.constant(1.0, tf.float64))
    return tf.cast(stage, tf.int32), tf.cast(alpha, tf.float32)


def phase_index(stage: Tensor, alpha: Tensor) -> Tensor:
    """0 for the first stable phase, then 1 (fade to stage 1), 2 (stage 1 stable), 3, ...: a new
    value is a phase change (where the official code resets the optimizers)."""
    fading = tf.cast(tf.cast(alpha, tf.float32) < 1.0, tf.int32)
    return 2 * tf.cast(stage, tf.int32) - fading


def real_images_at(real: Tensor, resolution: int, alpha: Optional[Tensor] = None) -> Tensor:
    """Real images at the level of detail (`resolution`, `alpha`), at their own (final) size: box-
    downscaled to `resolution`, faded by alpha with their 2x box-downscaled-then-upsampled version
    (alpha None: 1, no fade), nearest-upsampled back (the official process_reals)."""
    final = int(real.shape[1])
    factor = final // resolution
    images = pggan_lib.downscale2d(real, factor)
    if alpha is not None and factor < final // pggan_lib.MIN_RESOLUTION:
        coarse = pggan_lib.upscale2d(pggan_lib.downscale2d(real, 2 * factor), 2)
        images = fade(coarse, images, alpha)
    return pggan_lib.upscale2d(images, factor)


def reset_optimizer(optimizer: keras.optimizers.Optimizer, when: Any = True) -> None:
    """Where `when`, zero every optimizer variable but the learning rate: moments and step counter
    (the official reset_optimizer_state re-initialises all Adam variables, bias-correction powers
    included). In the graph; under tf.distribute every replica must pass the same `when`."""
    learning_rate = getattr(optimizer, "_learning_rate", None)
    variables = [v for v in optimizer.variables if v is not learning_rate and not v.path.endswith("/learning_rate")]
    # Per-replica variables (moments) are reset under a tf.cond; a variable synchronised across
    # replicas (the step counter) cannot be assigned inside control flow, so it takes a select.
    local = [v for v in variables if v.aggregation == "none"]
    synchronised = [v for v in variables if v.aggregation != "none"]

    def zero_local() -> Tensor:
        for variable in local:
            variable.assign(tf.zeros(variable.shape, variable.dtype))
        return tf.constant(True)

    when = tf.convert_to_tensor(when, tf.bool)
    tf.cond(when, zero_local, lambda: tf.constant(False))
    for variable in synchronised:
        variable.assign(tf.where(when, tf.zeros(variable.shape, variable.dtype), variable))


class _UpdateLogits:
    """Logits computed during the discriminator update in progress, by input tensors (samples and
    labels): the adversarial loss and the drift term then share one D(real) (the official loss
    computes the real scores once). Active only between the update's first discriminator call and
    its end."""

    def __init__(self) -> None:
        self.entries: Optional[dict] = None

    def get(self, samples: Tensor, labels: Optional[Tensor]) -> Optional[Tensor]:
        entry = None if self.entries is None else self.entries.get((id(samples), id(labels)))
        return entry[2] if entry is not None and entry[0] is samples and entry[1] is labels else None

    def put(self, samples: Tensor, labels: Optional[Tensor], logits: Tensor) -> None:
        if self.entries is not None:
            self.entries[(id(samples), id(labels))] = (samples, labels, logits)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class LastValue(keras.metrics.Metric):
    """The last value given to `update_state` (for the resolution and alpha of the logs: a mean
    over a logging interval would mix stages)."""

    def __init__(self, name: str = "last_value", dtype: Any = "float32", **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.value = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       aggregation="only_first_replica", name="value")

    def update_state(self, value: Any, sample_weight: Any = None) -> None:
        self.value.assign(tf.cast(value, self.dtype))

    def result(self) -> Tensor:
        return tf.convert_to_tensor(self.value)


def _state_variable(value: Any, dtype: str, name: str) -> keras.Variable:
    # Every replica assigns the same value; ONLY_FIRST_REPLICA makes that a plain broadcast.
    return keras.Variable(value, shape=(), dtype=dtype, trainable=False, aggregation="only_first_replica", name=name)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ProgressiveGAN(GAN):
    """A GAN whose networks grow from `schedule.start_resolution` to the final one (Karras 2018).

    Args (besides GAN's; num_classes needs networks taking labels: the style-based generator's
    mapping network and the projection discriminator):
        generator, discriminator: networks at the final resolution holding every stage's blocks
            (`models.pggan_generator` / `pggan_discriminator`, or a family that overrides
            `generator_at` / `discriminator_at`).
        schedule: a GrowthSchedule or its dict; its final resolution must be the networks'.
        reset_optimizers: zero both optimizers' state at each phase change (the official code).

    State (model variables, in checkpoints and .keras files): `discriminator_updates` (the
    step counter), `stage` and `alpha` (the level of detail of the last step). Logs: besides
    GAN's, `resolution` and `alpha` of the last step.

    `generate` draws at the current level of detail (the sample grids; upsampled to the final
    size), or with stage="final" from the final networks; `sampling_generator` (export, the run's
    generator.keras) is always the final generator. Samples are clipped to [-1, 1] (the networks'
    toRGB is linear, as the official code's, which clips when it writes images).
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int, *,
                 schedule: Union[GrowthSchedule, dict, None] = None, reset_optimizers: bool = True, **kwargs: Any):
        if not isinstance(reset_optimizers, bool):
            raise ValueError(f"reset_optimizers must be True or False, got {reset_optimizers!r}.")
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        for role, network in (("generator", generator), ("discriminator", discriminator)):
            takes_labels = len(network.inputs) == 2
            if takes_labels != (self.num_classes is not None):
                raise ValueError(
                    f"num_classes={self.num_classes!r} but the {role} {network.name!r} takes "
                    f"{'labels' if takes_labels else 'no labels'}; a conditional ProgressiveGAN needs a generator "
                    "and a discriminator taking labels (a style-based generator, a projection pggan_discriminator)."
                )
        self.schedule = GrowthSchedule.from_config(schedule if schedule is not None else {})
        for role, network in (("generator", generator), ("discriminator", discriminator)):
            size = pggan_lib.network_resolution(network, role)
            if size != self.schedule.final_resolution:
                raise ValueError(
                    f"schedule.final_resolution is {self.schedule.final_resolution} but the {role} works at "
                    f"{size}x{size}; expected the networks' resolution."
                )
        self.reset_optimizers = reset_optimizers
        self.discriminator_updates = _state_variable(0, "int64", "discriminator_updates")
        self.stage = _state_variable(0, "int32", "stage")
        self.alpha = _state_variable(1.0, "float32", "alpha")
        self._resolutions = tf.constant(self.schedule.resolutions, tf.float32)
        self._level_override: Optional[tuple] = None  # (stage, alpha) while generate(stage="final") runs
        self._update_logits = _UpdateLogits()

    def get_config(self) -> dict:
        return {**super().get_config(), "schedule": self.schedule.get_config(),
                "reset_optimizers": self.reset_optimizers}

    def compile(self, *args: Any, regularizers: Any = (), **kwargs: Any) -> None:
        """GAN.compile; the resolution and alpha logs show their last value, not an interval mean."""
        regularizers = [regularizers_lib.get(r) for r in regularizers]
        features = [r.name for r in regularizers if r.needs_features]
        if features:
            raise ValueError(f"ProgressiveGAN does not support discriminator feature terms, got {features}.")
        super().compile(*args, regularizers=regularizers, **kwargs)
        for name in ("resolution", "alpha"):
            self._trackers[name] = LastValue(name=name)

    def extra_tracker_names(self) -> tuple[str, ...]:
        return ("resolution", "alpha")

    # --- the level of detail --------------------------------------------------------------------

    def level(self) -> tuple[int, float]:
        """(resolution, alpha) of the last training step (the start level before any)."""
        return self.schedule.resolutions[int(self.stage.numpy())], float(self.alpha.numpy())

    @property
    def trained_steps(self) -> int:
        """Training steps so far: discriminator updates / d_steps (the optimizers' counters restart at
        each phase change)."""
        return int(self.discriminator_updates.numpy()) // self.d_steps

    @property
    def fully_grown(self) -> bool:
        """Whether the last training step ran the final stage stable (alpha 1)."""
        return self.level() == (self.schedule.final_resolution, 1.0)

    def generator_for_export(self, stage: str = "final") -> keras.Model:
        """The (EMA) generator to export: the final networks at alpha 1 (stage="final"), refused
        with a ValueError naming the stage reached unless the schedule got there; or a copy
        computing the level the run reached (stage="current"), upsampled to the final size."""
        if stage not in ("current", "final"):
            raise ValueError(f"stage must be 'current' or 'final', got {stage!r}.")
        resolution, alpha = self.level()
        if stage == "current":
            return pggan_lib.generator_for_level(self.sampling_generator, resolution, alpha)
        if not self.fully_grown:
            schedule = self.schedule
            raise ValueError(
                f"Training stopped at {schedule.describe(resolution, alpha)} of the {schedule.start_resolution} -> "
                f"{schedule.final_resolution} schedule, so the {schedule.final_resolution}x{schedule.final_resolution} "
                "networks are not grown; train on (--resume) or export the stage reached (--stage current)."
            )
        return self.sampling_generator

    def _images_per_update(self, real: Tensor) -> Tensor:
        replicas, _ = _replica_context()
        local = tf.shape(real, out_type=tf.int64)[0]
        if self.d_batches == "split":
            local = local // self.d_steps
        return local * replicas

    def _at_level(self, run: Callable[[int, Optional[Tensor]], Tensor], stage: Any = None,
                  alpha: Any = None) -> Tensor:
        """run(resolution, alpha) for the stage given (default: the model's), chosen in the graph;
        the start stage runs without a fade."""
        if stage is None:
            stage, alpha = self._level_override or (self.stage, self.alpha)
        alpha = tf.convert_to_tensor(alpha, tf.float32)
        branches = [
            (lambda r=r, i=i: run(r, None if i == 0 else alpha))
            for i, r in enumerate(self.schedule.resolutions)
        ]
        if len(branches) == 1:
            return branches[0]()
        return tf.switch_case(tf.cast(stage, tf.int32), branches)

    def generator_at(self, generator: keras.Model, z: Tensor, resolution: int, alpha: Optional[Tensor],
                     training: bool) -> Tensor:
        """Hook for a network family: images of `generator` grown to `resolution` (fading with alpha;
        None: stable), at the final size. Default: the PGGAN networks (models.pggan.generator_at)."""
        return pggan_lib.generator_at(generator, z, resolution, alpha, training=training)

    def discriminator_at(self, discriminator: keras.Model, images: Tensor, resolution: int,
                         alpha: Optional[Tensor], training: bool, labels: Optional[Tensor] = None) -> Tensor:
        """Hook for a network family: logits of `discriminator` grown to `resolution` for images at
        the final size (conditioned on `labels` when conditional). Default: the PGGAN networks
        (models.pggan.discriminator_at)."""
        return pggan_lib.discriminator_at(discriminator, images, resolution, alpha, training=training, labels=labels)

    # --- GAN hooks ------------------------------------------------------------------------------

    def _below_start(self, network: keras.Model, prefix: str) -> set:
        """ids of the variables of the `prefix`_r layers (toRGB / fromRGB) of the stages below the
        start resolution: built, as every block is, but on no training path."""
        unused = set()
        for resolution in pggan_lib.resolutions_between(4, self.schedule.final_resolution):
            if resolution >= self.schedule.start_resolution:
                break
            try:
                layer = network.get_layer(f"{prefix}_{resolution}")
            except ValueError:
                continue
            unused.update(id(variable) for variable in layer.trainable_variables)
        return unused

    def generator_variables(self) -> list:
        """The generator's variables without the toRGB of stages below the start (no gradient ever
        reaches them; Keras would warn at every first step)."""
        unused = self._below_start(self.generator, "to_rgb")
        return [v for v in super().generator_variables() if id(v) not in unused]

    def discriminator_variables(self) -> list:
        """The discriminator's variables without the fromRGB of stages below the start."""
        unused = self._below_start(self.discriminator, "from_rgb")
        return [v for v in super().discriminator_variables() if id(v) not in unused]

    def preprocess_reals(self, real: Tensor) -> Tensor:
        """Set the level of detail of this step from the image count (resetting the optimizers at a
        phase change), and return the reals at that level."""
        images = self.discriminator_updates * self._images_per_update(real)
        stage, alpha = self.schedule.level_of_detail(images)
        if self.reset_optimizers:
            changed = tf.not_equal(phase_index(stage, alpha), phase_index(self.stage, self.alpha))
            for optimizer in (self.g_optimizer, self.d_optimizer):
                reset_optimizer(optimizer, changed)
        self.stage.assign(stage)
        self.alpha.assign(alpha)
        return self._at_level(lambda r, a: real_images_at(real, r, a), stage, alpha)

    def generate_from(self, z: Tensor, labels: Optional[Tensor], training: bool, use_ema: bool = False) -> Tensor:
        """G(z) at the current level of detail (the EMA generator when `use_ema` and it exists); out of
        training clipped to [-1, 1], as the official code clips samples turning them into images."""
        generator = self.ema_generator if (use_ema and self.ema_generator is not None) else self.generator
        images = self._at_level(lambda r, a: self.generator_at(generator, z, r, a, training))
        return images if training else tf.clip_by_value(images, -1.0, 1.0)

    def discriminate(self, samples: Tensor, labels: Optional[Tensor], training: bool = True) -> Tensor:
        """D(x [, y]) at the current level of detail (once per (samples, labels) pair within a
        discriminator update)."""
        logits = self._update_logits.get(samples, labels)
        if logits is None:
            logits = self._at_level(
                lambda r, a: self.discriminator_at(self.discriminator, samples, r, a, training, labels))
            self._update_logits.put(samples, labels, logits)
        return logits

    def discriminator_adversarial(self, real: Tensor, fake: Tensor, labels: Optional[Tensor]) -> tuple[Tensor, dict]:
        """GAN's loss; reports the resolution and alpha of the step."""
        self._update_logits.entries = {}  # until after_discriminator_step: this update's D(real) is shared
        loss, extra = super().discriminator_adversarial(real, fake, labels)
        resolution = tf.gather(self._resolutions, self.stage)
        return loss, {**extra, "resolution": (resolution, 1.0), "alpha": (tf.convert_to_tensor(self.alpha), 1.0)}

    def after_discriminator_step(self, report: dict) -> None:
        """Counts the update: images seen = discriminator updates x batch."""
        self._update_logits.entries = None
        super().after_discriminator_step(report)
        self.discriminator_updates.assign_add(1)

    # --- sampling -------------------------------------------------------------------------------

    def generate(self, num_or_z: Any, labels: Any = None, seed: Optional[int] = None, use_ema: bool = True,
                 batch_size: int = 256, stage: str = "current", **options: Any) -> Tensor:
        """GAN.generate at the current level of detail (stage="current"), or from the final
        networks (stage="final", what export and `tfgan-zoo sample` use); `options` go to a
        variant's generate_from (StyleGAN: psi, truncation_cutoff, noise)."""
        if stage not in ("current", "final"):
            raise ValueError(f"stage must be 'current' or 'final', got {stage!r}.")
        if stage == "current":
            return super().generate(num_or_z, labels=labels, seed=seed, use_ema=use_ema, batch_size=batch_size,
                                    **options)
        self._level_override = (self.schedule.num_stages - 1, 1.0)
        try:
            return super().generate(num_or_z, labels=labels, seed=seed, use_ema=use_ema, batch_size=batch_size,
                                    **options)
        finally:
            self._level_override = None
