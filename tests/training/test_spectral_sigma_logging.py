"""A run with a spectrally normalised discriminator logs its largest and smallest sigma_hat."""
import csv

import numpy as np
import tensorflow as tf

import tfgan_zoo as tz
from tfgan_zoo.layers import SpectralNormalization

TINY = {"generator.width": 8, "discriminator.width": 8, "training.log_every": 2, "training.sample_every": 6,
        "training.checkpoint_every": 6, "training.num_samples": 100}


def tensorboard_scalars(logdir):
    scalars = {}
    for path in logdir.glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name == "scalars":
                    scalars.setdefault(value.tag, []).append((event.step, float(tf.make_ndarray(value.tensor))))
    return scalars


def test_metrics_csv_and_tensorboard_carry_the_discriminator_sigma_range(tmp_path):
    out = tmp_path / "run"
    result = tz.train("hinge_sn_toy", steps=6, batch_size=16, out=out, overrides=TINY, progress=False)
    with open(out / "metrics.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["step"]) for row in rows] == [2, 4, 6]

    gan, _ = tz.load_run(out)  # the step-6 checkpoint: sigma and u are saved with the weights
    layers = [layer for layer in gan.discriminator.layers if isinstance(layer, SpectralNormalization)]
    assert len(layers) == 3  # two hidden layers and the logits
    sigmas = [float(layer.sigma.numpy()) for layer in layers]
    last = rows[-1]
    np.testing.assert_allclose([float(last["d_sigma_max"]), float(last["d_sigma_min"])],
                               [max(sigmas), min(sigmas)], rtol=1e-5)
    assert max(sigmas) > min(sigmas) and all(s != 1.0 for s in sigmas)  # updated from the initial 1
    # sigma_hat estimates the spectral norm of each raw kernel (3 power steps per train step here)
    for layer, sigma in zip(layers, sigmas):
        exact = np.linalg.svd(np.asarray(layer.layer.kernel), compute_uv=False)[0]
        assert abs(sigma - exact) < 0.05 * exact

    scalars = tensorboard_scalars(out / "tensorboard")
    assert [step for step, _ in scalars["d_sigma_max"]] == [2, 4, 6]
    np.testing.assert_allclose(scalars["d_sigma_min"][-1][1], min(sigmas), rtol=1e-6)
    assert result.logs["d_sigma_max"] == max(sigmas)


def test_no_sigma_columns_without_spectral_norm(tmp_path):
    out = tmp_path / "run"
    tz.train("gan_toy", steps=2, batch_size=16, out=out, overrides=TINY, progress=False)
    with open(out / "metrics.csv") as handle:
        header = next(csv.reader(handle))
    assert not [name for name in header if "sigma" in name]
