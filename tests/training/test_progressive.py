"""Progressive growing (Karras et al. 2018): the schedule's numbers (against the official
TrainingSchedule formula), the real-image fade, the level of detail in the step, the optimizer
reset, exact resume from the middle of a fade, and bad input."""
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import regularizers as R
from tfgan_zoo.models.pggan import discriminator_at, generator_at, pggan_discriminator, pggan_generator, upscale2d
from tfgan_zoo.training import checkpoint as checkpoint_lib
from tfgan_zoo.training.distribute import mirrored_strategy
from tfgan_zoo.training.progressive import (
    GrowthSchedule, ProgressiveGAN, _UpdateLogits, level_of_detail, phase_index, real_images_at, reset_optimizer,
)

# Eager steps leave the other stages' variables without gradients; Keras warns about each.
pytestmark = pytest.mark.filterwarnings("ignore:Gradients do not exist for variables")

LATENT = 4
KW = dict(fmap_base=8, fmap_max=4)


def official_lod(images, schedule):
    """The official train.py TrainingSchedule, transcribed: lod = log2(final) - log2(start) - phase
    - max(within - train, 0) / transition, clamped at 0."""
    phase_dur = schedule.stable_images + schedule.fade_images
    phase_idx = math.floor(images / phase_dur)
    phase_img = images - phase_idx * phase_dur
    lod = math.log2(schedule.final_resolution) - math.log2(schedule.start_resolution) - phase_idx
    lod -= max(phase_img - schedule.stable_images, 0.0) / schedule.fade_images
    return max(lod, 0.0)


SCHEDULE = GrowthSchedule(start_resolution=4, final_resolution=32, stable_images=100, fade_images=50)


@pytest.mark.parametrize("images, resolution, alpha", [
    (0, 4, 1.0), (99, 4, 1.0), (100, 4, 1.0),       # stable at the start
    (110, 8, 0.2), (140, 8, 0.8),                    # fading 8x8 in
    (150, 8, 1.0), (249, 8, 1.0),                    # 8x8 stable
    (275, 16, 0.5), (425, 32, 0.5),                  # fading 16x16, 32x32 in
    (450, 32, 1.0), (10**12, 32, 1.0),               # the last stage stays stable
])
def test_schedule_at_chosen_image_counts(images, resolution, alpha):
    assert SCHEDULE.level_at(images) == (resolution, pytest.approx(alpha, abs=1e-6))
    assert SCHEDULE.growth_images == 450


def test_schedule_agrees_with_the_official_formula_everywhere():
    for images in range(0, 520, 3):
        stage, alpha = level_of_detail(images, SCHEDULE)
        # official: resolution 2^(log2(final) - floor(lod)); our p = stage - 1 + alpha = L - lod
        lod = official_lod(images, SCHEDULE)
        assert SCHEDULE.resolutions[int(stage)] == 2 ** (5 - math.floor(lod)) or float(alpha) < 1.0
        assert int(stage) - 1 + float(alpha) == pytest.approx(3 - lod, abs=1e-6), images


def test_schedule_without_growing_and_phase_index():
    direct = GrowthSchedule(32, 32, 1, 1)  # the official -nogrowing: start at the final resolution
    assert direct.resolutions == [32] and direct.growth_images == 0
    assert [direct.level_at(n) for n in (0, 5, 10**9)] == [(32, 1.0)] * 3
    phases = [int(phase_index(*SCHEDULE.level_of_detail(n))) for n in (0, 100, 101, 150, 251, 300)]
    assert phases == [0, 0, 1, 2, 3, 4]
    assert SCHEDULE.describe(8, 0.5) == "8x8, fading in (alpha 0.5)" and SCHEDULE.describe(8, 1.0) == "8x8, stable"


