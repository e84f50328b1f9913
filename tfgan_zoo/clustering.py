"""k-means clusters of a dataset's images, the pseudo-labels of `training.ClusteredGAN`.

Lucic et al. 2019 ("High-Fidelity Image Generation With Fewer Labels", sec. 3.1, "Clustering")
train a conditional GAN on the k-means cluster assignments of the training images instead of
human labels. They cluster self-supervised features; with no pretrained network offline, this
module clusters the images themselves, projected on their top principal components (digits in
PCA-50 pixel space: 20 clusters are 71% pure by digit on mnist5k).

    fit = fit_kmeans(images, clusters=20)              # numpy, deterministic for a seed
    fit.assign(features(images, fit.pool))             # the nearest centroid of each image

Pure numpy: PCA by an SVD, k-means++ seeding (Arthur & Vassilvitskii 2007), Lloyd iterations
until no assignment changes, the lowest within-cluster sum of squares of `restarts` seedings.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Images wider than this are average-pooled to it before the PCA (the clustering needs the
#: layout of an image, not its fine detail, and the SVD's cost grows with the pixel count).
MAX_SIDE = 32


def pool_factor(side: int) -> int:
    """The average-pooling factor that brings a side to at most MAX_SIDE (1 for digits)."""
    factor = 1
    while side // factor > MAX_SIDE and side % (2 * factor) == 0:
        factor *= 2
    return factor


def features(images: np.ndarray, pool: int) -> np.ndarray:
    """(N, H, W, C) images in [-1, 1] -> (N, H/pool * W/pool * C) float64 rows."""
    images = np.asarray(images, np.float64)
    n, h, w, c = images.shape
    if pool > 1:
        images = images.reshape(n, h // pool, pool, w // pool, pool, c).mean(axis=(2, 4))
    return images.reshape(n, -1)


def squared_distances(points: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """(N, K) squared Euclidean distances, ||p||^2 - 2 p.c + ||c||^2 (no (N, K, D) array)."""
    distances = (points**2).sum(1)[:, None] - 2.0 * points @ centroids.T + (centroids**2).sum(1)[None, :]
    return np.maximum(distances, 0.0)


@dataclass(frozen=True)
class KMeansFit:
    """A fitted clustering: the PCA (`mean`, `basis` of shape (D, components)), the centroids in
    its space (K, components), each cluster's share of the fitted images, the pooling factor."""

    mean: np.ndarray
    basis: np.ndarray
    centroids: np.ndarray
    frequencies: np.ndarray
    pool: int

    def project(self, rows: np.ndarray) -> np.ndarray:
        return (rows - self.mean) @ self.basis

    def assign(self, rows: np.ndarray) -> np.ndarray:
        """The nearest centroid (int32) of each feature row (`features(images, fit.pool)`)."""
        return squared_distances(self.project(rows), self.centroids).argmin(1).astype(np.int32)


def _seed_centroids(points: np.ndarray, clusters: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++: each next centroid drawn with probability proportional to D(x)^2."""
    chosen = [int(rng.integers(len(points)))]
    nearest = squared_distances(points, points[chosen])[:, 0]
    for _ in range(clusters - 1):
        total = nearest.sum()
        index = int(rng.choice(len(points), p=nearest / total)) if total > 0 else int(rng.integers(len(points)))
        chosen.append(index)
        nearest = np.minimum(nearest, squared_distances(points, points[index : index + 1])[:, 0])
    return points[chosen].copy()


def lloyd(points: np.ndarray, centroids: np.ndarray, iterations: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Lloyd's k-means from `centroids` until no assignment changes (at most `iterations`):
    (centroids, assignments, within-cluster sum of squares). An emptied cluster keeps its centroid."""
    assignments = None
    for _ in range(iterations):
        new = squared_distances(points, centroids).argmin(1)
        if assignments is not None and np.array_equal(new, assignments):
            break
        assignments = new
        for k in range(len(centroids)):
            members = points[assignments == k]
            if len(members):
                centroids[k] = members.mean(0)
    assignments = squared_distances(points, centroids).argmin(1)
    inertia = float(((points - centroids[assignments]) ** 2).sum())
    return centroids, assignments, inertia


def fit_kmeans(images: np.ndarray, clusters: int, components: int = 50, restarts: int = 3,
               iterations: int = 100, seed: int = 0) -> KMeansFit:
    """k-means with `clusters` centroids on the top `components` principal components of the
    images ((N, H, W, C) in [-1, 1]); the best of `restarts` k-means++ seedings."""
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"Expected images of shape (N, H, W, C), got shape {images.shape}.")
    if isinstance(clusters, bool) or int(clusters) != clusters or not 2 <= clusters <= len(images):
        raise ValueError(f"clusters must be an integer in [2, {len(images)}] (the number of images), got {clusters!r}.")
    if isinstance(components, bool) or int(components) != components or components < 1:
        raise ValueError(f"components must be an integer >= 1, got {components!r}.")
    pool = pool_factor(images.shape[1])
    rows = features(images, pool)
    mean = rows.mean(0)
    _, _, vt = np.linalg.svd(rows - mean, full_matrices=False)
    basis = vt[: min(int(components), vt.shape[0])].T
    points = (rows - mean) @ basis
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(max(1, int(restarts))):
        centroids, assignments, inertia = lloyd(points, _seed_centroids(points, int(clusters), rng), iterations)
        if best is None or inertia < best[2]:
            best = (centroids, assignments, inertia)
    centroids, assignments, _ = best
    frequencies = np.bincount(assignments, minlength=int(clusters)) / len(assignments)
    return KMeansFit(mean, basis, centroids, frequencies, pool)


__all__ = ["KMeansFit", "MAX_SIDE", "features", "fit_kmeans", "lloyd", "pool_factor", "squared_distances"]
