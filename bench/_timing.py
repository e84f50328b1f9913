"""What the benchmarks share: timing `GAN.fit` without its tracing (imported by the bench scripts,
which run as `python bench/NAME.py`, so this folder is on sys.path)."""
from __future__ import annotations

import time

import keras


class FitTimer(keras.callbacks.Callback):
    """Seconds per training step of one `fit`, timed from the end of its first execution (which
    traces the step, and waits for it: Keras reads every batch's logs for a callback that is not
    async-safe) to the end of training. Fit at least two executions."""

    def __init__(self) -> None:
        super().__init__()
        self.start = None

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if self.start is None:
            self.start, self.first_step = time.perf_counter(), batch  # `batch`: the execution's last step
        self.last_step = batch

    def on_train_end(self, logs=None) -> None:
        self.seconds = time.perf_counter() - self.start
        self.steps = self.last_step - self.first_step
        if self.steps < 1:
            raise ValueError(f"FitTimer needs a fit of at least two executions, got {self.steps + 1}")

    @property
    def seconds_per_step(self) -> float:
        return self.seconds / self.steps
