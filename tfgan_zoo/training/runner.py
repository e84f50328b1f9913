"""The training runner: a run directory, `gan.fit` with the run's callbacks, exact resume.

    result = train("dcgan_mnist5k", steps=2000, out="runs/demo")       # a new run
    result = train(out="runs/demo", resume=True, steps=4000)            # continue it
    gan, config = load_run("runs/demo")                                 # the latest state

A run directory holds

    config.json            the fully resolved config: preset + overrides + data adaptation, the
                           data spec, batch size, steps and seed ("run" records how it was made)
    checkpoints/           step_NNNNNN.npz, the last `training.keep_checkpoints` (checkpoint.py)
    samples/               step_NNNNNN.png from fixed latents: image grids, or scatter plots for toys
    metrics.csv            one row per `training.log_every` steps: means of the logged terms
    tensorboard/           the same scalars and the sample pictures
    generator.keras        the final generator (the EMA copy when there is one)
    gan.weights.h5         the final GAN weights, so `from_preset(run_dir)` gives the trained GAN

Without `out`, a new run goes to runs/<preset>-<YYYYmmdd-HHMMSS>; `resume` without `out` takes
the newest runs/<preset>-* that has a config.json.

Bad input never leaves anything behind: the preset, overrides, data spec, step and batch counts,
the values that can only be mistakes (tfgan_zoo.value_checks: a negative learning rate, betas
outside [0, 1), ...), the output directory (writable, not another run's) and, for a resume, the
checkpoint, are all checked -- and the GAN and the data pipeline built -- before the directory is
created. Values that may be intended (a learning rate above 0.1, a batch larger than the
dataset) give one warning line each.

One process per run directory: `train` holds the directory's lock (run_lock.py) from planning to
the end, so a second `train` on the same directory stops with a RunError naming the holder's PID
before it writes anything; a lock left by a dead process is taken over.

Damaged checkpoints: resume and `load_run` take the newest checkpoint that verifies
(`checkpoint.latest_intact_checkpoint`), with one warning line naming the damaged newer ones.

A run that fails before its first checkpoint (a NaN at step 2, out of memory, Ctrl-C) removes
what it wrote, so the directory can take a new run; a run directory left without a checkpoint by
a process that could not clean up (kill -9) is started again from step 0 by `resume`.

Exact resume: a checkpoint holds every model and optimiser variable (weights, EMA copy, batch-norm
statistics, the latents' SeedGenerator state, variant variables such as BEGAN's k_t, optimiser
moments and step counters, hence learning-rate schedules). The data pipeline is seeded by the run
seed and deterministic; a run resumed from step s rebuilds it and skips the s batches consumed
(`dataset.skip(s)`), so it sees exactly the batches the uninterrupted run would have seen. A run
of 2N steps and a run of N steps resumed for N more end with the same weights, on one device and
under a MirroredStrategy alike (resume under the setup the run started with: Keras iterates a
dataset one more time under a strategy, and `data.load` reshuffles per iteration, so one-device
and two-replica runs see their batches in different orders).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import math
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import _log
from tfgan_zoo import data as data_lib
from tfgan_zoo import images as images_lib
from tfgan_zoo import presets as presets_lib
from tfgan_zoo._atomic import replacing
from tfgan_zoo._paths import unwritable_reason
from tfgan_zoo.config import ConfigError, RunConfig, resolve
from tfgan_zoo.errors import InputError, RunFailure
from tfgan_zoo.latent import check_truncation
from tfgan_zoo import value_checks
from tfgan_zoo.training import callbacks as callbacks_lib
from tfgan_zoo.training import checkpoint as checkpoint_lib
from tfgan_zoo.training import run_lock as run_lock_lib
from tfgan_zoo.training import distribute as distribute_lib
from tfgan_zoo.training import loop as loop_lib
from tfgan_zoo.training.build import PRECISIONS, build_gan

PathLike = Union[str, os.PathLike]

RUNS_DIR = "runs"
CONFIG_FILE = presets_lib.CONFIG_FILE
CHECKPOINTS_DIR = checkpoint_lib.CHECKPOINT_DIR
SAMPLES_DIR = "samples"
TENSORBOARD_DIR = "tensorboard"
METRICS_FILE = "metrics.csv"
GENERATOR_FILE = "generator.keras"
WEIGHTS_FILE = "gan.weights.h5"
RUN_FILES = (CONFIG_FILE, CHECKPOINTS_DIR, SAMPLES_DIR, METRICS_FILE, GENERATOR_FILE, WEIGHTS_FILE)
WRITTEN = RUN_FILES + (TENSORBOARD_DIR,)  # what a run writes into its directory


class RunError(InputError):
    """Bad input for a run (preset, overrides, data, counts, directories); nothing was written."""


class NonFiniteLossError(RunFailure):
    """Training stopped at a NaN or infinite loss; the last good checkpoint is intact."""


@dataclasses.dataclass
class TrainResult:
    """What `train` did: the run directory, the step reached, the last interval's logs."""

    run_dir: Path
    step: int
    start_step: int
    logs: dict
    gan: Any
    seconds: float


