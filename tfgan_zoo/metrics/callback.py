"""A Keras callback that tracks FID (Heusel et al. 2017) during GAN training."""
from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any, Callable

import keras
import numpy as np

from tfgan_zoo.metrics.features import _Extractor, get_feature_extractor, mnist5k_images
from tfgan_zoo.metrics.fid import feature_statistics, frechet_distance


def _write_scalar(tag: str, value: float, step: int) -> None:
    """A TensorBoard scalar summary written with TF core ops only: ``tf.summary.scalar`` needs
    the tensorboard package, which TensorFlow no longer installs. Same record (a float32
    tensor with the "scalars" plugin metadata), so TensorBoard shows it as usual."""
    import tensorflow as tf
    from tensorflow.core.framework import summary_pb2

    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars")
    )
    tf.summary.write(tag, tf.constant(value, tf.float32), step=step, metadata=metadata)


class FIDCallback(keras.callbacks.Callback):
    """Compute FID every ``every_n_steps`` training steps (batches) and log it.

    Samples: ``generate_fn(n, seed=s)`` if given, else ``self.model.generate(n, seed=s)``;
    images in [-1, 1]. The same seeds are used at every evaluation, so the curve shows the
    generator changing, not the noise. Real statistics are computed once, at the first
    evaluation, from ``real_features`` or ``real_images`` (default: the 1,000 held-out mnist5k
    images) with ``features`` ("mnist", "inception" or an extractor instance).

    Each value is written to ``logs["fid"]`` of that batch, to ``self.history`` as
    (step, fid), as the scalar "fid" to a TensorBoard event file in ``log_dir`` (if given) and
    appended as a "step,fid" row to the CSV file ``csv_path`` (header written when the file is
    new). With ``epoch_logs`` (default), the latest FID is also put in every epoch's logs once
    one has been computed, so History, Keras' CSVLogger/TensorBoard or a run's own metrics.csv
    writer pick it up: place this callback before them, and to share a metrics.csv that
    another writer owns, leave ``csv_path`` None and let that writer record the "fid" column.
    ``initial_step`` offsets the step count when training resumes.
    """

    def __init__(
        self,
        every_n_steps: int = 1000,
        num_samples: int = 1000,
        features: str | _Extractor = "mnist",
        real_images: Any | None = None,
        real_features: Any | None = None,
        generate_fn: Callable[..., Any] | None = None,
        log_dir: str | os.PathLike | None = None,
        csv_path: str | os.PathLike | None = None,
        seed: int = 0,
        batch_size: int = 500,
        initial_step: int = 0,
        epoch_logs: bool = True,
    ) -> None:
        super().__init__()
        if every_n_steps < 1:
            raise ValueError(f"Expected every_n_steps >= 1, got {every_n_steps}.")
        if num_samples < 2:
            raise ValueError(f"Expected num_samples >= 2 for a covariance, got {num_samples}.")
        if real_images is not None and real_features is not None:
            raise ValueError("Pass real_images or real_features, not both.")
        self.every_n_steps = int(every_n_steps)
        self.num_samples = int(num_samples)
        self._features = features
        self._extractor: _Extractor | None = None
        self._real_images = real_images
        self._real_features = real_features
        self._real_stats: tuple[np.ndarray, np.ndarray] | None = None
        self.generate_fn = generate_fn
        self.log_dir = None if log_dir is None else str(log_dir)
        self.csv_path = None if csv_path is None else Path(csv_path)
        self.seed = int(seed)
        self.batch_size = int(batch_size)
        self.step = int(initial_step)
        self.history: list[tuple[int, float]] = []
        self.epoch_logs = bool(epoch_logs)
        self._writer = None

    @property
    def extractor(self) -> _Extractor:
        if self._extractor is None:
            self._extractor = get_feature_extractor(self._features)
        return self._extractor

    def real_statistics(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and covariance of the real features (computed once)."""
        if self._real_stats is None:
            if self._real_features is not None:
                feats = self._real_features
            else:
                reals = self._real_images if self._real_images is not None else mnist5k_images()
                feats = self.extractor.features(reals)
            self._real_stats = feature_statistics(feats)
            self._real_images = None  # no longer needed
        return self._real_stats

    def _generate(self, n: int, seed: int) -> Any:
        if self.generate_fn is not None:
            return self.generate_fn(n, seed=seed)
        generate = getattr(self.model, "generate", None)
        if generate is None:
            raise ValueError(
                "FIDCallback needs generate_fn=..., or a model with a generate(num, seed=...) "
                f"method; {type(self.model).__name__} has none."
            )
        return generate(n, seed=seed)

    def compute_fid(self) -> float:
        """Generate ``num_samples`` images and return their FID to the real statistics."""
        from tfgan_zoo.metrics.evaluate import generate_samples

        mu_real, sigma_real = self.real_statistics()
        images = generate_samples(self._generate, self.num_samples, self.seed, self.batch_size)
        mu, sigma = feature_statistics(self.extractor.features(images))
        return frechet_distance(mu_real, sigma_real, mu, sigma)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.step += 1
        if self.step % self.every_n_steps:
            return
        fid = self.compute_fid()
        self.history.append((self.step, fid))
        if logs is not None:
            logs["fid"] = fid
        self._log(self.step, fid)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.epoch_logs and logs is not None and self.history:
            logs["fid"] = self.history[-1][1]

    def _log(self, step: int, fid: float) -> None:
        if self.log_dir is not None:
            import tensorflow as tf

            if self._writer is None:
                self._writer = tf.summary.create_file_writer(self.log_dir)
            with self._writer.as_default():
                _write_scalar("fid", fid, step)
            self._writer.flush()
        if self.csv_path is not None:
            new = not self.csv_path.exists() or self.csv_path.stat().st_size == 0
            self.csv_path.parent.mkdir(parents=True, exist_ok=True)
            with self.csv_path.open("a", newline="") as handle:
                writer = csv.writer(handle)
                if new:
                    writer.writerow(["step", "fid"])
                writer.writerow([step, f"{fid:.6g}"])

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
