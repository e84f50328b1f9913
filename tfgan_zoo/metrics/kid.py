"""Kernel Inception Distance (Binkowski, Sutherland, Arbel, Gretton 2018, "Demystifying MMD
GANs", ICLR): the unbiased estimator of the squared maximum mean discrepancy between two
feature sets with the cubic polynomial kernel k(x, y) = (x . y / d + 1)^3, averaged over
random subsets.

For subsets X, Y of size m:
    MMD^2_u = sum_{i != j} k(x_i, x_j) / (m (m-1)) + sum_{i != j} k(y_i, y_j) / (m (m-1))
              - 2 sum_{i, j} k(x_i, y_j) / m^2
"""
from __future__ import annotations

from typing import Any

import numpy as np

from tfgan_zoo.metrics._types import MeanStd
from tfgan_zoo.metrics.fid import _as_features


def polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The KID kernel matrix (x . y / d + 1)^3 between rows of x (n, d) and y (m, d)."""
    d = x.shape[1]
    return (x @ y.T / d + 1.0) ** 3


def mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 between equal-size samples x, y (m, d) with :func:`polynomial_kernel`."""
    m = x.shape[0]
    k_xx = polynomial_kernel(x, x)
    k_yy = polynomial_kernel(y, y)
    k_xy = polynomial_kernel(x, y)
    off_diagonal = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(off_diagonal - 2.0 * k_xy.sum() / (m * m))


def kernel_inception_distance(
    features1: Any,
    features2: Any,
    num_subsets: int = 100,
    subset_size: int = 1000,
    seed: int | None = 0,
) -> MeanStd:
    """KID (Binkowski et al. 2018): mean and std of the unbiased MMD^2 (cubic polynomial
    kernel) over ``num_subsets`` random subsets of ``subset_size`` samples drawn without
    replacement from each set; ``subset_size`` is capped at the smaller sample count.
    Unbiased, so it can be slightly negative for identical distributions.
    """
    f1 = _as_features(features1, "features1")
    f2 = _as_features(features2, "features2")
    if f1.shape[1] != f2.shape[1]:
        raise ValueError(
            f"Feature dimensions differ: features1 has shape {f1.shape}, features2 {f2.shape}."
        )
    if num_subsets < 1:
        raise ValueError(f"Expected num_subsets >= 1, got {num_subsets}.")
    if subset_size < 2:
        raise ValueError(f"Expected subset_size >= 2, got {subset_size}.")
    m = min(int(subset_size), f1.shape[0], f2.shape[0])
    if m < 2:
        raise ValueError(
            f"KID needs at least 2 samples in each set, got {f1.shape[0]} and {f2.shape[0]}."
        )
    rng = np.random.default_rng(seed)
    values = np.empty(num_subsets)
    for i in range(num_subsets):
        x = f1[rng.choice(f1.shape[0], m, replace=False)]
        y = f2[rng.choice(f2.shape[0], m, replace=False)]
        values[i] = mmd2_unbiased(x, y)
    return MeanStd(float(values.mean()), float(values.std()))
