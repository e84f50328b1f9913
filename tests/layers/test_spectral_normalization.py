"""SpectralNormalization (Miyato et al. 2018) against an exact SVD: sigma, eq. 12's gradient, state."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.layers import SpectralNormalization
from tfgan_zoo.layers.spectral_normalization import spectral_sigmas

CASES = {
    "dense": (lambda: keras.layers.Dense(5), (4, 7), "float32"),
    "conv2d": (lambda: keras.layers.Conv2D(3, 3, padding="same"), (2, 5, 5, 4), "float32"),
    "conv2d_transpose": (lambda: keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same"), (2, 3, 3, 5), "float32"),
    "embedding": (lambda: keras.layers.Embedding(6, 8), (5,), "int32"),
}


def make_input(shape, dtype, seed=1):
    rng = np.random.default_rng(seed)
    if dtype == "int32":
        return np.array([0, 2, 3, 5, 2], dtype="int32")[: shape[0]]
    return rng.normal(size=shape).astype("float32")


def make_layer(case: str, seed: int = 0) -> tuple[SpectralNormalization, np.ndarray]:
    """A built wrapper whose raw weight is a fixed random N(0, 1) array, and an input."""
    build, shape, dtype = CASES[case]
    keras.utils.set_random_seed(seed)
    layer = SpectralNormalization(build())
    x = make_input(shape, dtype)
    layer(x)
    weight = layer.weight_variable
    weight.assign(np.random.default_rng(seed).normal(size=weight.shape).astype("float32"))
    return layer, x


def matrix(layer: SpectralNormalization, weight) -> np.ndarray:
    """The weight as the (fan, out) matrix the layer normalises, in numpy."""
    return np.asarray(layer._as_matrix(np.asarray(weight)))


def largest_singular_value(m) -> float:
    return float(np.linalg.svd(np.asarray(m, np.float64), compute_uv=False)[0])


def train(layer, x, calls=50):
    for _ in range(calls):
        layer(x, training=True)


def wrapped_output(layer: SpectralNormalization, weight, x):
    """The wrapped layer's output with `weight` in place of its raw weight."""
    values = [weight if v is layer.weight_variable else v for v in layer.layer.trainable_variables]
    return layer.layer.stateless_call(values, [], x)[0]


def objective(outputs):
    """A fixed non-linear scalar of the layer output (so the gradient is not a single rank-1 term)."""
    outputs = tf.cast(outputs, tf.float32)
    flat = tf.reshape(outputs, [-1])
    weights = tf.constant(np.random.default_rng(7).normal(size=flat.shape[0]).astype("float32"))
    return tf.reduce_sum(tf.tanh(flat) * weights)


def paper_gradient(layer: SpectralNormalization, x) -> np.ndarray:
    """d f(W / sigma(W)) / dW with sigma(W) the largest singular value of an exact SVD."""
    weight = tf.constant(np.asarray(layer.weight_variable))
    with tf.GradientTape() as tape:
        tape.watch(weight)
        sigma = tf.linalg.svd(layer._as_matrix(weight), compute_uv=False)[0]
        value = objective(wrapped_output(layer, weight / sigma, x))
    return tape.gradient(value, weight).numpy()


def gradient_of_raw_weight(model_call, variable) -> np.ndarray:
    with tf.GradientTape() as tape:
        value = objective(model_call())
    return tf.convert_to_tensor(tape.gradient(value, variable.value)).numpy()


def relative_error(a, b) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


@pytest.mark.parametrize("case", list(CASES))
def test_sigma_converges_to_the_largest_singular_value(case):
    layer, x = make_layer(case)
    raw = np.asarray(layer.weight_variable).copy()
    train(layer, x)
    exact = largest_singular_value(matrix(layer, raw))
    assert abs(float(layer.sigma.numpy()) - exact) < 1e-3
    effective = largest_singular_value(matrix(layer, layer.normalized_weight()))
    assert abs(effective - 1.0) < 1e-3
    np.testing.assert_array_equal(np.asarray(layer.weight_variable), raw)  # never assigned


@pytest.mark.parametrize("case", list(CASES))
def test_forward_pass_is_the_wrapped_layer_with_the_normalised_weight(case):
    layer, x = make_layer(case)
    train(layer, x)
    raw = np.asarray(layer.weight_variable).copy()
    sigma = float(layer.sigma.numpy())
    out = layer(x, training=True)
    np.testing.assert_array_equal(np.asarray(layer.weight_variable), raw)
    assert out.dtype == "float32"  # an Embedding's output is not cast to its int input
    expected = wrapped_output(layer, raw / sigma, x)
    np.testing.assert_allclose(out.numpy(), np.asarray(expected), rtol=1e-4, atol=1e-5)


