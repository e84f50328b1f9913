"""Improved precision and recall (Kynkaanniemi, Karras, Laine, Lehtinen, Aila 2019, "Improved
Precision and Recall Metric for Assessing Generative Models", NeurIPS).

Each set's manifold is the union of balls around its samples, each ball reaching that sample's
k-th nearest neighbour in the same set (the sample itself excluded). Precision is the fraction
of generated samples inside the real manifold; recall the fraction of real samples inside the
generated manifold.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from tfgan_zoo.metrics.fid import _as_features


def _squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d2 = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :] - 2.0 * (a @ b.T)
    return np.maximum(d2, 0.0)


def _kth_neighbour_radii2(x: np.ndarray, k: int, batch_size: int) -> np.ndarray:
    """Squared distance of every row of x to its k-th nearest other row."""
    radii = np.empty(x.shape[0])
    for start in range(0, x.shape[0], batch_size):
        d2 = _squared_distances(x[start : start + batch_size], x)
        # index 0 of the sorted row is the sample itself (distance 0), so index k is the
        # k-th nearest neighbour.
        radii[start : start + batch_size] = np.partition(d2, k, axis=1)[:, k]
    return radii


def _fraction_inside(points: np.ndarray, centres: np.ndarray, radii2: np.ndarray,
                     batch_size: int) -> float:
    inside = 0
    for start in range(0, points.shape[0], batch_size):
        d2 = _squared_distances(points[start : start + batch_size], centres)
        inside += int(np.count_nonzero((d2 <= radii2[None, :]).any(axis=1)))
    return inside / points.shape[0]


def precision_recall(
    real_features: Any, fake_features: Any, k: int = 3, batch_size: int = 1000
) -> dict[str, float]:
    """Improved precision and recall (Kynkaanniemi et al. 2019) with k-NN balls (k=3 in the
    paper). Returns {"precision": float, "recall": float}; both 1 for identical sets.
    Distances are computed in blocks of ``batch_size`` rows."""
    real = _as_features(real_features, "real_features")
    fake = _as_features(fake_features, "fake_features")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"Feature dimensions differ: real_features has shape {real.shape}, "
            f"fake_features {fake.shape}."
        )
    if k < 1:
        raise ValueError(f"Expected k >= 1, got k={k}.")
    for name, array in (("real_features", real), ("fake_features", fake)):
        if array.shape[0] <= k:
            raise ValueError(
                f"Expected more than k={k} samples in {name}, got {array.shape[0]}."
            )
    if batch_size < 1:
        raise ValueError(f"Expected a positive batch_size, got {batch_size}.")
    centre = real.mean(axis=0)  # centring reduces round-off in the distance expansion
    real, fake = real - centre, fake - centre
    real_radii2 = _kth_neighbour_radii2(real, k, batch_size)
    fake_radii2 = _kth_neighbour_radii2(fake, k, batch_size)
    return {
        "precision": _fraction_inside(fake, real, real_radii2, batch_size),
        "recall": _fraction_inside(real, fake, fake_radii2, batch_size),
    }
