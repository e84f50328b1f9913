"""NoiseInjection (StyleGAN, Karras et al. 2019)."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.layers import NoiseInjection
from tfgan_zoo.layers.noise_injection import inference_noise


def _x(shape=(3, 8, 8, 4), seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def test_weight_starts_at_zero_so_layer_is_identity():
    x = _x()
    layer = NoiseInjection(seed=1)
    np.testing.assert_array_equal(layer(x, training=True).numpy(), x)
    np.testing.assert_array_equal(layer.weight.numpy(), np.zeros(4))


def test_explicit_noise_numbers():
    x = _x()
    noise = np.random.default_rng(1).normal(size=(3, 8, 8, 1)).astype(np.float32)
    layer = NoiseInjection()
    layer.build(x.shape)
    w = np.array([0.5, -1.0, 2.0, 0.0], np.float32)
    layer.weight.assign(w)
    np.testing.assert_allclose(layer(x, noise=noise).numpy(), x + w * noise, rtol=1e-6)
    full = np.random.default_rng(2).normal(size=x.shape).astype(np.float32)
    np.testing.assert_allclose(layer(x, noise=full).numpy(), x + w * full, rtol=1e-6)


def test_sampled_noise_is_one_map_per_sample_broadcast_over_channels():
    x = _x(shape=(4, 32, 32, 3))
    layer = NoiseInjection(seed=3)
    layer.build(x.shape)
    w = np.array([1.0, 2.0, -0.5], np.float32)
    layer.weight.assign(w)
    # inference without noise: unchanged even with a non-zero weight
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    delta = (layer(x, training=True).numpy() - x) / w
    np.testing.assert_allclose(delta[..., 1], delta[..., 0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(delta[..., 2], delta[..., 0], rtol=1e-4, atol=1e-4)
    noise = delta[..., 0]
    assert not np.allclose(noise[0], noise[1])  # one map per sample
    assert abs(noise.mean()) < 0.05 and abs(noise.std() - 1.0) < 0.05  # N(0, 1), 4096 draws


def test_seed_generator_inside_tf_function():
    x = _x()
    layer = NoiseInjection(seed=4)
    layer.build(x.shape)
    layer.weight.assign(np.ones(4, np.float32))
    fn = tf.function(lambda t: layer(t, training=True))
    first, second = fn(x).numpy(), fn(x).numpy()
    assert not np.allclose(first, second)  # the generator state advances
    twin = NoiseInjection(seed=4)
    twin.build(x.shape)
    twin.weight.assign(np.ones(4, np.float32))
    np.testing.assert_allclose(twin(x, training=True).numpy(), first, rtol=1e-6)  # seeded


def test_inference_noise_modes():
    x = _x()
    layer = NoiseInjection(seed=5, inference_noise="random")
    layer.build(x.shape)
    w = np.array([1.0, 2.0, 0.0, -1.0], np.float32)
    layer.weight.assign(w)
    first, second = layer(x).numpy(), layer(x).numpy()
    assert not np.allclose(first, x) and not np.allclose(first, second)  # fresh noise each call
    # "fixed": the stored (1, H, W, 1) N(0, 1) buffer, the same for every sample and every call
    buffer = layer.noise_buffer.numpy()
    assert buffer.shape == (1, 8, 8, 1) and not layer.noise_buffer.trainable
    layer.inference_noise = "fixed"
    np.testing.assert_allclose(layer(x).numpy(), x + w * buffer, rtol=1e-6)
    np.testing.assert_array_equal(layer(x).numpy(), layer(x).numpy())
    layer.inference_noise = "none"
    np.testing.assert_array_equal(layer(x).numpy(), x)
    assert not np.allclose(layer(x, training=True).numpy(), x)  # training always draws
    big = NoiseInjection(seed=6)
    big.build((None, 64, 64, 1))
    values = big.noise_buffer.numpy()
    assert abs(values.mean()) < 0.05 and abs(values.std() - 1.0) < 0.05


def test_inference_noise_context_switches_nested_layers_and_restores():
    inner_in = keras.Input((4, 4, 2))
    inner = keras.Model(inner_in, NoiseInjection(seed=1, inference_noise="random", name="n1")(inner_in), name="inner")
    outer_in = keras.Input((4, 4, 2))
    outer = keras.Model(outer_in, NoiseInjection(seed=2, name="n2")(inner(outer_in)), name="outer")
    layers = [inner.get_layer("n1"), outer.get_layer("n2")]
    for layer in layers:
        layer.weight.assign([1.0, 1.0])
    x = _x((2, 4, 4, 2))
    with inference_noise(outer, "fixed"):
        assert [layer.inference_noise for layer in layers] == ["fixed", "fixed"]
        a, b = outer(x).numpy(), outer(x).numpy()
    np.testing.assert_array_equal(a, b)
    expected = x + layers[0].noise_buffer.numpy() + layers[1].noise_buffer.numpy()
    np.testing.assert_allclose(a, expected, rtol=1e-5, atol=1e-6)
    assert [layer.inference_noise for layer in layers] == ["random", "none"]
    with pytest.raises(ValueError, match=r"inference_noise must be one of \['none', 'random', 'fixed'\], got 'fresh'"):
        with inference_noise(outer, "fresh"):
            pass


def test_bad_inputs_raise_clear_errors():
    layer = NoiseInjection()
    with pytest.raises(ValueError, match=r"NoiseInjection expects noise of shape \(3, 8, 8, 1\) .*got shape \(3, 8, 8\)"):
        layer(_x(), noise=np.zeros((3, 8, 8), np.float32))
    with pytest.raises(ValueError, match=r"rank >= 2 .*got shape \(5,\)"):
        NoiseInjection()(np.zeros((5,), np.float32))
    with pytest.raises(ValueError, match=r"inference_noise must be one of .*got True"):
        NoiseInjection(inference_noise=True)


def test_config_roundtrip(config_roundtrip):
    clone = config_roundtrip(NoiseInjection(seed=7, inference_noise="fixed"))
    assert (clone.seed, clone.inference_noise) == (7, "fixed")


def test_keras_save_load_roundtrip(keras_roundtrip):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4, 4, 3))
    noise_layer = NoiseInjection(seed=1, inference_noise="fixed")
    model = keras.Model(inputs, noise_layer(keras.layers.Conv2D(2, 1)(inputs)), name="noise_model")
    noise_layer.weight.assign([0.5, -0.25])
    x = np.random.default_rng(2).normal(size=(2, 4, 4, 3)).astype(np.float32)
    loaded = keras_roundtrip(model, x)  # fixed noise: deterministic, the buffer saved
    np.testing.assert_array_equal(loaded.layers[-1].weight.numpy(), [0.5, -0.25])


_MIRRORED_SCRIPT = """
import os
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from tfgan_zoo.layers import NoiseInjection
from tfgan_zoo.layers.noise_injection import inference_noise
strategy = tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")])
with strategy.scope():
    layer = NoiseInjection(seed=1)
    layer.build((None, 4, 4, 1))
    layer.weight.assign([1.0])
data = tf.data.Dataset.from_tensor_slices(np.zeros((4, 4, 4, 1), "float32")).batch(4)
batch = next(iter(strategy.experimental_distribute_dataset(data)))
step = tf.function(lambda x: strategy.run(lambda t: layer(t, training=True), args=(x,)))
a, b = [v.numpy() for v in strategy.experimental_local_results(step(batch))]
assert a.shape == b.shape == (2, 4, 4, 1), (a.shape, b.shape)
assert not np.allclose(a, b), "replicas drew identical noise"
one_device = NoiseInjection(seed=1)
one_device.build((None, 4, 4, 1))
one_device.weight.assign([1.0])
expected = tf.function(lambda t: one_device(t, training=True))(tf.zeros((4, 4, 4, 1))).numpy()
np.testing.assert_array_equal(np.concatenate([a, b]), expected)  # the rows of one global draw
print("OK")
"""


def test_replicas_draw_their_rows_of_the_one_device_noise_under_mirrored_strategy():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", _MIRRORED_SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0 and "OK" in result.stdout, result.stderr[-3000:]
