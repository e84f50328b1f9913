"""BEGAN (Berthelot et al. 2017): the k_t control, the convergence measure, the L1 autoencoder
objectives, k_t in saved models, and one k_t across replicas."""
import numpy as np
import pytest
import tensorflow as tf
import keras

from tfgan_zoo import regularizers as R
from tfgan_zoo.models import mlp_discriminator, mlp_generator
from tfgan_zoo.models.began import began_autoencoder, began_generator
from tfgan_zoo.latent import LatentPrior
from tfgan_zoo.training.began import BEGAN, convergence_measure, k_update, reconstruction_loss
from tfgan_zoo.training.distribute import mirrored_strategy

LATENT = 4


def tiny(gamma=0.5, lambda_k=0.001, seed=0, **compile_kwargs):
    keras.utils.set_random_seed(seed)
    gan = BEGAN(began_generator(LATENT, 28, 1, 2), began_autoencoder(28, 1, 4, 2), latent_dim=LATENT, seed=0,
                gamma=gamma, lambda_k=lambda_k)
    compile_kwargs.setdefault("g_optimizer", keras.optimizers.Adam(1e-3))
    compile_kwargs.setdefault("d_optimizer", keras.optimizers.Adam(1e-3))
    gan.compile(**compile_kwargs)
    return gan


