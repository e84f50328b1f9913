"""EqualizedDense / EqualizedConv2D (Karras et al. 2018, sec. 4.1)."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.layers import EqualizedConv2D, EqualizedDense


def test_dense_effective_weights_have_he_std():
    keras.utils.set_random_seed(0)
    layer = EqualizedDense(256)
    layer.build((None, 512))
    stored = layer.kernel.numpy()
    effective = keras.ops.convert_to_numpy(layer.effective_kernel)
    np.testing.assert_allclose(stored.std(), 1.0, rtol=0.02)
    np.testing.assert_allclose(effective.std(), np.sqrt(2.0 / 512), rtol=0.02)  # He init
    np.testing.assert_allclose(effective, stored * np.sqrt(2.0) / np.sqrt(512), rtol=1e-6)


def test_dense_forward_numbers_and_lr_multiplier():
    keras.utils.set_random_seed(1)
    layer = EqualizedDense(3, gain=1.0, lr_multiplier=0.01, bias_init=0.5, activation="relu")
    layer.build((None, 4))
    np.testing.assert_allclose(layer.kernel.numpy().std(), 100.0, rtol=0.6)  # N(0, 1/lrmul^2)
    kernel = np.random.default_rng(2).normal(size=(4, 3)).astype(np.float32)
    layer.kernel.assign(kernel)
    x = np.random.default_rng(3).normal(size=(5, 4)).astype(np.float32)
    expected = np.maximum(x @ (kernel * 1.0 / 2.0 * 0.01) + 0.5, 0.0)  # sqrt(fan_in)=2
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_gradients_scaled_by_runtime_constant():
    layer = EqualizedDense(2, use_bias=False)
    x = tf.constant(np.random.default_rng(4).normal(size=(3, 8)).astype(np.float32))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    grad = tape.gradient(loss, layer.kernel).numpy()
    # d/dW sum(x W c) = c * sum_n x_n
    expected = np.sqrt(2.0 / 8) * np.tile(x.numpy().sum(0)[:, None], (1, 2))
    np.testing.assert_allclose(grad, expected, rtol=1e-5)


def _conv_reference(x, w, b, stride=1):
    """Valid cross-correlation, NHWC x HWIO."""
    n, h, wd, _ = x.shape
    kh, kw, _, co = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, oh, ow, co))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride : i * stride + kh, j * stride : j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out + b


def test_conv_effective_weights_have_he_std():
    keras.utils.set_random_seed(5)
    layer = EqualizedConv2D(64, 3)
    layer.build((None, 8, 8, 64))
    effective = keras.ops.convert_to_numpy(layer.effective_kernel)
    np.testing.assert_allclose(layer.kernel.numpy().std(), 1.0, rtol=0.02)
    np.testing.assert_allclose(effective.std(), np.sqrt(2.0 / (3 * 3 * 64)), rtol=0.02)


@pytest.mark.parametrize("padding, strides", [("valid", 1), ("valid", 2), ("same", 1)])
def test_conv_forward_numbers(padding, strides):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 5, 5, 3)).astype(np.float32)
    layer = EqualizedConv2D(4, 3, strides=strides, padding=padding, bias_init=0.1)
    layer.build(x.shape)
    kernel = rng.normal(size=(3, 3, 3, 4)).astype(np.float32)
    layer.kernel.assign(kernel)
    scale = np.sqrt(2.0) / np.sqrt(27)
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0))) if padding == "same" else x
    expected = _conv_reference(padded, kernel * scale, 0.1, strides)
    out = layer(x).numpy()
    assert out.shape == layer.compute_output_shape(x.shape)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"EqualizedConv2D expects inputs of rank 4 .*got shape \(2, 5\)"):
        EqualizedConv2D(4)(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match=r"padding 'same' or 'valid', got 'full'"):
        EqualizedConv2D(4, padding="full")
    with pytest.raises(ValueError, match=r"lr_multiplier > 0, got 0"):
        EqualizedDense(4, lr_multiplier=0)
    with pytest.raises(ValueError, match=r"units to be a positive integer, got 0"):
        EqualizedDense(0)


def test_config_roundtrip(config_roundtrip):
    dense = config_roundtrip(EqualizedDense(5, gain=1.0, lr_multiplier=0.01, activation="leaky_relu"))
    assert (dense.units, dense.gain, dense.lr_multiplier) == (5, 1.0, 0.01)
    conv = config_roundtrip(EqualizedConv2D(3, (1, 3), strides=2, padding="valid", use_bias=False))
    assert (conv.kernel_size, conv.strides, conv.padding, conv.use_bias) == ((1, 3), (2, 2), "valid", False)


def test_keras_save_load_roundtrip(keras_roundtrip):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4, 4, 3))
    h = EqualizedConv2D(4, 3, activation="leaky_relu", bias_init=0.2)(inputs)
    outputs = EqualizedDense(2, gain=1.0, lr_multiplier=0.1)(keras.layers.Flatten()(h))
    model = keras.Model(inputs, outputs, name="eq_model")
    x = np.random.default_rng(7).normal(size=(2, 4, 4, 3)).astype(np.float32)
    keras_roundtrip(model, x)
