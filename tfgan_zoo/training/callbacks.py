"""Keras callbacks of a training run: step counting, the non-finite guard, checkpoints, sample
grids, metrics.csv, TensorBoard and a progress bar. Each works on its own with `gan.fit`; the
runner (`tfgan_zoo.training.runner`) puts them together.

Steps: every callback counts *global* training steps (one `train_step`, i.e. one dataset batch),
starting from `initial_step` (the step of the checkpoint a resumed run starts from), so the
counting is independent of how `fit` cuts the run into epochs. The runner uses one epoch per
logging interval: Keras resets the loss trackers at each epoch, so the epoch logs are the means
over the interval, and those are what metrics.csv and TensorBoard record.

Order matters when they are used together: StopAtStep, NonFiniteGuard, then the writers (the
runner passes them in that order). The guard runs before the checkpoint writer,
and the writer re-checks the logs and the variables itself, so a non-finite state is never saved.
"""
from __future__ import annotations

import csv
import math
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

import keras
import numpy as np

from tfgan_zoo._atomic import replacing

from tfgan_zoo import images as images_lib
from tfgan_zoo.layers.spectral_normalization import spectral_sigmas
from tfgan_zoo.training import checkpoint as checkpoint_lib

PathLike = Union[str, os.PathLike]


def non_finite_terms(logs: Optional[dict]) -> dict[str, float]:
    """The entries of a logs dict that are numbers but not finite (NaN, +-inf)."""
    bad = {}
    for name, value in (logs or {}).items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if not math.isfinite(number):
            bad[name] = number
    return bad


class StepCallback(keras.callbacks.Callback):
    """Base class: counts global steps (initial_step + train steps run by this `fit`) and calls
    `on_step_end(step, logs)` after each one."""

    def __init__(self, initial_step: int = 0):
        super().__init__()
        if int(initial_step) != initial_step or initial_step < 0:
            raise ValueError(f"initial_step must be an integer >= 0, got {initial_step!r}.")
        self.initial_step = int(initial_step)
        self._finished_epochs_steps = 0
        self._epoch_steps = 0

    @property
    def step(self) -> int:
        """The global step reached so far (steps completed)."""
        return self.initial_step + self._finished_epochs_steps + self._epoch_steps

    def on_epoch_begin(self, epoch: int, logs: Optional[dict] = None) -> None:
        self._finished_epochs_steps += self._epoch_steps
        self._epoch_steps = 0

    def on_train_batch_end(self, batch: int, logs: Optional[dict] = None) -> None:
        self._epoch_steps = int(batch) + 1  # Keras passes the index of the last batch run
        self.on_step_end(self.step, logs or {})

    def on_step_end(self, step: int, logs: dict) -> None:
        """Hook: after global step `step`."""


class StopAtStep(StepCallback):
    """Stop `fit` once the global step reaches `total_steps` (the last epoch may be partial)."""

    def __init__(self, total_steps: int, initial_step: int = 0):
        super().__init__(initial_step)
        self.total_steps = int(total_steps)

    def on_step_end(self, step: int, logs: dict) -> None:
        if step >= self.total_steps:
            self.model.stop_training = True


class NonFiniteGuard(StepCallback):
    """Stop training at the first step whose logged losses are NaN or infinite.

    The message (`self.error`) names the step, the non-finite terms and the last checkpoint in
    `checkpoint_dir`, which the checkpoint writer never overwrites with a non-finite state. The
    logs are the running means of the current interval, so a non-finite step shows at once.
    """

    def __init__(self, initial_step: int = 0, checkpoint_dir: Optional[PathLike] = None):
        super().__init__(initial_step)
        self.checkpoint_dir = None if checkpoint_dir is None else Path(checkpoint_dir)
        self.error: Optional[str] = None
        self.failed_step: Optional[int] = None

    def on_step_end(self, step: int, logs: dict) -> None:
        if self.error is not None:
            return
        bad = non_finite_terms(logs)
        if not bad:
            return
        terms = ", ".join(f"{name}={value}" for name, value in bad.items())
        message = f"Non-finite loss at step {step}: {terms}; training stopped."
        latest = checkpoint_lib.latest_checkpoint(self.checkpoint_dir) if self.checkpoint_dir else None
        if latest is not None:
            message += f" The last good checkpoint is {latest}."
        elif self.checkpoint_dir is not None:
            message += " No checkpoint had been written yet."
        self.error, self.failed_step = message, step
        self.model.stop_training = True


