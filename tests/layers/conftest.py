"""Shared fixtures for the layer tests: config and `.keras` round trips."""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from typing import Any, Callable  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


def _to_numpy(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_to_numpy(v) for v in value]
    return keras.ops.convert_to_numpy(value)


@pytest.fixture
def config_roundtrip() -> Callable[[keras.layers.Layer], keras.layers.Layer]:
    """layer -> clone from ``type(layer).from_config(layer.get_config())``, configs equal."""

    def check(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        clone = type(layer).from_config(config)
        assert clone.get_config() == config
        # also through Keras' generic (registered-name) serialization
        revived = keras.layers.deserialize(keras.layers.serialize(layer))
        assert type(revived) is type(layer)
        assert revived.get_config() == config
        return clone

    return check


@pytest.fixture
def keras_roundtrip(tmp_path) -> Callable[..., keras.Model]:
    """(model, inputs) -> loaded model; asserts identical outputs after .keras save/load.

    Loads without custom_objects, so the layers must be registered under ``tfgan_zoo>``.
    """

    def check(model: keras.Model, inputs: Any) -> keras.Model:
        expected = _to_numpy(model(inputs, training=False))
        path = tmp_path / f"{model.name}.keras"
        model.save(path)
        loaded = keras.saving.load_model(path)
        got = _to_numpy(loaded(inputs, training=False))
        np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
        for a, b in zip(model.weights, loaded.weights):
            np.testing.assert_array_equal(_to_numpy(a), _to_numpy(b))
        return loaded

    return check
