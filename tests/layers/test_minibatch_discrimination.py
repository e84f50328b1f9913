"""MinibatchDiscrimination (Salimans et al. 2016, sec. 3.2) against a numpy reference."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.layers import MinibatchDiscrimination


def reference(f: np.ndarray, t: np.ndarray, include_self: bool) -> np.ndarray:
    """o(x_i)_b = sum_j exp(-||M_i,b - M_j,b||_1), M_i = f_i T; concat([f, o])."""
    n = f.shape[0]
    m = np.einsum("na,abc->nbc", f.astype(np.float64), t.astype(np.float64))
    o = np.zeros((n, t.shape[1]))
    for i in range(n):
        for j in range(n):
            if i == j and not include_self:
                continue
            o[i] += np.exp(-np.abs(m[i] - m[j]).sum(axis=-1))
    return np.concatenate([f, o], axis=1)


def make_layer(features: int, num_kernels: int, kernel_dim: int, seed: int = 0, **kwargs):
    layer = MinibatchDiscrimination(num_kernels=num_kernels, kernel_dim=kernel_dim, **kwargs)
    layer.build((None, features))
    t = np.random.default_rng(seed).normal(0, 0.3, (features, num_kernels, kernel_dim))
    layer.kernel.assign(t.astype(np.float32))
    return layer, t.astype(np.float32)


@pytest.mark.parametrize("include_self", [False, True])
def test_matches_numpy_reference(include_self):
    f = np.random.default_rng(1).normal(size=(5, 6)).astype(np.float32)
    layer, t = make_layer(6, 4, 3, include_self=include_self)
    out = layer(f).numpy()
    assert out.shape == (5, 10)
    np.testing.assert_array_equal(out[:, :6], f)
    np.testing.assert_allclose(out, reference(f, t, include_self), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("include_self, expected", [(False, 5.0), (True, 6.0)])
def test_identical_samples_give_batch_count(include_self, expected):
    layer, _ = make_layer(6, 7, 3, include_self=include_self)
    f = np.tile(np.random.default_rng(2).normal(size=(1, 6)), (6, 1)).astype(np.float32)
    o = layer(f).numpy()[:, 6:]
    np.testing.assert_allclose(o, np.full((6, 7), expected), rtol=0, atol=1e-6)


def test_differing_samples_give_smaller_values():
    layer, _ = make_layer(6, 7, 3)
    f = np.random.default_rng(3).normal(size=(6, 6)).astype(np.float32)
    o = layer(f).numpy()[:, 6:]
    assert np.all(o >= 0.0)
    assert np.all(o < 5.0)  # < batch - 1 whenever no two samples coincide
    # a single sample has nobody to be close to
    np.testing.assert_allclose(layer(f[:1]).numpy()[:, 6:], 0.0, atol=1e-7)


def test_batch_norm_before_the_layer_hides_a_collapsed_batch():
    """Why minibatch_disc_mnist5k has no batch norm in D: the discriminator sees all-real and
    all-fake batches separately, and batch norm rescales a collapsed batch's tiny spread to unit
    variance, so the layer can no longer tell it from a diverse one."""
    rng = np.random.default_rng(0)
    collapsed = (rng.normal(size=(1, 16)) + 1e-3 * rng.normal(size=(32, 16))).astype(np.float32)
    diverse = rng.normal(size=(32, 16)).astype(np.float32)
    layer, _ = make_layer(16, 8, 5)
    closeness = lambda batch: float(np.mean(layer(batch).numpy()[:, 16:]))  # mean o(x_i)_b
    assert closeness(collapsed) > 30.0 and closeness(diverse) < 1.0  # 31 = batch - 1 at most
    norm = keras.layers.BatchNormalization(epsilon=1e-8)
    normalized = lambda batch: norm(batch, training=True).numpy()
    assert closeness(normalized(collapsed)) == pytest.approx(closeness(normalized(diverse)), abs=0.5)


def test_gradient_flows_to_kernel_and_matches_finite_differences():
    layer = MinibatchDiscrimination(num_kernels=3, kernel_dim=2, dtype="float64")
    layer.build((None, 4))
    rng = np.random.default_rng(4)
    layer.kernel.assign(rng.normal(0, 0.5, (4, 3, 2)))
    f = tf.constant(rng.normal(size=(5, 4)))
    weights = tf.constant(rng.normal(size=(5, 3)))

    def loss_value():
        return tf.reduce_sum(layer(f)[:, 4:] * weights)

    with tf.GradientTape() as tape:
        loss = loss_value()
    (grad,) = tape.gradient(loss, [layer.kernel])
    grad = grad.numpy()
    assert np.all(np.isfinite(grad)) and np.linalg.norm(grad) > 1e-3
    base = layer.kernel.numpy()
    eps = 1e-6
    for index in [(0, 0, 0), (2, 1, 1), (3, 2, 0)]:
        plus, minus = base.copy(), base.copy()
        plus[index] += eps
        minus[index] -= eps
        layer.kernel.assign(plus)
        up = float(loss_value())
        layer.kernel.assign(minus)
        down = float(loss_value())
        np.testing.assert_allclose(grad[index], (up - down) / (2 * eps), rtol=1e-5, atol=1e-8)
    layer.kernel.assign(base)


def test_symbolic_shape_and_dynamic_batch():
    inputs = keras.Input((6,))
    outputs = MinibatchDiscrimination(num_kernels=4, kernel_dim=3)(inputs)
    assert tuple(outputs.shape) == (None, 10)
    model = keras.Model(inputs, outputs)
    x = np.random.default_rng(5).normal(size=(7, 6)).astype(np.float32)
    # predict with batch_size=4 gives a remainder batch of 3 inside one tf.function
    np.testing.assert_allclose(
        model.predict(x, batch_size=4, verbose=0)[4:], model(x[4:]).numpy(), rtol=1e-6
    )


def test_bad_inputs_raise_clear_errors():
    layer = MinibatchDiscrimination(num_kernels=4, kernel_dim=3)
    with pytest.raises(
        ValueError,
        match=r"MinibatchDiscrimination expects inputs of rank 2 \(batch, features\), "
        r"got shape \(4, 3, 3\)",
    ):
        layer(np.zeros((4, 3, 3), np.float32))
    with pytest.raises(ValueError, match=r"num_kernels to be a positive integer, got 0"):
        MinibatchDiscrimination(num_kernels=0)
    with pytest.raises(ValueError, match=r"kernel_dim to be a positive integer, got -2"):
        MinibatchDiscrimination(kernel_dim=-2)


def test_config_roundtrip(config_roundtrip):
    layer = MinibatchDiscrimination(num_kernels=9, kernel_dim=2, include_self=True, name="mbd")
    clone = config_roundtrip(layer)
    assert (clone.num_kernels, clone.kernel_dim, clone.include_self) == (9, 2, True)


def test_keras_save_load_roundtrip(keras_roundtrip):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6,))
    h = keras.layers.Dense(8)(inputs)
    h = MinibatchDiscrimination(num_kernels=4, kernel_dim=3)(h)
    outputs = keras.layers.Dense(1)(h)
    model = keras.Model(inputs, outputs, name="mbd_model")
    x = np.random.default_rng(6).normal(size=(5, 6)).astype(np.float32)
    loaded = keras_roundtrip(model, x)
    assert isinstance(loaded.layers[2], MinibatchDiscrimination)
