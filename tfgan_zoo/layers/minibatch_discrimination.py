"""Minibatch discrimination (Salimans et al., 2016)."""
from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfgan_zoo.layers._validation import check_known_channels, check_rank


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class MinibatchDiscrimination(keras.layers.Layer):
    """Minibatch discrimination features appended to a discriminator's features.

    Salimans, Goodfellow, Zaremba, Cheung, Radford, Chen, "Improved Techniques for
    Training GANs", NeurIPS 2016, section 3.2. With features ``f_i`` (A values per sample)
    and a learned tensor ``T`` of shape (A, B, C):

        M_i = f_i T                                  (B rows of length C)
        c_b(x_i, x_j) = exp(-|| M_{i,b} - M_{j,b} ||_L1)
        o(x_i)_b = sum_{j} c_b(x_i, x_j)
        output = concat([f_i, o(x_i)])               shape (batch, A + B)

    Self term: ``c_b(x_i, x_i) = exp(0) = 1`` exactly. The paper's formula and the original
    TensorFlow code sum over all ``j`` including ``i``; the original Theano code masked it
    out. Here ``include_self=False`` (the default) sums over ``j != i`` (by subtracting the
    exact 1), so a batch of ``n`` identical samples gives ``o = n - 1`` for every kernel and a
    lone sample gives 0; ``include_self=True`` reproduces the paper's sum (``o = n``).

    Args:
        num_kernels: B, the number of minibatch kernels (features appended). The paper's
            code uses 100.
        kernel_dim: C, the dimension of each kernel's projection. The paper's code uses 5.
        include_self: whether ``j = i`` is counted in the sum (see above).
        kernel_initializer: initializer for ``T`` (default normal, stddev 0.05, as in the
            original code).
        kernel_regularizer, kernel_constraint: optional Keras regularizer / constraint on T.

    The statistics are over the batch the layer sees: under ``tf.distribute`` that is the
    per-replica batch.

    Input shape: ``(batch, A)``. Output shape: ``(batch, A + B)``. Memory is
    O(batch^2 * B * C), fine for the usual discriminator batch sizes.
    """

    def __init__(
        self,
        num_kernels: int = 100,
        kernel_dim: int = 5,
        include_self: bool = False,
        kernel_initializer: Any = None,
        kernel_regularizer: Any = None,
        kernel_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if int(num_kernels) != num_kernels or num_kernels < 1:
            raise ValueError(
                f"MinibatchDiscrimination expects num_kernels to be a positive integer, "
                f"got {num_kernels!r}"
            )
        if int(kernel_dim) != kernel_dim or kernel_dim < 1:
            raise ValueError(
                f"MinibatchDiscrimination expects kernel_dim to be a positive integer, "
                f"got {kernel_dim!r}"
            )
        self.num_kernels = int(num_kernels)
        self.kernel_dim = int(kernel_dim)
        self.include_self = bool(include_self)
        if kernel_initializer is None:
            kernel_initializer = keras.initializers.RandomNormal(stddev=0.05)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)

    def build(self, input_shape: Any) -> None:
        shape = check_rank(
            "MinibatchDiscrimination", input_shape, allowed=(2,), description="(batch, features)"
        )
        features = check_known_channels("MinibatchDiscrimination", shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(features, self.num_kernels, self.kernel_dim),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            trainable=True,
        )

    def call(self, inputs: Any) -> Any:
        check_rank(
            "MinibatchDiscrimination", inputs.shape, allowed=(2,), description="(batch, features)"
        )
        features = self.kernel.shape[0]
        flat_kernel = ops.reshape(self.kernel, (features, self.num_kernels * self.kernel_dim))
        m = ops.reshape(ops.matmul(inputs, flat_kernel), (-1, self.num_kernels, self.kernel_dim))
        # (batch_i, batch_j, B): L1 distance between M_i,b and M_j,b
        l1 = ops.sum(ops.abs(ops.expand_dims(m, 1) - ops.expand_dims(m, 0)), axis=-1)
        o = ops.sum(ops.exp(-l1), axis=1)
        if not self.include_self:
            o = o - ops.cast(1.0, o.dtype)  # drop c_b(x_i, x_i) = exp(0) = 1 exactly
        return ops.concatenate([inputs, ops.cast(o, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = check_rank(
            "MinibatchDiscrimination", input_shape, allowed=(2,), description="(batch, features)"
        )
        features = shape[1]
        return (shape[0], None if features is None else features + self.num_kernels)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "num_kernels": self.num_kernels,
                "kernel_dim": self.kernel_dim,
                "include_self": self.include_self,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
                "kernel_constraint": keras.constraints.serialize(self.kernel_constraint),
            }
        )
        return config
