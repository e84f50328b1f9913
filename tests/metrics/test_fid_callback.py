"""FIDCallback during a Keras fit: logs, TensorBoard events and metrics.csv."""
from __future__ import annotations

import csv

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.metrics import FIDCallback, MnistFeatures
from tfgan_zoo.metrics.features import mnist5k_images

# mnist5k is stored sorted by digit: shuffle once so every slice holds all ten digits
REAL = mnist5k_images("heldout").astype("float32") / 127.5 - 1.0
REAL = REAL[np.random.default_rng(0).permutation(len(REAL))]


class TinyGAN(keras.Model):
    """Stands in for the GAN: a trainable scalar, and generate() that blends noise into real
    digits; the blend shrinks as training goes on, so FID should fall."""

    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1)
        self.calls = 0

    def call(self, x):
        return self.dense(x)

    def generate(self, num, labels=None, seed=None):
        self.calls += 1
        rng = np.random.default_rng(seed)
        noise = rng.uniform(-1, 1, size=(num, 28, 28, 1)).astype("float32")
        blend = max(0.0, 0.6 - 0.2 * self.calls)
        return (1 - blend) * REAL[:num, ..., None] + blend * noise


@pytest.fixture(scope="module")
def extractor():
    return MnistFeatures()


def test_fid_every_n_steps_logged_to_logs_tensorboard_and_csv(tmp_path, extractor):
    model = TinyGAN()
    model.compile(optimizer="sgd", loss="mse")
    seen = []

    class Spy(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if logs and "fid" in logs:
                seen.append(logs["fid"])

    fid_cb = FIDCallback(
        every_n_steps=2, num_samples=300, features=extractor,
        real_images=REAL[300:], log_dir=tmp_path / "tb", csv_path=tmp_path / "metrics.csv",
    )
    x, y = np.zeros((6, 3), "float32"), np.zeros((6, 1), "float32")
    history = model.fit(x, y, batch_size=2, epochs=2, verbose=0, callbacks=[fid_cb, Spy()])

    steps = [s for s, _ in fid_cb.history]
    fids = [f for _, f in fid_cb.history]
    assert steps == [2, 4, 6]
    assert seen == fids
    assert history.history["fid"] == [fids[0], fids[2]]  # latest FID at each epoch's end
    assert fids[0] > fids[1] > fids[2] > 0  # less noise, lower FID
    rows = list(csv.reader((tmp_path / "metrics.csv").open()))
    assert rows[0] == ["step", "fid"]
    assert [int(r[0]) for r in rows[1:]] == [2, 4, 6]
    assert float(rows[1][1]) == pytest.approx(fids[0], rel=1e-5)
    events = list((tmp_path / "tb").glob("events.out.tfevents.*"))
    assert len(events) == 1
    logged = [
        (event.step, float(tf.make_ndarray(value.tensor)), value.metadata.plugin_data.plugin_name)
        for event in tf.compat.v1.train.summary_iterator(str(events[0]))
        for value in event.summary.value
    ]
    assert [step for step, _, _ in logged] == [2, 4, 6]
    assert {name for _, _, name in logged} == {"scalars"}
    np.testing.assert_allclose([v for _, v, _ in logged], fids, rtol=1e-6)


def test_generate_fn_and_precomputed_real_features(extractor):
    real_features = extractor.features(REAL[:400])
    cb = FIDCallback(
        every_n_steps=1, num_samples=400, features=extractor, real_features=real_features,
        generate_fn=lambda n, seed: REAL[:n],
    )
    assert cb.compute_fid() == pytest.approx(0.0, abs=1e-6)  # the same images as the reals


def test_callback_errors():
    with pytest.raises(ValueError, match="every_n_steps >= 1"):
        FIDCallback(every_n_steps=0)
    with pytest.raises(ValueError, match="not both"):
        FIDCallback(real_images=REAL, real_features=np.zeros((3, 2)))
