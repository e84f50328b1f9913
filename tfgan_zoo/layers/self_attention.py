"""Self-attention block (Zhang et al., 2019, SAGAN; Brock et al., 2019, BigGAN)."""
from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfgan_zoo.layers._initializers import fresh_initializer
from tfgan_zoo.layers._spectral import spectral_normalization
from tfgan_zoo.layers._validation import check_known_channels, check_rank


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class SelfAttention(keras.layers.Layer):
    """Non-local self-attention over the spatial positions of a feature map.

    Zhang, Goodfellow, Metaxas, Odena, "Self-Attention Generative Adversarial Networks",
    ICML 2019, section 3, with the channel reduction of the SAGAN/BigGAN reference code.
    For x of shape (N, H, W, C), 1x1 convolutions f (query, C/8 channels), g (key, C/8),
    h (value, C/2) and v (output, C/2 -> C):

        s_{j,i}    = f(x_j)^T g(x_i)                    query position j, key position i
        beta_{j,i} = exp(s_{j,i}) / sum_i exp(s_{j,i})  (softmax over keys; rows sum to 1)
        o_j        = v( sum_i beta_{j,i} h(x_i) )
        y_j        = x_j + gamma * o_j                  gamma learnable, initialised to 0

    so the block is exactly the identity at initialisation. With ``pooling=True`` (the
    default, as in both official codes: SAGAN's ``sn_non_local_block_sim`` and BigGAN-PyTorch's
    ``Attention``) g(x) and h(x) are 2x2 max-pooled, giving H*W/4 keys (H, W must be even).
    With ``spectral_norm=True`` each convolution is spectrally normalised (Miyato et al., 2018;
    ``keras.layers.SpectralNormalization`` for now), which updates its power iteration only when
    called with training=True. Each convolution gets its own initializer instance (one shared
    unseeded instance would start query and key with the same kernel).

    Call ``layer(x, return_attention=True)`` to also get the attention weights
    ``beta`` of shape (N, H*W, number of keys).

    Args:
        key_ratio: C / (query and key channels); default 8. C must be divisible by it.
        value_ratio: C / (value channels); default 2. C must be divisible by it.
        pooling: 2x2 max-pool on keys and values (SAGAN and BigGAN code); default on.
        spectral_norm: wrap the four convolutions in SpectralNormalization.
        power_iterations: power iterations per training step for spectral norm.
        use_bias: biases in the 1x1 convolutions (the reference code has none).
        kernel_initializer: initializer of the 1x1 convolutions.
        gamma_initializer: initializer of gamma (default zeros: identity at init).
    """

    def __init__(
        self,
        key_ratio: int = 8,
        value_ratio: int = 2,
        pooling: bool = True,
        spectral_norm: bool = False,
        power_iterations: int = 1,
        use_bias: bool = False,
        kernel_initializer: Any = "glorot_uniform",
        gamma_initializer: Any = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for name, value in (
            ("key_ratio", key_ratio),
            ("value_ratio", value_ratio),
            ("power_iterations", power_iterations),
        ):
            if int(value) != value or value < 1:
                raise ValueError(
                    f"SelfAttention expects {name} to be a positive integer, got {value!r}"
                )
        self.key_ratio = int(key_ratio)
        self.value_ratio = int(value_ratio)
        self.pooling = bool(pooling)
        self.spectral_norm = bool(spectral_norm)
        self.power_iterations = int(power_iterations)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.gamma_initializer = keras.initializers.get(gamma_initializer)

    def _conv(self, filters: int, name: str) -> keras.layers.Layer:
        conv = keras.layers.Conv2D(
            filters,
            1,
            use_bias=self.use_bias,
            kernel_initializer=fresh_initializer(self.kernel_initializer),
            name=name,
            dtype=self.dtype_policy,
        )
        if self.spectral_norm:
            # The power iteration runs in the variable dtype (float32 under mixed precision:
            # Keras' wrapper overflows when it is traced in float16); the wrapped
            # convolution itself keeps this layer's compute dtype.
            return spectral_normalization(conv, self.power_iterations, self.dtype_policy.variable_dtype)
        return conv

    def _check_shape(self, input_shape: Any) -> tuple:
        shape = check_rank(
            "SelfAttention", input_shape, allowed=(4,), description="(batch, height, width, channels)"
        )
        channels = check_known_channels("SelfAttention", shape)
        for ratio_name, ratio in (("key_ratio", self.key_ratio), ("value_ratio", self.value_ratio)):
            if channels % ratio:
                raise ValueError(
                    f"SelfAttention expects the number of channels to be divisible by "
                    f"{ratio_name}={ratio}, got {channels} channels (input shape {shape})"
                )
        if self.pooling:
            for axis_name, size in (("height", shape[1]), ("width", shape[2])):
                if size is not None and size % 2:
                    raise ValueError(
                        f"SelfAttention with pooling=True expects an even {axis_name}, "
                        f"got input shape {shape}"
                    )
        return shape

    def build(self, input_shape: Any) -> None:
        shape = self._check_shape(input_shape)
        channels = shape[-1]
        key_channels = channels // self.key_ratio
        value_channels = channels // self.value_ratio
        self.query_conv = self._conv(key_channels, "query")
        self.key_conv = self._conv(key_channels, "key")
        self.value_conv = self._conv(value_channels, "value")
        self.output_conv = self._conv(channels, "output")
        self.query_conv.build(shape)
        self.key_conv.build(shape)
        self.value_conv.build(shape)
        self.output_conv.build(shape[:-1] + (value_channels,))
        self.gamma = self.add_weight(
            name="gamma", shape=(), initializer=self.gamma_initializer, trainable=True
        )

    def _apply(self, conv: keras.layers.Layer, x: Any, training: Any) -> Any:
        if self.spectral_norm:
            return conv(x, training=bool(training))
        return conv(x)

    def _attend(self, inputs: Any, training: Any = None) -> tuple[Any, Any]:
        """Return (v(attended values), attention weights beta of shape (N, HW, keys))."""
        shape = self._check_shape(inputs.shape)
        dynamic = ops.shape(inputs)
        height = dynamic[1] if shape[1] is None else shape[1]
        width = dynamic[2] if shape[2] is None else shape[2]
        query = self._apply(self.query_conv, inputs, training)
        key = self._apply(self.key_conv, inputs, training)
        value = self._apply(self.value_conv, inputs, training)
        if self.pooling:
            key = ops.max_pool(key, pool_size=2, strides=2, padding="valid")
            value = ops.max_pool(value, pool_size=2, strides=2, padding="valid")
        query = ops.reshape(query, (-1, height * width, query.shape[-1]))
        key = ops.reshape(key, (ops.shape(key)[0], -1, key.shape[-1]))
        value = ops.reshape(value, (ops.shape(value)[0], -1, value.shape[-1]))
        logits = ops.matmul(query, ops.transpose(key, (0, 2, 1)))  # (N, HW, keys)
        attention = ops.softmax(logits, axis=-1)
        attended = ops.matmul(attention, value)  # (N, HW, C/2)
        attended = ops.reshape(attended, (-1, height, width, value.shape[-1]))
        return self._apply(self.output_conv, attended, training), attention

    def call(self, inputs: Any, training: Any = None, return_attention: bool = False) -> Any:
        o, attention = self._attend(inputs, training)
        outputs = inputs + ops.cast(self.gamma, inputs.dtype) * ops.cast(o, inputs.dtype)
        if return_attention:
            return outputs, attention
        return outputs

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self._check_shape(input_shape)

    def compute_output_spec(
        self, inputs: Any, training: Any = None, return_attention: bool = False
    ) -> Any:
        shape = self._check_shape(inputs.shape)
        outputs = keras.KerasTensor(shape, dtype=inputs.dtype)
        if not return_attention:
            return outputs
        positions = None if None in shape[1:3] else shape[1] * shape[2]
        keys = positions // 4 if (positions is not None and self.pooling) else positions
        return outputs, keras.KerasTensor((shape[0], positions, keys), dtype=self.compute_dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "key_ratio": self.key_ratio,
                "value_ratio": self.value_ratio,
                "pooling": self.pooling,
                "spectral_norm": self.spectral_norm,
                "power_iterations": self.power_iterations,
                "use_bias": self.use_bias,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "gamma_initializer": keras.initializers.serialize(self.gamma_initializer),
            }
        )
        return config
