"""Feature extractors: the shipped MNIST classifier, Inception-v3 preprocessing and the offline
weights error (no Inception weights are downloaded in the tests)."""
from __future__ import annotations

import socket
import warnings

import numpy as np
import pytest

from tfgan_zoo.metrics import (
    MNIST5K_REAL_FID_FLOOR,
    MNIST_CLASSIFIER_HELDOUT_ACCURACY,
    InceptionFeatures,
    InceptionWeightsError,
    MnistFeatures,
    fid_from_features,
)
from tfgan_zoo.metrics.features import (
    MNIST_CLASSIFIER_WEIGHTS,
    check_images,
    mnist5k_images,
    mnist5k_labels,
)


@pytest.fixture(scope="module")
def mnist():
    return MnistFeatures()


def test_shipped_classifier_is_small_and_accurate_on_the_heldout_split(mnist):
    assert MNIST_CLASSIFIER_WEIGHTS.stat().st_size < 1_000_000
    accuracy = np.mean(mnist.predict_labels(mnist5k_images("heldout")) == mnist5k_labels("heldout"))
    assert accuracy >= 0.97
    assert accuracy == pytest.approx(MNIST_CLASSIFIER_HELDOUT_ACCURACY, abs=1e-3)


def test_mnist_features_and_probabilities(mnist):
    images = mnist5k_images("heldout")[:20].astype("float32") / 127.5 - 1.0
    feats = mnist.features(images[..., None])
    probs = mnist.predict_probabilities(images)  # rank 3 (batch, height, width) accepted
    assert feats.shape == (20, 128) and np.all(np.isfinite(feats))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    # uint8 input gives the same features as the [-1, 1] floats
    np.testing.assert_allclose(mnist.features(mnist5k_images("heldout")[:20]), feats, atol=1e-4)
    # RGB 32 x 32 input is averaged to gray and resized to 28 x 28
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2)), constant_values=-1.0)
    rgb = np.repeat(padded[..., None], 3, axis=-1)
    assert mnist.preprocess(rgb).shape == (20, 28, 28, 1)
    assert np.mean(mnist.predict_labels(rgb) == mnist5k_labels("heldout")[:20]) >= 0.8


def test_real_data_floor_matches_the_documented_value(mnist):
    train = mnist.features(mnist5k_images("train"))
    heldout = mnist.features(mnist5k_images("heldout"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # full-rank covariances: the exact path, no eps offset
        floor = fid_from_features(train, heldout)
    assert floor == pytest.approx(MNIST5K_REAL_FID_FLOOR, rel=0.01)
    noise = np.random.default_rng(0).uniform(-1, 1, size=(1000, 28, 28, 1)).astype("float32")
    assert fid_from_features(heldout, mnist.features(noise)) > 100 * floor


def test_check_images_errors_name_the_shape_and_range():
    with pytest.raises(ValueError, match=r"rank 4 \(batch, height, width, channels\).*\(28, 28\)"):
        check_images(np.zeros((28, 28)))
    with pytest.raises(ValueError, match="in \\[-1, 1\\], got values in \\[0, 255\\]"):
        check_images(np.arange(256.0).reshape(1, 16, 16, 1))
    with pytest.raises(ValueError, match="1 or 3 channels"):
        check_images(np.zeros((2, 8, 8, 2)))
    uint8 = np.array([[[[0], [255]]]], dtype=np.uint8)
    np.testing.assert_allclose(check_images(uint8).ravel(), [-1, 1])


def test_inception_preprocessing_and_features_with_random_weights():
    extractor = InceptionFeatures(weights=None, batch_size=2)
    images = np.random.default_rng(0).uniform(-1, 1, size=(3, 28, 28, 1)).astype("float32")
    resized = extractor.preprocess(images).numpy()
    assert resized.shape == (3, 299, 299, 3)
    assert resized.min() >= -1.0 and resized.max() <= 1.0
    np.testing.assert_array_equal(resized[..., 0], resized[..., 2])  # gray tiled to RGB
    # bilinear upsampling keeps the mean and shrinks the range only a little
    assert resized.mean() == pytest.approx(images.mean(), abs=0.02)
    feats = extractor.features(images)
    assert feats.shape == (3, 2048) and np.all(np.isfinite(feats))
    with pytest.raises(ValueError, match="include_top=True"):
        extractor.predict_probabilities(images)


def _online() -> bool:
    try:
        socket.getaddrinfo("storage.googleapis.com", 443)
        return True
    except OSError:
        return False


def test_offline_without_weights_raises_a_clear_error(tmp_path):
    if _online():
        pytest.skip("online: would download the Inception weights")
    with pytest.raises(InceptionWeightsError) as info:
        InceptionFeatures(weights="imagenet", cache_dir=tmp_path)
    message = str(info.value)
    expected = tmp_path / "models" / "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
    assert str(expected) in message
    assert "weights=" in message


def test_missing_weights_file_is_named(tmp_path):
    missing = tmp_path / "nope.h5"
    with pytest.raises(FileNotFoundError, match="nope.h5"):
        InceptionFeatures(weights=str(missing))
    with pytest.raises(FileNotFoundError, match="nope.h5"):
        MnistFeatures(weights=missing)
