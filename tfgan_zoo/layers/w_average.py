"""The tracked average w of the mapping network and the truncation trick in W (StyleGAN)."""
from __future__ import annotations

from typing import Any, Optional

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfgan_zoo.layers._validation import check_known_channels, check_rank


def check_cutoff(cutoff: Any, num_layers: int) -> int:
    """`cutoff` as an int in [1, num_layers]; ValueError naming the value otherwise."""
    if isinstance(cutoff, bool) or not isinstance(cutoff, (int, np.integer)) or not 1 <= cutoff <= num_layers:
        raise ValueError(
            f"truncation_cutoff must be an integer in [1, {num_layers}] (the generator has {num_layers} "
            f"style layers), got {cutoff!r}"
        )
    return int(cutoff)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class WAverage(keras.layers.Layer):
    """Identity on w; holds w_avg, the moving average of w, and truncates styles toward it.

    Karras, Laine, Aila, "A Style-Based Generator Architecture for Generative Adversarial
    Networks", CVPR 2019, appendix B ("truncation trick in W"); the official G_style:

        update(w):  w_avg <- beta * w_avg + (1 - beta) * mean_batch(w)      beta = 0.995,
                    (the official lerp(batch_avg, dlatent_avg, beta), w_avg starting at 0)
        truncate:   w' = w_avg + psi * (w - w_avg) on the style layers l < cutoff, w' = w beyond

    The mapping network ends with this layer, so w_avg is a (non-trainable) weight of the
    generator: saved in `.keras` files, checkpoints and SavedModels, and copied to the EMA
    generator. The training loop calls `update` on the first latent's w of every training
    generator call; under tf.distribute the batch mean is the mean over all replicas.
    `truncate` is written psi * w + (1 - psi) * w_avg, which gives w exactly at psi = 1 and
    w_avg exactly at psi = 0.

    Args:
        beta: decay of the moving average, in [0, 1).
        truncation_cutoff: number of leading style layers truncated by default (the official
            truncation_cutoff; None: all of them). The generator builder checks it.
    """

    def __init__(self, beta: float = 0.995, truncation_cutoff: Optional[int] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0.0 <= float(beta) < 1.0:  # also rejects NaN
            raise ValueError(f"WAverage expects beta in [0, 1), got {beta!r}")
        if truncation_cutoff is not None and (
            isinstance(truncation_cutoff, bool) or int(truncation_cutoff) != truncation_cutoff or truncation_cutoff < 1
        ):
            raise ValueError(f"WAverage expects truncation_cutoff None or a positive integer, got {truncation_cutoff!r}")
        self.beta = float(beta)
        self.truncation_cutoff = None if truncation_cutoff is None else int(truncation_cutoff)

    def build(self, input_shape: Any) -> None:
        shape = check_rank("WAverage", input_shape, allowed=(2,), description="(batch, w_dim)")
        self.w_avg = self.add_weight(
            name="w_avg", shape=(check_known_channels("WAverage", shape),), initializer="zeros",
            trainable=False, autocast=False, aggregation="only_first_replica",
        )

    def call(self, inputs: Any) -> Any:
        return inputs

    def update(self, w: Any) -> None:
        """w_avg <- beta * w_avg + (1 - beta) * (mean of w over the batch, over all replicas)."""
        batch_mean = ops.mean(ops.cast(w, "float32"), axis=0)
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            batch_mean = context.all_reduce("mean", batch_mean)
        self.w_avg.assign(self.beta * self.w_avg + (1.0 - self.beta) * batch_mean)

    def truncate(self, styles: Any, psi: Any, cutoff: Optional[int] = None) -> Any:
        """styles (batch, layers, w_dim) pulled toward w_avg by psi (a number or one per sample)
        on the first `cutoff` layers (default: `truncation_cutoff`, else all)."""
        num_layers = styles.shape[1]
        cutoff = self.truncation_cutoff if cutoff is None else cutoff
        cutoff = num_layers if cutoff is None else check_cutoff(cutoff, num_layers)
        psi = ops.reshape(ops.cast(psi, styles.dtype), (-1, 1, 1))
        truncated_layer = ops.reshape(ops.arange(num_layers) < cutoff, (1, -1, 1))
        coefficient = ops.where(truncated_layer, psi, ops.ones_like(psi))
        w_avg = ops.cast(self.w_avg, styles.dtype)
        return coefficient * styles + (1.0 - coefficient) * w_avg

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta": self.beta, "truncation_cutoff": self.truncation_cutoff})
        return config
