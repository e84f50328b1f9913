"""Two replicas on two logical CPUs give the same update as one device (docs/architecture.md, facts 1-4)."""
import numpy as np
import pytest
import tensorflow as tf
import keras

import tfgan_zoo as tz
from tfgan_zoo import regularizers as R
from tfgan_zoo.models import (
    dcgan_discriminator, dcgan_generator, mlp_discriminator, mlp_generator, sagan_discriminator, sagan_generator,
)
from tfgan_zoo.training.distribute import mirrored_strategy

GLOBAL_BATCH = 16


def two_replica_strategy():
    devices = tf.config.list_logical_devices("CPU")
    if len(devices) < 2:
        pytest.skip("needs two logical CPU devices (set up in conftest.py)")
    # One strategy per test, in one process: plain MirroredStrategy objects would share collective
    # keys and fail with "Shape mismatch in the collective instance 100" (see distribute.py).
    return mirrored_strategy([d.name for d in devices[:2]])


def build_mlp(weights=None):
    keras.utils.set_random_seed(0)
    gan = tz.GAN(mlp_generator(8, 2, 16), mlp_discriminator(2, 16), latent_dim=8, seed=3)
    gan.compile(
        # SGD, not Adam: Adam's update is invariant to the gradient's scale, so it would hide a
        # replica-count scaling bug (docs/architecture.md, fact 1).
        keras.optimizers.SGD(5e-2), keras.optimizers.SGD(5e-2),
        loss="wasserstein", regularizers=[R.GradientPenalty(10.0)], d_steps=2, ema_decay=0.9,
    )
    return gan


def build_dcgan():
    keras.utils.set_random_seed(0)
    gan = tz.GAN(
        dcgan_generator(8, 28, 1, 4, normalization_kind="sync_batch"),
        dcgan_discriminator(28, 1, 4, normalization_kind=None, spectral_norm=True),
        latent_dim=8, seed=3,
    )
    gan.compile(keras.optimizers.SGD(1e-1), keras.optimizers.SGD(1e-1), loss="hinge")
    return gan


def build_sagan():
    # Conditional BN in G (synchronized), self-attention and spectral norm in both networks.
    keras.utils.set_random_seed(0)
    gan = tz.GAN(
        sagan_generator(8, 28, 1, 8, num_classes=3, attention_resolution=14, sync_batch_norm=True),
        sagan_discriminator(28, 1, 8, num_classes=3, attention_resolution=14),
        latent_dim=8, num_classes=3, seed=3,
    )
    for model in (gan.generator, gan.discriminator):
        model.get_layer("attention").gamma.assign(0.5)  # let attention shape the step
    # Eager: tracing this step (Keras's SN wrapper adds a cond per layer) takes far longer here
    # than running it once; the arithmetic is the same.
    gan.compile(keras.optimizers.SGD(1e-1), keras.optimizers.SGD(1e-1), loss="hinge", run_eagerly=True)
    return gan


def labelled_images():
    rng = np.random.default_rng(1)
    return rng.uniform(-1, 1, (GLOBAL_BATCH, 28, 28, 1)).astype("float32"), rng.integers(0, 3, GLOBAL_BATCH).astype("int32")


def weights_of(gan):
    models = [gan.generator, gan.discriminator] + ([gan.ema_generator] if gan.ema_generator is not None else [])
    return [np.array(w) for m in models for w in m.get_weights()]


@pytest.mark.parametrize("builder, data", [
    (build_mlp, lambda: np.random.default_rng(1).normal(size=(GLOBAL_BATCH, 2)).astype("float32")),
    (build_dcgan, lambda: np.random.default_rng(1).uniform(-1, 1, (GLOBAL_BATCH, 28, 28, 1)).astype("float32")),
    (build_sagan, labelled_images),
], ids=["mlp-wgangp-dsteps2-ema", "dcgan-syncbn-spectralnorm-hinge", "sagan-conditional-syncbn-attention"])
def test_two_replica_step_equals_single_device_step(builder, data):
    samples = data()
    dataset = lambda: tf.data.Dataset.from_tensor_slices(samples).batch(GLOBAL_BATCH)

    single = builder()
    initial = weights_of(single)
    single.fit(dataset(), epochs=1, verbose=0)

    with two_replica_strategy().scope():
        mirrored = builder()
    for a, b in zip(initial, weights_of(mirrored)):
        np.testing.assert_array_equal(a, b)  # same starting point
    history = mirrored.fit(dataset(), epochs=1, verbose=0)

    moved = 0
    for before, a, b in zip(initial, weights_of(single), weights_of(mirrored)):
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=1e-5)
        moved += int(not np.allclose(before, a))
    assert moved > 0  # the step really changed the weights
    assert all(np.isfinite(v[-1]) for v in history.history.values())


def test_replicas_draw_different_latents():
    strategy = two_replica_strategy()
    with strategy.scope():
        gan = build_mlp()

    @tf.function
    def draw():
        return strategy.run(lambda: gan.sample_latents(4))

    per_replica = strategy.experimental_local_results(draw())
    assert not np.allclose(per_replica[0].numpy(), per_replica[1].numpy())


def test_successive_strategies_all_reduce_different_shapes():
    for size in (3, 5):  # plain MirroredStrategy objects: the second fails (shape [5] vs [3])
        strategy = two_replica_strategy()
        reduce = tf.function(lambda: strategy.run(
            lambda: tf.distribute.get_replica_context().all_reduce("sum", tf.ones([size]))))
        for value in strategy.experimental_local_results(reduce()):
            np.testing.assert_array_equal(value, np.full([size], 2.0))
