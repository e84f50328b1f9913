"""Adaptive instance normalization (Huang & Belongie, 2017; StyleGAN, Karras et al., 2019)."""
from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfgan_zoo.layers._modulation import modulate
from tfgan_zoo.layers._validation import check_known_channels, check_rank


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class AdaIN(keras.layers.Layer):
    """Instance-normalise features, then scale and shift them with a learned style.

    Huang & Belongie, "Arbitrary Style Transfer in Real-time with Adaptive Instance
    Normalization", ICCV 2017; Karras, Laine, Aila, "A Style-Based Generator Architecture
    for Generative Adversarial Networks", CVPR 2019, eq. (1). For x of shape
    (N, H, W, C) and a style vector w of shape (N, D):

        y_s = w A_s + b_s,   y_b = w A_b + b_b      learned affine map ("A"), D -> 2C
                                                     b_s initialised to 1, b_b to 0
        mu_i, sigma_i^2 = mean, variance of x_i over the spatial axes (per sample, channel)
        AdaIN(x_i, y) = y_s,i * (x_i - mu_i) / sqrt(sigma_i^2 + epsilon) + y_b,i

    so the style scale starts around 1. Call as ``layer([x, w])``. Any x of rank >= 3 with
    channels last works (spatial axes are all axes but the first and last).

    Args:
        epsilon: added to the variance (StyleGAN: 1e-8).
        kernel_initializer: initializer of A (default lecun_normal, i.e. std 1/sqrt(D),
            the StyleGAN affine layer's gain of 1).
        kernel_regularizer: optional regularizer on A.
    """

    def __init__(
        self,
        epsilon: float = 1e-8,
        kernel_initializer: Any = "lecun_normal",
        kernel_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not epsilon >= 0:
            raise ValueError(f"AdaIN expects epsilon >= 0, got {epsilon!r}")
        self.epsilon = float(epsilon)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)

    def _split_shapes(self, input_shape: Any) -> tuple[tuple, tuple]:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not all(
            isinstance(s, (list, tuple)) or hasattr(s, "as_list") for s in input_shape
        ):
            raise ValueError(
                f"AdaIN expects to be called on a list [features, style], got input shape "
                f"{input_shape}"
            )
        x_shape = check_rank(
            "AdaIN",
            input_shape[0],
            min_rank=3,
            description="(batch, height, width, channels)",
            what="features",
        )
        check_known_channels("AdaIN", x_shape, what="features")
        style_shape = check_rank(
            "AdaIN", input_shape[1], allowed=(2,), description="(batch, style_dim)", what="style"
        )
        check_known_channels("AdaIN", style_shape, what="style")
        return x_shape, style_shape

    def build(self, input_shape: Any) -> None:
        x_shape, style_shape = self._split_shapes(input_shape)
        channels, style_dim = x_shape[-1], style_shape[-1]
        self.scale_kernel = self.add_weight(
            name="scale_kernel",
            shape=(style_dim, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        self.scale_bias = self.add_weight(name="scale_bias", shape=(channels,), initializer="ones")
        self.shift_kernel = self.add_weight(
            name="shift_kernel",
            shape=(style_dim, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        self.shift_bias = self.add_weight(name="shift_bias", shape=(channels,), initializer="zeros")

    def style(self, w: Any) -> tuple[Any, Any]:
        """The per-sample (scale y_s, shift y_b), each of shape (batch, channels)."""
        return (
            ops.matmul(w, self.scale_kernel) + self.scale_bias,
            ops.matmul(w, self.shift_kernel) + self.shift_bias,
        )

    def call(self, inputs: Any) -> Any:
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                f"AdaIN expects to be called on a list [features, style], got "
                f"{type(inputs).__name__}"
            )
        x, w = inputs
        x_shape, _ = self._split_shapes([x.shape, w.shape])
        rank = len(x_shape)
        spatial_axes = tuple(range(1, rank - 1))
        xf = ops.cast(x, "float32")
        mean = ops.mean(xf, axis=spatial_axes, keepdims=True)
        var = ops.mean(ops.square(xf - mean), axis=spatial_axes, keepdims=True)
        normalized = ops.cast((xf - mean) * ops.rsqrt(var + self.epsilon), x.dtype)
        scale, shift = self.style(ops.cast(w, self.compute_dtype))
        return modulate(normalized, scale, shift)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        x_shape, _ = self._split_shapes(input_shape)
        return x_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "epsilon": self.epsilon,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            }
        )
        return config