class CheckpointCallback(StepCallback):
    """Save the whole training state every `every` steps and at `total_steps`, keeping the last
    `keep`; see `tfgan_zoo.training.checkpoint`. A step with non-finite logs or variables is not
    saved: training stops and `self.error` says why. `extra(step)` adds metadata."""

    def __init__(self, directory: PathLike, every: int, keep: Optional[int] = 3, initial_step: int = 0,
                 total_steps: Optional[int] = None, extra: Optional[Callable[[int], dict]] = None):
        super().__init__(initial_step)
        if int(every) != every or every < 1:
            raise ValueError(f"checkpoint every must be an integer >= 1, got {every!r}.")
        self.directory = Path(directory)
        self.every = int(every)
        self.keep = keep
        self.total_steps = total_steps
        self.extra = extra
        self.saved: list[Path] = []
        self.error: Optional[str] = None

    def on_step_end(self, step: int, logs: dict) -> None:
        if step % self.every and step != self.total_steps:
            return
        if non_finite_terms(logs):
            return  # the guard reports it; never save this state
        try:
            path = checkpoint_lib.save_checkpoint(
                self.model, self.directory, step, extra=self.extra(step) if self.extra else None, keep=self.keep
            )
        except checkpoint_lib.NonFiniteStateError as error:
            self.error = f"{error} Training stopped."
            self.model.stop_training = True
            return
        self.saved.append(path)


class TensorBoardLogger(StepCallback):
    """TensorBoard event files: the epoch (interval) logs as scalars, and images via `image`.

    Written with `tf.summary.write` and the scalars / images plugin metadata, so the
    `tensorboard` package is not needed to write them (only to view them)."""

    def __init__(self, logdir: PathLike, initial_step: int = 0):
        super().__init__(initial_step)
        self.logdir = Path(logdir)
        self._writer = None

    def _get_writer(self):
        import tensorflow as tf

        if self._writer is None:
            self.logdir.mkdir(parents=True, exist_ok=True)
            self._writer = tf.summary.create_file_writer(str(self.logdir))
        return self._writer

    def scalars(self, values: dict, step: int) -> None:
        import tensorflow as tf
        from tensorflow.core.framework import summary_pb2

        metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars")
        )
        with self._get_writer().as_default():
            for name, value in values.items():
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    continue
                tf.summary.write(name, tf.constant(number, tf.float32), step=step, metadata=metadata)
        self._writer.flush()

    def image(self, tag: str, image: np.ndarray, step: int) -> None:
        """One uint8 image (H, W) or (H, W, 3) as a TensorBoard image summary."""
        import tensorflow as tf
        from tensorflow.core.framework import summary_pb2

        array = np.asarray(image)
        metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="images")
        )
        # The images plugin's format: [width, height, png...] as strings.
        tensor = tf.constant([str(array.shape[1]), str(array.shape[0]), images_lib.png_bytes(array)])
        with self._get_writer().as_default():
            tf.summary.write(tag, tensor, step=step, metadata=metadata)
        self._writer.flush()

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        if logs:
            self.scalars(logs, self.step)

    def on_train_end(self, logs: Optional[dict] = None) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class SampleGridCallback(StepCallback):
    """Write `directory/step_NNNNNN.png` every `every` steps (and at `total_steps`, and for step 0
    when a run starts from scratch), from fixed latents (`seed`), so the grids show progress.

    Images become a grid (one column per class for conditional GANs); 2-D points a scatter plot
    over the toy `means`. The picture also goes to `tensorboard` as the image "samples".
    """

    def __init__(self, directory: PathLike, every: int, num_samples: int = 64, seed: int = 0,
                 initial_step: int = 0, total_steps: Optional[int] = None,
                 means: Optional[np.ndarray] = None, tensorboard: Optional[TensorBoardLogger] = None):
        super().__init__(initial_step)
        if int(every) != every or every < 1:
            raise ValueError(f"sample every must be an integer >= 1, got {every!r}.")
        self.directory = Path(directory)
        self.every = int(every)
        self.num_samples = int(num_samples)
        self.seed = int(seed)
        self.total_steps = total_steps
        self.means = means
        self.tensorboard = tensorboard
        self.written: list[Path] = []

    def picture(self, step: int) -> np.ndarray:
        """The sample picture of the model's current (EMA) generator."""
        samples = np.asarray(self.model.generate(self.num_samples, seed=self.seed))
        if samples.ndim == 2:
            return images_lib.scatter_image(samples, means=self.means, title=f"step {step}")
        num_classes = getattr(self.model, "num_classes", None)
        return images_lib.image_grid(samples, nrow=num_classes)

    def write(self, step: int) -> Path:
        picture = self.picture(step)
        self.directory.mkdir(parents=True, exist_ok=True)
        path = images_lib.save_png(picture, self.directory / f"step_{step:06d}.png")
        if self.tensorboard is not None:
            self.tensorboard.image("samples", picture, step)
        self.written.append(path)
        return path

    def on_train_begin(self, logs: Optional[dict] = None) -> None:
        if self.initial_step == 0:
            self.write(0)

    def on_step_end(self, step: int, logs: dict) -> None:
        if (step % self.every == 0 or step == self.total_steps) and not non_finite_terms(logs):
            self.write(step)


