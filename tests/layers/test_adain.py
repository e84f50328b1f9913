"""AdaIN (Huang & Belongie 2017; StyleGAN, Karras et al. 2019)."""
from __future__ import annotations

import keras
import numpy as np
import pytest

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
    weights = {
        "scale_kernel": rng.normal(0, 0.3, (6, 5)),
        "scale_bias": rng.normal(1, 0.1, (5,)),
        "shift_kernel": rng.normal(0, 0.3, (6, 5)),
        "shift_bias": rng.normal(0, 0.1, (5,)),
    }
    for name, value in weights.items():
        getattr(layer, name).assign(value.astype(np.float32))
    out = layer([x, w]).numpy()
    scale = w @ weights["scale_kernel"] + weights["scale_bias"]
    shift = w @ weights["shift_kernel"] + weights["shift_bias"]
    expected = scale[:, None, None, :] * _instance_norm(x) + shift[:, None, None, :]
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
    ys, yb = layer.style(w)
    np.testing.assert_allclose(ys.numpy(), scale, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(yb.numpy(), shift, rtol=1e-5, atol=1e-5)


def test_initial_style_scale_is_one_and_shift_zero():
    layer = AdaIN()
    layer.build([(None, 4, 4, 3), (None, 8)])
    np.testing.assert_array_equal(layer.scale_bias.numpy(), np.ones(3))
    np.testing.assert_array_equal(layer.shift_bias.numpy(), np.zeros(3))
    # with a zero style vector the layer is exactly instance normalisation
    x = np.random.default_rng(1).normal(5.0, 2.0, size=(2, 4, 4, 3)).astype(np.float32)
    out = layer([x, np.zeros((2, 8), np.float32)]).numpy()
    np.testing.assert_allclose(out, _instance_norm(x), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out.mean(axis=(1, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(1, 2)), 1.0, rtol=1e-4)
    # the default initializer has std 1/sqrt(style_dim): scale ~ 1 for unit-norm styles
    big = AdaIN()
    big.build([(None, 4, 4, 256), (None, 512)])
    np.testing.assert_allclose(big.scale_kernel.numpy().std(), 1 / np.sqrt(512), rtol=0.05)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"AdaIN expects style of rank 2 \(batch, style_dim\), got shape \(2, 1, 8\)"):
        AdaIN()([np.zeros((2, 4, 4, 3), np.float32), np.zeros((2, 1, 8), np.float32)])
    with pytest.raises(ValueError, match=r"AdaIN expects features of rank >= 3 .*got shape \(2, 3\)"):
        AdaIN()([np.zeros((2, 3), np.float32), np.zeros((2, 8), np.float32)])
    with pytest.raises(ValueError, match=r"list \[features, style\]"):
        AdaIN()(np.zeros((2, 4, 4, 3), np.float32))


def test_config_roundtrip(config_roundtrip):
    clone = config_roundtrip(AdaIN(epsilon=1e-5, kernel_initializer="he_normal", kernel_regularizer="l2"))
    assert clone.epsilon == 1e-5


def test_keras_save_load_roundtrip(keras_roundtrip):
    keras.utils.set_random_seed(0)
    x_in = keras.Input((4, 4, 3))
    w_in = keras.Input((8,))
    model = keras.Model([x_in, w_in], AdaIN()([x_in, w_in]), name="adain_model")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 4, 4, 3)).astype(np.float32)
    w = rng.normal(size=(2, 8)).astype(np.float32)
    keras_roundtrip(model, [x, w])
