"""KID: the unbiased MMD^2 estimator with the cubic polynomial kernel (Binkowski et al. 2018)."""
from __future__ import annotations

import numpy as np
import pytest

from tfgan_zoo.metrics import kernel_inception_distance
from tfgan_zoo.metrics.kid import mmd2_unbiased


def brute_force_mmd2(x, y):
    m, d = x.shape
    k = lambda a, b: (a @ b / d + 1.0) ** 3  # noqa: E731
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    return xx + yy - 2 * xy


def test_mmd2_matches_the_formula():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(12, 4)), rng.normal(size=(12, 4)) + 0.5
    assert mmd2_unbiased(x, y) == pytest.approx(brute_force_mmd2(x, y), rel=1e-10)


def test_kid_of_a_set_with_itself_is_near_zero_and_shifted_sets_positive():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(600, 16))
    same = kernel_inception_distance(x, x, num_subsets=20, subset_size=200, seed=0)
    shifted = kernel_inception_distance(x, x + 0.5, num_subsets=20, subset_size=200, seed=0)
    small_shift = kernel_inception_distance(x, x + 0.2, num_subsets=20, subset_size=200, seed=0)
    # the two subsets of one set share about a third of their points, which the unbiased
    # estimator counts as cross pairs: slightly negative, tiny next to a real shift
    assert -0.05 < same.mean <= 0.0
    assert shifted.mean > 0.5
    assert shifted.mean > 30 * abs(same.mean)
    assert 0 < small_shift.mean < shifted.mean
    assert shifted.std > 0


def test_kid_is_unbiased_for_independent_samples_of_one_distribution():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(2000, 16)), rng.normal(size=(2000, 16))
    result = kernel_inception_distance(x, y, num_subsets=20, subset_size=200, seed=0)
    assert abs(result.mean) < 0.01


def test_subset_size_is_capped_at_the_sample_count():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(40, 8)), rng.normal(size=(50, 8)) + 1.0
    result = kernel_inception_distance(x, y, num_subsets=5, subset_size=1000)
    # every subset of x is all of x: the estimates differ only through y's subsets
    full_x = kernel_inception_distance(x, y[:40], num_subsets=3, subset_size=1000)
    assert full_x.std == pytest.approx(0.0, abs=1e-12)
    assert full_x.mean == pytest.approx(mmd2_unbiased(x, y[:40]), rel=1e-10)
    assert np.isfinite(result.mean) and result.mean > 0
    mean, std = result  # unpacks as a pair
    assert isinstance(mean, float) and isinstance(std, float)


def test_kid_errors():
    with pytest.raises(ValueError, match="dimensions differ"):
        kernel_inception_distance(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="at least 2 samples"):
        kernel_inception_distance(np.zeros((1, 2)), np.zeros((5, 2)))
