"""InfoGAN (Chen et al. 2016): the information term is lambda times Q's cross-entropy on the code
(checked by hand) in both losses, the discriminator update trains Q's head, and on the ring
each code value comes to draw its own part of the data, read back by Q."""
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo as tz
from tfgan_zoo.data import sample_toy
from tfgan_zoo.losses import information_loss
from tfgan_zoo.models import mlp_discriminator, mlp_generator
from tfgan_zoo.training.infogan import InfoGAN

LATENT = 6
CODE = {"distribution": "categorical_code", "categories": 4}


def tiny(information_weight=1.0, seed=0):
    keras.utils.set_random_seed(seed)
    gan = InfoGAN(mlp_generator(LATENT, 2, 32), mlp_discriminator(2, 32), latent_dim=LATENT, seed=seed, prior=CODE,
                  information_weight=information_weight, q_width=16)
    gan.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5))
    return gan


def test_information_loss_closed_forms():
    codes = tf.constant([0, 3, 1])
    # uniform logits: the cross-entropy is log K (L_I = 0: Q knows nothing)
    assert float(information_loss(codes, tf.zeros((3, 4)))) == pytest.approx(math.log(4), rel=1e-6)
    # logit 5 on the code, 0 elsewhere: -log(e^5 / (e^5 + 3))
    logits = 5.0 * tf.one_hot(codes, 4)
    assert float(information_loss(codes, logits)) == pytest.approx(math.log1p(3 * math.exp(-5)), rel=1e-5)


def test_generator_total_adds_lambda_times_the_cross_entropy_of_q():
    gan = tiny(information_weight=0.7)
    z = tf.constant(gan.prior.sample(32, LATENT, seed=2))
    real = tf.constant(sample_toy("ring8", 32, seed=0))
    total, report = gan.generator_objective(real, z, None)
    fake = gan.generate_from(z, None, training=True)
    codes = np.argmax(z.numpy()[:, :4], axis=1)
    logits = gan.code_logits(fake, training=True).numpy().astype(np.float64)
    log_q = logits - logits.max(axis=1, keepdims=True)
    log_q -= np.log(np.exp(log_q).sum(axis=1, keepdims=True))
    cross_entropy = -log_q[np.arange(32), codes].mean()
    assert float(report["g_info"][0]) == pytest.approx(cross_entropy, rel=1e-4)
    assert float(total) == pytest.approx(float(report["g_adv"][0]) + 0.7 * cross_entropy, rel=1e-4)


def test_the_discriminator_update_trains_q_on_its_fake_batch():
    gan = tiny(information_weight=0.5)
    assert {id(v) for v in gan.q_head.trainable_variables} <= {id(v) for v in gan.discriminator_variables()}
    assert not {id(v) for v in gan.q_head.trainable_variables} & {id(v) for v in gan.generator_variables()}
    z = tf.constant(gan.prior.sample(32, LATENT, seed=2))
    real = tf.constant(sample_toy("ring8", 32, seed=0))
    fake = gan.generate_from(z, None, training=True)
    plain, _ = gan.discriminator_objective(real, fake, None)
    total, report = gan.discriminator_objective(real, fake, None, z)
    assert float(total) == pytest.approx(float(plain) + 0.5 * float(report["d_info"][0]), rel=1e-5)
    q_before = [w.numpy().copy() for w in gan.q_head.trainable_weights]
    g_before = [w.numpy().copy() for w in gan.generator.trainable_weights]
    gan.compile(keras.optimizers.SGD(0.0), keras.optimizers.Adam(1e-3), loss="nonsaturating")  # G frozen
    gan.fit(sample_toy("ring8", 64, seed=0), batch_size=32, epochs=1, verbose=0)
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(g_before, gan.generator.trainable_weights))
    assert not any(np.array_equal(a, w.numpy()) for a, w in zip(q_before, gan.q_head.trainable_weights))


def test_each_code_draws_its_own_part_of_the_ring():
    """400 steps: Q reads the code (accuracy near 1) and the four code values draw four separate
    groups of points, while the noise-only mean offsets of a plain GAN's input would not."""
    gan = tiny()
    data = tf.data.Dataset.from_tensor_slices(sample_toy("ring8", 12800, seed=0)).batch(64, drop_remainder=True)
    history = gan.fit(data.repeat(), steps_per_epoch=400, epochs=1, verbose=0)
    assert history.history["q_accuracy"][-1] > 0.95 and history.history["g_info"][-1] < 0.2 * math.log(4)
    z = gan.prior.sample(2000, LATENT, seed=5)
    codes = z[:, :4].argmax(axis=1)
    points = gan.generate(z)
    centres = np.stack([points[codes == c].mean(axis=0) for c in range(4)])
    spread = np.mean([np.linalg.norm(points[codes == c] - centres[c], axis=1).mean() for c in range(4)])
    gaps = [np.linalg.norm(centres[a] - centres[b]) for a in range(4) for b in range(a + 1, 4)]
    assert min(gaps) > spread, (gaps, spread)
    assert np.mean(np.argmax(gan.code_logits(tf.constant(points), training=False), axis=1) == codes) > 0.95


def test_builds_from_a_config_and_refuses_a_prior_without_a_code():
    with pytest.raises(ValueError, match=r"InfoGAN needs the 'categorical_code' prior .*got \{'distribution': 'normal'"):
        InfoGAN(mlp_generator(LATENT, 2, 8), mlp_discriminator(2, 8), latent_dim=LATENT)
    with pytest.raises(ValueError, match="information_weight must be a number > 0, got 0"):
        InfoGAN(mlp_generator(LATENT, 2, 8), mlp_discriminator(2, 8), latent_dim=LATENT, prior=CODE,
                information_weight=0)
    gan = tz.from_preset("infogan_mnist5k")
    assert isinstance(gan, InfoGAN) and gan.prior.categories == 10
    assert gan.get_config()["information_weight"] == 1.0
