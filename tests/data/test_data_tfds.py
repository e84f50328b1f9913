"""tfds:NAME[:SPLIT] without network: tfds.testing.mock_data, and the offline failure path."""
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from tfgan_zoo import data
from tfgan_zoo.data import tfds_source


@pytest.fixture
def mock_tfds():
    with tfds.testing.mock_data(num_examples=24):
        yield


def test_mnist_images_and_labels(mock_tfds):
    info = data.describe("tfds:mnist")
    assert (info.name, info.shape, info.num_classes) == ("tfds:mnist:train", (28, 28, 1), 10)
    assert info.class_names == tuple("0123456789")
    x, y = next(iter(data.load("tfds:mnist", 8, seed=0)))
    assert x.shape == (8, 28, 28, 1) and x.dtype == tf.float32
    assert y.shape == (8,) and y.dtype == tf.int32
    x = x.numpy()
    assert x.min() >= -1.0 and x.max() <= 1.0 and x.std() > 0.1
    # Values are k / 127.5 - 1 for integer k: the uint8 pixels mapped exactly.
    k = (x + 1.0) * 127.5
    np.testing.assert_allclose(k, np.round(k), atol=1e-3)
    assert set(np.unique(y.numpy())) <= set(range(10))


def test_mnist_unshuffled_is_deterministic_and_as_numpy(mock_tfds):
    a = data.as_numpy_images("tfds:mnist:test", 24)
    b = data.as_numpy_images("tfds:mnist", 24, split="test")
    assert a.shape == (24, 28, 28, 1)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"num=25 images but 'tfds:mnist:test' holds only 24"):
        data.as_numpy_images("tfds:mnist:test", 25)


def test_cifar10_channels_and_resolution(mock_tfds):
    info = data.describe("tfds:cifar10")
    assert (info.shape, info.num_classes, len(info.class_names)) == ((32, 32, 3), 10, 10)
    ds = data.load("tfds:cifar10:test", 8, resolution=16, channels=1, repeat=False)
    batches = list(ds.as_numpy_iterator())
    assert len(batches) == 3  # 24 mock examples, drop_remainder
    x, y = batches[0]
    assert x.shape == (8, 16, 16, 1) and y.dtype == np.int32
    rgb = next(iter(data.load("tfds:cifar10:test", 8, shuffle=False, repeat=False)))[0].numpy()
    expected = tf.image.resize(rgb, [16, 16], method="area").numpy()
    expected = (expected * np.array([0.299, 0.587, 0.114], np.float32)).sum(-1, keepdims=True)
    # The per-image resize is rounded to uint8 before scaling: within half a grey level.
    ordered = next(iter(data.load("tfds:cifar10:test", 8, resolution=16, channels=1, shuffle=False)))
    np.testing.assert_allclose(ordered[0].numpy(), expected, atol=1.01 / 127.5)


def test_celeb_a_unlabelled_non_square_crop(mock_tfds):
    info = data.describe("tfds:celeb_a")
    assert (info.shape, info.num_classes, info.resolution) == ((218, 178, 3), None, 178)
    ds = data.load("tfds:celeb_a", 4, resolution=32, seed=1)
    assert isinstance(ds.element_spec, tf.TensorSpec)  # no ClassLabel -> images only
    assert ds.element_spec.shape == (4, 32, 32, 3)
    raw = data.as_numpy_images("tfds:celeb_a", 2)
    assert raw.shape == (2, 218, 178, 3)
    cropped = data.as_numpy_images("tfds:celeb_a", 2, resolution=178)
    np.testing.assert_allclose(cropped, raw[:, 20:198], atol=1e-6)  # centre rows kept
    with pytest.raises(ValueError, match=r"with_labels=True, but 'tfds:celeb_a' has no labels"):
        data.load("tfds:celeb_a", 4, with_labels=True)


def test_offline_without_data_explains_how_to_prepare(tmp_path):
    with pytest.raises(data.DataUnavailableError) as info:
        data.load("tfds:mnist", 8, data_dir=str(tmp_path), download=False)
    message = str(info.value)
    assert f"tfds dataset 'mnist' is not prepared in data_dir '{tmp_path}'" in message
    assert "download=False" in message
    assert "tfds build mnist --data_dir DIR" in message
    assert "downloads/manual" in message
    assert "data_dir=DIR" in message and "--data-dir DIR" in message
    assert "TFDS_DATA_DIR=DIR" in message
    assert isinstance(info.value, RuntimeError)


def test_failed_download_is_wrapped(tmp_path, monkeypatch):
    def no_network(self, *args, **kwargs):
        raise ConnectionError("Network is unreachable")

    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", no_network)
    with pytest.raises(data.DataUnavailableError) as info:
        data.load("tfds:fashion_mnist", 8, data_dir=str(tmp_path))
    message = str(info.value)
    assert "'fashion_mnist' is not prepared" in message
    assert "could not be downloaded (ConnectionError: Network is unreachable)" in message
    assert isinstance(info.value.__cause__, ConnectionError)


def test_unknown_tfds_name_suggests():
    with pytest.raises(ValueError, match=r"Unknown tensorflow-datasets dataset 'mnistt'.*Did you mean 'mnist'"):
        data.describe("tfds:mnistt")


def test_unknown_tfds_split():
    assert tfds_source.split_names("train[:80%]+test") == ["train", "test"]
    tfds_source.check_split("mnist", "train[10%:]", ["train", "test"])
    tfds_source.check_split("mnist", "anything", [])  # unknown splits (not prepared): skipped
    with pytest.raises(ValueError, match=r"Unknown split 'validation' for tfds dataset 'mnist'; expected one of: test, train"):
        tfds_source.check_split("mnist", "validation", ["train", "test"])
