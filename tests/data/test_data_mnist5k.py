"""The embedded mnist5k subset and the in-memory pipeline."""
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import data


def _batches(dataset, count):
    it = iter(dataset)
    return [tuple(t.numpy() for t in next(it)) for _ in range(count)]


def test_split_sizes_and_stratification():
    train_x, train_y = data.load_mnist5k("train")
    held_x, held_y = data.load_mnist5k("heldout")
    all_x, all_y = data.load_mnist5k("all")
    assert train_x.shape == (4000, 28, 28, 1) and train_x.dtype == np.uint8
    assert held_x.shape == (1000, 28, 28, 1) and all_x.shape == (5000, 28, 28, 1)
    assert train_y.dtype == np.int32
    np.testing.assert_array_equal(np.bincount(train_y, minlength=10), [400] * 10)
    np.testing.assert_array_equal(np.bincount(held_y, minlength=10), [100] * 10)
    np.testing.assert_array_equal(np.bincount(all_y, minlength=10), [500] * 10)
    # The two splits partition the 5,000 digits.
    train_set = {x.tobytes() + bytes([y]) for x, y in zip(train_x, train_y)}
    held_set = {x.tobytes() + bytes([y]) for x, y in zip(held_x, held_y)}
    assert not train_set & held_set
    assert len(train_set | held_set) == len({x.tobytes() + bytes([y]) for x, y in zip(all_x, all_y)})
    assert all_x.min() == 0 and all_x.max() == 255
    with pytest.raises(ValueError, match=r"Unknown mnist5k split 'val'; expected one of train"):
        data.load_mnist5k("val")


@pytest.mark.parametrize("cache", [True, False])
def test_pixels_mapped_exactly_and_labels_kept(cache):
    images, labels = data.load_mnist5k("heldout")
    ds = data.load("mnist5k:heldout", 250, shuffle=False, repeat=False, cache=cache)
    x = np.concatenate([b[0] for b in ds.as_numpy_iterator()])
    y = np.concatenate([b[1] for b in ds.as_numpy_iterator()])
    assert x.dtype == np.float32 and y.dtype == np.int32 and x.shape == (1000, 28, 28, 1)
    expected = images.astype(np.float32) / np.float32(127.5) - np.float32(1.0)
    np.testing.assert_array_equal(x, expected)
    np.testing.assert_array_equal(y, labels)
    assert x[images == 0].max() == -1.0 and x[images == 255].min() == 1.0


def test_one_epoch_visits_every_example_once():
    ds = data.load("mnist5k", 100, seed=3, repeat=False)
    labels = np.concatenate([y for _, y in ds.as_numpy_iterator()])
    assert labels.shape == (4000,)
    np.testing.assert_array_equal(np.bincount(labels), [400] * 10)
    # ...in shuffled order.
    assert not np.array_equal(labels, data.load_mnist5k("train")[1])


def test_seed_determinism():
    first = _batches(data.load("mnist5k", 32, seed=7), 3)
    again = _batches(data.load("mnist5k", 32, seed=7), 3)
    other = _batches(data.load("mnist5k", 32, seed=8), 3)
    for (xa, ya), (xb, yb) in zip(first, again):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(first[0][0], other[0][0])


def test_repeat_and_drop_remainder():
    ds = data.load("mnist5k:heldout", 300, shuffle=False, repeat=False, drop_remainder=True)
    assert [len(y) for _, y in ds.as_numpy_iterator()] == [300, 300, 300]
    ds = data.load("mnist5k:heldout", 300, shuffle=False, repeat=False, drop_remainder=False)
    assert [len(y) for _, y in ds.as_numpy_iterator()] == [300, 300, 300, 100]
    ds = data.load("mnist5k:heldout", 300, shuffle=False)  # repeats: crosses the epoch boundary
    assert ds.element_spec[0].shape == (300, 28, 28, 1)
    batches = list(ds.take(5).as_numpy_iterator())
    assert len(batches) == 5
    np.testing.assert_array_equal(batches[3][1][100:], batches[0][1][:200])


def test_labels_optional_and_resolution_channels():
    ds = data.load("mnist5k", 16, with_labels=False, resolution=32, channels=3, seed=0)
    assert isinstance(ds.element_spec, tf.TensorSpec)
    assert ds.element_spec.shape == (16, 32, 32, 3)
    x = next(iter(ds)).numpy()
    np.testing.assert_array_equal(x[..., 0], x[..., 2])  # 1 -> 3 tiles
    assert x.min() >= -1.0 and x.max() <= 1.0


def test_as_numpy_images():
    images, labels = data.load_mnist5k("train")
    x = data.as_numpy_images("mnist5k", 700)
    assert x.shape == (700, 28, 28, 1) and x.dtype == np.float32
    # a seeded shuffled draw: every image is a train image, all digits are represented (the file is
    # sorted by digit, so the first 700 would hold only 0s and 1s), and the seed fixes the draw
    scaled = images.astype(np.float32) / np.float32(127.5) - 1
    index = {scaled[i].tobytes(): int(label) for i, label in enumerate(labels)}
    drawn = [index[image.tobytes()] for image in x]
    assert len(set(drawn)) == 10 and max(np.bincount(drawn)) < 120
    np.testing.assert_array_equal(x, data.as_numpy_images("mnist5k", 700))
    assert not np.array_equal(x, data.as_numpy_images("mnist5k", 700, seed=1))
    assert data.as_numpy_images("mnist5k:heldout", 5, resolution=14).shape == (5, 14, 14, 1)
    with pytest.raises(ValueError, match=r"num=1001 images but 'mnist5k:heldout' holds only 1000"):
        data.as_numpy_images("mnist5k:heldout", 1001)


@pytest.mark.parametrize("bad", [0, -4, 2.5, True])
def test_bad_batch_size(bad):
    with pytest.raises(ValueError, match=rf"Expected batch_size to be an integer >= 1, got batch_size={bad!r}"):
        data.load("mnist5k", bad)


def test_batch_larger_than_single_pass():
    with pytest.raises(ValueError, match=r"Empty dataset: 'mnist5k:heldout' has 1000 examples, fewer than batch_size=1024"):
        data.load("mnist5k:heldout", 1024, repeat=False)
    # With repeat, a batch larger than the data is fine.
    assert next(iter(data.load("mnist5k:heldout", 1024)))[0].shape == (1024, 28, 28, 1)


def test_bad_channels_and_resolution():
    with pytest.raises(ValueError, match=r"channels to be None, 1 \(grayscale\) or 3 \(RGB\), got channels=4"):
        data.load("mnist5k", 8, channels=4)
    with pytest.raises(ValueError, match=r"resolution to be an integer >= 1, got resolution=0"):
        data.load("mnist5k", 8, resolution=0)


def test_unknown_split_argument():
    with pytest.raises(ValueError, match=r"Unknown mnist5k split 'test'; expected one of train, heldout, all"):
        data.load("mnist5k", 8, split="test")
