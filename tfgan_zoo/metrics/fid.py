"""Frechet Inception Distance (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update
Rule Converge to a Local Nash Equilibrium", NeurIPS).

    FID = ||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr sqrt(S1 S2)

The reference implementations take a general (non-symmetric) matrix square root of S1 S2
(``scipy.linalg.sqrtm``, a Schur decomposition) and keep its real part. Only the *trace* is
needed, and S1 S2 is similar to a symmetric positive semi-definite matrix: with any factor
S1 = A A^T, S1 S2 = A (A^T S2 A) A^{-1}, so the eigenvalues of S1 S2 are those of A^T S2 A,
which are real and >= 0, and tr sqrt(S1 S2) = sum_i sqrt(lambda_i(A^T S2 A)). We take A from a
Cholesky factorisation of S1 (or, when S1 is singular, the symmetric square root from its
eigendecomposition, negative round-off eigenvalues clipped to 0), then one symmetric eigenvalue
problem: about 15x faster than ``sqrtm`` at 2048-d (see bench/fid_speed.py).

Singular products (fewer samples than dimensions, dead features): as in the TTUR reference code,
``eps`` (1e-6) is added to the diagonal of both covariances and the trace recomputed. TTUR does
this when ``sqrtm`` returns non-finite values, which a singular product causes; here the
product counts as singular when A^T S2 A is rank deficient by numpy's ``matrix_rank`` criterion
(eigenvalue <= d * machine eps * largest eigenvalue), or when any value is non-finite. The
offset changes FID by O(sqrt(eps)) per missing direction; the result stays finite and close to
the reference.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

DEFAULT_EPS = 1e-6


def _as_features(features: Any, name: str = "features") -> np.ndarray:
    if hasattr(features, "numpy"):
        features = features.numpy()
    array = np.asarray(features, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(
            f"Expected {name} of rank 2 (samples, dims), got shape {array.shape}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"Expected finite {name}, got NaN or infinity.")
    return array


def feature_statistics(features: Any) -> tuple[np.ndarray, np.ndarray]:
    """Mean (d,) and covariance (d, d) with ddof=1 of features (N, d), float64."""
    array = _as_features(features)
    if array.shape[0] < 2:
        raise ValueError(
            "Expected at least 2 samples to estimate a covariance, got "
            f"{array.shape[0]} (features of shape {array.shape})."
        )
    mu = array.mean(axis=0)
    centred = array - mu
    sigma = centred.T @ centred / (array.shape[0] - 1)
    return mu, sigma


def _check_statistics(mu1: Any, sigma1: Any, mu2: Any, sigma2: Any):
    mu1 = np.atleast_1d(np.asarray(mu1, dtype=np.float64))
    mu2 = np.atleast_1d(np.asarray(mu2, dtype=np.float64))
    sigma1 = np.atleast_2d(np.asarray(sigma1, dtype=np.float64))
    sigma2 = np.atleast_2d(np.asarray(sigma2, dtype=np.float64))
    for name, mu in (("mu1", mu1), ("mu2", mu2)):
        if mu.ndim != 1:
            raise ValueError(f"Expected {name} of rank 1 (dims,), got shape {mu.shape}.")
    d = mu1.shape[0]
    if mu2.shape != (d,):
        raise ValueError(f"Mean dimensions differ: mu1 has shape {mu1.shape}, mu2 {mu2.shape}.")
    for name, sigma in (("sigma1", sigma1), ("sigma2", sigma2)):
        if sigma.shape != (d, d):
            raise ValueError(
                f"Expected {name} of shape ({d}, {d}) to match the means, got {sigma.shape}."
            )
    for name, value in (("mu1", mu1), ("sigma1", sigma1), ("mu2", mu2), ("sigma2", sigma2)):
        if not np.all(np.isfinite(value)):
            raise ValueError(f"Expected finite {name}, got NaN or infinity.")
    return mu1, sigma1, mu2, sigma2


def _symmetric_factor(sigma: np.ndarray) -> np.ndarray:
    """A with A A^T = sigma: Cholesky, or the PSD square root when sigma is singular."""
    try:
        return np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(sigma)
        return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def _product_eigenvalues(sigma1: np.ndarray, sigma2: np.ndarray) -> np.ndarray:
    """Eigenvalues of sigma1 @ sigma2 via the symmetric matrix A^T sigma2 A."""
    a = _symmetric_factor(sigma1)
    m = a.T @ sigma2 @ a
    return np.linalg.eigvalsh((m + m.T) * 0.5)


def trace_sqrt_product(sigma1: Any, sigma2: Any, eps: float = DEFAULT_EPS) -> float:
    """tr sqrt(sigma1 @ sigma2) for symmetric PSD matrices, via symmetric eigenvalues; with the
    TTUR eps offset on singular products (see the module docstring)."""
    sigma1 = np.asarray(sigma1, dtype=np.float64)
    sigma2 = np.asarray(sigma2, dtype=np.float64)
    sigma1 = (sigma1 + sigma1.T) * 0.5
    sigma2 = (sigma2 + sigma2.T) * 0.5
    lam = _product_eigenvalues(sigma1, sigma2)
    d = lam.shape[0]
    finite = bool(np.all(np.isfinite(lam)))
    top = float(np.max(np.abs(lam))) if finite and d else 0.0
    singular = (not finite) or bool(np.any(lam <= d * np.finfo(np.float64).eps * top))
    if singular and eps > 0:
        warnings.warn(
            f"FID: singular covariance product; adding {eps} to the diagonal of both "
            "covariances (as the TTUR reference code does).",
            RuntimeWarning,
            stacklevel=3,
        )
        offset = np.eye(d) * eps
        lam = _product_eigenvalues(sigma1 + offset, sigma2 + offset)
    if not np.all(np.isfinite(lam)):
        raise ValueError("FID: the covariance product has non-finite eigenvalues.")
    return float(np.sum(np.sqrt(np.clip(lam, 0.0, None))))


def frechet_distance(
    mu1: Any, sigma1: Any, mu2: Any, sigma2: Any, eps: float = DEFAULT_EPS
) -> float:
    """Frechet distance between N(mu1, sigma1) and N(mu2, sigma2) (Heusel et al. 2017):
    ||mu1 - mu2||^2 + tr(sigma1 + sigma2 - 2 sqrt(sigma1 sigma2)).

    The trace of the square root comes from symmetric eigendecompositions instead of
    ``scipy.linalg.sqrtm``; singular products get TTUR's ``eps`` diagonal offset. Values within
    round-off below zero are returned as 0.
    """
    mu1, sigma1, mu2, sigma2 = _check_statistics(mu1, sigma1, mu2, sigma2)
    diff = mu1 - mu2
    tr_covmean = trace_sqrt_product(sigma1, sigma2, eps=eps)
    value = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * tr_covmean)
    return max(value, 0.0)


def fid_from_features(features1: Any, features2: Any, eps: float = DEFAULT_EPS) -> float:
    """FID between two feature sets (N1, d) and (N2, d): Gaussian fits with ddof=1, then
    :func:`frechet_distance` (Heusel et al. 2017)."""
    f1 = _as_features(features1, "features1")
    f2 = _as_features(features2, "features2")
    if f1.shape[1] != f2.shape[1]:
        raise ValueError(
            f"Feature dimensions differ: features1 has shape {f1.shape}, features2 {f2.shape}."
        )
    mu1, sigma1 = feature_statistics(f1)
    mu2, sigma2 = feature_statistics(f2)
    return frechet_distance(mu1, sigma1, mu2, sigma2, eps=eps)