@pytest.mark.parametrize("kwargs, message", [
    (dict(stable_images=0), r"^schedule.stable_images must be an integer >= 1 \(real images shown per phase\), got 0\.$"),
    (dict(fade_images=0), r"^schedule.fade_images must be an integer >= 1 .*got 0\.$"),
    (dict(final_resolution=48), r"^schedule.final_resolution must be a power of two between 4 and 1024, got 48\.$"),
    (dict(start_resolution=12), r"^schedule.start_resolution must be a power of two .*got 12\.$"),
    (dict(start_resolution=64), r"^schedule.start_resolution \(64\) must not exceed schedule.final_resolution \(32\)\.$"),
])
def test_bad_schedules_are_one_clear_line(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GrowthSchedule(**{**SCHEDULE.get_config(), **kwargs})
    with pytest.raises(ValueError, match="Unknown schedule keys"):
        GrowthSchedule.from_config({"start": 4})


def test_real_images_fade_like_the_networks():
    real = np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 2)).astype("float32")
    stable8 = real_images_at(real, 8)
    np.testing.assert_array_equal(real_images_at(real, 16, 0.0), stable8)  # alpha 0: the previous stage
    np.testing.assert_array_equal(real_images_at(real, 16, 1.0), real)     # alpha 1, full size: the images
    np.testing.assert_array_equal(real_images_at(real, 16), real)
    # 8x8 stable: the 2x2 block means, nearest-upsampled (official process_reals)
    means = real.reshape(3, 8, 2, 8, 2, 2).mean(axis=(2, 4))
    np.testing.assert_allclose(stable8, upscale2d(means, 2), atol=1e-6)
    coarse = real.reshape(3, 4, 4, 4, 4, 2).mean(axis=(2, 4))  # 4x4 block means
    expected = 0.25 * upscale2d(means, 2) + 0.75 * upscale2d(coarse, 4)
    np.testing.assert_allclose(real_images_at(real, 8, 0.25), expected, atol=1e-6)


def test_a_reset_restarts_adam_bias_correction():
    # After many steps, a reset must make the next Adam(beta1=0, beta2) step the first step of a fresh
    # Adam: lr sqrt(1 - beta2) g / (sqrt(1 - beta2) |g| + eps) ~ lr sign(g) per weight; zeroing the
    # moments but keeping the step counter would give ~lr / sqrt(1 - beta2) = 10 lr.
    weights = keras.Variable(np.zeros(3, "float32"))
    adam = keras.optimizers.Adam(0.01, beta_1=0.0, beta_2=0.99, epsilon=1e-8)
    for _ in range(50):
        adam.apply_gradients([(tf.constant([1.0, -2.0, 0.5]), weights)])
    reset_optimizer(adam, tf.constant(False))
    assert int(adam.iterations.numpy()) == 50  # `when` False: nothing changes
    reset_optimizer(adam, tf.constant(True))
    assert int(adam.iterations.numpy()) == 0 and float(adam.learning_rate.numpy()) == pytest.approx(0.01)
    before = weights.numpy().copy()
    gradient = np.array([3.0, -0.1, 1e-3], "float32")
    adam.apply_gradients([(tf.constant(gradient), weights)])
    np.testing.assert_allclose(weights.numpy() - before, -0.01 * 0.1 * gradient / (0.1 * np.abs(gradient) + 1e-8),
                               rtol=1e-5)


# --- the GAN -----------------------------------------------------------------------------------------

def tiny(schedule=None, seed=0, reset_optimizers=True, regularizers=("gp", "drift"), group_size=4, **compile_kwargs):
    keras.utils.set_random_seed(seed)
    schedule = schedule or dict(start_resolution=4, final_resolution=8, stable_images=8, fade_images=16)
    final = schedule["final_resolution"]
    discriminator = pggan_discriminator(final, 1, minibatch_group_size=group_size, **KW)
    gan = ProgressiveGAN(pggan_generator(LATENT, final, 1, **KW), discriminator,
                         latent_dim=LATENT, seed=0, schedule=schedule, reset_optimizers=reset_optimizers)
    regs = {"gp": R.GradientPenalty(10.0), "drift": R.Drift(0.001)}
    compile_kwargs.setdefault("run_eagerly", True)  # a few steps: eager is faster than tracing
    gan.compile(keras.optimizers.Adam(1e-3, 0.0, 0.99, 1e-8), keras.optimizers.Adam(1e-3, 0.0, 0.99, 1e-8),
                loss="wasserstein", regularizers=[regs[r] for r in regularizers], ema_decay=0.999,
                ema_warmup=False, **compile_kwargs)
    return gan