@dataclasses.dataclass
class RunPlan:
    """A checked plan: where the run goes, its resolved config, where it starts."""

    run_dir: Path
    config: RunConfig
    data_info: Any
    resume_from: Optional[Path]
    start_step: int
    resuming: bool = False  # a resume (from resume_from, or from step 0 when the run has no checkpoint)
    warnings: list[str] = dataclasses.field(default_factory=list)  # one line each, printed by `train`

    @property
    def total_steps(self) -> int:
        return self.config.training.steps

    @property
    def seed(self) -> int:
        return self.config.seed


# --- checks ----------------------------------------------------------------------------------

def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise RunError(f"{name} must be an integer >= 1, got {value!r}.")
    return int(value)


def _describe(spec: Any, data_dir: Optional[str] = None) -> Any:
    try:
        return data_lib.describe(spec, data_dir=data_dir)
    except (ValueError, TypeError, OSError, data_lib.DataUnavailableError) as error:
        raise RunError(str(error)) from None


def check_writable(path: PathLike, what: str = "output directory") -> None:
    """Raise RunError unless `path` (a directory, existing or not) can be created and written."""
    reason = unwritable_reason(path, what)
    if reason is not None:
        raise RunError(reason)


def _check_unlocked(run_dir: Path) -> None:
    """RunError naming the process that trains into `run_dir` now, if any (nothing is written)."""
    try:
        run_lock_lib.check_unlocked(run_dir)
    except run_lock_lib.RunLockedError as error:
        raise RunError(str(error)) from None


def _check_new_run_dir(run_dir: Path) -> None:
    if run_dir.is_dir():
        if (run_dir / CONFIG_FILE).exists() and not checkpoint_lib.list_checkpoints(run_dir / CHECKPOINTS_DIR):
            raise RunError(
                f"Output directory {str(run_dir)!r} already holds a run ({CONFIG_FILE}) that stopped before its "
                "first checkpoint; pass --resume to start it again from step 0, or choose another --out."
            )
        if (run_dir / CONFIG_FILE).exists():
            raise RunError(
                f"Output directory {str(run_dir)!r} already holds a run ({CONFIG_FILE}); pass --resume to "
                "continue it, or choose another --out."
            )
        found = [name for name in RUN_FILES if (run_dir / name).exists()]
        if found:
            raise RunError(
                f"Output directory {str(run_dir)!r} holds files of a run ({', '.join(found)}) but no "
                f"{CONFIG_FILE}; choose another --out."
            )
    check_writable(run_dir)


def _preset_name(preset: str) -> str:
    return Path(preset).name if os.sep in preset or Path(preset).is_dir() else preset


def _new_run_dir(runs_dir: Path, preset: str) -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = runs_dir / f"{_preset_name(preset)}-{stamp}"
    suffix = 2
    while candidate.exists():
        candidate = runs_dir / f"{_preset_name(preset)}-{stamp}-{suffix}"
        suffix += 1
    return candidate


def _latest_run(runs_dir: Path, preset: str) -> Path:
    name = _preset_name(preset)
    candidates = [path for path in runs_dir.glob(f"{name}-*") if (path / CONFIG_FILE).is_file()]
    if not candidates:
        raise RunError(
            f"--resume without --out: no run of preset {name!r} under {str(runs_dir)!r}; pass --out RUN_DIR."
        )
    return max(candidates, key=lambda path: (path / CONFIG_FILE).stat().st_mtime)


def read_run_config(run_dir: PathLike) -> dict:
    """The config.json of a run directory, its JSON form (RunError when there is none)."""
    run_dir = Path(run_dir)
    path = run_dir / CONFIG_FILE
    if not run_dir.is_dir():
        raise RunError(f"Run directory {str(run_dir)!r} does not exist.")
    if not path.is_file():
        raise RunError(f"{str(run_dir)!r} is not a run directory: it has no {CONFIG_FILE}.")
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise RunError(f"Could not read {str(path)!r}: {error}") from None


def load_run_config(run_dir: PathLike) -> RunConfig:
    """The RunConfig of a run directory (RunError when there is none or it does not parse)."""
    try:
        return RunConfig.from_dict(read_run_config(run_dir))
    except ConfigError as error:
        raise RunError(f"{str(Path(run_dir) / CONFIG_FILE)!r}: {error}") from None


def write_json_atomic(path: Path, value: Any) -> None:
    """Write JSON to `path` through a temporary file and a rename."""
    with replacing(path, fsync=True) as temporary:
        temporary.write_text(json.dumps(value, indent=2) + "\n")


