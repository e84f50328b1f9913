"""Stacked MNIST (Metz et al. 2016, Unrolled GANs; Srivastava et al. 2017, VEEGAN; Lin et al.
2018, PacGAN): three digits drawn independently and uniformly, with replacement, become the red,
green and blue channels of one 28 x 28 image, so the data has 10^3 = 1,000 modes; the label of
an image is its mode 100 * a + 10 * b + c for digits (a, b, c) in (R, G, B).

Built from the embedded mnist5k digits (the published sets draw from all 70,000 MNIST digits):
by default from its 4,000-digit train split, the digits the shipped MNIST classifier was trained
on. `stacked_mnist:N` is N images (default 128,000, VEEGAN's and PacGAN's training-set size);
the triples come from a fixed seed, so a spec always names the same images.
"""
from __future__ import annotations

import functools

import numpy as np

from tfgan_zoo.data.mnist5k import load_mnist5k
from tfgan_zoo.data.spec import STACKED_MNIST_DEFAULT_SIZE, STACKED_MNIST_MAX_SIZE

STACKED_MNIST_NUM_MODES = 1000
#: The seed of the digit triples: stacked_mnist:N is one fixed set of images.
STACKED_MNIST_SEED = 20161104  # the Unrolled GAN paper's arXiv date


def mode_of_digits(digits: np.ndarray) -> np.ndarray:
    """Digit triples (N, 3) in channel order (R, G, B) -> modes 100 a + 10 b + c, int32 (N,)."""
    digits = np.asarray(digits)
    if digits.ndim != 2 or digits.shape[1] != 3:
        raise ValueError(f"Expected digit triples of shape (N, 3), got shape {digits.shape}.")
    return (100 * digits[:, 0] + 10 * digits[:, 1] + digits[:, 2]).astype(np.int32)


@functools.lru_cache(maxsize=4)
def stacked_mnist_indices(num: int = STACKED_MNIST_DEFAULT_SIZE, split: str = "train") -> np.ndarray:
    """(num, 3) int32 indices into `load_mnist5k(split)`: the digits of each image's R, G, B
    channels, drawn uniformly with replacement with STACKED_MNIST_SEED (read-only)."""
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or not 1 <= num <= STACKED_MNIST_MAX_SIZE:
        raise ValueError(
            f"Expected the number of stacked images to be an integer from 1 to "
            f"{STACKED_MNIST_MAX_SIZE:,}, got {num!r}."
        )
    digits = len(load_mnist5k(split)[1])
    rng = np.random.default_rng(STACKED_MNIST_SEED)
    index = rng.integers(0, digits, size=(int(num), 3), dtype=np.int64).astype(np.int32)
    index.setflags(write=False)
    return index


def stacked_mnist_labels(num: int = STACKED_MNIST_DEFAULT_SIZE, split: str = "train") -> np.ndarray:
    """The modes (int32 (num,), 0..999) of `stacked_mnist:num`."""
    _, digit_labels = load_mnist5k(split)
    return mode_of_digits(digit_labels[stacked_mnist_indices(num, split)])


def stack_digits(digits: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Digits (M, 28, 28[, 1]) and index triples (N, 3) -> images (N, 28, 28, 3): channel k of
    image i is digits[index[i, k]]."""
    digits = np.asarray(digits)
    if digits.ndim == 4:
        digits = digits[..., 0]
    return np.stack([digits[index[:, k]] for k in range(3)], axis=-1)


def load_stacked_mnist(
    num: int = STACKED_MNIST_DEFAULT_SIZE, split: str = "train"
) -> tuple[np.ndarray, np.ndarray]:
    """`stacked_mnist:num` as (images uint8 (num, 28, 28, 3), modes int32 (num,)), stacked from
    the digits of mnist5k's `split` ('train' by default, 'heldout' or 'all')."""
    digits, _ = load_mnist5k(split)
    return stack_digits(digits, stacked_mnist_indices(num, split)), stacked_mnist_labels(num, split)
