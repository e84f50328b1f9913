"""stacked_mnist[:N]: three mnist5k digits as the R, G, B channels of one image (1,000 modes)."""
import numpy as np
import pytest

from tfgan_zoo import data
from tfgan_zoo.data.stacked_mnist import stacked_mnist_indices


def test_channels_are_exact_mnist5k_digits_and_labels_their_mode():
    digits, digit_labels = data.load_mnist5k("train")
    index = stacked_mnist_indices(500)
    assert index.shape == (500, 3) and index.min() >= 0 and index.max() < 4000
    images, modes = data.load_stacked_mnist(500)
    assert images.shape == (500, 28, 28, 3) and images.dtype == np.uint8 and modes.dtype == np.int32
    for channel in range(3):
        np.testing.assert_array_equal(images[..., channel], digits[index[:, channel], ..., 0])
    a, b, c = (digit_labels[index[:, k]] for k in range(3))
    np.testing.assert_array_equal(modes, 100 * a + 10 * b + c)
    np.testing.assert_array_equal(data.mode_of_digits(np.stack([a, b, c], 1)), modes)
    # the pipeline yields the same images, scaled exactly, with the modes as labels
    ds = data.load("stacked_mnist:500", 100, shuffle=False, repeat=False)
    x = np.concatenate([batch[0] for batch in ds.as_numpy_iterator()])
    y = np.concatenate([batch[1] for batch in ds.as_numpy_iterator()])
    np.testing.assert_array_equal(x, images.astype(np.float32) / np.float32(127.5) - np.float32(1.0))
    np.testing.assert_array_equal(y, modes)


def test_digits_are_drawn_uniformly_and_independently():
    # 128,000 images (the default, VEEGAN's and PacGAN's size): every mode occurs, each digit
    # index about equally often in every channel, and the channels are not correlated
    index = stacked_mnist_indices()
    assert index.shape == (128_000, 3)
    modes = data.describe("stacked_mnist")
    assert (modes.num_examples, modes.num_classes, modes.shape) == (128_000, 1000, (28, 28, 3))
    labels = data.load_stacked_mnist(128_000)[1]
    counts = np.bincount(labels, minlength=1000)
    assert counts.min() > 60 and counts.max() < 200  # mean 128
    # chi-square of the mode histogram against uniform: 999 degrees of freedom, sd 44.7
    # (the mnist5k train split has exactly 400 digits per class, so modes are uniform)
    chi2 = ((counts - 128.0) ** 2 / 128.0).sum()
    assert 999 - 4 * 44.7 < chi2 < 999 + 4 * 44.7
    assert abs(np.corrcoef(index[:, 0], index[:, 1])[0, 1]) < 0.02


def test_fixed_seed_split_and_size():
    first = data.load_stacked_mnist(300)[0]
    np.testing.assert_array_equal(first, data.load_stacked_mnist(300)[0])
    held, _ = data.load_stacked_mnist(300, split="heldout")
    held_digits = {d.tobytes() for d in data.load_mnist5k("heldout")[0][..., 0]}
    assert all(held[i, ..., k].tobytes() in held_digits for i in range(300) for k in range(3))
    assert data.describe("stacked_mnist:26000").num_examples == 26000
    assert data.as_numpy_images("stacked_mnist:1000", 40, resolution=32).shape == (40, 32, 32, 3)
    assert data.parse_spec("stacked_mnist:26000").size == 26000


@pytest.mark.parametrize("spec, shown", [("stacked_mnist:0", "'0'"), ("stacked_mnist:-5", "'-5'"),
                                         ("stacked_mnist:many", "'many'"), ("stacked_mnist:20000000", "'20000000'")])
def test_bad_size_is_one_clear_line(spec, shown):
    with pytest.raises(ValueError) as info:
        data.load(spec, 8)
    assert str(info.value) == (
        f"Expected the number of stacked images N in data spec {spec!r} (stacked_mnist[:N]) to be an "
        f"integer from 1 to 10,000,000, got {shown}."
    )


def test_bad_split():
    with pytest.raises(ValueError, match=r"Unknown split 'test' for 'stacked_mnist': stacked_mnist stacks the "
                                         r"digits of one mnist5k split; expected one of train, heldout, all"):
        data.describe("stacked_mnist", split="test")
