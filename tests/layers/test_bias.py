"""Bias: one learned value per channel, added after a reshape (the official PGGAN apply_bias)."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.layers import Bias


def test_adds_one_value_per_channel_and_learns_it(config_roundtrip):
    layer = Bias(lr_multiplier=0.5, bias_init=0.2)
    x = np.random.default_rng(0).normal(size=(2, 4, 4, 3)).astype("float32")
    out = layer(x).numpy()
    assert layer.bias.shape == (3,)
    np.testing.assert_allclose(layer.bias.numpy(), 0.4)  # stored bias_init / lr_multiplier
    np.testing.assert_allclose(out, x + 0.2, rtol=1e-6)
    layer.bias.assign([1.0, -2.0, 0.0])
    np.testing.assert_allclose(layer(x).numpy(), x + np.array([0.5, -1.0, 0.0]), rtol=1e-6)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(layer(x))
    np.testing.assert_allclose(tape.gradient(total, layer.bias).numpy(), 0.5 * 2 * 4 * 4)  # lrmul x count
    config_roundtrip(layer)


def test_keras_file_and_bad_input(keras_roundtrip):
    inputs = keras.Input((2, 2, 4))
    model = keras.Model(inputs, Bias(bias_init=0.1)(inputs))
    keras_roundtrip(model, np.ones((1, 2, 2, 4), "float32"))
    with pytest.raises(ValueError, match="lr_multiplier > 0, got 0"):
        Bias(lr_multiplier=0)
    with pytest.raises(ValueError, match=r"Bias expects inputs of rank >= 2"):
        Bias()(np.ones((3,), "float32"))
