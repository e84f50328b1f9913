"""The embedded MNIST subset: 5,000 digits (500 per class), fixed stratified split of
4,000 train / 1,000 held-out (400 / 100 per class). MNIST: LeCun, Cortes, Burges; CC BY-SA 3.0.
"""
from __future__ import annotations

import functools
import importlib.resources

import numpy as np

from tfgan_zoo.data.spec import MNIST5K_SPLITS

MNIST5K_FILE = "mnist5k.npz"
MNIST5K_CLASS_NAMES = tuple(str(d) for d in range(10))


@functools.lru_cache(maxsize=1)
def _read() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    resource = importlib.resources.files("tfgan_zoo.data").joinpath("files", MNIST5K_FILE)
    with resource.open("rb") as handle, np.load(handle) as arrays:
        images = arrays["images"][..., None].astype(np.uint8)
        labels = arrays["labels"].astype(np.int32)
        heldout = arrays["heldout"].astype(bool)
    for array in (images, labels, heldout):
        array.setflags(write=False)
    return images, labels, heldout


def mnist5k_indices(split: str = "train") -> np.ndarray:
    """Indices into the 5,000 digits of a split ('train', 'heldout' or 'all')."""
    if split not in MNIST5K_SPLITS:
        raise ValueError(
            f"Unknown mnist5k split {split!r}; expected one of {', '.join(MNIST5K_SPLITS)}."
        )
    _, _, heldout = _read()
    if split == "all":
        return np.arange(len(heldout))
    return np.flatnonzero(heldout if split == "heldout" else ~heldout)


def load_mnist5k(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """The embedded MNIST subset as (images uint8 (N, 28, 28, 1), labels int32 (N,)).

    split: 'train' (4,000), 'heldout' (1,000) or 'all' (5,000); stratified, fixed forever.
    """
    images, labels, _ = _read()
    index = mnist5k_indices(split)
    return images[index], labels[index]
