"""Toy 2-D mixtures used for mode-coverage experiments.

ring8 and grid25 follow the protocol of Metz et al. 2016 (Unrolled GANs) and Srivastava et al.
2017 (VEEGAN): ring8 is 8 Gaussians at (cos 2 pi i/8, sin 2 pi i/8) with std 0.01; grid25 is 25
Gaussians at {-4, -2, 0, 2, 4}^2 with std 0.05.
"""
from __future__ import annotations

import numpy as np

TOY_DATASETS = ("ring8", "grid25")


def toy_means(name: str) -> np.ndarray:
    """The mixture means of a toy dataset, shape (modes, 2), float32."""
    if name == "ring8":
        angles = 2.0 * np.pi * np.arange(8) / 8
        return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype("float32")
    if name == "grid25":
        axis = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
        xs, ys = np.meshgrid(axis, axis, indexing="ij")
        return np.stack([xs.ravel(), ys.ravel()], axis=1).astype("float32")
    raise ValueError(f"Unknown toy dataset {name!r}; expected one of {TOY_DATASETS}.")


def toy_std(name: str) -> float:
    """The per-mode standard deviation of a toy dataset."""
    if name == "ring8":
        return 0.01
    if name == "grid25":
        return 0.05
    raise ValueError(f"Unknown toy dataset {name!r}; expected one of {TOY_DATASETS}.")


def sample_toy(name: str, num: int, seed: int | None = None) -> np.ndarray:
    """Draw `num` points of a toy mixture, modes chosen uniformly; shape (num, 2), float32."""
    if num < 1:
        raise ValueError(f"Expected a positive number of samples, got num={num}.")
    rng = np.random.default_rng(seed)
    means = toy_means(name)
    modes = rng.integers(0, len(means), size=num)
    noise = rng.normal(0.0, toy_std(name), size=(num, 2))
    return (means[modes] + noise).astype("float32")
