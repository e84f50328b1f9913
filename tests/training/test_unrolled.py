"""UnrolledGAN (Metz et al. 2016): the generator gradient through K discriminator updates, checked
against an explicit re-implementation of a one-hidden-layer tanh discriminator."""
import numpy as np
import pytest
import tensorflow as tf
import keras

import tfgan_zoo as tz
from tfgan_zoo.data import sample_toy
from tfgan_zoo.models import mlp_discriminator, mlp_generator
from tfgan_zoo.training.distribute import mirrored_strategy
from tfgan_zoo.training.unrolled import UnrolledGAN

LATENT = 3


def tiny(unrolling_steps=2, first_order=False, unroll_learning_rate=0.5, unroll_optimizer="sgd",
         d_optimizer=None, g_optimizer=None, width=4, seed=0, unrolled_objective="generator_loss",
         loss="nonsaturating"):
    keras.utils.set_random_seed(seed)
    gan = UnrolledGAN(
        mlp_generator(LATENT, 2, width, depth=1, activation="tanh"),
        mlp_discriminator(2, width, depth=1, activation="tanh"),
        latent_dim=LATENT, seed=0, unrolling_steps=unrolling_steps, first_order=first_order,
        unroll_learning_rate=unroll_learning_rate, unroll_optimizer=unroll_optimizer,
        unrolled_objective=unrolled_objective,
    )
    gan.compile(g_optimizer or keras.optimizers.Adam(1e-3), d_optimizer or keras.optimizers.Adam(1e-3),
                loss=loss)
    return gan


def batch(n=6):
    rng = np.random.default_rng(1)
    return tf.constant(rng.normal(size=(n, 2)), tf.float32), tf.constant(rng.normal(size=(n, LATENT)), tf.float32)


def generator_gradient(gan, real, z):
    with tf.GradientTape() as tape:
        total, report = gan.generator_objective(real, z, None)
    gradients = tape.gradient(total, gan.generator.trainable_variables)
    return [g.numpy() for g in gradients], float(report["g_adv"][0])


# --- an explicit discriminator: logits = tanh(x W0 + b0) W1 + b1 ----------------------------------

def logits_of(weights, x):
    w0, b0, w1, b1 = weights
    return tf.tanh(x @ w0 + b0) @ w1 + b1


def d_loss(weights, real, fake):  # cross-entropy discriminator loss (Goodfellow 2014)
    return tf.reduce_mean(tf.nn.softplus(-logits_of(weights, real))) + tf.reduce_mean(tf.nn.softplus(logits_of(weights, fake)))


def sgd_unroll(weights, real, fake, steps, lr):
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(weights)
            loss = d_loss(weights, real, fake)
        weights = [w - lr * g for w, g in zip(weights, tape.gradient(loss, weights))]
    return weights


def start_weights(gan):
    return [tf.constant(v.numpy()) for v in gan.discriminator.trainable_variables]


def reference_gradient(gan, real, z, unroll, second_order):
    """d/dtheta_G of softplus(-D_{theta_D^K}(G(z))), theta_D^K from `unroll(weights, real, fake)`."""
    with tf.GradientTape() as tape:
        fake = gan.generator(z, training=True)
        inner_fake = fake if second_order else tf.constant(fake.numpy())
        weights = unroll(start_weights(gan), real, inner_fake)
        if not second_order:
            weights = [tf.constant(w.numpy()) for w in weights]  # held constant
        loss = tf.reduce_mean(tf.nn.softplus(-logits_of(weights, fake)))
    return [g.numpy() for g in tape.gradient(loss, gan.generator.trainable_variables)], float(loss)


def assert_all_close(a, b, **kw):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, **kw)


# --- gradients ------------------------------------------------------------------------------------

