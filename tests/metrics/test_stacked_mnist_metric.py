"""The Stacked MNIST mode metric: modes covered (of 1,000) and KL(generated modes || uniform)."""
import numpy as np
import pytest

from tfgan_zoo import data
from tfgan_zoo.data.stacked_mnist import stack_digits
from tfgan_zoo.metrics.features import MnistFeatures
from tfgan_zoo.metrics.stacked_mnist import classify_stacked_digits, stacked_mnist_modes


@pytest.fixture(scope="module")
def mnist():
    return MnistFeatures()


class TrueDigits:
    """A stand-in classifier that knows every held-out mnist5k digit's label (by its pixels), so
    the counting can be checked on the protocol's 26,000 samples without running the CNN."""

    def __init__(self):
        digits, labels = data.load_mnist5k("heldout")
        self.labels = {d.tobytes(): int(y) for d, y in zip(digits, labels)}

    def predict_labels(self, channel):
        pixels = np.round((np.asarray(channel) + 1.0) * 127.5).astype(np.uint8)
        return np.array([self.labels[p.tobytes()] for p in pixels])


def test_ten_chosen_triples_cover_exactly_ten_modes(mnist):
    digits, labels = data.load_mnist5k("heldout")
    correct = np.flatnonzero(mnist.predict_labels(digits) == labels)  # digits it reads right
    triples = [(0, 0, 0), (1, 2, 3), (9, 9, 9), (4, 5, 6), (7, 8, 9), (3, 1, 4), (2, 7, 1), (8, 0, 8),
               (5, 5, 0), (6, 1, 9)]
    rng = np.random.default_rng(0)
    index = np.concatenate([
        np.stack([rng.choice(correct[labels[correct] == d], 40) for d in triple], axis=1)
        for triple in triples
    ])
    result = stacked_mnist_modes(stack_digits(digits, index), mnist)
    assert result["modes_covered"] == 10 and result["num_modes"] == 1000 and result["num_samples"] == 400
    # 10 equally frequent modes of 1,000: KL(p || uniform) = log(1000 / 10) exactly
    assert result["kl_to_uniform"] == pytest.approx(np.log(100.0), abs=1e-9)
    assert result["max_mode_fraction"] == pytest.approx(0.1)


def test_uniform_stacked_data_covers_all_modes_with_kl_near_zero():
    images, modes = data.load_stacked_mnist(26_000, split="heldout")
    result = stacked_mnist_modes(images, TrueDigits())
    assert result["modes_covered"] == 1000  # a mode is missed with probability e^-26
    # the empirical KL of 26,000 draws from a uniform 1,000-mode distribution is about
    # (K - 1) / 2N = 0.0192 (chi-square / 2N), with standard deviation ~0.0009
    assert result["kl_to_uniform"] == pytest.approx(999 / 52_000, abs=0.004)
    # and it is the KL of the modes' own histogram
    p = np.bincount(modes, minlength=1000) / len(modes)
    assert result["kl_to_uniform"] == pytest.approx(np.sum(p * np.log(p * 1000)), rel=1e-9)
    # one mode taking all: log 1000
    collapsed = stacked_mnist_modes(np.repeat(images[:1], 50, axis=0), TrueDigits())
    assert collapsed["modes_covered"] == 1 and collapsed["kl_to_uniform"] == pytest.approx(np.log(1000))


def test_the_shipped_classifier_reads_the_three_channels(mnist):
    images, modes = data.load_stacked_mnist(1000, split="heldout")
    digits = classify_stacked_digits(images, mnist)
    assert digits.shape == (1000, 3)
    # 98.6% per digit on the held-out split, so about 0.986^3 = 96% of the modes are read right
    assert np.mean(data.mode_of_digits(digits) == modes) > 0.93
    # the same on [-1, 1] floats as on uint8
    np.testing.assert_array_equal(classify_stacked_digits(images[:50] / 127.5 - 1.0, mnist), digits[:50])


def test_bad_input():
    with pytest.raises(ValueError, match=r"Expected Stacked MNIST images with 3 channels \(one digit each\), "
                                         r"got shape \(4, 28, 28, 1\)"):
        stacked_mnist_modes(np.zeros((4, 28, 28, 1), np.uint8), TrueDigits())
    with pytest.raises(ValueError, match=r"Expected images of rank 4"):
        stacked_mnist_modes(np.zeros((28, 28), np.uint8), TrueDigits())
