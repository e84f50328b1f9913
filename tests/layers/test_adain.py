"""AdaIN (Huang & Belongie 2017; StyleGAN, Karras et al. 2019)."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.layers import AdaIN


def _instance_norm(x: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    x = x.astype(np.float64)
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def test_matches_numpy_reference():
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=(3, 4, 4, 5)).astype(np.float32)
    w = rng.normal(size=(3, 6)).astype(np.float32)
    layer = AdaIN()
    layer.build([x.shape, w.shape])
    kernel = rng.normal(0, 1.0, (6, 10)).astype(np.float32)
    bias = rng.normal(0.5, 0.1, (10,)).astype(np.float32)
    layer.kernel.assign(kernel)
    layer.bias.assign(bias)
    out = layer([x, w]).numpy()
    style = w @ (kernel / np.sqrt(6.0)) + bias  # equalized, gain 1: runtime scale 1/sqrt(D)
    scale, shift = style[:, :5], style[:, 5:]
    expected = scale[:, None, None, :] * _instance_norm(x) + shift[:, None, None, :]
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
    ys, yb = layer.style(w)
    np.testing.assert_allclose(ys.numpy(), scale, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(yb.numpy(), shift, rtol=1e-5, atol=1e-5)


def test_affine_is_equalized_and_starts_at_scale_one():
    keras.utils.set_random_seed(0)
    layer = AdaIN()
    layer.build([(None, 4, 4, 256), (None, 512)])
    # stored weights N(0, 1), scaled by gain / sqrt(D) = 1 / sqrt(512) at run time
    np.testing.assert_allclose(layer.kernel.numpy().std(), 1.0, rtol=0.02)
    assert layer.runtime_scale == pytest.approx(1.0 / np.sqrt(512))
    np.testing.assert_array_equal(layer.bias.numpy()[:256], np.ones(256))  # scale bias 1
    np.testing.assert_array_equal(layer.bias.numpy()[256:], np.zeros(256))  # shift bias 0
    # with a zero style vector the layer is exactly instance normalisation
    small = AdaIN()
    x = np.random.default_rng(1).normal(5.0, 2.0, size=(2, 4, 4, 3)).astype(np.float32)
    out = small([x, np.zeros((2, 8), np.float32)]).numpy()
    np.testing.assert_allclose(out, _instance_norm(x), rtol=1e-4, atol=1e-4)
    # for unit-variance styles the scale is 1 +- 1: std of w . k / sqrt(D) is 1
    w = np.random.default_rng(2).normal(size=(4096, 512)).astype(np.float32)
    scale, _ = layer.style(w)
    np.testing.assert_allclose(scale.numpy().mean(), 1.0, atol=0.05)
    np.testing.assert_allclose(scale.numpy().std(), 1.0, rtol=0.05)


def test_adam_moves_the_affine_sqrt_d_times_slower_than_a_plain_dense_layer():
    """Equalized LR: Adam's first step changes every stored weight by ~lr, so the effective
    weight moves by lr / sqrt(D); a plain dense layer's weight would move by lr (sqrt(512) = 22.6x)."""
    keras.utils.set_random_seed(3)
    dim, channels = 512, 8
    layer = AdaIN()
    x = tf.random.normal((4, 4, 4, channels))
    w = tf.random.normal((4, dim))
    layer([x, w])
    before = keras.ops.convert_to_numpy(layer.effective_kernel)
    optimizer = keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer([x, w]) * tf.random.normal(x.shape))
    optimizer.apply_gradients([(tape.gradient(loss, layer.kernel), layer.kernel)])
    change = np.abs(keras.ops.convert_to_numpy(layer.effective_kernel) - before)
    np.testing.assert_allclose(np.median(change), 1e-3 / np.sqrt(dim), rtol=0.02)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"AdaIN expects style of rank 2 \(batch, style_dim\), got shape \(2, 1, 8\)"):
        AdaIN()([np.zeros((2, 4, 4, 3), np.float32), np.zeros((2, 1, 8), np.float32)])
    with pytest.raises(ValueError, match=r"AdaIN expects features of rank >= 3 .*got shape \(2, 3\)"):
        AdaIN()([np.zeros((2, 3), np.float32), np.zeros((2, 8), np.float32)])
    with pytest.raises(ValueError, match=r"list \[features, style\]"):
        AdaIN()(np.zeros((2, 4, 4, 3), np.float32))
    with pytest.raises(ValueError, match=r"AdaIN expects gain > 0, got -1"):
        AdaIN(gain=-1)


def test_config_roundtrip(config_roundtrip):
    clone = config_roundtrip(AdaIN(epsilon=1e-5, gain=2.0, kernel_regularizer="l2"))
    assert (clone.epsilon, clone.gain) == (1e-5, 2.0)


def test_keras_save_load_roundtrip(keras_roundtrip):
    keras.utils.set_random_seed(0)
    x_in = keras.Input((4, 4, 3))
    w_in = keras.Input((8,))
    model = keras.Model([x_in, w_in], AdaIN()([x_in, w_in]), name="adain_model")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 4, 4, 3)).astype(np.float32)
    w = rng.normal(size=(2, 8)).astype(np.float32)
    keras_roundtrip(model, [x, w])
