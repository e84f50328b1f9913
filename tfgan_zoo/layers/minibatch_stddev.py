"""Minibatch standard deviation (Karras et al., 2018)."""
from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf
from keras import ops

from tfgan_zoo.layers._validation import check_known_channels, check_rank


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class MinibatchStdDev(keras.layers.Layer):
    """Append the minibatch standard deviation as extra constant feature map(s).

    Karras, Aila, Laine, Lehtinen, "Progressive Growing of GANs for Improved Quality,
    Stability, and Variation", ICLR 2018, section 3 (and the StyleGAN variant with
    ``num_new_features`` > 1). For an input ``x`` of shape (N, H, W, C), with group size G:

        split the batch into N / G groups of G samples
        s[g, h, w, c] = sqrt(Var_{samples in group g}(x[., h, w, c]) + epsilon)
                        (population variance, i.e. divided by G)
        split the C channels into ``num_new_features`` = F equal parts; for each part f
        d[g, f] = mean over (h, w, channels of part f) of s[g, h, w, c]
        output = concat([x, d broadcast over (H, W) to every sample of group g])
                                                            -> (N, H, W, C + F)

    Any input of rank >= 2 with channels last works (rank 2 features give (N, C + F)).

    Grouping follows the original code: the batch is reshaped to (G, N / G, ...), so the
    group of sample ``i`` is ``i mod (N / G)`` (samples ``m, m + N/G, m + 2N/G, ...``).

    Group size: the effective group size is ``min(group_size, N)``. If that does not
    divide ``N``: with ``allow_smaller_groups=True`` (default) the largest divisor of ``N``
    that is <= ``group_size`` is used (a prime batch falls back to groups of 1, whose
    statistic is the constant ``sqrt(epsilon)``, as for a batch of one in the original
    code); with ``allow_smaller_groups=False`` a ValueError (static batch size) or
    InvalidArgumentError (batch size known only at run time) is raised.

    Under ``tf.distribute`` the groups are formed within each replica's batch.

    Args:
        group_size: G, samples per group (paper: 4).
        num_new_features: F, number of appended statistics channels; must divide C.
        epsilon: added to the variance before the square root (paper: 1e-8).
        allow_smaller_groups: see above.
    """

    def __init__(
        self,
        group_size: int = 4,
        num_new_features: int = 1,
        epsilon: float = 1e-8,
        allow_smaller_groups: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if int(group_size) != group_size or group_size < 1:
            raise ValueError(
                f"MinibatchStdDev expects group_size to be a positive integer, got {group_size!r}"
            )
        if int(num_new_features) != num_new_features or num_new_features < 1:
            raise ValueError(
                "MinibatchStdDev expects num_new_features to be a positive integer, "
                f"got {num_new_features!r}"
            )
        if not epsilon >= 0:
            raise ValueError(f"MinibatchStdDev expects epsilon >= 0, got {epsilon!r}")
        self.group_size = int(group_size)
        self.num_new_features = int(num_new_features)
        self.epsilon = float(epsilon)
        self.allow_smaller_groups = bool(allow_smaller_groups)

    def _check_shape(self, input_shape: Any) -> tuple:
        shape = check_rank(
            "MinibatchStdDev",
            input_shape,
            min_rank=2,
            description="(batch, ..., channels), e.g. (batch, height, width, channels)",
        )
        channels = check_known_channels("MinibatchStdDev", shape)
        if channels % self.num_new_features:
            raise ValueError(
                f"MinibatchStdDev expects the number of channels to be divisible by "
                f"num_new_features={self.num_new_features}, got {channels} channels "
                f"(input shape {shape})"
            )
        if shape[0] is not None:
            self.group_size_for(shape[0])  # raises early for a bad static batch size
        return shape

    def build(self, input_shape: Any) -> None:
        self._check_shape(input_shape)

    def group_size_for(self, batch_size: int) -> int:
        """The group size actually used for a (static) batch of ``batch_size`` samples."""
        batch_size = int(batch_size)
        if batch_size < 1:
            raise ValueError(f"MinibatchStdDev expects a non-empty batch, got batch size {batch_size}")
        group = min(self.group_size, batch_size)
        if batch_size % group == 0:
            return group
        if not self.allow_smaller_groups:
            raise ValueError(
                f"MinibatchStdDev expects the batch size to be divisible by "
                f"group_size={self.group_size}, got batch size {batch_size} "
                "(pass allow_smaller_groups=True to fall back to the largest divisor)"
            )
        while batch_size % group:
            group -= 1
        return group

    def _dynamic_group_size(self, batch_size: Any) -> Any:
        """Graph-mode version of ``group_size_for`` for a batch size known only at run time."""
        batch_size = ops.cast(batch_size, "int32")
        group = ops.minimum(ops.cast(self.group_size, "int32"), batch_size)
        if not self.allow_smaller_groups:
            check = tf.debugging.Assert(
                ops.equal(batch_size % group, 0),
                [
                    f"MinibatchStdDev expects the batch size to be divisible by "
                    f"group_size={self.group_size} (allow_smaller_groups=False), got batch size",
                    batch_size,
                ],
            )
            with tf.control_dependencies([check]):
                return tf.identity(group)
        candidates = ops.arange(1, self.group_size + 1, dtype="int32")
        divides = ops.logical_and(
            ops.equal(batch_size % candidates, 0), ops.less_equal(candidates, batch_size)
        )
        return ops.max(ops.where(divides, candidates, ops.ones_like(candidates)))

    def call(self, inputs: Any) -> Any:
        shape = self._check_shape(inputs.shape)
        rank = len(shape)
        channels = shape[-1]
        dynamic_shape = ops.shape(inputs)
        if shape[0] is not None:
            group = self.group_size_for(shape[0])
        else:
            group = self._dynamic_group_size(dynamic_shape[0])

        x = ops.cast(inputs, "float32")
        spatial = [dynamic_shape[i] if shape[i] is None else shape[i] for i in range(1, rank - 1)]
        per_feature = channels // self.num_new_features
        # (G, N/G, *spatial, F, C/F)
        y = ops.reshape(x, [group, -1, *spatial, self.num_new_features, per_feature])
        y = y - ops.mean(y, axis=0, keepdims=True)
        std = ops.sqrt(ops.mean(ops.square(y), axis=0) + self.epsilon)  # (N/G, *spatial, F, C/F)
        reduce_axes = tuple(range(1, rank - 1)) + (rank,)  # spatial axes and C/F
        stat = ops.mean(std, axis=reduce_axes)  # (N/G, F)
        stat = ops.tile(stat, [group, 1])  # (N, F): sample i gets group i mod (N/G)
        stat = ops.reshape(stat, [-1] + [1] * (rank - 2) + [self.num_new_features])
        stat = stat * ops.ones_like(x[..., :1])  # broadcast over the spatial axes
        return ops.concatenate([inputs, ops.cast(stat, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = self._check_shape(input_shape)
        return shape[:-1] + (shape[-1] + self.num_new_features,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "group_size": self.group_size,
                "num_new_features": self.num_new_features,
                "epsilon": self.epsilon,
                "allow_smaller_groups": self.allow_smaller_groups,
            }
        )
        return config
