"""ConstantInput (StyleGAN, Karras et al. 2019)."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from tfgan_zoo.layers import ConstantInput


def test_ones_repeated_per_sample_and_learned():
    layer = ConstantInput(4, 4, 3)
    out = layer(np.zeros((5, 2, 7), np.float32)).numpy()
    np.testing.assert_array_equal(out, np.ones((5, 4, 4, 3)))  # the official init: ones
    value = np.random.default_rng(0).normal(size=(1, 4, 4, 3)).astype(np.float32)
    layer.constant.assign(value)
    np.testing.assert_array_equal(layer(np.zeros((2, 1), np.float32)).numpy(), np.repeat(value, 2, 0))
    assert layer.constant.trainable


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"ConstantInput expects channels to be a positive integer, got 0"):
        ConstantInput(4, 4, 0)


def test_config_roundtrip(config_roundtrip):
    assert config_roundtrip(ConstantInput(2, 3, 5)).channels == 5


def test_keras_save_load_roundtrip(keras_roundtrip):
    inputs = keras.Input((6,))
    model = keras.Model(inputs, ConstantInput(4, 4, 2, initializer="random_normal")(inputs), name="const_model")
    keras_roundtrip(model, np.zeros((3, 6), np.float32))
