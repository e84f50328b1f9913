"""GlobalSumPooling2D (Miyato et al. 2018): H*W times global average pooling."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from tfgan_zoo.layers import GlobalSumPooling2D


def test_equals_size_times_mean_pooling():
    x = np.random.default_rng(0).normal(size=(3, 5, 4, 6)).astype(np.float32)
    summed = GlobalSumPooling2D()(x).numpy()
    mean = keras.layers.GlobalAveragePooling2D()(x).numpy()
    np.testing.assert_allclose(summed, 5 * 4 * mean, rtol=1e-5)
    np.testing.assert_allclose(summed, x.astype(np.float64).sum(axis=(1, 2)), rtol=1e-5)


def test_symbolic_shape_and_bad_rank():
    assert GlobalSumPooling2D().compute_output_shape((None, 8, 8, 16)) == (None, 16)
    out = GlobalSumPooling2D()(keras.Input((None, None, 7)))
    assert tuple(out.shape) == (None, 7)
    with pytest.raises(ValueError, match=r"rank 4 \(batch, height, width, channels\), got shape \(2, 16\)"):
        GlobalSumPooling2D()(np.zeros((2, 16), np.float32))


def test_config_and_keras_roundtrip(config_roundtrip, keras_roundtrip):
    config_roundtrip(GlobalSumPooling2D(name="pool"))
    inputs = keras.Input((4, 4, 3))
    model = keras.Model(inputs, GlobalSumPooling2D()(keras.layers.Conv2D(2, 1)(inputs)), name="sum_pool_model")
    keras_roundtrip(model, np.random.default_rng(1).normal(size=(2, 4, 4, 3)).astype(np.float32))
