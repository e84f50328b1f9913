"""ConditionalBatchNormalization (de Vries et al. 2017; Miyato & Koyama 2018)."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from tfgan_zoo.layers import ConditionalBatchNormalization

EPS = 1e-5


def _setup(shape=(6, 2, 2, 3), num_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(1.0, 2.0, size=shape).astype(np.float32)
    labels = np.array([0, 1, 2, 0, 1, 2][: shape[0]], np.int32)
    layer = ConditionalBatchNormalization(num_classes, epsilon=EPS)
    layer.build([x.shape, labels.shape])
    gamma = rng.normal(1.0, 0.5, size=(num_classes, shape[-1])).astype(np.float32)
    beta = rng.normal(0.0, 0.5, size=(num_classes, shape[-1])).astype(np.float32)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    return layer, x, labels, gamma, beta


def _per_sample(table: np.ndarray, labels: np.ndarray, ndim: int) -> np.ndarray:
    return table[labels].reshape((len(labels),) + (1,) * (ndim - 2) + (table.shape[1],))


def test_initialised_as_plain_batch_norm():
    layer = ConditionalBatchNormalization(4)
    layer.build([(None, 5), (None,)])
    np.testing.assert_array_equal(layer.gamma.numpy(), np.ones((4, 5)))
    np.testing.assert_array_equal(layer.beta.numpy(), np.zeros((4, 5)))


def test_training_uses_batch_stats_and_per_class_affine():
    layer, x, labels, gamma, beta = _setup()
    out = layer([x, labels], training=True).numpy()
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=(0, 1, 2))
    var = x64.var(axis=(0, 1, 2))
    expected = (x64 - mean) / np.sqrt(var + EPS) * _per_sample(gamma, labels, 4) + _per_sample(
        beta, labels, 4
    )
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    # moving statistics moved by (1 - momentum) towards the batch statistics
    np.testing.assert_allclose(layer.batch_norm.moving_mean.numpy(), 0.01 * mean, rtol=1e-5)


def test_inference_uses_moving_stats_and_labels_of_shape_batch_1():
    layer, x, labels, gamma, beta = _setup()
    out = layer([x, labels[:, None]], training=False).numpy()
    # fresh moving statistics: mean 0, variance 1
    expected = x / np.sqrt(1.0 + EPS) * _per_sample(gamma, labels, 4) + _per_sample(beta, labels, 4)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_rank2_features_and_class_switch():
    layer, x, labels, gamma, beta = _setup(shape=(4, 3))
    labels = np.array([2, 2, 0, 1], np.int32)
    out = layer([x, labels], training=True).numpy()
    x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + EPS)
    np.testing.assert_allclose(out, x_hat * gamma[labels] + beta[labels], rtol=1e-5, atol=1e-5)
    # changing one label changes only that sample's output
    other = labels.copy()
    other[0] = 1
    out2 = layer([x, other], training=True).numpy()
    np.testing.assert_allclose(out2[1:], out[1:], rtol=1e-6)
    np.testing.assert_allclose(out2[0], x_hat[0] * gamma[1] + beta[1], rtol=1e-5, atol=1e-5)


def test_bad_inputs_raise_clear_errors():
    layer = ConditionalBatchNormalization(3)
    with pytest.raises(ValueError, match=r"list \[features, labels\]"):
        layer(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match=r"labels of shape \(batch,\) or \(batch, 1\), got shape \(4, 3\)"):
        layer([np.zeros((4, 3), np.float32), np.zeros((4, 3), np.int32)])
    with pytest.raises(ValueError, match=r"num_classes to be a positive integer, got 0"):
        ConditionalBatchNormalization(0)


def test_config_roundtrip(config_roundtrip):
    clone = config_roundtrip(ConditionalBatchNormalization(7, momentum=0.9, epsilon=1e-3))
    assert (clone.num_classes, clone.momentum, clone.epsilon, clone.synchronized) == (7, 0.9, 1e-3, False)
    synced = config_roundtrip(ConditionalBatchNormalization(3, synchronized=True))
    assert synced.synchronized and synced.batch_norm.synchronized


def test_keras_save_load_roundtrip(keras_roundtrip):
    x_in = keras.Input((4, 4, 3))
    y_in = keras.Input((), dtype="int32")
    cbn = ConditionalBatchNormalization(5)
    out = cbn([keras.layers.Conv2D(3, 1)(x_in), y_in])
    model = keras.Model([x_in, y_in], out, name="cbn_model")
    rng = np.random.default_rng(1)
    cbn.gamma.assign(rng.normal(size=(5, 3)).astype(np.float32))
    cbn.beta.assign(rng.normal(size=(5, 3)).astype(np.float32))
    cbn.batch_norm.moving_mean.assign([0.1, -0.2, 0.3])
    x = rng.normal(size=(4, 4, 4, 3)).astype(np.float32)
    y = np.array([0, 4, 2, 2], np.int32)
    keras_roundtrip(model, [x, y])
