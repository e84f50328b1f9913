"""Blur2D (StyleGAN, Karras et al. 2019)."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from tfgan_zoo.layers import Blur2D
from tfgan_zoo.layers.blur import blur_kernel


def test_kernel_is_the_normalised_binomial():
    np.testing.assert_allclose(blur_kernel([1, 2, 1]), np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16.0)


def test_matches_zero_padded_reference_per_channel():
    x = np.random.default_rng(0).normal(size=(2, 5, 6, 3)).astype(np.float32)
    out = Blur2D()(x).numpy()
    k = blur_kernel([1, 2, 1])
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    expected = np.zeros_like(x, dtype=np.float64)
    for i in range(5):
        for j in range(6):
            expected[:, i, j, :] = np.einsum("nhwc,hw->nc", padded[:, i : i + 3, j : j + 3, :], k)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    # a constant stays constant inside, and loses the outside taps at the border (3/4 on edges)
    ones = Blur2D()(np.ones((1, 4, 4, 1), np.float32)).numpy()[0, :, :, 0]
    assert ones[1, 1] == pytest.approx(1.0) and ones[0, 1] == pytest.approx(0.75) and ones[0, 0] == pytest.approx(9 / 16)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"Blur2D expects inputs of rank 4 .*got shape \(2, 3\)"):
        Blur2D()(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"odd number of taps"):
        Blur2D(taps=[1, 1])


def test_config_roundtrip(config_roundtrip):
    assert config_roundtrip(Blur2D(taps=[1, 3, 3, 3, 1])).taps == [1, 3, 3, 3, 1]


def test_keras_save_load_roundtrip(keras_roundtrip):
    inputs = keras.Input((8, 8, 2))
    model = keras.Model(inputs, Blur2D()(inputs), name="blur_model")
    keras_roundtrip(model, np.random.default_rng(1).normal(size=(2, 8, 8, 2)).astype(np.float32))
