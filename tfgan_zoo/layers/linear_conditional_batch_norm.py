"""Batch normalization with gain and bias linear in a conditioning vector (Brock et al., 2019)."""
from __future__ import annotations

from typing import Any

import keras

from tfgan_zoo.layers._initializers import fresh_initializer
from tfgan_zoo.layers._spectral import spectral_normalization
from tfgan_zoo.layers._modulation import modulate
from tfgan_zoo.layers._validation import check_known_channels, check_rank, shape_tuple

_NAME = "LinearConditionalBatchNormalization"


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class LinearConditionalBatchNormalization(keras.layers.Layer):
    """Batch normalization whose per-sample gain and bias are linear maps of a vector c.

    Brock, Donahue, Simonyan, "Large Scale GAN Training for High Fidelity Natural Image
    Synthesis" (BigGAN), ICLR 2019, sec. 3 and appendix B; the released code's ``ccbn``. In the
    BigGAN generator c = [shared class embedding, the block's chunk of z]:

        x_hat = (x - mu_B) / sqrt(sigma_B^2 + epsilon)   batch norm without affine
                                                          (moving statistics at inference)
        out   = (1 + W_gamma c) * x_hat + W_beta c        W_gamma, W_beta: (dim c, C), no bias

    The maps are Dense layers without bias, spectrally normalised with ``spectral_norm=True``
    (the released code's ``SNLinear(bias=False)``) and initialised orthogonally by default (its
    ``G_init='ortho'``). Call as ``layer([x, c])`` with c of shape (batch, dim). `modulation(c)`
    returns the (gain, bias) pair of shape (batch, C) the layer applies.

    Args:
        spectral_norm: spectrally normalise W_gamma and W_beta.
        momentum, epsilon: as for ``keras.layers.BatchNormalization`` (the released code's
            PyTorch momentum 0.1 is Keras momentum 0.9; epsilon 1e-5).
        synchronized: batch statistics over all replicas of a ``tf.distribute`` strategy.
        kernel_initializer: initializer of W_gamma and W_beta (one fresh instance each).
        power_iterations: power iterations per training call for spectral norm.
    """

    def __init__(
        self,
        spectral_norm: bool = False,
        momentum: float = 0.9,
        epsilon: float = 1e-5,
        synchronized: bool = False,
        kernel_initializer: Any = "orthogonal",
        power_iterations: int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if int(power_iterations) != power_iterations or power_iterations < 1:
            raise ValueError(f"{_NAME} expects power_iterations to be a positive integer, got {power_iterations!r}")
        self.spectral_norm = bool(spectral_norm)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.synchronized = bool(synchronized)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.power_iterations = int(power_iterations)
        self.batch_norm = keras.layers.BatchNormalization(
            momentum=self.momentum, epsilon=self.epsilon, center=False, scale=False,
            synchronized=self.synchronized, name="batch_norm", dtype=self.dtype_policy,
        )

    def _split_shapes(self, input_shape: Any) -> tuple[tuple, tuple]:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not all(
            isinstance(s, (list, tuple)) or hasattr(s, "as_list") for s in input_shape
        ):
            raise ValueError(f"{_NAME} expects to be called on a list [features, condition], got input shape {input_shape}")
        x_shape = check_rank(_NAME, input_shape[0], min_rank=2, description="(batch, ..., channels)", what="features")
        check_known_channels(_NAME, x_shape, what="features")
        condition_shape = shape_tuple(input_shape[1])
        if len(condition_shape) != 2 or condition_shape[1] is None:
            raise ValueError(f"{_NAME} expects a condition of shape (batch, dim) with dim known, got shape {condition_shape}")
        return x_shape, condition_shape

    def _linear(self, units: int, name: str) -> keras.layers.Layer:
        dense = keras.layers.Dense(
            units, use_bias=False, kernel_initializer=fresh_initializer(self.kernel_initializer),
            name=name, dtype=self.dtype_policy,
        )
        if self.spectral_norm:
            return spectral_normalization(dense, self.power_iterations, self.dtype_policy.variable_dtype)
        return dense

    def build(self, input_shape: Any) -> None:
        x_shape, condition_shape = self._split_shapes(input_shape)
        channels = x_shape[-1]
        self.gain = self._linear(channels, "gain")
        self.bias = self._linear(channels, "bias")
        self.gain.build(condition_shape)
        self.bias.build(condition_shape)
        self.batch_norm.build(x_shape)

    def _apply(self, linear: keras.layers.Layer, condition: Any, training: Any) -> Any:
        if self.spectral_norm:
            return linear(condition, training=bool(training))
        return linear(condition)

    def modulation(self, condition: Any, training: Any = None) -> tuple[Any, Any]:
        """(1 + W_gamma c, W_beta c), each (batch, C)."""
        return 1.0 + self._apply(self.gain, condition, training), self._apply(self.bias, condition, training)

    def call(self, inputs: Any, training: Any = None) -> Any:
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"{_NAME} expects to be called on a list [features, condition], got {type(inputs).__name__}")
        x, condition = inputs
        self._split_shapes([x.shape, condition.shape])
        gain, bias = self.modulation(condition, training)
        return modulate(self.batch_norm(x, training=training), gain, bias)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        x_shape, _ = self._split_shapes(input_shape)
        return x_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "spectral_norm": self.spectral_norm,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "synchronized": self.synchronized,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "power_iterations": self.power_iterations,
            }
        )
        return config