def _data_info(spec: str, info: Any, channels: Optional[int], data_dir: Optional[str]) -> Any:
    """The DataInfo a run adapts to: `--channels` applied; mixed channel counts explained."""
    if channels is not None:
        if info.kind != "images":
            raise RunError(f"--channels applies to images, but {spec!r} holds {info.kind}.")
        if channels not in (1, 3):
            raise RunError(f"--channels must be 1 (grayscale) or 3 (RGB), got {channels!r}.")
        return dataclasses.replace(info, shape=(*info.shape[:2], int(channels)))
    if info.kind == "images" and info.channels is None:
        # The data module's message names two files whose channel counts differ.
        try:
            data_lib.load(spec, 1, shuffle=False, repeat=False, with_labels=False, drop_remainder=False,
                          data_dir=data_dir, download=False)
        except (ValueError, OSError, data_lib.DataUnavailableError) as error:
            raise RunError(str(error)) from None
    return info


# --- planning --------------------------------------------------------------------------------

def plan_run(
    preset: Optional[str] = None,
    data: Optional[str] = None,
    steps: Optional[int] = None,
    batch_size: Optional[int] = None,
    out: Optional[PathLike] = None,
    overrides: Optional[dict[str, Any]] = None,
    resume: bool = False,
    seed: Optional[int] = None,
    runs_dir: PathLike = RUNS_DIR,
    data_dir: Optional[str] = None,
    channels: Optional[int] = None,
    precision: Optional[str] = None,
    jit: Optional[bool] = None,
    strategy: Any = None,
) -> RunPlan:
    """Check everything about a run without writing anything; see `train` for the arguments
    (`strategy` here is the strategy object, or None for one device)."""
    if steps is not None:
        _positive_int("steps", steps)
    if batch_size is not None:
        _positive_int("batch_size", batch_size)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise RunError(f"seed must be an integer >= 0, got {seed!r}.")
    if precision is not None and precision not in PRECISIONS:
        raise RunError(f"--precision must be one of {', '.join(PRECISIONS)}, got {precision!r}.")
    _check_jit(jit, strategy)
    overrides = dict(overrides or {})
    runs_dir = Path(runs_dir)
    if resume:
        plan = _plan_resume(preset, data, steps, batch_size, out, overrides, seed, runs_dir, data_dir, channels,
                            precision, jit)
        _check_strategy_batch(plan.config, strategy)
        saved = plan.config.run.get("strategy")
        if saved is not None and saved != distribute_lib.strategy_name(strategy):
            plan.warnings.append(
                f"{str(plan.run_dir)!r} was trained under --strategy {saved}, resumed under "
                f"{distribute_lib.strategy_name(strategy)}: the weights continue, but the batch order after the "
                "checkpoint may differ from an uninterrupted run's.")
        return plan

    preset = preset or presets_lib.DEFAULT_PRESET
    try:
        config = presets_lib.apply_overrides(presets_lib.get_config(preset), overrides)
    except (ValueError, FileNotFoundError) as error:
        raise RunError(str(error)) from None
    spec = data if data is not None else config.get("data")
    if not spec:
        raise RunError(f"Preset {preset!r} names no data; pass --data SPEC.")
    info = _describe(spec, data_dir)  # as the data is: the pipeline converts to the config's channels
    run = {
        "preset": preset,
        "overrides": overrides,
        "channels": channels,
        "data_dir": data_dir,
        "precision": precision or "float32",
        "jit": bool(jit),
        "strategy": distribute_lib.strategy_name(strategy),
        "replicas": distribute_lib.num_replicas(strategy),
        "created": datetime.datetime.now().isoformat(timespec="seconds"),
        "tfgan_zoo": _version(),
    }
    try:
        config = resolve(config, _data_info(spec, info, channels, data_dir), data=spec, steps=steps,
                         batch_size=batch_size, seed=seed, run=run)
    except ConfigError as error:
        raise RunError(str(error)) from None
    _check_strategy_batch(config, strategy)
    run_dir = Path(out) if out is not None else _new_run_dir(runs_dir, preset)
    _check_new_run_dir(run_dir)
    return RunPlan(run_dir, config, info, None, 0, warnings=_value_warnings(config, info))


def _check_jit(jit: Optional[bool], strategy: Any) -> None:
    """--jit compiles the step for one device: refused with several replicas on CPU."""
    replicas = distribute_lib.num_replicas(strategy)
    if jit and replicas > 1 and distribute_lib.strategy_name(strategy) != "tpu" and \
            not tf.config.list_physical_devices("GPU"):
        raise RunError(
            f"--jit compiles the training step for one device, but --strategy "
            f"{distribute_lib.strategy_name(strategy)} has {replicas} replicas on CPU, where XLA fails (the "
            "variables live on other devices); drop --jit or train with --strategy default.")


