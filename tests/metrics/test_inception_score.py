"""Inception score (Salimans et al. 2016)."""
from __future__ import annotations

import numpy as np
import pytest

from tfgan_zoo.metrics import inception_score


def test_uniform_confident_predictions_score_the_number_of_classes():
    probs = np.tile(np.eye(10), (50, 1))  # 500 one-hot rows, every split has 5 of each class
    mean, std = inception_score(probs, splits=10)
    assert mean == pytest.approx(10.0, rel=1e-12)
    assert std == pytest.approx(0.0, abs=1e-12)


def test_identical_predictions_score_one():
    probs = np.tile([0.7, 0.2, 0.1], (100, 1))
    assert inception_score(probs, splits=4).mean == pytest.approx(1.0, abs=1e-12)


def test_two_class_closed_form():
    # half the samples [1, 0], half [0.5, 0.5]: p(y) = [0.75, 0.25]
    probs = np.array([[1.0, 0.0], [0.5, 0.5]] * 10)
    kl_1 = np.log(1 / 0.75)
    kl_2 = 0.5 * np.log(0.5 / 0.75) + 0.5 * np.log(0.5 / 0.25)
    score = inception_score(probs, splits=1)
    assert score.mean == pytest.approx(np.exp((kl_1 + kl_2) / 2), rel=1e-12)


def test_splits_are_contiguous():
    # first half all class 0, second half all class 1: each split is collapsed -> 1
    probs = np.array([[1.0, 0.0]] * 10 + [[0.0, 1.0]] * 10)
    assert inception_score(probs, splits=2).mean == pytest.approx(1.0)
    assert inception_score(probs, splits=1).mean == pytest.approx(2.0)


def test_inception_score_errors():
    with pytest.raises(ValueError, match="sum to 1.*logits"):
        inception_score(np.array([[2.0, 1.0]] * 4), splits=1)
    with pytest.raises(ValueError, match="splits <= number of samples"):
        inception_score(np.eye(3), splits=5)
    with pytest.raises(ValueError, match=r"rank 2 \(samples, classes\)"):
        inception_score(np.ones(3) / 3, splits=1)
