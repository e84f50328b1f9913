"""Adaptive instance normalization (Huang & Belongie, 2017; StyleGAN, Karras et al., 2019)."""
from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfgan_zoo.layers._modulation import modulate
from tfgan_zoo.layers._validation import check_known_channels, check_rank
from tfgan_zoo.layers.equalized import _EqualizedMixin


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class AdaIN(_EqualizedMixin, keras.layers.Layer):
    """Instance-normalise features, then scale and shift them with a learned style.

    Huang & Belongie, "Arbitrary Style Transfer in Real-time with Adaptive Instance
    Normalization", ICCV 2017; Karras, Laine, Aila, "A Style-Based Generator Architecture
    for Generative Adversarial Networks", CVPR 2019, eq. (1). For x of shape
    (N, H, W, C) and a style vector w of shape (N, D):

        [y_s, y_b] = w (K c) + b        the affine map "A", D -> 2C, with the equalized
                                         learning rate: K ~ N(0, 1) stored, c = gain / sqrt(D)
                                         at run time (gain 1); b_s starts at 1, b_b at 0
        mu_i, sigma_i^2 = mean, variance of x_i over the spatial axes (per sample, channel)
        AdaIN(x_i, y) = y_s,i * (x_i - mu_i) / sqrt(sigma_i^2 + epsilon) + y_b,i

    This is the official `style_mod` (training/networks_stylegan.py): `dense(w, 2C, gain=1,
    use_wscale=True)` plus a bias, applied as x * (y_s + 1) + y_b -- here the 1 is the initial
    value of b_s, the same function and the same Adam dynamics. A plain (non-equalized) dense
    layer with std 1/sqrt(D) weights would move sqrt(D) times faster under Adam than the paper's.
    Call as ``layer([x, w])``. Any x of rank >= 3 with channels last works.

    Args:
        epsilon: added to the variance (StyleGAN: 1e-8).
        gain: the equalized layer's gain (StyleGAN: 1, a linear layer).
        kernel_regularizer: optional regularizer on the stored kernel K.
    """

    lr_multiplier = 1.0

    def __init__(
        self,
        epsilon: float = 1e-8,
        gain: float = 1.0,
        kernel_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not epsilon >= 0:
            raise ValueError(f"AdaIN expects epsilon >= 0, got {epsilon!r}")
        self._check_hparams("AdaIN", gain, self.lr_multiplier)
        self.epsilon = float(epsilon)
        self.gain = float(gain)
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
        self._make_kernel((style_dim, 2 * channels), style_dim, self.kernel_regularizer)
        self.bias = self.add_weight(
            name="bias",
            shape=(2 * channels,),
            initializer=keras.initializers.Constant([1.0] * channels + [0.0] * channels),
        )
        self.channels = channels

    def style(self, w: Any) -> tuple[Any, Any]:
        """The per-sample (scale y_s, shift y_b), each of shape (batch, channels)."""
        y = ops.matmul(w, self.effective_kernel) + self.bias
        return y[:, : self.channels], y[:, self.channels :]

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
                "gain": self.gain,
                "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            }
        )
        return config