def _check_strategy_batch(config: RunConfig, strategy: Any) -> None:
    """The global batch must split evenly over the strategy's replicas."""
    replicas, batch = distribute_lib.num_replicas(strategy), config.global_batch_size
    if batch % replicas:
        raise RunError(
            f"The global batch {batch} does not split over the {replicas} replicas of --strategy "
            f"{distribute_lib.strategy_name(strategy)}; expected a multiple of {replicas} (the batch is global: "
            "every replica takes batch / replicas).")


def _plan_resume(preset, data, steps, batch_size, out, overrides, seed, runs_dir, data_dir, channels,
                 precision=None, jit=None) -> RunPlan:
    run_dir = Path(out) if out is not None else _latest_run(runs_dir, preset or presets_lib.DEFAULT_PRESET)
    if not run_dir.exists():
        raise RunError(f"--resume: run directory {str(run_dir)!r} does not exist.")
    if not (run_dir / CONFIG_FILE).is_file():
        raise RunError(f"--resume: {str(run_dir)!r} holds no run to resume (no {CONFIG_FILE}).")
    config = load_run_config(run_dir)
    run = config.run
    given = {"--preset": (preset, run.get("preset")), "--data": (data, config.data),
             "--batch-size": (batch_size, config.training.batch_size),
             "--seed": (seed, run.get("seed")), "--set": (overrides or None, run.get("overrides") or None),
             "--channels": (channels, run.get("channels")),
             "--precision": (precision, run.get("precision", "float32")),
             "--jit": (jit or None, bool(run.get("jit")))}
    for flag, (value, saved) in given.items():
        if value is not None and value != saved:
            raise RunError(
                f"--resume continues {str(run_dir)!r} with its saved config, which has {flag} {saved!r}, "
                f"not {value!r}; drop {flag} (only --steps may change) or start a new run."
            )
    warnings: list[str] = []
    try:
        latest = checkpoint_lib.latest_intact_checkpoint(run_dir / CHECKPOINTS_DIR, warn=warnings.append)
    except checkpoint_lib.CheckpointError as error:
        raise RunError(f"--resume: {error}") from None
    if latest is None and not isinstance(run.get("seed"), int):
        raise RunError(
            f"--resume: {str(run_dir)!r} has no checkpoint, and its {CONFIG_FILE} was not written by "
            "`tfgan-zoo train` (no run.seed); start a new run instead."
        )
    start = 0 if latest is None else checkpoint_lib.checkpoint_step(latest)
    if steps is not None:
        if steps < start:
            raise RunError(f"--steps {steps} is below the step of the latest checkpoint ({start}) of {str(run_dir)!r}.")
        config = config.replace(training=dataclasses.replace(config.training, steps=int(steps)))
    if data_dir is not None:  # the data may have moved; where it is does not change the run
        config = config.replace(run={**config.run, "data_dir": data_dir})
    info = _describe(config.data, config.data_dir)
    check_writable(run_dir, "run directory")
    return RunPlan(run_dir, config, info, latest, start, resuming=True,
                   warnings=warnings + _value_warnings(config, info))


def _value_warnings(config: RunConfig, info: Any) -> list[str]:
    return value_checks.value_warnings(config.to_dict(), info, config.global_batch_size)


def _version() -> str:
    import tfgan_zoo

    return tfgan_zoo.__version__


# --- building --------------------------------------------------------------------------------

def build_from_config(config: Union[RunConfig, dict], strategy: Any = None) -> Any:
    """A compiled GAN from a resolved config, with the run seed seeding the weights."""
    if not isinstance(config, RunConfig):
        try:
            config = RunConfig.from_dict(config)
        except ConfigError as error:
            raise RunError(str(error)) from None
    keras.utils.set_random_seed(config.seed)
    try:
        return build_gan(config, strategy=strategy)
    except (ValueError, TypeError, KeyError) as error:
        raise RunError(f"Cannot build the GAN from this config: {error}") from None


def make_dataset(config: RunConfig, info: Any, skip: int = 0, strategy: Any = None):
    """The run's deterministic training pipeline (seeded by the run seed), `skip` batches in."""
    kwargs: dict[str, Any] = {}
    if info.kind == "images":
        if config.resolution is not None and tuple(info.shape[:2]) != (config.resolution, config.resolution):
            kwargs["resolution"] = config.resolution
            kwargs["fit"] = "pad" if config.data_fit == "pad" else "resize"
        if config.channels is not None and info.channels != config.channels:
            kwargs["channels"] = config.channels
    try:
        dataset = data_lib.load(
            config.data, config.global_batch_size, seed=config.seed, shuffle=True, repeat=True,
            with_labels=config.conditional, drop_remainder=True, strategy=strategy, data_dir=config.data_dir,
            **kwargs,
        )
    except (ValueError, TypeError, OSError, data_lib.DataUnavailableError) as error:
        raise RunError(str(error)) from None
    return dataset.skip(skip) if skip else dataset