def images(n=8, seed=1):
    """Smooth blobs in [-1, 1]: something an autoencoder can learn."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(-1, 1, 28)
    centres = rng.uniform(-0.5, 0.5, (n, 2))
    d2 = (grid[None, :, None] - centres[:, 0, None, None]) ** 2 + (grid[None, None, :] - centres[:, 1, None, None]) ** 2
    return (2.0 * np.exp(-d2 / 0.1) - 1.0)[..., None].astype("float32")


# --- closed forms -------------------------------------------------------------------------------------

@pytest.mark.parametrize("k, real, fake, gamma, lambda_k, expected", [
    (0.5, 0.4, 0.1, 0.5, 0.001, 0.5 + 0.001 * (0.5 * 0.4 - 0.1)),   # 0.5001
    (0.2, 0.3, 0.25, 0.7, 0.001, 0.2 + 0.001 * (0.7 * 0.3 - 0.25)),  # moves down
    (0.0, 0.1, 0.5, 0.5, 0.001, 0.0),                                # clipped at 0
    (0.9995, 0.8, 0.0, 1.0, 0.001, 1.0),                             # clipped at 1
    (0.3, 0.5, 0.5, 1.0, 0.1, 0.3),                                  # equilibrium: no change
])
def test_k_update_is_the_clipped_proportional_control(k, real, fake, gamma, lambda_k, expected):
    assert float(k_update(k, real, fake, gamma, lambda_k)) == pytest.approx(expected, abs=1e-7)


def test_convergence_measure_formula():
    assert float(convergence_measure(0.4, 0.3, 0.5)) == pytest.approx(0.4 + abs(0.2 - 0.3))
    assert float(convergence_measure(0.4, 0.1, 0.5)) == pytest.approx(0.4 + 0.1)
    assert float(convergence_measure(0.4, 0.2, 0.5)) == pytest.approx(0.4)  # at equilibrium M = L(x)


def test_reconstruction_loss_is_the_per_sample_pixel_mean_then_batch_mean():
    v = np.zeros((2, 2, 2, 1), "float32")
    d = np.zeros_like(v)
    d[0] = 1.0           # sample 0: |v - D(v)| = 1 everywhere
    d[1, 0, 0, 0] = -2.0  # sample 1: one pixel of 2 -> 0.5
    assert float(reconstruction_loss(v, d)) == pytest.approx((1.0 + 0.5) / 2)


# --- the hooks with a fixed autoencoder ------------------------------------------------------------

def numpy_l1(model, x):
    return float(np.mean(np.abs(x - model.discriminator(x, training=True).numpy())))


def test_discriminator_objective_and_k_step_match_the_formulas():
    gan = tiny(gamma=0.7, lambda_k=0.01)
    gan.k_t.assign(0.3)
    real, fake = images(6, seed=1), images(6, seed=2) * 0.5
    l_real, l_fake = numpy_l1(gan, real), numpy_l1(gan, fake)
    total, report = gan.discriminator_objective(tf.constant(real), tf.constant(fake), None)
    assert float(report["d_adv"][0]) == pytest.approx(l_real - 0.3 * l_fake, rel=1e-5)
    assert float(total) == float(report["d_adv"][0])  # no regularisers
    assert float(report["recon_real"][0]) == pytest.approx(l_real, rel=1e-5)
    gan.after_discriminator_step(report)
    expected_k = np.clip(0.3 + 0.01 * (0.7 * l_real - l_fake), 0.0, 1.0)
    assert float(gan.k_t.numpy()) == pytest.approx(expected_k, rel=1e-5)
    assert float(report["k_t"][0]) == pytest.approx(expected_k, rel=1e-5)
    assert float(report["convergence"][0]) == pytest.approx(l_real + abs(0.7 * l_real - l_fake), rel=1e-5)
    # the generator objective is L(G(z))
    z = tf.constant(np.random.default_rng(0).uniform(-1, 1, (5, LATENT)), tf.float32)
    g_total, g_report = gan.generator_objective(tf.constant(real), z, None)
    generated = gan.generator(z, training=True).numpy()
    assert float(g_report["g_adv"][0]) == pytest.approx(numpy_l1(gan, generated), rel=1e-5)
    # and the discriminator's gradient is that of L(x) - k L(G(z)): a k of 0 ignores the fakes
    gan.k_t.assign(0.0)
    with tf.GradientTape() as tape:
        with_fakes, _ = gan.discriminator_objective(tf.constant(real), tf.constant(fake), None)
    with tf.GradientTape() as tape2:
        only_real = gan.reconstruction_loss(tf.constant(real))
    for a, b in zip(tape.gradient(with_fakes, gan.discriminator.trainable_variables),
                    tape2.gradient(only_real, gan.discriminator.trainable_variables)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_training_moves_k_within_bounds_and_logs_the_trackers():
    gan = tiny(lambda_k=0.05)
    seen = []
    callback = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(float(gan.k_t.numpy())))
    history = gan.fit(images(64), batch_size=8, epochs=2, verbose=0, callbacks=[callback])
    assert set(history.history) == {"d_loss", "d_adv", "g_loss", "g_adv", "recon_real", "recon_fake", "k_t", "convergence"}
    assert all(np.isfinite(values[-1]) for values in history.history.values())
    assert len(seen) == 16 and all(0.0 <= k <= 1.0 for k in seen)
    assert max(seen) > 0.0 and len(set(seen)) > 3  # k_t moves
    assert 0.0 <= history.history["k_t"][-1] <= 1.0
    evaluation = gan.evaluate(images(16), batch_size=8, verbose=0, return_dict=True)
    assert np.isfinite(evaluation["convergence"])


def test_k_t_is_saved_and_restored_with_the_model(tmp_path):
    gan = tiny(gamma=0.4)
    gan.fit(images(16), batch_size=8, epochs=1, verbose=0)
    gan.k_t.assign(0.375)
    gan.save(tmp_path / "began.keras")
    loaded = keras.saving.load_model(tmp_path / "began.keras")
    assert isinstance(loaded, BEGAN)
    assert float(loaded.k_t.numpy()) == 0.375
    assert (loaded.gamma, loaded.lambda_k, loaded.prior, loaded.loss_name) == (0.4, 0.001, LatentPrior("uniform"), "began")
    np.testing.assert_array_equal(gan.generate(4, seed=0), loaded.generate(4, seed=0))
    gan.save_weights(tmp_path / "began.weights.h5")
    fresh = tiny(gamma=0.4, seed=1)
    fresh.load_weights(tmp_path / "began.weights.h5")
    assert float(fresh.k_t.numpy()) == 0.375


def test_latents_are_uniform_in_minus_one_one():
    gan = tiny()
    z = gan.sample_latents(2000).numpy()
    assert z.min() >= -1.0 and z.max() <= 1.0 and z.min() < -0.9 and z.max() > 0.9
    assert abs(float(np.std(z)) - 1 / np.sqrt(3)) < 0.02


def test_two_replicas_hold_the_same_k_t_as_one_device():
    devices = tf.config.list_logical_devices("CPU")
    if len(devices) < 2:
        pytest.skip("needs two logical CPU devices (set up in conftest.py)")
    data = images(16)
    dataset = lambda: tf.data.Dataset.from_tensor_slices(data).batch(8)
    build = lambda: tiny(lambda_k=0.1, g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    single = build()
    single.fit(dataset(), epochs=1, verbose=0)
    strategy = mirrored_strategy([d.name for d in devices[:2]])
    with strategy.scope():
        mirrored = build()
    mirrored.fit(dataset(), epochs=1, verbose=0)
    per_replica = [float(v.numpy()) for v in strategy.experimental_local_results(mirrored.k_t.value)]
    assert single.k_t.numpy() > 0.0
    assert per_replica[0] == per_replica[1]
    assert per_replica[0] == pytest.approx(float(single.k_t.numpy()), rel=1e-5)


# --- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("gamma", [0.0, 1.5, -0.5])
def test_gamma_outside_zero_one_is_rejected(gamma):
    with pytest.raises(ValueError, match=rf"gamma must be in \(0, 1\], got {gamma}"):
        tiny(gamma=gamma)


def test_registry_losses_and_logit_regularisers_are_rejected():
    with pytest.raises(ValueError, match="BEGAN uses its own objective.*Expected loss='began', got 'hinge'"):
        tiny(loss="hinge")
    with pytest.raises(ValueError, match="Regularizer 'gradient_penalty' needs discriminator logits"):
        tiny(regularizers=[R.GradientPenalty()])
    tiny(regularizers=[R.OrthogonalRegularization(1e-4)])  # weight-only terms are fine


def test_a_logit_discriminator_is_rejected():
    with pytest.raises(ValueError, match="BEGAN needs an autoencoder discriminator"):
        BEGAN(mlp_generator(4, 2, 8), mlp_discriminator(2, 8), latent_dim=4)
    with pytest.raises(ValueError, match="BEGAN is unconditional: expected num_classes=None, got 10"):
        BEGAN(began_generator(4, 28, 1, 2), began_autoencoder(28, 1, 4, 2), latent_dim=4, num_classes=10)
    with pytest.raises(ValueError, match=r"generator makes samples of shape \(32, 32, 1\)"):
        BEGAN(began_generator(4, 32, 1, 2), began_autoencoder(28, 1, 4, 2), latent_dim=4)
