"""Gradient penalty, R1/R2, drift, weight clipping and orthogonal regularisation: closed forms."""
import numpy as np
import pytest
import tensorflow as tf
import keras

from tfgan_zoo import regularizers as R

W = np.array([0.6, -1.2, 2.0, 0.3], "float32")
B = 0.7


def linear_critic(x):
    """D(x) = w . x + b, for flattened x."""
    flat = tf.reshape(x, (tf.shape(x)[0], -1))
    return tf.reduce_sum(flat * W, axis=1, keepdims=True) + B


def batch(seed, n=8):
    return tf.constant(np.random.default_rng(seed).normal(size=(n, 2, 2, 1)).astype("float32"))


def test_gradient_penalty_of_linear_critic_is_closed_form():
    norm = float(np.linalg.norm(W))
    value = float(R.gradient_penalty(linear_critic, batch(0), batch(1)))
    assert value == pytest.approx((norm - 1.0) ** 2, rel=1e-5)
    assert float(R.gradient_penalty(linear_critic, batch(0), batch(1), target=0.0)) == pytest.approx(norm**2, rel=1e-5)


def test_gradient_penalty_uses_one_coefficient_per_sample():
    # Critic D(x) = 0.5 * ||x||^2 has grad x, so at x_hat = eps r + (1-eps) f the penalty tells
    # exactly which eps was used: with per-sample eps the interpolant is a scalar blend.
    def quadratic(x):
        return 0.5 * tf.reduce_sum(tf.reshape(x, (tf.shape(x)[0], -1)) ** 2, axis=1)

    real, fake = batch(2, 4), batch(3, 4)
    eps = np.array([0.0, 0.25, 0.5, 1.0], "float32")
    blend = eps[:, None, None, None] * real.numpy() + (1 - eps[:, None, None, None]) * fake.numpy()
    expected = np.mean((np.linalg.norm(blend.reshape(4, -1), axis=1) - 1.0) ** 2)
    assert float(R.gradient_penalty(quadratic, real, fake, epsilon=eps)) == pytest.approx(expected, rel=1e-5)
    # with random eps, the interpolants must lie on the segments between the paired samples
    captured = []

    def spy(x):
        captured.append(x)
        return quadratic(x)

    R.gradient_penalty(spy, real, fake, seed=keras.random.SeedGenerator(0))
    x_hat = captured[0].numpy().reshape(4, -1)
    r, f = real.numpy().reshape(4, -1), fake.numpy().reshape(4, -1)
    coefficients = (x_hat - f) / (r - f)
    assert np.allclose(coefficients, coefficients[:, :1], atol=1e-4)  # one eps per row
    assert np.all((coefficients >= 0) & (coefficients <= 1))


def test_r1_and_r2_of_linear_critic_are_squared_norm():
    norm_sq = float(np.sum(W**2))
    assert float(R.r1_penalty(linear_critic, batch(4))) == pytest.approx(norm_sq, rel=1e-5)
    assert float(R.r2_penalty(linear_critic, batch(5))) == pytest.approx(norm_sq, rel=1e-5)


def test_orthogonal_penalty_zero_for_orthogonal_and_positive_otherwise():
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(6, 6)))
    assert float(R.orthogonal_penalty([tf.constant(q[:, :4], tf.float32)])) == pytest.approx(0.0, abs=1e-9)
    # scaled orthogonal columns are still penalty-free: only the off-diagonal counts
    assert float(R.orthogonal_penalty([tf.constant(3.0 * q[:, :4], tf.float32)])) == pytest.approx(0.0, abs=1e-8)
    k = np.array([[1.0, 1.0], [0.0, 1.0]], "float32")  # W^T W = [[1, 1], [1, 2]]
    assert float(R.orthogonal_penalty([tf.constant(k)])) == pytest.approx(2.0)
    # conv kernels are reshaped to (fan_in, filters)
    conv = np.random.default_rng(1).normal(size=(3, 3, 2, 4)).astype("float32")
    m = conv.reshape(-1, 4)
    gram = m.T @ m
    assert float(R.orthogonal_penalty([tf.constant(conv)])) == pytest.approx(
        np.sum((gram * (1 - np.eye(4))) ** 2), rel=1e-5
    )


