"""InferenceClip (the official StyleGAN / PGGAN clip at image conversion, Karras et al. 2019)."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.layers import InferenceClip


def test_identity_in_training_clipped_at_inference_with_the_linear_gradient():
    x = tf.constant([[-3.0, -0.5, 0.0, 0.75, 2.0]])
    layer = InferenceClip()
    np.testing.assert_array_equal(layer(x).numpy(), [[-1.0, -0.5, 0.0, 0.75, 1.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
        loss = tf.reduce_sum(3.0 * y)
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    np.testing.assert_array_equal(tape.gradient(loss, x).numpy(), np.full((1, 5), 3.0))  # even outside [-1, 1]


def test_bad_range():
    with pytest.raises(ValueError, match=r"InferenceClip expects low < high, got low=1, high=0"):
        InferenceClip(1, 0)


def test_config_roundtrip(config_roundtrip):
    assert config_roundtrip(InferenceClip(0.0, 255.0)).high == 255.0


def test_keras_save_load_roundtrip(keras_roundtrip):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, InferenceClip()(inputs), name="clip_model")
    keras_roundtrip(model, np.array([[-2.0, 0.5, 4.0]], np.float32))
