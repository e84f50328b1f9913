"""The measurement behind reports/attention.md (scripts/attention_report.py): the weights it draws
for a query are the softmax of that query's f(x_j) against the 2x2 max-pooled keys g(x_i),
recomputed here in numpy from the layer's own kernels, laid out on the pooled key grid."""
import importlib.util
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from tfgan_zoo.models.sagan import sagan_discriminator

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "attention_report.py"
spec = importlib.util.spec_from_file_location("attention_report", SCRIPT)
report = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = report
spec.loader.exec_module(report)


def numpy_attention(features, layer):
    """beta (N, H*W, H*W/4) from the layer's query and key kernels (spectrally normalised by the
    stored estimate, as an inference call applies them)."""
    def kernel(conv):
        return np.asarray(conv.normalized_weight(training=False) if hasattr(conv, "normalized_weight")
                          else conv.kernel)[0, 0]

    n, h, w, _ = features.shape
    query = features.reshape(n, h * w, -1) @ kernel(layer.query_conv)
    keys = features @ kernel(layer.key_conv)
    pooled = keys.reshape(n, h // 2, 2, w // 2, 2, -1).max(axis=(2, 4)).reshape(n, h * w // 4, -1)
    scores = query @ pooled.transpose(0, 2, 1)
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    return weights / weights.sum(axis=-1, keepdims=True)


def test_the_drawn_weights_are_the_layers_softmax_over_pooled_keys_on_the_key_grid():
    keras.utils.set_random_seed(0)
    discriminator = sagan_discriminator(resolution=32, width=8, attention_resolution=16)
    images = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    layer = report.attention_layer(discriminator)
    layer.gamma.assign(0.5)
    layer.query_conv.layer.kernel.assign(3.0 * np.asarray(layer.query_conv.layer.kernel))  # sharper than uniform
    features, beta, found = report.attention_weights(discriminator, images)
    assert found is layer and features.shape[1:3] == (16, 16) and beta.shape == (2, 256, 64)
    np.testing.assert_allclose(beta, numpy_attention(features, layer), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(beta.sum(axis=-1), 1.0, rtol=1e-5)
    queries = report.query_indices(16, 16)
    assert [(row, column) for row, column, _ in queries] == [(4, 4), (4, 12), (8, 8), (12, 4), (12, 12)]
    row, column, index = queries[1]
    assert index == 4 * 16 + 12
    grid = report.key_map(beta[0, index], 16, 16)
    assert grid.shape == (8, 8) and grid[3, 5] == beta[0, index, 3 * 8 + 5]
    summary = report.summarize(beta, (16, 16))
    own = (row // 2) * 8 + column // 2
    assert summary["queries"][1]["own_key_weight"] == pytest.approx(float(beta[:, index, own].mean()))
    assert summary["queries"][1]["max_weight"] == pytest.approx(float(beta[:, index].max(axis=-1).mean()))
    assert all(0.0 < query["relative_entropy"] < 1.0 for query in summary["queries"])
    with pytest.raises(ValueError, match=r"has 0 SelfAttention layers; expected exactly one"):
        report.attention_layer(sagan_discriminator(resolution=32, width=8, attention_resolution=None))