def test_zero_unrolling_steps_is_exactly_the_plain_gan_generator_gradient():
    gan = tiny(unrolling_steps=0)
    plain = tz.GAN(gan.generator, gan.discriminator, latent_dim=LATENT)
    plain.compile(keras.optimizers.Adam(), keras.optimizers.Adam(), loss="nonsaturating")
    real, z = batch()
    unrolled_grads, unrolled_loss = generator_gradient(gan, real, z)
    plain_grads, plain_loss = generator_gradient(plain, real, z)
    assert unrolled_loss == plain_loss
    for a, b in zip(unrolled_grads, plain_grads):
        np.testing.assert_array_equal(a, b)


def test_first_order_gradient_is_the_gradient_at_constant_unrolled_weights():
    steps, lr = 3, 0.5
    gan = tiny(unrolling_steps=steps, first_order=True, unroll_learning_rate=lr)
    real, z = batch()
    grads, g_adv = generator_gradient(gan, real, z)
    expected, expected_loss = reference_gradient(
        gan, real, z, lambda w, r, f: sgd_unroll(w, r, f, steps, lr), second_order=False)
    assert g_adv == pytest.approx(expected_loss, rel=1e-5)  # g_adv is the loss at the unrolled D
    assert_all_close(grads, expected, rtol=1e-4, atol=1e-6)
    # and the unrolled loss is not the loss at the current discriminator
    _, current_loss = reference_gradient(gan, real, z, lambda w, r, f: w, second_order=False)
    assert abs(g_adv - current_loss) > 1e-3


def test_second_order_gradient_back_propagates_through_the_updates():
    steps, lr = 3, 0.5
    second = tiny(unrolling_steps=steps, first_order=False, unroll_learning_rate=lr)
    first = tiny(unrolling_steps=steps, first_order=True, unroll_learning_rate=lr)
    real, z = batch()
    second_grads, second_loss = generator_gradient(second, real, z)
    first_grads, first_loss = generator_gradient(first, real, z)
    expected, _ = reference_gradient(
        second, real, z, lambda w, r, f: sgd_unroll(w, r, f, steps, lr), second_order=True)
    assert_all_close(second_grads, expected, rtol=1e-4, atol=1e-6)
    assert second_loss == pytest.approx(first_loss, rel=1e-6)  # same unrolled weights ...
    difference = max(np.max(np.abs(a - b)) for a, b in zip(second_grads, first_grads))
    assert difference > 1e-3  # ... different gradient


def test_value_objective_is_the_negated_discriminator_loss_at_the_unrolled_weights():
    """Metz 2016 eq. 5: G descends f(theta_G, theta_D^K) = -L_D, whose real-data term depends on
    theta_G through theta_D^K; the fake-only generator loss drops that gradient."""
    steps, lr = 2, 0.5
    value = tiny(unrolling_steps=steps, unroll_learning_rate=lr, unrolled_objective="value", loss="minimax")
    fake_only = tiny(unrolling_steps=steps, unroll_learning_rate=lr, loss="minimax")
    real, z = batch()
    grads, g_adv = generator_gradient(value, real, z)
    with tf.GradientTape() as tape:
        fake = value.generator(z, training=True)
        weights = sgd_unroll(start_weights(value), real, fake, steps, lr)
        expected_loss = -d_loss(weights, real, fake)
    expected = [g.numpy() for g in tape.gradient(expected_loss, value.generator.trainable_variables)]
    assert g_adv == pytest.approx(float(expected_loss), rel=1e-5)
    assert_all_close(grads, expected, rtol=1e-4, atol=1e-6)
    fake_only_grads, _ = generator_gradient(fake_only, real, z)
    difference = max(np.max(np.abs(a - b)) for a, b in zip(grads, fake_only_grads))
    assert difference > 1e-3  # the real-data term's gradient


