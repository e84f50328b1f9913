"""A training loop over `strategy.run(gan.train_step, ...)` for where Keras 3 `fit` cannot go.

    history = train_loop(gan, dataset, strategy, callbacks, total_steps=2000, log_every=100)

Keras 3's `fit` does not run under `MultiWorkerMirroredStrategy` (keras-team/keras#20585: it
fails reducing the step's scalar logs, "Invalid reduction dimension 0 for input with 0
dimensions"). This loop calls the GAN's own `train_step` -- the one step every variant hooks
into, not a copy -- through `strategy.run` inside a `tf.function`, on the strategy's distributed
dataset (the global batch, split over the replicas; `data.load` sets AutoShardPolicy.DATA), and
drives the same Keras callbacks `fit` would: on_train_begin, per logging interval ("epoch")
on_epoch_begin / on_train_batch_end per step / on_epoch_end with the interval's running means,
on_train_end, and `model.stop_training`. The logs are the replicas' tracker results averaged
(`strategy.reduce(MEAN, axis=None)`), as `fit` reports them; every worker gets the same logs, so
every worker's callbacks take the same decisions (stop, skip a non-finite checkpoint).

A collective that fails because a peer is gone (UnavailableError / DeadlineExceeded / Aborted /
Cancelled, raised within the bounds `distribute.multi_worker_strategy` sets) becomes one
`WorkerLostError` line.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import keras
import tensorflow as tf

from tfgan_zoo.errors import RunFailure
from tfgan_zoo.training import checkpoint as checkpoint_lib

_PEER_ERRORS = (tf.errors.UnavailableError, tf.errors.DeadlineExceededError, tf.errors.AbortedError,
                tf.errors.CancelledError)


class WorkerLostError(RunFailure):
    """A collective failed because another worker of the cluster stopped or became unreachable."""


def make_step_function(gan: keras.Model, strategy: tf.distribute.Strategy):
    """A tf.function running `gan.train_step` on every replica for one batch of a distributed
    iterator, returning the logs averaged over the replicas. XLA (`gan.jit_compile`) compiles the
    per-replica step on a single replica only (a CPU strategy with several replicas refuses it)."""
    step = gan.train_step
    if gan.jit_compile is True and strategy.num_replicas_in_sync == 1:
        step = tf.function(step, jit_compile=True)

    @tf.function
    def one_step(iterator):
        outputs = strategy.run(step, args=(next(iterator),))
        return {name: strategy.reduce(tf.distribute.ReduceOp.MEAN, value, axis=None)
                for name, value in outputs.items()}

    return one_step


def train_loop(gan: keras.Model, dataset: tf.data.Dataset, strategy: Optional[tf.distribute.Strategy],
               callbacks: Sequence[keras.callbacks.Callback], total_steps: int, log_every: int,
               initial_step: int = 0) -> dict[str, list[float]]:
    """Train `gan` from `initial_step` to `total_steps` on the global-batch `dataset` under
    `strategy` (None: the default one-device strategy), calling `callbacks` as `fit` does with
    `steps_per_epoch=log_every`. Returns the history: each interval's final logs, per name."""
    strategy = strategy if strategy is not None else tf.distribute.get_strategy()
    callback_list = keras.callbacks.CallbackList(list(callbacks), add_history=False, add_progbar=False, model=gan)
    iterator = iter(strategy.experimental_distribute_dataset(dataset))
    one_step = make_step_function(gan, strategy)
    history: dict[str, list[float]] = {}
    state = {"step": int(initial_step)}
    try:  # a lost peer can fail any collective: the step's, or a callback's read of a synced variable
        _run_intervals(gan, one_step, iterator, callback_list, total_steps, log_every, state, history)
    except _PEER_ERRORS as error:
        raise WorkerLostError(_lost_message(state["step"] + 1, error)) from None
    return history


def _run_intervals(gan, one_step, iterator, callback_list, total_steps, log_every, state, history) -> None:
    logs: dict[str, float] = {}
    epoch = 0
    gan.stop_training = False
    callback_list.on_train_begin()
    while state["step"] < total_steps and not gan.stop_training:
        gan.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        for batch in range(min(log_every, total_steps - state["step"])):
            callback_list.on_train_batch_begin(batch)
            logs = {name: float(value) for name, value in one_step(iterator).items()}
            state["step"] += 1
            callback_list.on_train_batch_end(batch, logs)
            if gan.stop_training:
                break
        epoch_logs = dict(logs)
        callback_list.on_epoch_end(epoch, epoch_logs)
        for name, value in epoch_logs.items():
            history.setdefault(name, []).append(value)
        epoch += 1
    callback_list.on_train_end(logs)


def _lost_message(step: int, error: Exception) -> str:
    detail = (getattr(error, "message", None) or str(error)).strip().splitlines()
    return (f"Lost contact with another worker at step {step} ({type(error).__name__}: "
            f"{detail[0] if detail else 'no detail'}); training stopped. Restart every worker with --resume "
            "to continue from the last checkpoint.")


def weights_digest(gan: keras.Model) -> str:
    """SHA-256 of the whole training state a checkpoint holds (GAN and optimisers), to check that
    the workers of a cluster agree."""
    return checkpoint_lib.arrays_digest(checkpoint_lib.capture_state(gan)[0])


__all__ = ["WorkerLostError", "make_step_function", "train_loop", "weights_digest"]
