"""StyleGAN training: style mixing, w_avg, truncation and mixing in sampling, exact resume
(Karras et al. 2019; the official G_style)."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo as tz
from tfgan_zoo.layers import NoiseInjection
from tfgan_zoo.models.pggan import pggan_discriminator
from tfgan_zoo.models.stylegan import nested_layers, style_parts, stylegan_generator
from tfgan_zoo.regularizers import R1Penalty
from tfgan_zoo.training import checkpoint as ck

RES, LATENT, LAYERS = 8, 8, 4  # 8 px: 4 style layers


def style_gan(seed=0, style_mixing_prob=0.9, compiled=True, **kwargs):
    keras.utils.set_random_seed(seed)
    generator = stylegan_generator(latent_dim=LATENT, resolution=RES, channels=1, fmap_base=32, fmap_max=8,
                                   mapping_layers=2, noise_seed=seed)
    discriminator = pggan_discriminator(resolution=RES, channels=1, fmap_base=16, fmap_max=8, blur=True)
    gan = tz.StyleGAN(generator, discriminator, latent_dim=LATENT, seed=seed, style_mixing_prob=style_mixing_prob,
                      schedule={"start_resolution": RES, "final_resolution": RES}, **kwargs)
    if compiled:
        adam = lambda: keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8)  # noqa: E731
        gan.compile(adam(), adam(), loss="nonsaturating", regularizers=[R1Penalty(weight=5.0)], ema_decay=0.9)
    return gan


def images(num=48, seed=0):
    return np.tanh(np.random.default_rng(seed).normal(size=(num, RES, RES, 1))).astype(np.float32)


def latents(num, seed=0):
    return np.random.default_rng(seed).normal(size=(num, LATENT)).astype(np.float32)


def set_noise_scales(generator, value=0.3):
    for layer in nested_layers(style_parts(generator).synthesis):
        if isinstance(layer, NoiseInjection):
            layer.weight.assign(np.full(layer.weight.shape, value, np.float32))


def test_w_avg_is_the_moving_average_of_the_first_latents_w():
    gan = style_gan(style_mixing_prob=1.0)
    parts = style_parts(gan.generator)
    z = latents(16)
    w = parts.map(z).numpy()
    gan.generate_from(z, None, training=True)  # mixes with fresh z2: only w(z) enters the average
    np.testing.assert_allclose(parts.w_average.w_avg.numpy(), 0.005 * w.mean(axis=0), rtol=1e-5, atol=1e-7)
    gan.generate_from(z, None, training=True)
    np.testing.assert_allclose(parts.w_average.w_avg.numpy(), (0.005 * 0.995 + 0.005) * w.mean(axis=0), rtol=1e-5, atol=1e-7)
    before = parts.w_average.w_avg.numpy()
    gan.generate_from(z, None, training=False)
    gan.generate(4, seed=0)
    np.testing.assert_array_equal(parts.w_average.w_avg.numpy(), before)  # sampling does not track


def test_mixing_probability_one_takes_w1_below_the_crossover_and_w2_from_it():
    gan = style_gan(style_mixing_prob=1.0)
    parts = style_parts(gan.generator)
    z = latents(6)
    w1 = parts.map(z).numpy()
    seen = set()
    for _ in range(12):
        styles = gan.training_styles(tf.constant(z), None, parts).numpy()
        same = np.all(np.isclose(styles, w1[:, None]), axis=-1)  # (batch, layers): layer styled by w1?
        k = int(same[0].sum())
        assert 1 <= k <= LAYERS - 1 and np.all(same[:, :k]) and not np.any(same[:, k:])
        np.testing.assert_array_equal(same, np.repeat(same[:1], len(z), axis=0))  # one crossover per batch
        w2 = styles[:, k:]
        np.testing.assert_array_equal(w2, np.repeat(w2[:, :1], LAYERS - k, axis=1))  # one w2 per sample
        seen.add(k)
    assert len(seen) >= 3


def test_crossover_is_uniform_over_the_active_layers_and_absent_with_probability_0_1():
    gan = style_gan(style_mixing_prob=0.9)
    draw = tf.function(lambda: gan.mixing_crossover(tf.constant(2)))
    draws = np.array([int(draw()[0]) for _ in range(700)])
    counts = np.bincount(draws, minlength=LAYERS + 1)
    assert counts[0] == 0 and counts[LAYERS] / 700 == pytest.approx(0.1, abs=0.04)  # no mixing: k = 4
    np.testing.assert_allclose(counts[1:LAYERS] / 700, 0.9 / (LAYERS - 1), atol=0.05)  # k in {1, 2, 3}
    gan0 = style_gan(style_mixing_prob=0.0)
    parts = style_parts(gan0.generator)
    z = latents(4)
    np.testing.assert_array_equal(gan0.training_styles(tf.constant(z), None, parts).numpy(),
                                  np.repeat(parts.map(z).numpy()[:, None], LAYERS, axis=1))


def test_sampling_psi_and_mixing():
    gan = style_gan()
    for generator in (gan.generator, gan.ema_generator):
        set_noise_scales(generator)
        style_parts(generator).w_average.w_avg.assign(np.linspace(-1, 1, LATENT).astype(np.float32))
    z_a, z_b = latents(4, seed=1), latents(4, seed=2)
    zero = gan.generate(z_a, psi=0.0, noise="fixed")
    np.testing.assert_allclose(zero, np.repeat(zero[:1], 4, axis=0), rtol=0, atol=1e-5)
    fixed = gan.generate(z_a, noise="fixed")
    with tz.layers.noise_injection.inference_noise(gan.ema_generator, "fixed"):
        np.testing.assert_array_equal(gan.ema_generator(z_a).numpy(), fixed)  # psi 1: the plain generator
    assert np.abs(gan.generate(z_a) - fixed).max() > 1e-3  # default noise: fresh
    np.testing.assert_array_equal(gan.generate_mixed(z_a, z_b, LAYERS), fixed)
    np.testing.assert_allclose(gan.generate_mixed(z_a, z_b, 0), gan.generate(z_b, noise="fixed"),
                               rtol=0, atol=1e-5)
    mixed = gan.generate_mixed(z_a, z_b, [0, 1, 2, 4])
    assert all(np.abs(mixed[i] - fixed[i]).max() > 1e-4 for i in range(3))
    np.testing.assert_allclose(mixed[3], fixed[3], rtol=0, atol=1e-5)


class _CheckpointAt(keras.callbacks.Callback):
    def __init__(self, directory, step):
        super().__init__()
        self.directory, self.step, self.path = directory, step, None

    def on_train_batch_end(self, batch, logs=None):
        if batch + 1 == self.step:
            self.path = ck.save_checkpoint(self.model, self.directory, step=self.step)


def test_resume_mid_training_is_exact_w_avg_included(tmp_path):
    data = tf.data.Dataset.from_tensor_slices(images(48)).batch(8)
    straight = style_gan()
    at_3 = _CheckpointAt(tmp_path, 3)
    history = straight.fit(data, epochs=1, verbose=0, callbacks=[at_3])
    assert all(np.isfinite(v[-1]) for v in history.history.values()) and "d_r1" in history.history
    w_avg = style_parts(straight.generator).w_average.w_avg.numpy()
    assert np.abs(w_avg).max() > 0  # tracked in training, and copied to the EMA generator
    np.testing.assert_array_equal(style_parts(straight.ema_generator).w_average.w_avg.numpy(), w_avg)
    resumed = style_gan(seed=1)
    ck.restore_checkpoint(resumed, at_3.path)
    resumed.fit(data.skip(3), epochs=1, verbose=0)
    expected, got = ck.capture_state(straight)[0], ck.capture_state(resumed)[0]
    assert expected.keys() == got.keys()
    for key in expected:
        np.testing.assert_array_equal(got[key], expected[key], err_msg=key)
    assert any(v is style_parts(resumed.generator).w_average.w_avg for v in ck.state_variables(resumed)["model"])


def test_bad_input_one_clear_line_each():
    gan = style_gan(compiled=False)
    with pytest.raises(ValueError, match=r"psi \(the truncation in W\) must be a number, or one per sample, in \[0, 1\] .*got 1.5"):
        gan.generate(2, psi=1.5)
    with pytest.raises(ValueError, match=r"in \[0, 1\] .*got nan"):
        gan.generate(2, psi=float("nan"))
    with pytest.raises(ValueError, match=r"truncation_cutoff must be an integer in \[1, 4\] .*got 5"):
        gan.generate(2, psi=0.7, truncation_cutoff=5)
    with pytest.raises(ValueError, match=r"crossover must be an integer layer in \[0, 4\] .*got 5"):
        gan.generate_mixed(latents(2), latents(2), 5)
    with pytest.raises(ValueError, match=r"noise must be one of \['random', 'fixed', 'none'\], got 'fresh'"):
        gan.generate(2, noise="fresh")
    with pytest.raises(ValueError, match=r"style_mixing_prob must be in \[0, 1\], got 1.5"):
        style_gan(style_mixing_prob=1.5, compiled=False)
