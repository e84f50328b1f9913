"""toy:ring8 / toy:grid25 through load()."""
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import data


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_toy_points_near_means(name):
    ds = data.load(f"toy:{name}", 500, seed=0, toy_size=5000)
    assert isinstance(ds.element_spec, tf.TensorSpec)
    assert ds.element_spec.shape == (500, 2) and ds.element_spec.dtype == tf.float32
    points = np.concatenate(list(ds.take(4).as_numpy_iterator()))
    means, std = data.toy_means(name), data.toy_std(name)
    dist = np.linalg.norm(points[:, None] - means[None], axis=-1)
    assert dist.min(axis=1).max() < 6 * std  # every point sits on a mode (no scaling)
    assert len(np.unique(dist.argmin(axis=1))) == len(means)  # every mode is drawn


def test_toy_seeded_and_no_labels():
    a = next(iter(data.load("toy:ring8", 64, seed=5))).numpy()
    b = next(iter(data.load("toy:ring8", 64, seed=5))).numpy()
    c = next(iter(data.load("toy:ring8", 64, seed=6))).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    with pytest.raises(ValueError, match=r"with_labels=True, but 'toy:ring8' has no labels"):
        data.load("toy:ring8", 8, with_labels=True)
    with pytest.raises(ValueError, match=r"'toy:ring8' yields 2-D points; .*resolution=32"):
        data.load("toy:ring8", 8, resolution=32)
    with pytest.raises(ValueError, match=r"Unknown split 'train' for 'toy:ring8'"):
        data.load("toy:ring8", 8, split="train")
    with pytest.raises(ValueError, match=r"toy_size to be an integer >= 1, got toy_size=0"):
        data.load("toy:ring8", 8, toy_size=0)


def test_toy_as_numpy():
    points = data.as_numpy_images("toy:grid25", 100, seed=1)
    np.testing.assert_array_equal(points, data.sample_toy("grid25", 100, seed=1))