def test_dense_output_against_numpy():
    layer, x = make_layer("dense")
    train(layer, x)
    kernel, bias = (np.asarray(v, np.float64) for v in (layer.layer.kernel, layer.layer.bias))
    expected = x @ (kernel / largest_singular_value(kernel)) + bias
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", list(CASES))
def test_gradient_equals_eq12_through_an_exact_svd(case):
    layer, x = make_layer(case)
    train(layer, x)  # u has converged
    ours = gradient_of_raw_weight(lambda: layer(x, training=True), layer.weight_variable)
    reference = paper_gradient(layer, x)
    assert relative_error(ours, reference) < 1e-3
    # the sigma term of eq. 12 matters: without it the gradient is far more than 1e-3 off
    sigma = float(layer.sigma.numpy())
    with tf.GradientTape() as tape:
        weight = tf.constant(np.asarray(layer.weight_variable))
        tape.watch(weight)
        value = objective(wrapped_output(layer, weight / sigma, x))
    assert relative_error(tape.gradient(value, weight).numpy(), reference) > 1e-2


def test_keras_spectral_normalization_gradient_skips_sigma():
    """Keras's wrapper assigns W / sigma into its kernel, so the kernel's gradient is df/dW_sn,
    without eq. 12's -(df/dW_sn . W_sn) u v^T term: here 27% (relative norm) away from the
    paper's gradient at the same normalised kernel, where ours agrees to 1e-7."""
    keras.utils.set_random_seed(0)
    x = make_input((4, 7), "float32")
    wrapped = keras.layers.SpectralNormalization(keras.layers.Dense(5))
    wrapped(x)
    wrapped.layer.kernel.assign(np.random.default_rng(0).normal(size=(7, 5)).astype("float32"))
    train(wrapped, x)  # its kernel now holds W / sigma(W)
    theirs = gradient_of_raw_weight(lambda: wrapped(x, training=True), wrapped.layer.kernel)

    ours = SpectralNormalization(keras.layers.Dense(5))
    ours(x)
    for target, source in zip(ours.layer.weights, wrapped.layer.weights):
        target.assign(source)
    train(ours, x)
    reference = paper_gradient(ours, x)
    assert relative_error(theirs, reference) > 0.2
    ours_gradient = gradient_of_raw_weight(lambda: ours(x, training=True), ours.weight_variable)
    assert relative_error(ours_gradient, reference) < 1e-3


def test_inference_changes_no_state_and_training_does():
    layer, x = make_layer("conv2d")
    layer(x, training=True)
    u, sigma = layer.u.numpy().copy(), float(layer.sigma.numpy())
    first = layer(x, training=False).numpy()
    second = tf.function(lambda t: layer(t, training=False))(x).numpy()
    np.testing.assert_array_equal(layer.u.numpy(), u)
    assert float(layer.sigma.numpy()) == sigma
    np.testing.assert_allclose(first, second, rtol=1e-6, atol=1e-6)
    tf.function(lambda t: layer(t, training=True))(x)
    assert not np.array_equal(layer.u.numpy(), u)


def test_stateless_call_returns_the_new_u_and_assigns_nothing():
    """The unrolled GAN runs the discriminator with stateless_call: u must travel in the state."""
    layer, x = make_layer("dense")
    model = keras.Sequential([keras.Input((7,)), layer])
    u = layer.u.numpy().copy()
    trainable = [tf.convert_to_tensor(v) for v in model.trainable_variables]
    state = [tf.convert_to_tensor(v) for v in model.non_trainable_variables]
    for _ in range(50):
        _, state = model.stateless_call(trainable, state, x, training=True)
    np.testing.assert_array_equal(layer.u.numpy(), u)
    names = [v.name for v in model.non_trainable_variables]
    sigma = np.asarray(state[names.index("sigma")])
    assert abs(float(sigma) - largest_singular_value(layer.layer.kernel)) < 1e-3


