"""LinearConditionalBatchNormalization (BigGAN, Brock et al. 2019): gain 1 + W_g c, bias W_b c."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from tfgan_zoo.layers import LinearConditionalBatchNormalization

EPS = 1e-5


def _data(seed=0, shape=(6, 3, 3, 4), dim=5):
    rng = np.random.default_rng(seed)
    return rng.normal(1.0, 2.0, size=shape).astype(np.float32), rng.normal(size=(shape[0], dim)).astype(np.float32)


def _matrix(layer, which: str, dim: int) -> np.ndarray:
    """The (dim, C) matrix W_gamma or W_beta applies, read through `modulation` (so it holds for any
    spectral-norm implementation: raw kernel / sigma, or a renormalised kernel)."""
    gain, bias = layer.modulation(np.eye(dim, dtype=np.float32), training=False)
    return (gain.numpy() - 1.0) if which == "gain" else bias.numpy()


def test_training_output_matches_the_formula():
    keras.utils.set_random_seed(0)
    x, c = _data()
    layer = LinearConditionalBatchNormalization(epsilon=EPS)
    out = layer([x, c], training=True).numpy()
    w_gain, w_bias = layer.gain.kernel.numpy(), layer.bias.kernel.numpy()
    x64 = x.astype(np.float64)
    x_hat = (x64 - x64.mean(axis=(0, 1, 2))) / np.sqrt(x64.var(axis=(0, 1, 2)) + EPS)
    expected = x_hat * (1.0 + c @ w_gain)[:, None, None, :] + (c @ w_bias)[:, None, None, :]
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    # moving statistics: Keras momentum 0.9 = the released code's PyTorch momentum 0.1
    np.testing.assert_allclose(layer.batch_norm.moving_mean.numpy(), 0.1 * x64.mean(axis=(0, 1, 2)), rtol=1e-5)


def test_zero_condition_is_plain_batch_norm_and_maps_start_orthogonal():
    keras.utils.set_random_seed(1)
    x, c = _data(dim=8, shape=(4, 2, 2, 3))
    layer = LinearConditionalBatchNormalization()
    layer([x, c])
    for kernel in (layer.gain.kernel.numpy(), layer.bias.kernel.numpy()):
        np.testing.assert_allclose(kernel.T @ kernel, np.eye(3), atol=1e-5)  # (8, 3): orthonormal columns
    assert not np.allclose(layer.gain.kernel.numpy(), layer.bias.kernel.numpy())  # independent draws
    gain, bias = layer.modulation(np.zeros((4, 8), np.float32))
    np.testing.assert_array_equal(gain.numpy(), 1.0)
    np.testing.assert_array_equal(bias.numpy(), 0.0)
    out = layer([x, np.zeros_like(c)], training=False).numpy()
    np.testing.assert_allclose(out, x / np.sqrt(1.0 + 1e-5), rtol=1e-5)


def test_changing_one_sample_condition_changes_only_that_sample():
    keras.utils.set_random_seed(2)
    x, c = _data()
    layer = LinearConditionalBatchNormalization()
    out = layer([x, c], training=False).numpy()
    other = c.copy()
    other[2] += 1.0
    out2 = layer([x, other], training=False).numpy()
    np.testing.assert_array_equal(np.delete(out2, 2, axis=0), np.delete(out, 2, axis=0))
    assert not np.allclose(out2[2], out[2])


def test_spectral_norm_gives_maps_of_spectral_norm_one():
    keras.utils.set_random_seed(3)
    x, c = _data(dim=6)
    layer = LinearConditionalBatchNormalization(spectral_norm=True, kernel_initializer="glorot_uniform")
    for _ in range(30):  # power iterations run in training calls
        layer([x, c], training=True)
    for which in ("gain", "bias"):
        sigma = np.linalg.svd(_matrix(layer, which, 6), compute_uv=False)[0]
        assert sigma == pytest.approx(1.0, rel=2e-2)


def test_bad_inputs_raise_clear_errors():
    layer = LinearConditionalBatchNormalization()
    with pytest.raises(ValueError, match=r"list \[features, condition\]"):
        layer(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match=r"condition of shape \(batch, dim\) with dim known, got shape \(4, 2, 3\)"):
        layer([np.zeros((4, 3), np.float32), np.zeros((4, 2, 3), np.float32)])
    with pytest.raises(ValueError, match=r"power_iterations to be a positive integer, got 0"):
        LinearConditionalBatchNormalization(power_iterations=0)


def test_config_roundtrip(config_roundtrip):
    clone = config_roundtrip(
        LinearConditionalBatchNormalization(spectral_norm=True, momentum=0.8, epsilon=1e-3, synchronized=True,
                                            kernel_initializer="glorot_uniform", power_iterations=2)
    )
    assert (clone.spectral_norm, clone.momentum, clone.epsilon, clone.synchronized, clone.power_iterations) == (
        True, 0.8, 1e-3, True, 2)


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_keras_save_load_roundtrip(keras_roundtrip, spectral_norm):
    keras.utils.set_random_seed(4)
    x_in, c_in = keras.Input((4, 4, 3)), keras.Input((5,))
    norm = LinearConditionalBatchNormalization(spectral_norm=spectral_norm)
    model = keras.Model([x_in, c_in], norm([keras.layers.Conv2D(3, 1)(x_in), c_in]), name=f"lcbn_{int(spectral_norm)}")
    x, c = _data(shape=(2, 4, 4, 3))
    model([x, c], training=True)  # move the moving statistics (and the power iteration)
    keras_roundtrip(model, [x, c])
