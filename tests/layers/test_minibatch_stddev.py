"""MinibatchStdDev (Karras et al. 2018, sec. 3) against a numpy reference."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.layers import MinibatchStdDev


def reference(x: np.ndarray, group: int, num_new: int, eps: float = 1e-8) -> np.ndarray:
    """Written per sample: sample i is grouped with every j with j = i mod (N / group)."""
    n = x.shape[0]
    m = n // group
    x64 = x.astype(np.float64)
    stats = np.zeros((n, num_new))
    for i in range(n):
        members = [j for j in range(n) if j % m == i % m]
        assert len(members) == group
        std = np.sqrt(x64[members].var(axis=0) + eps)  # (..., C)
        parts = np.split(std, num_new, axis=-1)
        stats[i] = [p.mean() for p in parts]
    extra = np.broadcast_to(
        stats.reshape((n,) + (1,) * (x.ndim - 2) + (num_new,)), x.shape[:-1] + (num_new,)
    )
    return np.concatenate([x, extra], axis=-1)


@pytest.mark.parametrize(
    "batch, group_size, num_new, effective",
    [(8, 4, 1, 4), (8, 4, 2, 4), (6, 4, 1, 3), (2, 4, 1, 2), (5, 4, 1, 1)],
)
def test_matches_numpy_reference(batch, group_size, num_new, effective):
    x = np.random.default_rng(batch).normal(size=(batch, 3, 3, 4)).astype(np.float32)
    layer = MinibatchStdDev(group_size=group_size, num_new_features=num_new)
    assert layer.group_size_for(batch) == effective
    out = layer(x).numpy()
    assert out.shape == (batch, 3, 3, 4 + num_new)
    np.testing.assert_array_equal(out[..., :4], x)
    np.testing.assert_allclose(out, reference(x, effective, num_new), rtol=1e-5, atol=1e-7)


def test_rank2_features():
    x = np.random.default_rng(0).normal(size=(8, 6)).astype(np.float32)
    out = MinibatchStdDev(group_size=4, num_new_features=3)(x).numpy()
    np.testing.assert_allclose(out, reference(x, 4, 3), rtol=1e-5, atol=1e-7)


def test_identical_samples_give_sqrt_epsilon():
    x = np.tile(np.random.default_rng(1).normal(size=(1, 4, 4, 3)), (8, 1, 1, 1)).astype(np.float32)
    out = MinibatchStdDev(group_size=4)(x).numpy()
    np.testing.assert_allclose(out[..., 3], np.sqrt(1e-8), rtol=1e-4)


def test_output_changes_when_one_sample_differs():
    x = np.tile(np.random.default_rng(2).normal(size=(1, 4, 4, 3)), (8, 1, 1, 1)).astype(np.float32)
    layer = MinibatchStdDev(group_size=4)
    before = layer(x).numpy()[..., 3]
    x2 = x.copy()
    x2[1] += 1.0  # sample 1 is in group 1 = {1, 3, 5, 7}
    after = layer(x2).numpy()[..., 3]
    changed = [i for i in range(8) if not np.allclose(after[i], before[i])]
    assert changed == [1, 3, 5, 7]
    # std of {1, 0, 0, 0} * 1.0 over the group, at every pixel/channel: sqrt(3/16)
    np.testing.assert_allclose(after[1], np.sqrt(3 / 16 + 1e-8), rtol=1e-5)


def test_dynamic_batch_in_tf_function_matches_eager():
    layer = MinibatchStdDev(group_size=4)
    fn = tf.function(layer.call, input_signature=[tf.TensorSpec((None, 2, 2, 4), tf.float32)])
    for batch in (8, 6, 5, 3):
        x = np.random.default_rng(batch).normal(size=(batch, 2, 2, 4)).astype(np.float32)
        np.testing.assert_allclose(fn(x).numpy(), layer(x).numpy(), rtol=1e-6, atol=1e-7)


def test_group_size_not_dividing_batch_raises_when_strict():
    layer = MinibatchStdDev(group_size=4, allow_smaller_groups=False)
    layer(np.zeros((8, 2, 2, 1), np.float32))  # divisible: fine
    layer(np.zeros((2, 2, 2, 1), np.float32))  # capped at the batch: fine
    with pytest.raises(
        ValueError, match=r"divisible by group_size=4, got batch size 6"
    ):
        layer(np.zeros((6, 2, 2, 1), np.float32))
    fn = tf.function(layer.call, input_signature=[tf.TensorSpec((None, 2, 2, 1), tf.float32)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="divisible by group_size=4"):
        fn(np.zeros((6, 2, 2, 1), np.float32))


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"expects inputs of rank >= 2 .*got shape \(5,\)"):
        MinibatchStdDev()(np.zeros((5,), np.float32))
    with pytest.raises(
        ValueError, match=r"divisible by num_new_features=2, got 3 channels"
    ):
        MinibatchStdDev(num_new_features=2)(np.zeros((4, 2, 2, 3), np.float32))
    with pytest.raises(ValueError, match=r"group_size to be a positive integer, got 0"):
        MinibatchStdDev(group_size=0)


def test_config_roundtrip(config_roundtrip):
    layer = MinibatchStdDev(group_size=2, num_new_features=3, epsilon=1e-6, allow_smaller_groups=False)
    clone = config_roundtrip(layer)
    assert (clone.group_size, clone.num_new_features, clone.epsilon) == (2, 3, 1e-6)
    assert clone.allow_smaller_groups is False


def test_keras_save_load_roundtrip(keras_roundtrip):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4, 4, 3))
    h = keras.layers.Conv2D(4, 1)(inputs)
    h = MinibatchStdDev(group_size=4, num_new_features=2)(h)
    assert tuple(h.shape) == (None, 4, 4, 6)
    outputs = keras.layers.Dense(1)(keras.layers.Flatten()(h))
    model = keras.Model(inputs, outputs, name="mbstd_model")
    x = np.random.default_rng(7).normal(size=(8, 4, 4, 3)).astype(np.float32)
    keras_roundtrip(model, x)
