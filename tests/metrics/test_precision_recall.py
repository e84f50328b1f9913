"""Improved precision and recall (Kynkaanniemi et al. 2019)."""
from __future__ import annotations

import numpy as np
import pytest

from tfgan_zoo.metrics import precision_recall


def test_identical_sets_have_precision_and_recall_one():
    x = np.random.default_rng(0).normal(size=(300, 32))
    assert precision_recall(x, x.copy(), k=3) == {"precision": 1.0, "recall": 1.0}


def test_hand_computed_one_dimensional_example():
    real = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])  # k=1 radii: 1 each
    fake = np.array([[0.5], [10.0]])  # k=1 radii: 9.5 each
    result = precision_recall(real, fake, k=1)
    assert result["precision"] == 0.5  # 0.5 is inside, 10 is not
    assert result["recall"] == 1.0  # every real point is within 9.5 of 0.5


def test_mode_collapse_keeps_precision_and_loses_recall():
    rng = np.random.default_rng(1)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
    real = centres[rng.integers(0, 4, 800)] + rng.normal(scale=0.5, size=(800, 2))
    fake = centres[0] + rng.normal(scale=0.5, size=(400, 2))  # one mode of four
    result = precision_recall(real, fake, k=3)
    assert result["precision"] > 0.95
    assert 0.15 < result["recall"] < 0.3


def test_far_apart_sets_have_zero_precision_and_recall():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(50, 4))
    assert precision_recall(x, x + 100.0, k=3, batch_size=7) == {"precision": 0.0, "recall": 0.0}


def test_precision_recall_errors():
    with pytest.raises(ValueError, match="more than k=3 samples in fake_features, got 3"):
        precision_recall(np.zeros((10, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="dimensions differ"):
        precision_recall(np.zeros((10, 2)), np.zeros((10, 3)))
