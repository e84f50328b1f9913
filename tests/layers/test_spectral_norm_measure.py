"""The measurement behind reports/spectral_norm.md (scripts/spectral_norm_report.py): the exact
largest singular value of a layer's kernel reshaped as SpectralNormalization reshapes it, divided
by the layer's estimate, is 1 once the power iteration has converged; a plain layer's is its
kernel's matrix 2-norm."""
import importlib.util
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from tfgan_zoo.layers import SpectralNormalization

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "spectral_norm_report.py"
spec = importlib.util.spec_from_file_location("spectral_norm_report", SCRIPT)
report = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = report
spec.loader.exec_module(report)


def test_a_converged_estimate_gives_exactly_one_and_a_plain_layer_its_two_norm():
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).standard_normal((4, 6, 6, 3)).astype("float32")
    layer = SpectralNormalization(keras.layers.Conv2D(5, 3, padding="same"))
    layer(x, training=True)
    first = report.layer_singular_values(layer)
    kernel = np.asarray(layer.layer.kernel)
    assert first["raw"] == pytest.approx(np.linalg.norm(kernel.reshape(27, 5), 2), rel=1e-6)
    for _ in range(40):  # the power iteration converges over training calls
        layer(x, training=True)
    converged = report.layer_singular_values(layer)
    assert converged["normalized"] == pytest.approx(1.0, abs=1e-4)
    assert converged["stored_sigma"] == pytest.approx(converged["raw"], rel=1e-4)
    # scaling the raw kernel scales sigma_max(W) but not the normalised weight's
    layer.layer.kernel.assign(3.0 * layer.layer.kernel)
    scaled = report.layer_singular_values(layer)
    assert scaled["raw"] == pytest.approx(3 * converged["raw"], rel=1e-5)
    assert scaled["normalized"] == pytest.approx(1.0, abs=1e-4)
    plain = keras.layers.Dense(4)
    plain.build((None, 7))
    assert report.layer_singular_values(plain) == {"raw": pytest.approx(np.linalg.norm(np.asarray(plain.kernel), 2))}


def test_settled_step_is_where_the_ratio_enters_the_band_for_good():
    steps = [0, 10, 20, 30, 40]
    assert report.settled_step(steps, [1.3, 1.01, 1.07, 1.02, 1.0]) == 30
    assert report.settled_step(steps, [1.0, 1.0, 1.0, 1.0, 1.0]) == 0
    assert report.settled_step(steps, [1.0, 1.0, 1.0, 1.0, 0.9]) is None
