"""The seeded `sample` signature (tfgan_zoo/export_seeded.py): latents drawn in the graph per seed
satisfy the threshold and follow the truncated prior, the signature is serving_default on those
latents, the same seed gives the same image in a fresh process that never imports tfgan_zoo, and
bad requests fail with one clear message."""
import json
import math
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.export import export_generator
from tfgan_zoo.export_seeded import seeded_latents
from tfgan_zoo.latent import LatentPrior
from tfgan_zoo.models.biggan import biggan_generator

LATENT, CLASSES = 9, 3
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}


def truncated_normal_std(threshold: float) -> float:
    """The standard deviation of N(0, 1) conditioned on |z| <= T (closed form)."""
    pdf = math.exp(-threshold ** 2 / 2) / math.sqrt(2 * math.pi)
    return math.sqrt(1 - 2 * threshold * pdf / math.erf(threshold / math.sqrt(2)))


draw = tf.function(seeded_latents, reduce_retracing=True)


@pytest.mark.parametrize("threshold", [2.0, 1.0, 0.5, 0.25])
def test_every_latent_drawn_satisfies_the_threshold_and_follows_the_truncated_normal(threshold):
    seeds = tf.range(100, dtype=tf.int64)
    z = draw(seeds, tf.fill([100], threshold), 100, LatentPrior()).numpy()
    assert z.shape == (100, 100) and np.all(np.abs(z) <= threshold)
    assert np.std(z) == pytest.approx(truncated_normal_std(threshold), rel=0.03)
    assert abs(np.mean(z)) < 0.04 * threshold


def test_the_smallest_threshold_is_reached_too():
    z = draw(tf.range(3, dtype=tf.int64), tf.fill([3], 0.01), 8, LatentPrior()).numpy()
    assert np.all(np.abs(z) <= 0.01) and np.all(z != 0)


def test_no_truncation_is_the_prior_and_rows_depend_on_their_seed_only():
    seeds = tf.constant([5, 6, 7, 5], tf.int64)
    z = draw(seeds, tf.constant([0.0, -1.0, 0.0, 0.0]), 2000, LatentPrior()).numpy()
    assert np.std(z) == pytest.approx(1.0, rel=0.04) and np.abs(z).max() > 3  # not truncated
    np.testing.assert_array_equal(z[0], z[3])
    alone = draw(tf.constant([6], tf.int64), tf.constant([0.0]), 2000, LatentPrior()).numpy()
    np.testing.assert_array_equal(alone[0], z[1])  # not its row, the batch or the other seeds
    # a truncated prior: <= 0 keeps its own threshold; a uniform prior draws U[-1, 1)
    own = draw(seeds, tf.zeros([4]), 500, LatentPrior("normal", truncation=0.5)).numpy()
    assert np.abs(own).max() <= 0.5
    uniform = draw(seeds, tf.constant([0.0, 0.5, 0.0, 0.0]), 5000, LatentPrior("uniform")).numpy()
    assert np.abs(uniform).max() <= 1 and np.std(uniform[0]) == pytest.approx(1 / math.sqrt(3), rel=0.03)
    assert np.abs(uniform[1]).max() <= 0.5 and np.std(uniform[1]) == pytest.approx(0.5 / math.sqrt(3), rel=0.03)


def test_the_categorical_code_prior_draws_a_scaled_one_hot_code_and_truncated_noise():
    prior = LatentPrior("categorical_code", categories=4, scale=2.0)
    z = draw(tf.range(4000, dtype=tf.int64), tf.fill([4000], 0.5), 10, prior).numpy()
    code, noise = z[:, :4], z[:, 4:]
    assert np.all(np.sort(code, axis=1)[:, :3] == 0) and np.all(code.max(axis=1) == 2.0)  # one hot at scale 2
    shares = np.bincount(code.argmax(axis=1), minlength=4) / 4000
    np.testing.assert_allclose(shares, 0.25, atol=0.03)  # c uniform over the 4 categories
    assert np.abs(noise).max() <= 0.5 and np.std(noise) == pytest.approx(truncated_normal_std(0.5), rel=0.05)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    keras.utils.set_random_seed(0)
    generator = biggan_generator(latent_dim=LATENT, resolution=28, channels=1, width=2, num_classes=CLASSES,
                                 embedding_dim=4, attention_resolution=None)
    path = export_generator(generator, tmp_path_factory.mktemp("seeded") / "biggan" / "1")
    return generator, path, tf.saved_model.load(str(path))


