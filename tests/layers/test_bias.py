"""Bias (the official StyleGAN apply_bias, Karras et al. 2019)."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from tfgan_zoo.layers import Bias


def test_adds_a_per_channel_bias_starting_at_zero():
    x = np.random.default_rng(0).normal(size=(2, 3, 3, 4)).astype(np.float32)
    layer = Bias()
    np.testing.assert_array_equal(layer(x).numpy(), x)
    layer.bias.assign([1.0, -2.0, 0.5, 0.0])
    np.testing.assert_allclose(layer(x).numpy(), x + np.array([1.0, -2.0, 0.5, 0.0]), rtol=1e-6)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"Bias expects inputs of rank >= 2 .*got shape \(3,\)"):
        Bias()(np.zeros((3,), np.float32))


def test_config_roundtrip(config_roundtrip):
    config_roundtrip(Bias(name="b"))


def test_keras_save_load_roundtrip(keras_roundtrip):
    inputs = keras.Input((4, 4, 2))
    layer = Bias()
    model = keras.Model(inputs, layer(inputs), name="bias_model")
    layer.bias.assign([0.25, -1.0])
    keras_roundtrip(model, np.ones((1, 4, 4, 2), np.float32))