def test_weight_clipping_hook_clips_every_discriminator_weight():
    class Holder:
        discriminator = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5), keras.layers.Dense(1)])

    for v in Holder.discriminator.trainable_variables:
        v.assign(np.random.default_rng(0).normal(size=v.shape) * 3)
    R.WeightClipping(0.01).after_step(Holder)
    values = np.concatenate([v.numpy().ravel() for v in Holder.discriminator.trainable_variables])
    assert np.max(np.abs(values)) <= 0.01 + 1e-9
    assert np.sum(np.isclose(np.abs(values), 0.01)) > len(values) // 2  # really clipped


def test_drift_of_linear_critic_is_the_mean_squared_score():
    # D(x) = w . x + b on the real batch: E[D(x)^2] = mean_i (w . x_i + b)^2 (Karras 2018, app. A.1).
    real = batch(6)
    scores = real.numpy().reshape(8, -1) @ W + B
    assert float(R.drift_penalty(linear_critic(real))) == pytest.approx(float(np.mean(scores**2)), rel=1e-6)
    # x = 0 leaves only the bias: b^2 exactly
    assert float(R.drift_penalty(linear_critic(tf.zeros((3, 2, 2, 1))))) == pytest.approx(B**2, rel=1e-6)

    class LinearGAN:  # what the regulariser object reads through its StepContext
        def discriminate(self, images, labels, training=True):
            return linear_critic(images)

    drift = R.get("drift")
    assert (drift.name, drift.weight, drift.applies_to) == ("d_drift", 0.001, "discriminator")
    context = R.StepContext(LinearGAN(), real, batch(7))
    assert float(drift.penalty(context)) == pytest.approx(float(np.mean(scores**2)), rel=1e-6)


def test_registry_and_bad_specs():
    assert isinstance(R.get({"kind": "gradient_penalty", "weight": 10}), R.GradientPenalty)
    assert R.get("r1").name == "d_r1"
    with pytest.raises(ValueError, match="Unknown regularizer 'gradient_penalt'.*Did you mean 'gradient_penalty'"):
        R.get("gradient_penalt")
    with pytest.raises(ValueError, match="interval >= 1, got 0"):
        R.GradientPenalty(interval=0)
    with pytest.raises(ValueError, match="weight >= 0, got -1"):
        R.R1Penalty(weight=-1)
    with pytest.raises(ValueError, match="clip > 0"):
        R.WeightClipping(clip=0)


def test_config_round_trip():
    for reg in (R.GradientPenalty(weight=5, interval=4), R.OrthogonalRegularization(applies_to="discriminator"),
                R.WeightClipping(0.02), R.FeatureMatching(layer="f"), R.Drift(0.002)):
        assert R.get(reg.get_config()).get_config() == reg.get_config()


def _holder(generator):
    class Holder:
        pass

    Holder.generator = generator
    return R.StepContext(gan=Holder, real=None, fake=None)


