"""Mode coverage on the toy mixtures (protocol in docs/architecture.md) and class coverage."""
from __future__ import annotations

import numpy as np
import pytest

from tfgan_zoo.data.toy import sample_toy, toy_means
from tfgan_zoo.metrics import (
    average_coverage, class_coverage, confident_fraction, coverage_of_means, mode_coverage,
)


@pytest.mark.parametrize("dataset,modes", [("ring8", 8), ("grid25", 25)])
def test_true_samples_cover_every_mode(dataset, modes):
    result = mode_coverage(sample_toy(dataset, 2500, seed=0), dataset)
    assert result["modes_covered"] == modes
    assert result["num_modes"] == modes
    assert result["num_samples"] == 2500
    # 2-D Gaussian: P(|x - mu| <= 3 std) = 1 - exp(-9 / 2) = 98.89 %
    assert result["high_quality_percent"] == pytest.approx(100 * (1 - np.exp(-4.5)), abs=0.7)


def test_collapsed_and_off_manifold_samples():
    means = toy_means("ring8")
    collapsed = np.repeat(means[:1], 100, axis=0)
    assert mode_coverage(collapsed, "ring8") == {
        "modes_covered": 1, "num_modes": 8, "high_quality_percent": 100.0, "num_samples": 100,
    }
    # half the points exactly on modes 0 and 3, half at the origin (far from every mode)
    points = np.concatenate([means[[0, 3]], np.zeros((2, 2))])
    result = mode_coverage(points, "ring8")
    assert result["modes_covered"] == 2
    assert result["high_quality_percent"] == 50.0
    # just inside / outside 3 std (0.03) of mode 0 on grid25's scale (std 0.05 -> 0.15)
    edge = np.array([[-4.0 + 0.149, -4.0], [-4.0 + 0.151, -4.0]])
    assert mode_coverage(edge, "grid25")["high_quality_percent"] == 50.0


def test_coverage_of_any_means_is_the_same_protocol():
    points = sample_toy("grid25", 400, seed=1)
    assert coverage_of_means(points, toy_means("grid25"), 0.05) == mode_coverage(points, "grid25")
    # the unrolled-GAN notebook's ring: linspace(0, 2 pi, 8) repeats its first angle -> 7 modes
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "metz_notebook_ring.py"
    spec = importlib.util.spec_from_file_location("metz_notebook_ring", path)
    notebook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(notebook)
    means = notebook.distinct_means()
    assert means.shape == (7, 2)
    samples = notebook.sample_notebook_ring(7000, seed=0)
    result = coverage_of_means(samples, means, notebook.NOTEBOOK_STD)
    assert result["modes_covered"] == 7
    assert notebook.largest_mode_share(samples) == pytest.approx(25.0, abs=1.5)  # (0, 1) has 2/8


def test_average_coverage_over_seeds():
    runs = [mode_coverage(sample_toy("ring8", 500, seed=s), "ring8") for s in range(3)]
    runs.append({**runs[0], "modes_covered": 4})
    summary = average_coverage(runs)
    assert summary["modes_covered_mean"] == 7.0
    assert summary["num_runs"] == 4


def test_class_coverage_uniform_and_collapsed():
    uniform = class_coverage(np.arange(100) % 10, 10)
    assert uniform == {
        "classes_covered": 10, "num_classes": 10, "max_class_fraction": 0.1, "min_class_fraction": 0.1,
        "kl_to_uniform": 0.0,
    }
    collapsed = class_coverage(np.full(50, 3), 10)
    assert collapsed["classes_covered"] == 1
    assert collapsed["max_class_fraction"] == 1.0 and collapsed["min_class_fraction"] == 0.0
    assert collapsed["kl_to_uniform"] == pytest.approx(np.log(10), rel=1e-12)
    half = class_coverage(np.array([0, 0, 1, 1]), 4)  # p = (1/2, 1/2, 0, 0): KL = log 2
    assert half["kl_to_uniform"] == pytest.approx(np.log(2), rel=1e-12)


def test_confident_fraction_counts_rows_above_the_threshold():
    probabilities = np.array([[0.95, 0.05], [0.9, 0.1], [0.2, 0.8], [0.01, 0.99]])
    assert confident_fraction(probabilities) == 0.5  # 0.95 and 0.99; 0.9 itself is not above
    assert confident_fraction(probabilities, threshold=0.85) == 0.75
    assert confident_fraction(np.full((3, 10), 0.1)) == 0.0  # a classifier that cannot tell
    with pytest.raises(ValueError, match=r"shape \(samples, classes >= 2\), got shape \(4,\)"):
        confident_fraction(np.ones(4))
    with pytest.raises(ValueError, match="threshold in \\(0, 1\\), got 1.5"):
        confident_fraction(probabilities, threshold=1.5)


def test_coverage_errors():
    with pytest.raises(ValueError, match=r"labels in \[0, 9\], got values in \[0, 10\]"):
        class_coverage(np.array([0, 10]), 10)
    with pytest.raises(ValueError, match=r"shape \(samples, 2\), got shape \(5, 3\)"):
        mode_coverage(np.zeros((5, 3)), "ring8")
    with pytest.raises(ValueError, match="Unknown toy dataset 'ring9'"):
        mode_coverage(np.zeros((5, 2)), "ring9")
    with pytest.raises(ValueError, match=r"means of shape \(modes, 2\), got shape \(3,\)"):
        coverage_of_means(np.zeros((5, 2)), np.zeros(3), 0.1)
    with pytest.raises(ValueError, match="positive mode std, got 0.0"):
        coverage_of_means(np.zeros((5, 2)), np.zeros((3, 2)), 0.0)
