"""SelfAttention (Zhang et al. 2019, SAGAN) against a numpy reference."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from tfgan_zoo.layers import SelfAttention


def _kernel(conv) -> np.ndarray:
    layer = getattr(conv, "layer", conv)  # unwrap SpectralNormalization
    return layer.kernel.numpy()[0, 0]  # (C_in, C_out) of the 1x1 convolution


def reference(layer: SelfAttention, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n, h, w, c = x.shape
    x64 = x.astype(np.float64)
    q = x64 @ _kernel(layer.query_conv)
    k = x64 @ _kernel(layer.key_conv)
    v = x64 @ _kernel(layer.value_conv)
    if layer.pooling:
        k = k.reshape(n, h // 2, 2, w // 2, 2, -1).max(axis=(2, 4))
        v = v.reshape(n, h // 2, 2, w // 2, 2, -1).max(axis=(2, 4))
    q, k, v = q.reshape(n, h * w, -1), k.reshape(n, -1, k.shape[-1]), v.reshape(n, -1, v.shape[-1])
    logits = q @ k.transpose(0, 2, 1)
    beta = np.exp(logits - logits.max(axis=-1, keepdims=True))
    beta /= beta.sum(axis=-1, keepdims=True)
    o = (beta @ v).reshape(n, h, w, -1) @ _kernel(layer.output_conv)
    return x64 + float(layer.gamma.numpy()) * o, beta


def _input(shape=(2, 4, 4, 16), seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_identity_at_initialisation(spectral_norm):
    x = _input()
    layer = SelfAttention(spectral_norm=spectral_norm)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=True).numpy(), x)
    assert float(layer.gamma.numpy()) == 0.0


@pytest.mark.parametrize("pooling, keys", [(False, 16), (True, 4)])
def test_attention_rows_sum_to_one(pooling, keys):
    x = _input()
    out, attention = SelfAttention(pooling=pooling)(x, return_attention=True)
    attention = attention.numpy()
    assert attention.shape == (2, 16, keys)
    assert np.all(attention >= 0)
    np.testing.assert_allclose(attention.sum(axis=-1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("pooling", [False, True])
def test_matches_numpy_reference(pooling):
    keras.utils.set_random_seed(1)
    x = _input(seed=2)
    layer = SelfAttention(pooling=pooling)
    layer.build(x.shape)
    layer.gamma.assign(0.7)
    out, attention = layer(x, return_attention=True)
    expected, beta = reference(layer, x)
    np.testing.assert_allclose(attention.numpy(), beta, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-5)
    assert not np.allclose(out.numpy(), x)


def test_pooling_is_the_default_and_the_convolutions_start_independent():
    # Both official codes pool keys and values 2x2; one shared unseeded initializer instance
    # would give query and key the same kernel (Keras 3 seeds an instance once).
    keras.utils.set_random_seed(0)
    layer = SelfAttention()
    _, attention = layer(_input(), return_attention=True)
    assert layer.pooling and attention.shape == (2, 16, 4)
    assert not np.allclose(_kernel(layer.query_conv), _kernel(layer.key_conv))


def test_channel_reduction_and_weights():
    layer = SelfAttention()
    layer.build((None, 4, 4, 32))
    assert _kernel(layer.query_conv).shape == (32, 4)
    assert _kernel(layer.key_conv).shape == (32, 4)
    assert _kernel(layer.value_conv).shape == (32, 16)
    assert _kernel(layer.output_conv).shape == (16, 32)
    assert len(layer.trainable_weights) == 5  # four kernels (no biases) + gamma


def test_spectral_norm_updates_only_in_training():
    keras.utils.set_random_seed(3)
    x = _input(seed=4)
    layer = SelfAttention(spectral_norm=True)
    layer.build(x.shape)
    layer.gamma.assign(0.5)
    assert isinstance(layer.query_conv, keras.layers.SpectralNormalization)
    u0 = layer.query_conv.vector_u.numpy().copy()
    layer(x, training=False)
    np.testing.assert_array_equal(layer.query_conv.vector_u.numpy(), u0)
    layer(x, training=True)
    assert not np.allclose(layer.query_conv.vector_u.numpy(), u0)
    # after enough power iterations every kernel has spectral norm ~1
    for _ in range(30):
        layer(x, training=True)
    for conv in (layer.query_conv, layer.key_conv, layer.value_conv, layer.output_conv):
        sigma = np.linalg.svd(_kernel(conv), compute_uv=False)[0]
        np.testing.assert_allclose(sigma, 1.0, rtol=2e-2)
    # the forward pass in inference uses those kernels
    expected, _ = reference(layer, x)
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-4, atol=1e-5)


def test_symbolic_call_with_dynamic_size():
    inputs = keras.Input((None, None, 16))
    out, attention = SelfAttention(pooling=True)(inputs, return_attention=True)
    assert tuple(out.shape) == (None, None, None, 16)
    assert len(attention.shape) == 3
    model = keras.Model(inputs, out)
    x = _input(shape=(1, 6, 4, 16))
    np.testing.assert_array_equal(model(x).numpy(), x)  # gamma = 0


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(
        ValueError, match=r"channels to be divisible by key_ratio=8, got 12 channels"
    ):
        SelfAttention()(np.zeros((1, 4, 4, 12), np.float32))
    with pytest.raises(ValueError, match=r"rank 4 \(batch, height, width, channels\), got shape \(2, 16\)"):
        SelfAttention()(np.zeros((2, 16), np.float32))
    with pytest.raises(ValueError, match=r"pooling=True expects an even height, got input shape \(1, 5, 4, 16\)"):
        SelfAttention(pooling=True)(np.zeros((1, 5, 4, 16), np.float32))


def test_config_roundtrip(config_roundtrip):
    layer = SelfAttention(key_ratio=4, value_ratio=1, pooling=True, spectral_norm=True, power_iterations=2)
    clone = config_roundtrip(layer)
    assert (clone.key_ratio, clone.value_ratio, clone.pooling, clone.spectral_norm) == (4, 1, True, True)
    assert config_roundtrip(SelfAttention(pooling=False)).pooling is False
    assert clone.power_iterations == 2


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_keras_save_load_roundtrip(keras_roundtrip, spectral_norm):
    keras.utils.set_random_seed(5)
    inputs = keras.Input((4, 4, 8))
    attention = SelfAttention(spectral_norm=spectral_norm, pooling=True)
    h = attention(inputs)
    outputs = keras.layers.Dense(1)(keras.layers.Flatten()(h))
    model = keras.Model(inputs, outputs, name=f"sa_model_{int(spectral_norm)}")
    attention.gamma.assign(0.3)  # make the attention branch matter
    x = _input(shape=(2, 4, 4, 8), seed=6)
    loaded = keras_roundtrip(model, x)
    assert float(loaded.layers[1].gamma.numpy()) == pytest.approx(0.3)


def test_spectral_norm_under_mixed_precision_in_tf_function():
    import warnings

    import tensorflow as tf

    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        layer = SelfAttention(spectral_norm=True)
        x = tf.constant(_input(seed=8), dtype="float16")
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # Keras' wrapper overflowed in float16
            out = tf.function(lambda t: layer(t, training=True))(x)
        assert out.dtype == tf.float16
        assert layer.query_conv.vector_u.dtype == "float32"
        np.testing.assert_array_equal(out.numpy(), x.numpy())  # gamma = 0
    finally:
        keras.mixed_precision.set_global_policy("float32")