def test_orthogonal_regularization_has_the_released_code_gradient():
    # BigGAN-PyTorch utils.ortho adds strength * 2 (W W^T * (1 - I)) W to the gradient of each
    # (out, fan_in) weight W; our kernels are M = W^T, (fan_in, out). Convention: the penalty is
    # half of eq. 3, so its gradient is exactly that, and weight 1e-4 = --G_ortho 1e-4.
    m = np.array([[1.0, 1.0], [0.0, 1.0]], "float32")  # M^T M = [[1, 1], [1, 2]]
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    model.layers[0].kernel.assign(m)
    context = _holder(model)
    with tf.GradientTape() as tape:
        value = R.OrthogonalRegularization().penalty(context)
    kernel_grad, bias_grad = tape.gradient(value, model.trainable_variables)
    assert float(value) == pytest.approx(1.0)  # 1/2 * (1^2 + 1^2)
    np.testing.assert_allclose(kernel_grad.numpy(), [[2.0, 2.0], [2.0, 0.0]], rtol=1e-6)  # 2 M A, A = [[0, 1], [1, 0]]
    w = m.T
    released = 2.0 * ((w @ w.T) * (1.0 - np.eye(2))) @ w
    np.testing.assert_allclose(kernel_grad.numpy(), released.T, rtol=1e-6)
    assert bias_grad is None  # 1-D parameters are skipped
    with tf.GradientTape() as tape:  # eq. 3 itself: twice the released gradient
        eq3 = R.orthogonal_penalty(model.trainable_variables[:1])
    np.testing.assert_allclose(tape.gradient(eq3, model.trainable_variables[0]).numpy(), 2 * released.T, rtol=1e-6)

    conv = keras.Sequential([keras.Input((4, 4, 2)), keras.layers.Conv2D(3, 3, use_bias=False)])
    kernel = np.random.default_rng(2).normal(size=(3, 3, 2, 3)).astype("float32")
    conv.layers[0].kernel.assign(kernel)
    with tf.GradientTape() as tape:
        value = R.OrthogonalRegularization().penalty(_holder(conv))
    flat = kernel.reshape(-1, 3)
    off_diagonal = (flat.T @ flat) * (1.0 - np.eye(3))
    assert float(value) == pytest.approx(0.5 * np.sum(off_diagonal**2), rel=1e-5)
    np.testing.assert_allclose(tape.gradient(value, conv.trainable_variables[0]).numpy(),
                               (2.0 * flat @ off_diagonal).reshape(kernel.shape), rtol=1e-4, atol=1e-4)


def test_orthogonal_regularization_skips_what_the_released_code_skips():
    # 1-D parameters and G's shared class embedding; every kernel else (convolutions, linears,
    # conditional-BN maps, attention), spectrally normalised or not.
    from tfgan_zoo.models import biggan_generator

    g = biggan_generator(latent_dim=16, width=2, num_classes=3, embedding_dim=4)
    with tf.GradientTape() as tape:
        value = R.OrthogonalRegularization().penalty(_holder(g))
    gradients = tape.gradient(value, g.trainable_variables)
    regularised = {v.path for v, grad in zip(g.trainable_variables, gradients) if grad is not None}
    expected = {v.path for v in g.trainable_variables if len(v.shape) >= 2} - {"shared_embedding/embeddings"}
    assert regularised == expected
    for part in ("block0_bn1/gain", "attention/query", "block2_shortcut_conv/kernel", "to_images/kernel", "project/kernel"):
        assert any(part in path for path in regularised), part


def test_consistency_penalty_of_a_shift_sensitive_critic():
    # D(x) = w . x + b on a 1 x 4 strip: translating by one pixel changes D by a closed-form amount.
    strip = tf.constant(np.array([[[[1.0], [2.0], [4.0], [8.0]]], [[[0.5], [0.5], [0.5], [0.5]]]], "float32"))
    shifted = np.array([[1.0, 1.0, 2.0, 4.0], [0.5, 0.5, 0.5, 0.5]], "float32")  # dx = +1, edge repeated
    expected = np.mean((strip.numpy().reshape(2, 4) @ W - shifted @ W) ** 2)
    assert float(R.consistency_penalty(linear_critic(strip), shifted @ W[:, None] + B)) == pytest.approx(expected)

    class ShiftingGAN:  # every uniform draw maps to shift +1 in x and 0 in y (max_shift 1)
        def discriminate(self, images, labels, training=True):
            return linear_critic(images)

        def replica_uniform(self, shape):
            return tf.tile(tf.constant([[0.9, 0.5]]), [shape[0], 1])

    cr = R.get({"kind": "consistency", "max_shift": 1})
    assert (cr.name, cr.weight, cr.applies_to, cr.get_config()["max_shift"]) == ("d_cr", 10.0, "discriminator", 1)
    assert float(cr.penalty(R.StepContext(ShiftingGAN(), strip, strip))) == pytest.approx(expected, rel=1e-6)
    # a constant image is its own translation: no penalty
    flat = tf.fill((2, 1, 4, 1), 0.5)
    assert float(cr.penalty(R.StepContext(ShiftingGAN(), flat, flat))) == 0.0
    with pytest.raises(ValueError, match="integer max_shift >= 1, got 0"):
        R.ConsistencyRegularization(max_shift=0)
