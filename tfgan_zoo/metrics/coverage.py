"""Mode and class coverage.

Toy protocol (Metz et al. 2016, Unrolled GANs; Srivastava et al. 2017, VEEGAN), as in
docs/architecture.md: ring8 is 8 Gaussians on the unit circle (std 0.01), grid25 25 Gaussians on
{-4, -2, 0, 2, 4}^2 (std 0.05). Draw 2,500 generator samples; a sample is high quality if it
lies within 3 standard deviations of its nearest mean; a mode is covered if it is the nearest
mean of at least one high-quality sample. Report modes covered and percent high quality, mean
over seeds (:func:`average_coverage`).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np

from tfgan_zoo.data.toy import TOY_DATASETS, toy_means, toy_std

#: The number of generator samples the toy protocol draws.
TOY_PROTOCOL_SAMPLES = 2500


def mode_coverage(samples: Any, dataset: str = "ring8") -> dict[str, Any]:
    """Modes covered and percent high-quality samples of 2-D ``samples`` (N, 2) for the toy
    ``dataset`` ("ring8" or "grid25"), by the protocol above.

    Returns {"modes_covered": int, "num_modes": int, "high_quality_percent": float,
    "num_samples": int}.
    """
    if dataset not in TOY_DATASETS:
        raise ValueError(f"Unknown toy dataset {dataset!r}; expected one of {TOY_DATASETS}.")
    return coverage_of_means(samples, toy_means(dataset), toy_std(dataset))


def coverage_of_means(samples: Any, means: Any, std: float) -> dict[str, Any]:
    """The toy protocol for any mixture of equal-std Gaussians with the given ``means`` (M, 2):
    high quality within 3 ``std`` of the nearest mean, a mode covered by one such sample."""
    nearest, high_quality = nearest_modes(samples, means, std)
    return {
        "modes_covered": int(np.unique(nearest[high_quality]).size),
        "num_modes": int(np.shape(means)[0]),
        "high_quality_percent": float(100.0 * high_quality.mean()),
        "num_samples": int(nearest.shape[0]),
    }


def nearest_modes(samples: Any, means: Any, std: float) -> tuple[np.ndarray, np.ndarray]:
    """Per sample: the index of its nearest mean, and whether it lies within 3 ``std`` of it."""
    if hasattr(samples, "numpy"):
        samples = samples.numpy()
    points = np.asarray(samples, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] < 1:
        raise ValueError(
            f"Expected 2-D points of shape (samples, 2), got shape {points.shape}."
        )
    if not np.all(np.isfinite(points)):
        raise ValueError("Expected finite sample coordinates, got NaN or infinity.")
    means = np.asarray(means, dtype=np.float64)
    if means.ndim != 2 or means.shape[1] != 2 or means.shape[0] < 1:
        raise ValueError(f"Expected mixture means of shape (modes, 2), got shape {means.shape}.")
    if not float(std) > 0.0:
        raise ValueError(f"Expected a positive mode std, got {std!r}.")
    d2 = ((points[:, None, :] - means[None, :, :]) ** 2).sum(axis=-1)
    nearest = np.argmin(d2, axis=1)
    distance = np.sqrt(d2[np.arange(points.shape[0]), nearest])
    return nearest, distance <= 3.0 * float(std)


def class_coverage(labels_predicted: Any, num_classes: int) -> dict[str, Any]:
    """Class coverage of predicted labels (N,) in [0, num_classes): classes hit at least once,
    the largest and the smallest class share, and KL(p || uniform) in nats of the label histogram p (0 when
    every class is equally frequent, log(num_classes) when one class takes all)."""
    if num_classes < 1:
        raise ValueError(f"Expected num_classes >= 1, got {num_classes}.")
    if hasattr(labels_predicted, "numpy"):
        labels_predicted = labels_predicted.numpy()
    labels = np.asarray(labels_predicted)
    if labels.ndim != 1 or labels.shape[0] < 1:
        raise ValueError(f"Expected labels of shape (samples,), got shape {labels.shape}.")
    if not np.issubdtype(labels.dtype, np.integer):
        if np.issubdtype(labels.dtype, np.floating) and np.all(labels == np.round(labels)):
            labels = labels.astype(np.int64)
        else:
            raise ValueError(f"Expected integer class labels, got dtype {labels.dtype}.")
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= num_classes:
        raise ValueError(
            f"Expected labels in [0, {num_classes - 1}], got values in [{low}, {high}]."
        )
    p = np.bincount(labels, minlength=num_classes) / labels.shape[0]
    hit = p > 0
    kl = float(np.sum(p[hit] * np.log(p[hit] * num_classes)))
    return {
        "classes_covered": int(hit.sum()),
        "num_classes": int(num_classes),
        "max_class_fraction": float(p.max()),
        "min_class_fraction": float(p.min()),
        "kl_to_uniform": max(kl, 0.0),
    }


#: A sample is "confidently classified" when the classifier's largest softmax probability exceeds this.
CONFIDENCE_THRESHOLD = 0.9


def confident_fraction(probabilities: Any, threshold: float = CONFIDENCE_THRESHOLD) -> float:
    """The share of samples whose largest class probability (a row of ``probabilities`` (N, K),
    a classifier's softmax) is above ``threshold``: a sample-quality figure that, unlike FID,
    counts the malformed samples a classifier cannot read (real held-out mnist5k digits: 0.98
    with the shipped MNIST classifier)."""
    if hasattr(probabilities, "numpy"):
        probabilities = probabilities.numpy()
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] < 1 or p.shape[1] < 2:
        raise ValueError(f"Expected class probabilities of shape (samples, classes >= 2), got shape {p.shape}.")
    if not 0.0 < float(threshold) < 1.0:
        raise ValueError(f"Expected a confidence threshold in (0, 1), got {threshold!r}.")
    return float(np.mean(p.max(axis=1) > float(threshold)))


def average_coverage(results: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Mean and std over seeds of the numeric entries of several :func:`mode_coverage` (or
    :func:`class_coverage`) results: {"<key>_mean": ..., "<key>_std": ..., "num_runs": n}."""
    results = list(results)
    if not results:
        raise ValueError("Expected at least one coverage result to average, got none.")
    summary: dict[str, float] = {"num_runs": len(results)}
    for key in results[0]:
        values = np.array([float(r[key]) for r in results])
        summary[f"{key}_mean"] = float(values.mean())
        summary[f"{key}_std"] = float(values.std())
    return summary
