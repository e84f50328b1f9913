"""PixelNormalization (Karras et al. 2018, sec. 4.2)."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from tfgan_zoo.layers import PixelNormalization


def test_closed_form_numbers():
    x = np.array([[3.0, 4.0], [0.0, 0.0]], np.float32)
    out = PixelNormalization()(x).numpy()
    # mean of squares of (3, 4) is 12.5
    np.testing.assert_allclose(out[0], [3 / np.sqrt(12.5 + 1e-8), 4 / np.sqrt(12.5 + 1e-8)], rtol=1e-6)
    np.testing.assert_array_equal(out[1], [0.0, 0.0])  # epsilon keeps zeros finite


def test_per_pixel_reference_on_feature_maps():
    x = np.random.default_rng(0).normal(size=(2, 3, 3, 5)).astype(np.float32) * 3
    out = PixelNormalization()(x).numpy()
    expected = x / np.sqrt(np.mean(x.astype(np.float64) ** 2, axis=-1, keepdims=True) + 1e-8)
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    np.testing.assert_allclose(np.mean(out**2, axis=-1), 1.0, rtol=1e-5)


def test_channels_first_axis():
    x = np.random.default_rng(1).normal(size=(2, 4, 3, 3)).astype(np.float32)
    out = PixelNormalization(axis=1)(x).numpy()
    np.testing.assert_allclose(np.mean(out**2, axis=1), 1.0, rtol=1e-5)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"rank >= 2 .*got shape \(4,\)"):
        PixelNormalization()(np.zeros((4,), np.float32))
    with pytest.raises(ValueError, match=r"non-batch axis .*got axis=0"):
        PixelNormalization(axis=0)(np.zeros((2, 4), np.float32))


def test_config_roundtrip(config_roundtrip):
    clone = config_roundtrip(PixelNormalization(epsilon=1e-6, axis=1))
    assert (clone.epsilon, clone.axis) == (1e-6, 1)


def test_keras_save_load_roundtrip(keras_roundtrip):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    outputs = PixelNormalization()(keras.layers.Dense(6)(inputs))
    model = keras.Model(inputs, outputs, name="pixnorm_model")
    keras_roundtrip(model, np.random.default_rng(2).normal(size=(3, 8)).astype(np.float32))