def _fid_callback(config: RunConfig, info: Any, run_dir: Path, start: int) -> Optional[keras.callbacks.Callback]:
    """FID every `training.fid_every` steps (0: none) into metrics.csv's "fid" column and TensorBoard:
    MNIST-classifier features for 28x28 grey images, Inception-v3 otherwise."""
    every = config.training.fid_every
    if not every:
        return None
    from tfgan_zoo.metrics import FIDCallback
    from tfgan_zoo.metrics.evaluate import default_features, real_images_for

    features = default_features(info)
    return FIDCallback(every_n_steps=every, num_samples=1000, features=features, seed=0, initial_step=start,
                       real_images=real_images_for(config, info, features, 1000),
                       log_dir=run_dir / TENSORBOARD_DIR / "fid")


def toy_means_for(spec: Optional[str]) -> Optional[np.ndarray]:
    """The mixture means of a toy data spec (drawn on scatter plots), else None."""
    parsed = data_lib.parse_spec(spec) if spec else None
    return data_lib.toy_means(parsed.name) if parsed is not None and parsed.kind == "toy" else None


# --- training --------------------------------------------------------------------------------

def train(
    preset: Optional[str] = None,
    data: Optional[str] = None,
    steps: Optional[int] = None,
    batch_size: Optional[int] = None,
    out: Optional[PathLike] = None,
    overrides: Optional[dict[str, Any]] = None,
    resume: bool = False,
    seed: Optional[int] = None,
    runs_dir: PathLike = RUNS_DIR,
    data_dir: Optional[str] = None,
    channels: Optional[int] = None,
    progress: bool = True,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    strategy: Any = None,
    echo: Optional[Callable[[str], None]] = None,
    precision: Optional[str] = None,
    jit: Optional[bool] = None,
) -> TrainResult:
    """Train a preset into a run directory, or resume one (see the module docstring).

    Args:
        preset: preset name or folder with a config.json (default: presets.DEFAULT_PRESET).
        data: data spec (default: the preset's), see `tfgan_zoo.data.load`.
        steps, batch_size: override the preset's training.steps / training.batch_size (the batch
            is global: under a strategy every replica takes batch / replicas).
        out: the run directory (default: runs_dir/<preset>-<timestamp>).
        overrides: dotted config keys -> values ({"d_optimizer.learning_rate": 4e-4}).
        resume: continue `out` (or the newest run of `preset`) from its latest checkpoint; only
            `steps` may differ from the saved config.
        seed: seeds weights, data order, latents and the sample grids (default: model.seed).
        runs_dir: where default run directories go.
        data_dir: the tensorflow-datasets data directory (tfds specs).
        channels: convert the images to 1 or 3 channels (needed for folders of mixed channels).
        progress: show a progress bar on stderr.
        callbacks: extra Keras callbacks, run after the run's own.
        strategy: a tf.distribute strategy to build and train under, or its name: "default",
            "mirrored" (all local devices), "multi_worker" (the cluster in TF_CONFIG; every worker
            runs this with the same `out`, only the chief writes it) or "tpu". Multi-worker and
            TPU runs go through `tfgan_zoo.training.loop` (Keras `fit` cannot run them).
        echo: where to print one-line messages (default: nowhere).
        precision: "float32" (default), "mixed_float16" or "mixed_bfloat16"; recorded in the run.
        jit: compile the training step with XLA (one device); recorded in the run.

    Raises RunError for bad input (before anything is written), NonFiniteLossError when a loss
    becomes NaN or infinite (the checkpoints written before stay intact) and
    loop.WorkerLostError when another worker of a multi-worker run is lost.
    """
    say = echo or (lambda message: None)
    if isinstance(strategy, str):  # first: a multi-worker strategy must exist before any other TF op
        try:
            strategy = distribute_lib.make_strategy(strategy)
        except ValueError as error:
            raise RunError(f"--{error}") from None
    arguments = dict(preset=preset, data=data, steps=steps, batch_size=batch_size, out=out, overrides=overrides,
                     resume=resume, seed=seed, runs_dir=runs_dir, data_dir=data_dir, channels=channels,
                     precision=precision, jit=jit, strategy=strategy)
    if not distribute_lib.is_chief(strategy):
        return _train_as_worker(arguments, callbacks, strategy, say)
    if out is not None:
        _check_unlocked(Path(out))  # who trains there now is said before what the directory holds
    plan = plan_run(**arguments)  # everything checked before the lock creates the directory
    with _hold_run_lock(plan.run_dir) as lock:
        # Again under the lock: another process may have written the directory since.
        plan = plan_run(**{**arguments, "out": plan.run_dir})
        if lock.previous is not None:
            say(f"Took over the stale lock of {run_lock_lib.describe_holder(lock.previous)} on {plan.run_dir} "
                "(that process no longer holds it).")
        for warning in plan.warnings:
            _log.warn(warning)
        return _train_planned(plan, progress, callbacks, strategy, say)


