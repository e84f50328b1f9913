"""FID: closed forms, agreement with the scipy.linalg.sqrtm reference, singular products."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.linalg

from tfgan_zoo.metrics import feature_statistics, fid_from_features, frechet_distance
from tfgan_zoo.metrics.fid import _upper_times_lower


def reference_fid(mu1, s1, mu2, s2, eps=None):
    """The TTUR / pytorch-fid formula: sqrtm of the product, real part; with ``eps``, TTUR's
    fallback (the offset enters the square root only, not the traces)."""
    offset = np.eye(len(mu1)) * (eps or 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        covmean = scipy.linalg.sqrtm((s1 + offset) @ (s2 + offset))
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean).real)


def random_stats(rng, n, d, scale=1.0, shift=0.0):
    mixing = rng.normal(size=(d, d)) / np.sqrt(d)
    x = rng.normal(size=(n, d)) @ mixing * scale + shift
    return x.mean(axis=0), np.cov(x, rowvar=False)


def test_2048_means_zero_vs_one_identity_is_exactly_2048():
    d = 2048
    assert frechet_distance(np.zeros(d), np.eye(d), np.ones(d), np.eye(d)) == 2048.0


def test_one_dimensional_gaussians_closed_form():
    # FID(N(m1, v1), N(m2, v2)) = (m1 - m2)^2 + (sqrt(v1) - sqrt(v2))^2
    value = frechet_distance([1.0], [[4.0]], [3.0], [[9.0]])
    assert value == pytest.approx((1 - 3) ** 2 + (2 - 3) ** 2, rel=1e-12)


def test_diagonal_gaussians_closed_form():
    rng = np.random.default_rng(0)
    d = 50
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    v1, v2 = rng.uniform(0.1, 3.0, size=d), rng.uniform(0.1, 3.0, size=d)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(v1) - np.sqrt(v2)) ** 2)
    value = frechet_distance(mu1, np.diag(v1), mu2, np.diag(v2))
    assert value == pytest.approx(expected, rel=1e-10)


def test_scaled_full_covariance_closed_form():
    # sigma2 = c^2 sigma1 commutes with sigma1: FID = ||dmu||^2 + (1 - c)^2 tr(sigma1)
    rng = np.random.default_rng(1)
    mu, sigma = random_stats(rng, 400, 30)
    value = frechet_distance(mu, sigma, mu + 0.5, 4.0 * sigma)
    assert value == pytest.approx(30 * 0.25 + (1 - 2) ** 2 * np.trace(sigma), rel=1e-10)


def test_identical_statistics_give_zero_and_fid_is_symmetric():
    rng = np.random.default_rng(2)
    mu1, s1 = random_stats(rng, 300, 40)
    mu2, s2 = random_stats(rng, 300, 40, scale=1.3, shift=0.2)
    assert frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-9)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(
        frechet_distance(mu2, s2, mu1, s1), rel=1e-9
    )


@pytest.mark.parametrize("seed,d", [(0, 8), (1, 64), (2, 200), (3, 300)])
def test_agrees_with_sqrtm_reference_on_random_covariances(seed, d):
    rng = np.random.default_rng(seed)
    mu1, s1 = random_stats(rng, 4 * d, d)
    mu2, s2 = random_stats(rng, 4 * d, d, scale=1.5, shift=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # well-conditioned: no eps offset
        value = frechet_distance(mu1, s1, mu2, s2)
    assert value == pytest.approx(reference_fid(mu1, s1, mu2, s2), rel=1e-6)


def test_fewer_samples_than_dimensions_stays_finite_and_close():
    rng = np.random.default_rng(4)
    d = 128
    x = rng.normal(size=(60, d))
    y = rng.normal(size=(90, d)) * 1.2 + 0.1
    mu1, s1 = x.mean(0), np.cov(x, rowvar=False)
    mu2, s2 = y.mean(0), np.cov(y, rowvar=False)
    with pytest.warns(RuntimeWarning, match="singular"):
        value = frechet_distance(mu1, s1, mu2, s2)
    assert np.isfinite(value)
    # exactly TTUR's fallback (eps on both diagonals), and close to the plain reference
    assert value == pytest.approx(reference_fid(mu1, s1, mu2, s2, eps=1e-6), rel=1e-6)
    assert value == pytest.approx(reference_fid(mu1, s1, mu2, s2), rel=1e-3)


def test_dead_features_stay_finite_and_close():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(500, 64))
    y = rng.normal(size=(500, 64)) + 0.3
    x[:, :10] = 0.0  # dead in both
    y[:, 5:15] = 1.0  # dead (constant) in the second set only
    with pytest.warns(RuntimeWarning):
        value = fid_from_features(x, y)
    mu1, s1 = x.mean(0), np.cov(x, rowvar=False)
    mu2, s2 = y.mean(0), np.cov(y, rowvar=False)
    assert np.isfinite(value)
    assert value == pytest.approx(reference_fid(mu1, s1, mu2, s2, eps=1e-6), rel=1e-6)
    assert value == pytest.approx(reference_fid(mu1, s1, mu2, s2), rel=1e-3)


def test_ill_conditioned_full_rank_covariances_take_the_exact_path():
    rng = np.random.default_rng(7)
    d = 60
    q1, _ = np.linalg.qr(rng.normal(size=(d, d)))
    q2, _ = np.linalg.qr(rng.normal(size=(d, d)))
    s1 = (q1 * np.logspace(-8, 0, d)) @ q1.T  # condition number 1e8
    s2 = (q2 * np.logspace(-7, 1, d)) @ q2.T
    mu1, mu2 = np.zeros(d), np.full(d, 0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not singular: no eps offset
        value = frechet_distance(mu1, s1, mu2, s2)
    assert value == pytest.approx(reference_fid(mu1, s1, mu2, s2), rel=1e-6)


def test_eps_zero_on_a_singular_product_matches_the_plain_reference():
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(30, 50)), rng.normal(size=(40, 50)) + 0.2
    mu1, s1 = x.mean(0), np.cov(x, rowvar=False)
    mu2, s2 = y.mean(0), np.cov(y, rowvar=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = frechet_distance(mu1, s1, mu2, s2, eps=0.0)
    assert value == pytest.approx(reference_fid(mu1, s1, mu2, s2), rel=1e-6)


@pytest.mark.parametrize("n", [5, 300, 601])
def test_triangular_product_equals_the_dense_product(n):
    rng = np.random.default_rng(n)
    lower1, lower2 = np.tril(rng.normal(size=(n, n))), np.tril(rng.normal(size=(n, n)))
    np.testing.assert_allclose(
        _upper_times_lower(lower1.T, lower2, leaf=64), lower1.T @ lower2, rtol=0, atol=1e-10
    )


def test_fid_from_features_uses_ddof_1_statistics():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(50, 5))
    y = rng.normal(size=(70, 5)) * 2
    mu, sigma = feature_statistics(x)
    np.testing.assert_allclose(sigma, np.cov(x, rowvar=False, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(mu, x.mean(0), rtol=1e-12)
    expected = reference_fid(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))
    assert fid_from_features(x, y) == pytest.approx(expected, rel=1e-8)
    assert isinstance(fid_from_features(x, y), float)


def test_errors_name_the_bad_value():
    with pytest.raises(ValueError, match=r"rank 2 \(samples, dims\), got shape \(3,\)"):
        fid_from_features(np.zeros(3), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dimensions differ.*\(4, 3\).*\(4, 5\)"):
        fid_from_features(np.zeros((4, 3)), np.zeros((4, 5)))
    with pytest.raises(ValueError, match="at least 2 samples.*got 1"):
        fid_from_features(np.zeros((1, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"sigma2 of shape \(2, 2\).*\(3, 3\)"):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), np.eye(3))
    with pytest.raises(ValueError, match="finite"):
        fid_from_features(np.full((4, 3), np.nan), np.zeros((4, 3)))
