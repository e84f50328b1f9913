"""FadeIn (Karras et al. 2018, progressive growing)."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.layers import FadeIn


def _pair(seed=0, shape=(2, 4, 4, 3)):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape).astype(np.float32), rng.normal(size=shape).astype(np.float32)


def test_blend_numbers():
    old, new = _pair()
    layer = FadeIn()
    np.testing.assert_array_equal(layer([old, new]).numpy(), old)  # alpha starts at 0
    layer.set_alpha(1.0)
    np.testing.assert_array_equal(layer([old, new]).numpy(), new)
    layer.set_alpha(0.25)
    np.testing.assert_allclose(layer([old, new]).numpy(), 0.75 * old + 0.25 * new, rtol=1e-6, atol=1e-6)
    assert FadeIn(alpha=0.5)([np.array([[2.0]]), np.array([[4.0]])]).numpy()[0, 0] == 3.0


def test_alpha_is_a_non_trainable_variable():
    layer = FadeIn(alpha=0.3)
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 1
    assert float(layer.alpha.numpy()) == pytest.approx(0.3)


def test_set_alpha_inside_tf_function():
    old, new = _pair(1)
    layer = FadeIn()
    layer([old, new])

    @tf.function
    def step(value):
        layer.set_alpha(value)
        return layer([old, new])

    np.testing.assert_allclose(step(tf.constant(0.6)).numpy(), 0.4 * old + 0.6 * new, rtol=1e-6, atol=1e-6)
    assert float(layer.alpha.numpy()) == pytest.approx(0.6)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"FadeIn expects alpha in \[0, 1\]"):
        step(tf.constant(1.5))


def test_alpha_outside_unit_interval_raises():
    with pytest.raises(ValueError, match=r"FadeIn expects alpha in \[0, 1\], got -0.1"):
        FadeIn(alpha=-0.1)
    layer = FadeIn()
    with pytest.raises(ValueError, match=r"FadeIn expects alpha in \[0, 1\], got 1.5"):
        layer.set_alpha(1.5)
    with pytest.raises(ValueError, match=r"got nan"):
        layer.set_alpha(float("nan"))
    with pytest.raises(ValueError, match=r"got 2.0"):
        layer.set_alpha(tf.constant(2.0))  # eager tensor: checked eagerly
    assert float(layer.alpha.numpy()) == 0.0  # unchanged


def test_mismatched_shapes_raise():
    with pytest.raises(ValueError, match=r"same shape, got shapes \(2, 4, 4, 3\) and \(2, 8, 8, 3\)"):
        FadeIn()([np.zeros((2, 4, 4, 3), np.float32), np.zeros((2, 8, 8, 3), np.float32)])


def test_config_roundtrip_keeps_current_alpha(config_roundtrip):
    layer = FadeIn()
    layer.set_alpha(0.4)
    clone = config_roundtrip(layer)
    assert float(clone.alpha.numpy()) == pytest.approx(0.4)


def test_keras_save_load_roundtrip(keras_roundtrip):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4, 4, 3))
    old = keras.layers.Conv2D(2, 1)(inputs)
    new = keras.layers.Conv2D(2, 3, padding="same")(inputs)
    fade = FadeIn()
    model = keras.Model(inputs, fade([old, new]), name="fade_model")
    fade.set_alpha(0.3)
    x = np.random.default_rng(2).normal(size=(2, 4, 4, 3)).astype(np.float32)
    loaded = keras_roundtrip(model, x)
    assert float(loaded.layers[-1].alpha.numpy()) == pytest.approx(0.3)