def _train_as_worker(arguments: dict, callbacks: Sequence[keras.callbacks.Callback], strategy: Any,
                     say: Callable[[str], None]) -> TrainResult:
    """A non-chief worker of a multi-worker run: the same run, written to a temporary directory that
    is removed afterwards (it restores from the chief's checkpoints on a resume). It runs every
    callback the chief runs, since saving reads variables through the strategy like the chief."""
    import tempfile

    if arguments["out"] is None:
        raise RunError("--strategy multi_worker needs --out: every worker must name the same run directory.")
    run_dir = Path(arguments["out"])
    task_type, task_id = distribute_lib.task(strategy)
    with tempfile.TemporaryDirectory(prefix=f"tfgan_zoo-{task_type}{task_id}-") as scratch:
        scratch_dir = Path(scratch) / "run"
        if arguments["resume"]:
            plan = dataclasses.replace(plan_run(**arguments), run_dir=scratch_dir)
        else:
            plan = plan_run(**{**arguments, "out": scratch_dir})
        with _hold_run_lock(plan.run_dir):
            result = _train_planned(plan, False, callbacks, strategy, lambda message: None)
        say(f"{task_type} {task_id}: step {result.step}, weights sha256 {loop_lib.weights_digest(result.gan)}.")
    return dataclasses.replace(result, run_dir=run_dir)


@contextlib.contextmanager
def _hold_run_lock(run_dir: Path):
    try:
        lock = run_lock_lib.acquire(run_dir)
    except run_lock_lib.RunLockedError as error:
        raise RunError(str(error)) from None
    try:
        yield lock
    finally:
        run_lock_lib.release(lock)


def _train_planned(plan: RunPlan, progress: bool, callbacks: Sequence[keras.callbacks.Callback], strategy: Any,
                   say: Callable[[str], None]) -> TrainResult:
    """Build, restore and fit a checked plan whose run directory this process holds the lock of."""
    config, run_dir, start, total = plan.config, plan.run_dir, plan.start_step, plan.total_steps
    gan = build_from_config(config, strategy)
    dataset = make_dataset(config, plan.data_info, skip=start, strategy=strategy)
    if plan.resume_from is not None:
        try:
            checkpoint_lib.restore_checkpoint(gan, plan.resume_from)
        except checkpoint_lib.CheckpointError as error:
            raise RunError(str(error)) from None
        if start >= total:
            say(f"{run_dir} is already at step {start} of {total}; pass --steps to train further.")
            return TrainResult(run_dir, start, start, {}, gan, 0.0)
    prepare = getattr(gan, "prepare_training", None)
    if prepare is not None:  # e.g. ClusteredGAN's k-means; from the unsharded stream, alike on every worker
        prepare(make_dataset(config, plan.data_info), plan.data_info.num_examples)
        # The prior it settled on (the clusters' shares) goes into config.json, where export and
        # load_generator read a run's prior.
        model = {**config.model, "prior": gan.prior.get_config()}
        plan = dataclasses.replace(plan, config=dataclasses.replace(config, model=model))

    # Everything checked: from here on the run directory is written.
    existed = {name for name in WRITTEN if (run_dir / name).exists()}
    try:
        return _fit(plan, gan, dataset, progress, callbacks, strategy, say)
    except BaseException as failure:
        if start == 0 and not checkpoint_lib.list_checkpoints(run_dir / CHECKPOINTS_DIR):
            _remove_written(run_dir, existed)
            if isinstance(failure, NonFiniteLossError):
                raise NonFiniteLossError(f"{failure} With nothing to resume from, what the run had written "
                                         f"to {run_dir} was removed.") from None
        raise