def test_sample_is_serving_default_on_the_seeded_latents(exported):
    generator, path, model = exported
    assert sorted(model.signatures) == ["float_images", "sample", "serving_default"]
    seeds, truncation = tf.constant([3, 4, 3], tf.int64), tf.constant([0.5, 0.0, 0.5])
    labels = tf.constant([0, 2, 1], tf.int32)
    images = model.signatures["sample"](seed=seeds, truncation=truncation, label=labels)["images"].numpy()
    z = seeded_latents(seeds, truncation, LATENT, LatentPrior())
    expected = model.signatures["serving_default"](z=z, label=labels)["images"].numpy()
    np.testing.assert_array_equal(images, expected)
    assert images.dtype == np.uint8 and images.shape == (3, 28, 28, 1)
    card = json.loads((path / "model_card.json").read_text())
    assert sorted(card["interface"]["signatures"]["sample"]["inputs"]) == ["label", "seed", "truncation"]


FRESH_SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    import tensorflow as tf

    sample = tf.saved_model.load(sys.argv[1]).signatures["sample"]
    body = json.loads(sys.argv[2])["inputs"]  # a TF Serving REST body (columnar)
    out = sample(seed=tf.constant(body["seed"], tf.int64), truncation=tf.constant(body["truncation"], tf.float32),
                 label=tf.constant(body["label"], tf.int32))["images"].numpy()
    np.save(sys.argv[3], out)
    print(json.dumps({"tfgan_zoo_imported": "tfgan_zoo" in sys.modules}))
""")


def test_the_same_seed_gives_the_same_image_in_a_fresh_process_without_tfgan_zoo(exported, tmp_path):
    _, path, model = exported
    body = {"inputs": {"seed": [11, 12, 13], "truncation": [1.0, 0.0, 0.25], "label": [2, 0, 1]}}
    here = model.signatures["sample"](seed=tf.constant([13, 11], tf.int64), truncation=tf.constant([0.25, 1.0]),
                                      label=tf.constant([1, 2]))["images"].numpy()
    result = subprocess.run([sys.executable, "-c", FRESH_SCRIPT, str(path), json.dumps(body), str(tmp_path / "out.npy")],
                            capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"tfgan_zoo_imported": False}
    served = np.load(tmp_path / "out.npy")
    np.testing.assert_array_equal(served[2], here[0])  # seed 13 in another row of another batch
    np.testing.assert_array_equal(served[0], here[1])
    assert not np.array_equal(served[0], served[1])


@pytest.mark.parametrize("seed, truncation, label, message", [
    ([1], [float("nan")], [0], "truncation must be <= 0: none"),
    ([1], [0.001], [0], "truncation must be <= 0: none"),
    ([1], [0.5], [3], "label must be in [0, 3)"),
    ([1], [0.5], [-1], "label must be in [0, 3)"),
    ([1, 2], [0.5], [0, 0], "truncation must have shape (batch,) with the batch size of seed"),
    ([1, 2], [0.5, 0.5], [0], "label must have shape (batch,) with the batch size of z"),
])
def test_bad_requests_fail_with_a_clear_message(exported, seed, truncation, label, message):
    sample = exported[2].signatures["sample"]
    with pytest.raises(tf.errors.InvalidArgumentError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[")):
        sample(seed=tf.constant(seed, tf.int64), truncation=tf.constant(truncation, tf.float32),
               label=tf.constant(label, tf.int32))
