"""What the benchmarks share: timing `GAN.fit` without its tracing (imported by the bench scripts,
which run as `python bench/NAME.py`, so this folder is on sys.path)."""
from __future__ import annotations

import time

import keras


class FitTimer(keras.callbacks.Callback):
    """Seconds from the first batch's start to the end of training (tracing before it excluded)."""

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 0:
            self.start = time.perf_counter()

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self.start