def _remove_written(run_dir: Path, existed: set[str]) -> None:
    """Remove what a run wrote into `run_dir` that was not there before it started."""
    for name in WRITTEN:
        path = run_dir / name
        if name in existed or not path.exists():
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _fit(plan: RunPlan, gan: Any, dataset: Any, progress: bool, callbacks: Sequence[keras.callbacks.Callback],
         strategy: Any, say: Callable[[str], None]) -> TrainResult:
    """Train a built, restored GAN with the run's callbacks: `gan.fit`, or `loop.train_loop` where
    fit cannot run (multi-worker, TPU)."""
    config, run_dir, start, total = plan.config, plan.run_dir, plan.start_step, plan.total_steps
    run_dir.mkdir(parents=True, exist_ok=True)
    checkpoint_lib.remove_stale_temporaries(run_dir / CHECKPOINTS_DIR)
    write_json_atomic(run_dir / CONFIG_FILE, config.to_dict())
    if plan.resume_from is not None:
        say(f"Resuming {run_dir} from {plan.resume_from.name} (step {start} of {total}).")
    elif plan.resuming:
        say(f"Resuming {run_dir}: it has no checkpoint (its run stopped before the first), so training starts "
            f"from step 0 of {total}.")
    else:
        say(f"Training {config.preset} on {config.data} for {total} steps "
            f"(batch {config.training.batch_size}) into {run_dir}.")

    training = config.training
    guard = callbacks_lib.NonFiniteGuard(start, run_dir / CHECKPOINTS_DIR)
    checkpoints = callbacks_lib.CheckpointCallback(
        run_dir / CHECKPOINTS_DIR, every=training.checkpoint_every, keep=training.keep_checkpoints,
        initial_step=start, total_steps=total,
        extra=lambda step: {"batches_consumed": step, "seed": plan.seed, "data": config.data},
    )
    tensorboard = callbacks_lib.TensorBoardLogger(run_dir / TENSORBOARD_DIR, start)
    samples = callbacks_lib.SampleGridCallback(
        run_dir / SAMPLES_DIR, every=training.sample_every, num_samples=training.num_samples,
        seed=plan.seed, initial_step=start, total_steps=total, means=toy_means_for(config.data),
        tensorboard=tensorboard,
    )
    fid = _fid_callback(config, plan.data_info, run_dir, start)
    run_callbacks: list = [
        callbacks_lib.StopAtStep(total, start), guard, checkpoints, samples, *([fid] if fid else []),
        callbacks_lib.SpectralSigmaLogger(),  # adds d_sigma_max / d_sigma_min for the writers below
        callbacks_lib.CSVLogger(run_dir / METRICS_FILE, start, extra_columns=["fid"] if fid else ()), tensorboard,
    ]
    if progress:
        run_callbacks.append(callbacks_lib.ProgressBar(total, start))
    run_callbacks.extend(callbacks)

    remaining = total - start
    per_epoch = min(training.log_every, remaining)
    started = _now()
    if distribute_lib.needs_custom_loop(strategy):
        history = loop_lib.train_loop(gan, dataset, strategy, run_callbacks, total, per_epoch, start)
    else:
        history = gan.fit(dataset, steps_per_epoch=per_epoch, epochs=math.ceil(remaining / per_epoch),
                          callbacks=run_callbacks, verbose=0, shuffle=False).history
    seconds = _now() - started
    error = guard.error or checkpoints.error
    if error:
        raise NonFiniteLossError(error)
    step = guard.step
    save_final(gan, run_dir)
    logs = {name: values[-1] for name, values in history.items() if values}
    if distribute_lib.strategy_name(strategy) == "multi_worker":
        say(f"chief: step {step}, weights sha256 {loop_lib.weights_digest(gan)}.")
    return TrainResult(run_dir, step, start, logs, gan, seconds)


def train_command(config: Union[RunConfig, dict], run_dir: PathLike) -> list[str]:
    """The `tfgan-zoo train ...` argument list that trains this run's config again into run_dir."""
    if isinstance(config, RunConfig):
        config = config.to_dict()
    run, training = config.get("run") or {}, config.get("training") or {}
    argv = ["tfgan-zoo", "train", "--preset", str(run.get("preset", presets_lib.DEFAULT_PRESET))]
    for flag, value in (("--data", config.get("data")), ("--steps", training.get("steps")),
                        ("--batch-size", training.get("batch_size")),
                        ("--seed", run.get("seed", (config.get("model") or {}).get("seed")))):
        if value is not None:
            argv += [flag, str(value)]
    for key, value in (run.get("overrides") or {}).items():
        argv += ["--set", f"{key}={presets_lib.format_value(value)}"]
    if run.get("channels"):
        argv += ["--channels", str(run["channels"])]
    if run.get("precision", "float32") != "float32":
        argv += ["--precision", str(run["precision"])]
    if run.get("jit"):
        argv.append("--jit")
    return argv + ["--out", str(run_dir)]


def _now() -> float:
    import time

    return time.perf_counter()


def save_final(gan: Any, run_dir: PathLike) -> None:
    """generator.keras (the sampling generator: EMA when present) and gan.weights.h5, atomically."""
    run_dir = Path(run_dir)
    for name, save in ((GENERATOR_FILE, gan.sampling_generator.save), (WEIGHTS_FILE, gan.save_weights)):
        with replacing(run_dir / name) as temporary:
            save(str(temporary))


# --- using a run -----------------------------------------------------------------------------

