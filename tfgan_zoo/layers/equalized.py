"""Equalized learning rate layers (Karras et al., 2018)."""
from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops

from tfgan_zoo.layers._validation import check_known_channels, check_rank


class _EqualizedMixin:
    """Shared weight creation for the equalized layers (not a public layer)."""

    gain: float
    lr_multiplier: float

    def _check_hparams(self, name: str, gain: float, lr_multiplier: float) -> None:
        if not gain > 0:
            raise ValueError(f"{name} expects gain > 0, got {gain!r}")
        if not lr_multiplier > 0:
            raise ValueError(f"{name} expects lr_multiplier > 0, got {lr_multiplier!r}")

    def _make_kernel(self, shape: tuple, fan_in: int, regularizer: Any = None) -> None:
        # Stored weights ~ N(0, 1 / lr_multiplier); the runtime scale makes the effective
        # weight N(0, (gain / sqrt(fan_in))^2), i.e. He initialisation for gain = sqrt(2).
        self.runtime_scale = self.gain / math.sqrt(fan_in) * self.lr_multiplier
        self.kernel = self.add_weight(  # type: ignore[attr-defined]
            name="kernel",
            shape=shape,
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier),
            regularizer=regularizer,
            trainable=True,
        )

    @property
    def effective_kernel(self) -> Any:
        """The kernel actually used in the forward pass: kernel * gain / sqrt(fan_in) * lrmul."""
        return self.kernel * self.runtime_scale


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class EqualizedDense(_EqualizedMixin, keras.layers.Layer):
    """Dense layer with the equalized learning rate of progressive GANs.

    Karras, Aila, Laine, Lehtinen, "Progressive Growing of GANs for Improved Quality,
    Stability, and Variation", ICLR 2018, section 4.1 (lr_multiplier from StyleGAN,
    Karras et al. 2019, appendix C):

        W ~ N(0, 1 / lrmul^2)  (stored);    y = x (W * c) + b * lrmul,
        c = gain / sqrt(fan_in) * lrmul,    fan_in = input features

    so the effective weights have He-initialisation statistics (std sqrt(2 / fan_in) for
    gain sqrt(2)) while every stored weight learns at the same speed with Adam.

    Args:
        units: output features.
        gain: sqrt(2) for ReLU/leaky-ReLU layers (default), 1 for linear output layers.
        use_bias: add a bias (initialised to ``bias_init``).
        lr_multiplier: learning-rate multiplier (StyleGAN mapping network: 0.01).
        bias_init: initial value of the bias (in effective units).
        activation: optional activation applied to the output.
    """

    def __init__(
        self,
        units: int,
        gain: float = math.sqrt(2.0),
        use_bias: bool = True,
        lr_multiplier: float = 1.0,
        bias_init: float = 0.0,
        activation: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if int(units) != units or units < 1:
            raise ValueError(f"EqualizedDense expects units to be a positive integer, got {units!r}")
        self._check_hparams("EqualizedDense", gain, lr_multiplier)
        self.units = int(units)
        self.gain = float(gain)
        self.use_bias = bool(use_bias)
        self.lr_multiplier = float(lr_multiplier)
        self.bias_init = float(bias_init)
        self.activation = keras.activations.get(activation)

    def build(self, input_shape: Any) -> None:
        shape = check_rank("EqualizedDense", input_shape, min_rank=2, description="(batch, ..., features)")
        fan_in = check_known_channels("EqualizedDense", shape)
        self._make_kernel((fan_in, self.units), fan_in)
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=keras.initializers.Constant(self.bias_init / self.lr_multiplier),
                trainable=True,
            )

    def call(self, inputs: Any) -> Any:
        outputs = ops.matmul(inputs, self.effective_kernel)
        if self.use_bias:
            outputs = outputs + self.bias * self.lr_multiplier
        return self.activation(outputs) if self.activation is not None else outputs

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)[:-1] + (self.units,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "gain": self.gain,
                "use_bias": self.use_bias,
                "lr_multiplier": self.lr_multiplier,
                "bias_init": self.bias_init,
                "activation": keras.activations.serialize(self.activation),
            }
        )
        return config


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class EqualizedConv2D(_EqualizedMixin, keras.layers.Layer):
    """2-D convolution (channels last) with the equalized learning rate.

    Karras et al., ICLR 2018, section 4.1, as for ``EqualizedDense`` with
    fan_in = kernel_height * kernel_width * input_channels:

        W ~ N(0, 1 / lrmul^2);   y = conv(x, W * gain / sqrt(fan_in) * lrmul) + b * lrmul

    Args:
        filters: output channels.
        kernel_size: int or (height, width).
        strides: int or (height, width).
        padding: "same" (default) or "valid".
        gain, use_bias, lr_multiplier, bias_init, activation: as for ``EqualizedDense``.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, int] = 3,
        strides: int | tuple[int, int] = 1,
        padding: str = "same",
        gain: float = math.sqrt(2.0),
        use_bias: bool = True,
        lr_multiplier: float = 1.0,
        bias_init: float = 0.0,
        activation: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if int(filters) != filters or filters < 1:
            raise ValueError(
                f"EqualizedConv2D expects filters to be a positive integer, got {filters!r}"
            )
        padding = str(padding).lower()
        if padding not in ("same", "valid"):
            raise ValueError(f"EqualizedConv2D expects padding 'same' or 'valid', got {padding!r}")
        self._check_hparams("EqualizedConv2D", gain, lr_multiplier)
        self.filters = int(filters)
        self.kernel_size = self._pair("kernel_size", kernel_size)
        self.strides = self._pair("strides", strides)
        self.padding = padding
        self.gain = float(gain)
        self.use_bias = bool(use_bias)
        self.lr_multiplier = float(lr_multiplier)
        self.bias_init = float(bias_init)
        self.activation = keras.activations.get(activation)

    @staticmethod
    def _pair(name: str, value: Any) -> tuple[int, int]:
        pair = (value, value) if isinstance(value, int) else tuple(value)
        if len(pair) != 2 or not all(int(v) == v and v >= 1 for v in pair):
            raise ValueError(
                f"EqualizedConv2D expects {name} to be a positive int or a pair of them, "
                f"got {value!r}"
            )
        return (int(pair[0]), int(pair[1]))

    def build(self, input_shape: Any) -> None:
        shape = check_rank(
            "EqualizedConv2D", input_shape, allowed=(4,), description="(batch, height, width, channels)"
        )
        channels = check_known_channels("EqualizedConv2D", shape)
        fan_in = self.kernel_size[0] * self.kernel_size[1] * channels
        self._make_kernel((*self.kernel_size, channels, self.filters), fan_in)
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.filters,),
                initializer=keras.initializers.Constant(self.bias_init / self.lr_multiplier),
                trainable=True,
            )

    def call(self, inputs: Any) -> Any:
        check_rank(
            "EqualizedConv2D", inputs.shape, allowed=(4,), description="(batch, height, width, channels)"
        )
        outputs = ops.conv(inputs, self.effective_kernel, strides=self.strides, padding=self.padding)
        if self.use_bias:
            outputs = outputs + self.bias * self.lr_multiplier
        return self.activation(outputs) if self.activation is not None else outputs

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = check_rank(
            "EqualizedConv2D", input_shape, allowed=(4,), description="(batch, height, width, channels)"
        )
        spatial = []
        for size, k, s in zip(shape[1:3], self.kernel_size, self.strides):
            if size is None:
                spatial.append(None)
            elif self.padding == "same":
                spatial.append(-(-size // s))
            else:
                spatial.append((size - k) // s + 1)
        return (shape[0], *spatial, self.filters)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "gain": self.gain,
                "use_bias": self.use_bias,
                "lr_multiplier": self.lr_multiplier,
                "bias_init": self.bias_init,
                "activation": keras.activations.serialize(self.activation),
            }
        )
        return config
