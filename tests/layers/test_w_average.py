"""WAverage: the tracked average w and truncation in W (StyleGAN, Karras et al. 2019)."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from tfgan_zoo.layers import WAverage


def test_identity_and_moving_average_of_batch_means():
    layer = WAverage(beta=0.9)
    w = np.random.default_rng(0).normal(size=(6, 3)).astype(np.float32)
    np.testing.assert_array_equal(layer(w).numpy(), w)
    np.testing.assert_array_equal(layer.w_avg.numpy(), np.zeros(3))  # official init: zeros
    expected = np.zeros(3)
    for step in range(3):
        batch = w + step
        layer.update(batch)
        expected = 0.9 * expected + 0.1 * batch.mean(axis=0)  # lerp(batch_avg, w_avg, beta)
    np.testing.assert_allclose(layer.w_avg.numpy(), expected, rtol=1e-6)
    assert not layer.w_avg.trainable


def test_truncation_lerps_the_first_cutoff_layers():
    layer = WAverage(truncation_cutoff=2)
    layer.build((None, 3))
    w_avg = np.array([1.0, -1.0, 2.0], np.float32)
    layer.w_avg.assign(w_avg)
    styles = np.random.default_rng(1).normal(size=(2, 4, 3)).astype(np.float32)
    psi = np.array([0.5, 0.0], np.float32)
    out = layer.truncate(styles, psi).numpy()
    expected = styles.copy()
    expected[:, :2] = w_avg + psi[:, None, None] * (styles[:, :2] - w_avg)
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(out[1, :2], np.stack([w_avg, w_avg]))  # psi 0: exactly w_avg
    np.testing.assert_array_equal(layer.truncate(styles, 1.0).numpy(), styles)  # psi 1: exactly w
    np.testing.assert_allclose(layer.truncate(styles, 0.0, cutoff=4).numpy(), np.broadcast_to(w_avg, styles.shape))


def test_bad_values_raise_clear_errors():
    with pytest.raises(ValueError, match=r"WAverage expects beta in \[0, 1\), got 1.0"):
        WAverage(beta=1.0)
    layer = WAverage()
    layer.build((None, 3))
    with pytest.raises(ValueError, match=r"truncation_cutoff must be an integer in \[1, 4\] \(the generator has 4 style layers\), got 5"):
        layer.truncate(np.zeros((1, 4, 3), np.float32), 0.5, cutoff=5)


def test_config_roundtrip(config_roundtrip):
    clone = config_roundtrip(WAverage(beta=0.99, truncation_cutoff=3))
    assert (clone.beta, clone.truncation_cutoff) == (0.99, 3)


def test_keras_save_load_roundtrip_keeps_w_avg(keras_roundtrip):
    inputs = keras.Input((3,))
    layer = WAverage()
    model = keras.Model(inputs, layer(inputs), name="w_avg_model")
    layer.w_avg.assign([0.5, 1.5, -2.0])
    loaded = keras_roundtrip(model, np.ones((2, 3), np.float32))
    np.testing.assert_array_equal(loaded.layers[-1].w_avg.numpy(), [0.5, 1.5, -2.0])