def load_run(run_dir: PathLike, checkpoint: Optional[PathLike] = None,
             strategy: Any = None) -> tuple[Any, RunConfig]:
    """(gan, config) of a run at its newest intact checkpoint (damaged newer ones are skipped with one
    warning line; RunError when none is intact), or at a given one, or from gan.weights.h5."""
    run_dir = Path(run_dir)
    config = load_run_config(run_dir)
    gan = build_from_config(config, strategy)
    try:
        path = Path(checkpoint) if checkpoint is not None else \
            checkpoint_lib.latest_intact_checkpoint(run_dir / CHECKPOINTS_DIR)
        if path is not None:
            checkpoint_lib.restore_checkpoint(gan, path)
        elif (run_dir / WEIGHTS_FILE).is_file():
            gan.load_weights(run_dir / WEIGHTS_FILE)
        else:
            raise RunError(f"Run {str(run_dir)!r} has no checkpoint yet ({CHECKPOINTS_DIR}/ is empty).")
    except checkpoint_lib.CheckpointError as error:
        raise RunError(str(error)) from None
    return gan, config


SAMPLE_SUFFIXES = (".png", ".npy")


def check_sample_out(out: PathLike) -> Path:
    """The --out of `sample`: a writable file name ending in .png or .npy."""
    out = Path(out)
    if out.suffix.lower() not in SAMPLE_SUFFIXES:
        raise RunError(f"--out must end in .png (a picture) or .npy (raw outputs), got {str(out)!r}.")
    if out.is_dir():
        raise RunError(f"--out {str(out)!r} is a directory; expected a file name ending in .png or .npy.")
    check_writable(out.parent if str(out.parent) else Path("."), "output folder")
    return out


def write_samples(samples: np.ndarray, out: PathLike, means: Optional[np.ndarray] = None,
                  nrow: Optional[int] = None) -> Path:
    """Write generator outputs atomically: the raw float32 array (.npy), or a picture (.png): a
    scatter plot of 2-D points (with the mixture `means`) or an image grid (`nrow` per row)."""
    out = check_sample_out(out)
    samples = np.asarray(samples, dtype=np.float32)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".npy":
        with replacing(out) as temporary, open(temporary, "wb") as handle:
            np.save(handle, samples)
        return out
    if samples.ndim == 2:
        images_lib.save_png(images_lib.scatter_image(samples, means=means), out)
    else:
        images_lib.save_png(images_lib.image_grid(samples, nrow=nrow), out)
    return out


def sample_run(run_dir: PathLike, num: int, out: PathLike, seed: int = 0, label: Optional[int] = None,
               truncation: Optional[float] = None, psi: Optional[float] = None) -> Path:
    """Write `num` samples of a run's (EMA) generator: a PNG grid / scatter plot, or the raw float32
    outputs when `out` ends in .npy. `label` picks the class of a conditional run; `truncation` T
    draws z from the run's prior truncated at T (tfgan_zoo.latent); `psi` is the truncation in W
    of a StyleGAN run (Karras et al. 2019)."""
    run_dir = Path(run_dir)
    _positive_int("--num", num)
    if truncation is not None:
        try:
            check_truncation(truncation, "--truncation")
        except ValueError as error:
            raise RunError(str(error)) from None
    check_sample_out(out)
    run_config = load_run_config(run_dir)
    num_classes = run_config.num_classes
    if psi is not None and run_config.model_class != "StyleGAN":
        raise RunError(f"--psi {psi:g} is the truncation in W of a style-based generator; run {str(run_dir)!r} "
                       f"is a {run_config.model_class}.")
    if label is not None:
        if num_classes is None:
            raise RunError(f"--label {label}: run {str(run_dir)!r} is unconditional (it has no classes).")
        if not 0 <= int(label) < int(num_classes):
            raise RunError(f"--label {label} is out of range; run {str(run_dir)!r} has classes 0..{num_classes - 1}.")
    gan, config = load_run(run_dir)
    from tfgan_zoo.training.progressive import ProgressiveGAN

    options = {"stage": "final"} if isinstance(gan, ProgressiveGAN) else {}  # the grown networks, as exported
    if psi is not None:
        options["psi"] = psi
    samples = gan.generate(int(num), labels=label, seed=seed, truncation=truncation, **options)
    nrow = num_classes if (num_classes is not None and label is None) else None
    return write_samples(samples, out, means=toy_means_for(config.data), nrow=nrow)


__all__ = [
    "NonFiniteLossError",
    "RunError",
    "RunPlan",
    "TrainResult",
    "build_from_config",
    "check_writable",
    "load_run",
    "load_run_config",
    "make_dataset",
    "plan_run",
    "read_run_config",
    "sample_run",
    "check_sample_out",
    "write_samples",
    "save_final",
    "train",
    "toy_means_for",
    "train_command",
]