def dataset(final=8, batch=4, n=64):
    real = np.random.default_rng(5).uniform(-1, 1, (n, final, final, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(real).batch(batch, drop_remainder=True).repeat()


def state_of(gan):
    arrays, _ = checkpoint_lib.capture_state(gan)
    return arrays


def test_the_step_trains_at_its_level_and_logs_it():
    gan = tiny()
    # batch 4: steps 0-2 see 0, 4, 8 images (4x4 stable), steps 3-5 fade 8x8 in (alpha .25, .5, .75)
    history = gan.fit(dataset(), steps_per_epoch=1, epochs=7, verbose=0).history
    assert history["resolution"] == [4, 4, 4, 8, 8, 8, 8]
    assert history["alpha"] == pytest.approx([1, 1, 1, 0.25, 0.5, 0.75, 1.0])
    assert int(gan.discriminator_updates.numpy()) == 7 and gan.level() == (8, 1.0)
    # optimizers were reset at the start of the fade (step 3) and of the 8x8 stable phase (step 6)
    assert int(gan.d_optimizer.iterations.numpy()) == int(gan.g_optimizer.iterations.numpy()) == 1
    assert all(np.isfinite(values[-1]) for values in history.values())
    # sampling follows the level; the final networks are the models themselves
    z = np.random.default_rng(1).normal(size=(3, LATENT)).astype("float32")
    gan.stage.assign(0)
    clip = lambda images: np.clip(images, -1.0, 1.0)  # samples are images: the linear toRGB clipped
    np.testing.assert_array_equal(gan.generate(z, use_ema=False), clip(generator_at(gan.generator, z, 4)))
    np.testing.assert_array_equal(gan.generate(z, stage="final"), clip(gan.ema_generator(z)))
    np.testing.assert_array_equal(gan.sampling_generator(z), clip(gan.ema_generator(z)))
    np.testing.assert_array_equal(gan.discriminate(gan.generate(z), None),
                                  discriminator_at(gan.discriminator, gan.generate(z), 4))
    assert gan.level() == (4, 1.0)  # generate(stage="final") leaves the level alone


def test_the_drift_term_reuses_the_losss_real_logits():
    gan = tiny()
    calls = []
    original = gan.discriminator_at
    gan.discriminator_at = lambda network, images, *args: calls.append(images) or original(network, images, *args)
    gan.fit(dataset(), steps_per_epoch=1, epochs=1, verbose=0)
    # D update: real (loss and drift), fake, GP interpolates; G update: fake
    assert len(calls) == 4 and len({id(images) for images in calls}) == 4


def test_without_reset_the_optimizers_keep_counting():
    gan = tiny(reset_optimizers=False, regularizers=())
    gan.fit(dataset(), steps_per_epoch=4, epochs=1, verbose=0)  # through the phase change at step 3
    assert int(gan.g_optimizer.iterations.numpy()) == 4 and gan.level() == (8, 0.25)


def test_resume_from_the_middle_of_a_fade_equals_an_uninterrupted_run(tmp_path):
    steps = 4  # step 4 (0-based, at 16 images) is mid-fade; the phase change at step 6 resets the optimizers
    whole = tiny()
    whole.fit(dataset(), steps_per_epoch=2 * steps, epochs=1, verbose=0)

    first = tiny()
    first.fit(dataset(), steps_per_epoch=steps, epochs=1, verbose=0)
    assert first.level() == (8, pytest.approx(0.25))
    path = checkpoint_lib.save_checkpoint(first, tmp_path, steps)
    second = tiny(seed=7)  # other initial weights: everything must come from the checkpoint
    checkpoint_lib.restore_checkpoint(second, path)
    second.fit(dataset().skip(steps), steps_per_epoch=steps, epochs=1, verbose=0)

    expected, got = state_of(whole), state_of(second)
    assert expected.keys() == got.keys()
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, atol=1e-6, err_msg=key)
    assert int(second.discriminator_updates.numpy()) == 2 * steps and second.level() == (8, 1.0)


def test_two_replica_graph_steps_equal_one_device_eager_steps():
    devices = tf.config.list_logical_devices("CPU")
    if len(devices) < 2:
        pytest.skip("needs two logical CPU devices (set up in conftest.py)")
    # Minibatch stddev groups form within each replica's batch, so one device computes other groups:
    # compare without it. (GP under a strategy: tests/training/test_distribute.py.)
    single = tiny(regularizers=("drift",), group_size=0)
    with mirrored_strategy([d.name for d in devices[:2]]).scope():
        mirrored = tiny(regularizers=("drift",), group_size=0, run_eagerly=False)
    data = lambda: dataset(batch=8)  # 4 per replica; steps at 0, 8, 16, 24 images: 4x4 stable, fade, 8x8
    single.fit(data(), steps_per_epoch=4, epochs=1, verbose=0)
    mirrored.fit(data(), steps_per_epoch=4, epochs=1, verbose=0)
    assert mirrored.level() == single.level() == (8, 1.0)
    assert int(mirrored.g_optimizer.iterations.numpy()) == 1  # reset at the phase changes (steps 2 and 3)
    for key, value in state_of(single).items():  # gradients summed over replicas: float32 rounding
        np.testing.assert_allclose(state_of(mirrored)[key], value, rtol=1e-4, atol=1e-5, err_msg=key)


def test_bad_networks_and_config():
    generator, discriminator = pggan_generator(LATENT, 8, 1, **KW), pggan_discriminator(8, 1, **KW)
    with pytest.raises(ValueError, match=r"^schedule.final_resolution is 16 but the generator works at 8x8; "
                                         r"expected the networks' resolution\.$"):
        ProgressiveGAN(generator, discriminator, LATENT, schedule=dict(final_resolution=16))
    with pytest.raises(ValueError, match=r"^num_classes=10 but the generator 'generator' takes no labels; "):
        ProgressiveGAN(generator, discriminator, LATENT, num_classes=10, schedule=dict(final_resolution=8))
    gan = ProgressiveGAN(generator, discriminator, LATENT, schedule=dict(final_resolution=8))
    with pytest.raises(ValueError, match="does not support discriminator feature terms"):
        gan.compile(regularizers=[R.FeatureMatching(layer="block_4")])
    with pytest.raises(ValueError, match="stage must be 'current' or 'final', got 'last'"):
        gan.generate(2, stage="last")


def test_saved_model_keeps_the_counter(tmp_path):
    gan = tiny()
    gan.fit(dataset(), steps_per_epoch=4, epochs=1, verbose=0)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.saving.load_model(tmp_path / "gan.keras")
    assert isinstance(loaded, ProgressiveGAN) and loaded.schedule == gan.schedule
    assert int(loaded.discriminator_updates.numpy()) == 4 and loaded.level() == gan.level()
    z = np.random.default_rng(2).normal(size=(2, LATENT)).astype("float32")
    np.testing.assert_allclose(loaded.generate(z), gan.generate(z), atol=1e-6)


def test_the_update_logits_cache_is_keyed_by_samples_and_labels():
    cache, samples = _UpdateLogits(), tf.zeros((2, 4, 4, 1))
    labels, other_labels, logits = tf.constant([0, 1]), tf.constant([1, 0]), tf.constant([[1.0], [2.0]])
    cache.put(samples, labels, logits)
    assert cache.get(samples, labels) is None  # inactive outside a discriminator update
    cache.entries = {}
    cache.put(samples, labels, logits)
    assert cache.get(samples, labels) is logits
    assert cache.get(samples, other_labels) is None and cache.get(samples, None) is None
    assert cache.get(tf.zeros((2, 4, 4, 1)), labels) is None  # an equal tensor is another input


def test_a_network_grown_from_8_trains_no_variable_of_the_4x4_rgb_layers():
    import warnings
    gan = tiny(dict(start_resolution=8, final_resolution=16, stable_images=8, fade_images=8), run_eagerly=False)
    unused = {id(v) for v in gan.generator.get_layer("to_rgb_4").trainable_variables}
    unused_d = {id(v) for v in gan.discriminator.get_layer("from_rgb_4").trainable_variables}
    assert len(unused) == 2 and len(unused_d) == 2  # kernel and bias each
    g_ids, d_ids = {id(v) for v in gan.generator_variables()}, {id(v) for v in gan.discriminator_variables()}
    assert not unused & g_ids and not unused_d & d_ids
    assert len(g_ids) == len(gan.generator.trainable_variables) - 2
    assert len(d_ids) == len(gan.discriminator.trainable_variables) - 2
    before = gan.generator.get_layer("to_rgb_4").get_weights()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gan.fit(dataset(16), steps_per_epoch=5, epochs=1, verbose=0)  # graph steps: 8 stable, fade, 16
    assert not [w for w in caught if "Gradients do not exist" in str(w.message)]
    assert gan.level() == (16, 1.0)
    for old, new in zip(before, gan.generator.get_layer("to_rgb_4").get_weights()):
        np.testing.assert_array_equal(old, new)
    # the networks grown from 4 still train every toRGB
    assert len(tiny().generator_variables()) == len(tiny().generator.trainable_variables)