def test_two_replicas_equal_one_device():
    from tfgan_zoo.training.distribute import mirrored_strategy

    devices = tf.config.list_logical_devices("CPU")
    if len(devices) < 2:
        pytest.skip("needs two logical CPU devices (set up in conftest.py)")
    images = np.random.default_rng(2).normal(size=(8, 6, 6, 2)).astype("float32")

    def build():
        keras.utils.set_random_seed(4)
        inputs = keras.Input((6, 6, 2))
        h = SpectralNormalization(keras.layers.Conv2D(4, 3, strides=2, padding="same"))(inputs)
        h = keras.layers.Flatten()(keras.layers.LeakyReLU(0.2)(h))
        model = keras.Model(inputs, SpectralNormalization(keras.layers.Dense(1))(h))
        return model, keras.optimizers.SGD(0.5)

    def step(model, optimizer, batch, replicas):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.nn.softplus(-model(batch, training=True))) / replicas
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    single, single_optimizer = build()
    single_optimizer.build(single.trainable_variables)
    initial = [np.asarray(w).copy() for w in single.weights]
    for _ in range(3):
        tf.function(step)(single, single_optimizer, images, 1)

    strategy = mirrored_strategy([d.name for d in devices[:2]])
    with strategy.scope():
        mirrored, optimizer = build()
        optimizer.build(mirrored.trainable_variables)
    dataset = strategy.experimental_distribute_dataset(tf.data.Dataset.from_tensors(images))
    batch = next(iter(dataset))

    @tf.function
    def distributed_step():
        strategy.run(step, args=(mirrored, optimizer, batch, 2))

    for _ in range(3):
        distributed_step()
    for a, b in zip(single.weights, mirrored.weights):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-5, atol=1e-6, err_msg=a.path)
    for layer in mirrored.layers:
        if isinstance(layer, SpectralNormalization):
            # "none" would let each replica keep its own copy of a replica-context assign
            assert layer.u.aggregation == "only_first_replica"
            local = [np.asarray(v) for v in strategy.experimental_local_results(layer.u.value)]
            np.testing.assert_array_equal(local[0], local[1])  # every replica holds the same u
    assert all(not np.allclose(a, np.asarray(b)) for a, b in zip(initial, single.weights))  # all moved


def test_mixed_float16_keeps_the_power_iteration_in_float32():
    layer32, x = make_layer("conv2d")
    train(layer32, x, calls=5)
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        layer16 = SpectralNormalization(keras.layers.Conv2D(3, 3, padding="same"))
        layer16(x)
        for target, source in zip(layer16.weights, layer32.weights):
            target.assign(source)
        out = tf.function(lambda t: layer16(t, training=True))(x)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    layer32(x, training=True)
    assert out.dtype == tf.float16
    assert layer16.u.dtype == "float32" and layer16.sigma.dtype == "float32"
    # the same float32 sigma (a float16 power iteration would be ~1e-3 off)
    assert abs(float(layer16.sigma.numpy()) - float(layer32.sigma.numpy())) < 1e-6
    np.testing.assert_allclose(layer16.u.numpy(), layer32.u.numpy(), atol=1e-6)


def test_config_roundtrip(config_roundtrip):
    clone = config_roundtrip(SpectralNormalization(keras.layers.Dense(3, name="d"), power_iterations=2, eps=1e-8))
    assert (clone.power_iterations, clone.eps, clone.layer.units) == (2, 1e-8, 3)


def test_keras_file_roundtrip_keeps_u(keras_roundtrip):
    layer, x = make_layer("dense")
    train(layer, x, calls=3)
    model = keras.Sequential([keras.Input((7,)), layer], name="sn_model")
    loaded = keras_roundtrip(model, x)  # identical weights (u, sigma included) and outputs
    np.testing.assert_array_equal(loaded.layers[0].u.numpy(), layer.u.numpy())
    assert float(loaded.layers[0].sigma.numpy()) == float(layer.sigma.numpy())


def test_spectral_sigmas_finds_nested_layers():
    layer, x = make_layer("dense")
    train(layer, x)
    inner = keras.Sequential([keras.Input((7,)), layer])
    outer = keras.Sequential([keras.Input((7,)), inner, SpectralNormalization(keras.layers.Dense(2))])
    sigmas = spectral_sigmas(outer)
    assert len(sigmas) == 2 and sigmas[0] is layer.sigma
    assert spectral_sigmas(keras.Sequential([keras.Input((7,)), keras.layers.Dense(2)])) == []


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="wraps one of Dense.*got Dropout"):
        SpectralNormalization(keras.layers.Dropout(0.5))
    with pytest.raises(ValueError, match="power_iterations to be a positive integer, got 0"):
        SpectralNormalization(keras.layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="eps > 0, got -1"):
        SpectralNormalization(keras.layers.Dense(2), eps=-1)
