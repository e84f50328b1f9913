"""Inception score (Salimans, Goodfellow, Zaremba, Cheung, Radford, Chen 2016, "Improved
Techniques for Training GANs", NeurIPS):

    IS = exp( E_x KL( p(y|x) || p(y) ) ),  p(y) = E_x p(y|x),

computed on each of ``splits`` contiguous parts of the predictions; mean and std over parts.
IS ranges from 1 (all predictions identical) to the number of classes (confident predictions
spread uniformly over the classes).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from tfgan_zoo.metrics._types import MeanStd


def check_probabilities(probabilities: Any, atol: float = 1e-3) -> np.ndarray:
    """Validate class probabilities (N, classes): non-negative rows summing to 1."""
    if hasattr(probabilities, "numpy"):
        probabilities = probabilities.numpy()
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(
            f"Expected probabilities of rank 2 (samples, classes), got shape {p.shape}."
        )
    if p.shape[0] < 1 or p.shape[1] < 1:
        raise ValueError(f"Expected at least one sample and one class, got shape {p.shape}.")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("Expected finite, non-negative probabilities.")
    sums = p.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1.0)))
    if abs(sums[worst] - 1.0) > atol:
        raise ValueError(
            f"Expected each row of probabilities to sum to 1, row {worst} sums to "
            f"{sums[worst]:.6g}; pass softmax outputs, not logits."
        )
    return p


def inception_score(probabilities: Any, splits: int = 10) -> MeanStd:
    """Inception score (Salimans et al. 2016) of class probabilities p(y|x), (N, classes):
    mean and std over ``splits`` contiguous parts. Terms with p(y|x) = 0 contribute 0."""
    p = check_probabilities(probabilities)
    n = p.shape[0]
    if not 1 <= splits <= n:
        raise ValueError(f"Expected 1 <= splits <= number of samples ({n}), got splits={splits}.")
    scores = np.empty(splits)
    for i in range(splits):
        part = p[i * n // splits : (i + 1) * n // splits]
        marginal = part.mean(axis=0, keepdims=True)
        positive = part > 0
        terms = np.zeros_like(part)
        terms[positive] = part[positive] * (
            np.log(part[positive]) - np.log(np.broadcast_to(marginal, part.shape)[positive])
        )
        scores[i] = np.exp(terms.sum(axis=1).mean())
    return MeanStd(float(scores.mean()), float(scores.std()))
