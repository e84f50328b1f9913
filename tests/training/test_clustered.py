"""ClusteredGAN (Lucic et al. 2019, "Clustering"): D sees k-means clusters, G takes z alone."""
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo as tz
from tfgan_zoo import clustering
from tfgan_zoo.export import export_generator
from tfgan_zoo.models import dcgan_discriminator, dcgan_generator
from tfgan_zoo.training import checkpoint as ck

K, NOISE = 4, 8
LATENT = K + NOISE


def digits(n=256):
    images, labels = tz.data.load_mnist5k("train")
    return (images[:n].astype("float32") / 127.5 - 1.0), labels[:n]


def clustered_gan(seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    gan = tz.ClusteredGAN(dcgan_generator(LATENT, 28, 1, width=4),
                          dcgan_discriminator(28, 1, width=4, num_classes=K), LATENT, clusters=K, seed=seed, **kwargs)
    gan.compile(ema_decay=0.9)
    return gan


def test_in_graph_clusters_are_the_numpy_assignment_and_the_prior_takes_their_shares():
    gan = clustered_gan()
    images, _ = digits()
    assert not gan.fitted and gan.prior.probabilities is None  # a uniform code until fitted
    fit = gan.fit_clusters(images)
    expected = fit.assign(clustering.features(images, fit.pool))
    got = tf.function(gan.cluster_of)(tf.constant(images)).numpy()
    assert np.mean(got == expected) >= 0.99  # float32 in the graph, float64 in numpy: ties may flip
    np.testing.assert_allclose(gan.prior.probabilities, fit.frequencies, atol=1e-6)
    np.testing.assert_allclose(np.bincount(expected, minlength=K) / len(images), fit.frequencies)
    z = gan.prior.sample(6000, LATENT, seed=0)
    np.testing.assert_allclose(np.bincount(z[:, :K].argmax(1), minlength=K) / 6000, fit.frequencies, atol=0.02)


def test_the_step_feeds_d_the_clusters_and_g_the_real_batchs_clusters():
    gan = clustered_gan()
    images, labels = digits()
    gan.fit_clusters(images)
    batch = tf.constant(images[:16])
    real, clusters = gan._unpack((batch, tf.constant(labels[:16])))  # the dataset's labels are not used
    np.testing.assert_array_equal(clusters.numpy(), gan.cluster_of(batch).numpy())
    z = tf.constant(gan.prior.sample(16, LATENT, seed=1))
    coded = gan.with_code(z, clusters)
    np.testing.assert_array_equal(gan.prior.code_of(coded).numpy(), clusters.numpy())
    np.testing.assert_array_equal(coded[:, K:].numpy(), z[:, K:].numpy())
    np.testing.assert_allclose(gan.generate_from(z, clusters, training=False).numpy(),
                               gan.generator(coded, training=False).numpy(), atol=1e-6)
    np.testing.assert_allclose(gan.discriminate(real, None, training=False).numpy(),
                               gan.discriminator([real, clusters], training=False).numpy(), atol=1e-6)


def test_fit_clusters_once_and_checkpoints_keep_them(tmp_path):
    images, _ = digits()
    gan = clustered_gan()
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(32, drop_remainder=True).repeat()
    history = gan.fit(dataset, steps_per_epoch=3, epochs=1, verbose=0)
    assert gan.fitted and np.isfinite(history.history["d_loss"][-1])
    centroids = gan.cluster_centroids.numpy().copy()
    gan.prepare_training(dataset.map(lambda x: -x))  # fitted: other data does not refit
    np.testing.assert_array_equal(gan.cluster_centroids.numpy(), centroids)
    path = ck.save_checkpoint(gan, tmp_path, step=3)
    fresh = clustered_gan(seed=5)
    ck.restore_checkpoint(fresh, path)
    assert fresh.fitted and fresh.prior == gan.prior
    np.testing.assert_array_equal(fresh.cluster_of(images).numpy(), gan.cluster_of(images).numpy())
    np.testing.assert_allclose(fresh.generate(8, seed=2), gan.generate(8, seed=2), atol=1e-6)


def test_export_serves_z_alone_and_the_loader_draws_the_clusters(tmp_path):
    gan = clustered_gan()
    gan.fit_clusters(digits()[0])
    path = export_generator(gan, tmp_path / "m" / "1")
    loaded = tz.load_generator(path)
    assert loaded.prior == gan.prior and loaded.num_classes is None
    np.testing.assert_allclose(loaded.generate(12, seed=4), gan.generate(12, seed=4), atol=1e-5)
    assert "tf.random.categorical(tf.math.log([" in (path / "README.md").read_text()
    served = tf.saved_model.load(str(path)).signatures["serving_default"]
    z = gan.prior.sample(3, LATENT, seed=4)
    served_images = served(z=tf.constant(z))["images"].numpy()  # uint8, (x + 1) * 127.5 rounded
    expected = np.round((np.clip(gan.generate(z), -1, 1) + 1.0) * 127.5)
    assert served_images.dtype == np.uint8 and np.abs(served_images - expected).max() <= 1


def test_bad_configurations_are_one_clear_line():
    g, d = dcgan_generator(LATENT, 28, 1, width=4), dcgan_discriminator(28, 1, width=4, num_classes=K)
    with pytest.raises(ValueError, match=r"generator takes no labels \(num_classes must be None\), got num_classes=10"):
        tz.ClusteredGAN(g, d, LATENT, clusters=K, num_classes=10)
    with pytest.raises(ValueError, match=r"discriminator takes \[images, labels\].*takes one input"):
        tz.ClusteredGAN(g, dcgan_discriminator(28, 1, width=4), LATENT, clusters=K)
    with pytest.raises(ValueError, match=r"needs the prior \{'distribution': 'categorical_code', 'categories': 4\}"):
        tz.ClusteredGAN(g, d, LATENT, clusters=K, prior="normal")
    with pytest.raises(ValueError, match=r"clusters must be an integer >= 2, got 1"):
        tz.ClusteredGAN(g, d, LATENT, clusters=1)
    gan = tz.ClusteredGAN(g, d, LATENT, clusters=K)
    with pytest.raises(ValueError, match=r"Expected images of shape \(N, 28, 28, 1\) to cluster, got \(5, 32, 32, 1\)"):
        gan.fit_clusters(np.zeros((5, 32, 32, 1)))


def test_a_clustered_run_records_its_prior_and_resumes_exactly(tmp_path):
    from tfgan_zoo.training import runner

    tiny = {"generator.width": 4, "discriminator.width": 4, "training.log_every": 2, "training.sample_every": 3,
            "training.checkpoint_every": 3, "training.num_samples": 9}

    def train(out, steps, **kwargs):
        return runner.train("clustered_dcgan_mnist5k", steps=steps, batch_size=8, out=out, overrides=tiny,
                            progress=False, **kwargs)

    train(tmp_path / "full", 6)
    prior = json.loads((tmp_path / "full" / "config.json").read_text())["model"]["prior"]
    shares = np.asarray(prior["probabilities"])
    assert prior["categories"] == 80 and shares.shape == (80,) and abs(shares.sum() - 1) < 1e-6
    assert shares.min() > 0 and np.allclose(shares * 4000, np.round(shares * 4000), atol=1e-3)  # counts of 4,000
    train(tmp_path / "resumed", 3)
    runner.train(out=tmp_path / "resumed", resume=True, steps=6, progress=False)
    full, _ = ck.read_checkpoint(tmp_path / "full" / "checkpoints" / "step_000006.npz")
    resumed, _ = ck.read_checkpoint(tmp_path / "resumed" / "checkpoints" / "step_000006.npz")
    for key in full:  # networks, centroids, optimisers
        np.testing.assert_allclose(full[key], resumed[key], rtol=1e-5, atol=1e-6, err_msg=key)
    assert tz.load_generator(tmp_path / "full").prior.probabilities == pytest.approx(tuple(shares))


def test_fewer_images_than_clusters_leave_the_rest_empty(caplog):
    gan = clustered_gan()
    images = digits(3)[0]
    with caplog.at_level("WARNING", logger="tfgan_zoo"):
        gan.fit_clusters(images)
    assert "3 images for 4 clusters; fitting 3" in caplog.text
    np.testing.assert_allclose(gan.cluster_frequencies.numpy(), [1 / 3, 1 / 3, 1 / 3, 0.0], atol=1e-6)
    assert sorted(gan.cluster_of(images).numpy()) == [0, 1, 2]  # each image its own cluster, none in the empty one
    z = gan.prior.sample(600, LATENT, seed=0)
    assert set(z[:, :K].argmax(1)) == {0, 1, 2}  # the empty cluster is never drawn