def test_value_objective_without_unrolling_has_the_minimax_generator_gradient():
    value = tiny(unrolling_steps=0, unrolled_objective="value", loss="minimax")
    plain = tiny(unrolling_steps=0, loss="minimax")
    real, z = batch()
    value_grads, value_loss = generator_gradient(value, real, z)
    plain_grads, plain_loss = generator_gradient(plain, real, z)
    real_term = float(tf.reduce_mean(tf.nn.softplus(-value.discriminator(real))))
    assert value_loss == pytest.approx(plain_loss - real_term, rel=1e-6)  # -L_D = -real term + L_G
    assert_all_close(value_grads, plain_grads, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_unroll_follows_the_d_optimizer_update_from_its_moments(amsgrad):
    steps = 2
    d_optimizer = keras.optimizers.Adam(0.05, beta_1=0.5, beta_2=0.9, epsilon=1e-6, amsgrad=amsgrad)
    gan = tiny(unrolling_steps=steps, first_order=True, unroll_learning_rate=None, unroll_optimizer="adam",
               d_optimizer=d_optimizer)
    gan.fit(sample_toy("ring8", 12, seed=0), batch_size=6, epochs=1, verbose=0)  # 2 steps: moments != 0
    assert int(d_optimizer.iterations) == 2
    variables = gan.discriminator.trainable_variables
    moments = [d_optimizer._momentums[d_optimizer._get_variable_index(v)].numpy() for v in variables]
    velocities = [d_optimizer._velocities[d_optimizer._get_variable_index(v)].numpy() for v in variables]
    maxima = [d_optimizer._velocity_hats[d_optimizer._get_variable_index(v)].numpy() for v in variables] if amsgrad else None
    state_before = [m.copy() for m in moments]

    def adam_unroll(weights, real, fake):
        m, v, v_max = list(moments), list(velocities), maxima
        for k in range(steps):
            with tf.GradientTape() as tape:
                tape.watch(weights)
                loss = d_loss(weights, real, fake)
            g = [x.numpy() for x in tape.gradient(loss, weights)]
            t = 2 + k + 1
            m = [0.5 * a + 0.5 * b for a, b in zip(m, g)]
            v = [0.9 * a + 0.1 * b * b for a, b in zip(v, g)]
            if amsgrad:  # Reddi et al. 2018: the running maximum of v replaces v
                v_max = [np.maximum(a, b) for a, b in zip(v_max, v)]
            m_hat = [a / (1 - 0.5 ** t) for a in m]
            v_hat = [a / (1 - 0.9 ** t) for a in (v_max if amsgrad else v)]
            # keras puts epsilon next to sqrt(v) before the bias correction of v (its alpha form)
            weights = [w - 0.05 * mh / (np.sqrt(vh) + 1e-6 / np.sqrt(1 - 0.9 ** t))
                       for w, mh, vh in zip(weights, m_hat, v_hat)]
            weights = [tf.constant(w, tf.float32) for w in weights]
        return weights

    real, z = batch()
    grads, g_adv = generator_gradient(gan, real, z)
    expected, expected_loss = reference_gradient(gan, real, z, adam_unroll, second_order=False)
    assert g_adv == pytest.approx(expected_loss, rel=1e-5)
    assert_all_close(grads, expected, rtol=1e-4, atol=1e-6)
    after = [d_optimizer._momentums[d_optimizer._get_variable_index(v)].numpy() for v in variables]
    for a, b in zip(state_before, after):  # the optimizer's own state is untouched
        np.testing.assert_array_equal(a, b)


def test_unroll_learning_rate_defaults_to_the_d_optimizer_rate():
    real, z = batch()
    default, _ = generator_gradient(
        tiny(unroll_learning_rate=None, d_optimizer=keras.optimizers.SGD(0.3)), real, z)
    explicit, _ = generator_gradient(tiny(unroll_learning_rate=0.3), real, z)
    assert_all_close(default, explicit, rtol=1e-6)


# --- training, saving, distribution -----------------------------------------------------------------

def ring_distance(points):
    return float(np.mean(np.abs(np.linalg.norm(points, axis=1) - 1.0)))


def test_unrolled_gan_trains_on_ring8_without_nan():
    keras.utils.set_random_seed(0)
    gan = UnrolledGAN(mlp_generator(8, 2, 32, activation="relu"), mlp_discriminator(2, 32, activation="relu"),
                      latent_dim=8, seed=0, unrolling_steps=5)
    gan.compile(keras.optimizers.Adam(5e-3, beta_1=0.5), keras.optimizers.Adam(5e-3, beta_1=0.5))
    before = ring_distance(gan.generate(1000, seed=1))
    history = gan.fit(sample_toy("ring8", 64 * 300, seed=0), batch_size=64, epochs=1, verbose=0)
    after = ring_distance(gan.generate(1000, seed=1))
    assert all(np.isfinite(values[-1]) for values in history.history.values())
    assert set(history.history) == {"d_loss", "d_adv", "g_loss", "g_adv"}
    assert after < 0.5 * before, (before, after)  # seen: 0.62 -> 0.16


def test_keras_round_trip_keeps_the_unrolling_options(tmp_path):
    gan = tiny(unrolling_steps=3, first_order=True, unroll_learning_rate=None, unroll_optimizer="adam",
               unrolled_objective="value")
    data = sample_toy("ring8", 12, seed=0)
    gan.fit(data, batch_size=6, epochs=1, verbose=0)
    gan.save(tmp_path / "unrolled.keras")
    loaded = keras.saving.load_model(tmp_path / "unrolled.keras")
    assert isinstance(loaded, UnrolledGAN)
    assert (loaded.unrolling_steps, loaded.first_order, loaded.unroll_learning_rate, loaded.unroll_optimizer,
            loaded.unrolled_objective) == (3, True, None, "adam", "value")
    z = np.random.default_rng(0).normal(size=(5, LATENT)).astype("float32")
    np.testing.assert_array_equal(gan.generate(z), loaded.generate(z))
    real, z = batch()
    assert_all_close(generator_gradient(gan, real, z)[0], generator_gradient(loaded, real, z)[0], rtol=1e-6)
    loaded.fit(data, batch_size=6, epochs=1, verbose=0)  # and it keeps training


def test_two_replica_step_equals_single_device_step():
    devices = tf.config.list_logical_devices("CPU")
    if len(devices) < 2:
        pytest.skip("needs two logical CPU devices (set up in conftest.py)")
    samples = np.random.default_rng(1).normal(size=(8, 2)).astype("float32")
    dataset = lambda: tf.data.Dataset.from_tensor_slices(samples).batch(8)
    # SGD for G: an Adam first step is ~lr * sign(gradient) and would hide a wrong gradient.
    build = lambda: tiny(unrolling_steps=2, unroll_optimizer="adam", unroll_learning_rate=None,
                         g_optimizer=keras.optimizers.SGD(1.0), d_optimizer=keras.optimizers.Adam(0.1))
    single = build()
    initial = single.generator.get_weights()
    single.fit(dataset(), epochs=1, verbose=0)
    with mirrored_strategy([d.name for d in devices[:2]]).scope():
        mirrored = build()
    mirrored.fit(dataset(), epochs=1, verbose=0)
    for before, a, b in zip(initial, single.generator.get_weights(), mirrored.generator.get_weights()):
        assert not np.allclose(before, a)
        # replicas unroll the global-batch update (all-reduced); a per-replica unroll is off by ~0.05 here
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# --- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [-1, 1.5])
def test_bad_unrolling_steps_are_rejected(bad):
    with pytest.raises(ValueError, match=f"unrolling_steps must be an integer >= 0, got {bad}"):
        tiny(unrolling_steps=bad)


def test_bad_unroll_options_are_rejected():
    with pytest.raises(ValueError, match=r"unroll_optimizer must be one of \['sgd', 'adam'\], got 'rmsprop'"):
        tiny(unroll_optimizer="rmsprop")
    with pytest.raises(ValueError, match="unroll_learning_rate must be None or > 0, got -0.1"):
        tiny(unroll_learning_rate=-0.1)
    with pytest.raises(ValueError, match=r"unrolled_objective must be one of \['generator_loss', 'value'\], got 'saddle'"):
        tiny(unrolled_objective="saddle")
    with pytest.raises(ValueError, match="expected a keras.optimizers.Adam d_optimizer, got RMSprop"):
        tiny(unroll_optimizer="adam", d_optimizer=keras.optimizers.RMSprop())