class SpectralSigmaLogger(keras.callbacks.Callback):
    """Add `d_sigma_max` and `d_sigma_min`, the largest and smallest last sigma_hat of the
    discriminator's SpectralNormalization layers (Miyato et al. 2018), to every epoch's (logging
    interval's) logs, so metrics.csv and TensorBoard record them; nothing when it has none. Place it
    before the writers (they read the same logs dict)."""

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        sigmas = [float(np.asarray(sigma)) for sigma in spectral_sigmas(self.model.discriminator)]
        if logs is not None and sigmas:
            logs.update(d_sigma_max=max(sigmas), d_sigma_min=min(sigmas))


class CSVLogger(StepCallback):
    """Append one row per epoch (logging interval) to a CSV file: step, elapsed seconds, then the
    logged terms. On a resumed run, rows after `initial_step` (written after the checkpoint the
    run resumes from) are dropped first and the elapsed time continues from the last kept row."""

    def __init__(self, path: PathLike, initial_step: int = 0, extra_columns: Sequence[str] = ()):
        super().__init__(initial_step)
        self.path = Path(path)
        self.extra_columns = list(extra_columns)  # columns that may appear only in later logs (fid)
        self._columns: Optional[list[str]] = None
        self._elapsed_before = 0.0
        self._start = 0.0

    def on_train_begin(self, logs: Optional[dict] = None) -> None:
        self._start = time.perf_counter()
        if not self.path.exists():
            return
        with self.path.open(newline="") as handle:
            rows = list(csv.reader(handle))
        if not rows:
            return
        header, body = rows[0], rows[1:]
        kept = [row for row in body if row and row[0].isdigit() and int(row[0]) <= self.initial_step]
        if len(kept) != len(body):
            with replacing(self.path) as temporary, temporary.open("w", newline="") as handle:
                csv.writer(handle).writerows([header] + kept)
        self._columns = header[2:]
        if kept:
            try:
                self._elapsed_before = float(kept[-1][1])
            except (IndexError, ValueError):
                self._elapsed_before = 0.0

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        logs = dict(logs or {})
        new = self._columns is None
        if new:
            self._columns = list(logs) + [name for name in self.extra_columns if name not in logs]
        elapsed = self._elapsed_before + time.perf_counter() - self._start
        row = [self.step, f"{elapsed:.1f}"] + [_format(logs.get(name)) for name in self._columns]
        with self.path.open("a", newline="") as handle:
            writer = csv.writer(handle)
            if new:
                writer.writerow(["step", "elapsed_s"] + self._columns)
            writer.writerow(row)


def _format(value: Any) -> str:
    if value is None:
        return ""
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return str(value)


class ProgressBar(StepCallback):
    """A tqdm progress bar over the global steps ("step 350/2000"), with the interval losses (and
    the resolution and fade alpha of a progressive GAN)."""

    def __init__(self, total_steps: int, initial_step: int = 0, file: Any = None,
                 show: Sequence[str] = ("d_loss", "g_loss", "resolution", "alpha")):
        super().__init__(initial_step)
        self.total_steps = int(total_steps)
        self.file = file
        self.show = tuple(show)
        self._bar = None

    def on_train_begin(self, logs: Optional[dict] = None) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(total=self.total_steps, initial=self.initial_step, unit="step",
                         file=self.file or sys.stderr, dynamic_ncols=True, mininterval=0.5,
                         bar_format="{l_bar}{bar}| step {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}{postfix}]")

    def on_step_end(self, step: int, logs: dict) -> None:
        if self._bar is not None:
            self._bar.update(step - self._bar.n)

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        if self._bar is not None and logs:
            shown = {name: f"{float(logs[name]):.3g}" for name in self.show if name in logs}
            self._bar.set_postfix(shown, refresh=False)

    def on_train_end(self, logs: Optional[dict] = None) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


__all__ = [
    "CSVLogger",
    "CheckpointCallback",
    "NonFiniteGuard",
    "ProgressBar",
    "SampleGridCallback",
    "SpectralSigmaLogger",
    "StepCallback",
    "StopAtStep",
    "TensorBoardLogger",
    "non_finite_terms",
]
