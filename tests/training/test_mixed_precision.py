"""Mixed precision: both optimizers loss-scaled, penalties unscaled in float32, logits in float32,
the loss scale in the checkpoint."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import presets
from tfgan_zoo.data import sample_toy
from tfgan_zoo.regularizers import gradient_penalty
from tfgan_zoo.training import checkpoint as ck
from tfgan_zoo.training.build import build_gan, dtype_policy


def wgangp_dcgan(precision):
    config = presets.apply_overrides(presets.get_config("wgangp_mnist5k"), {
        "generator.width": 4, "discriminator.width": 4, "+run": {"precision": precision}})
    keras.utils.set_random_seed(0)
    return build_gan(config)


def test_both_optimizers_are_loss_scaled_and_logits_stay_float32():
    gan = wgangp_dcgan("mixed_float16")
    assert gan.uses_float16
    for optimizer in (gan.g_optimizer, gan.d_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    images = tf.zeros((2, 28, 28, 1))
    assert gan.discriminator(images).dtype == tf.float32
    assert gan.generator(tf.zeros((2, 64))).dtype == tf.float32
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored
    assert not isinstance(wgangp_dcgan("float32").d_optimizer, keras.optimizers.LossScaleOptimizer)
    with pytest.raises(ValueError, match="precision must be one of \\['float32', 'mixed_float16', 'mixed_bfloat16'\\], got 'half'"):
        with dtype_policy("half"):
            pass


def test_gradient_penalty_under_float16_matches_float32():
    full, half = wgangp_dcgan("float32"), wgangp_dcgan("mixed_float16")
    half.discriminator.set_weights(full.discriminator.get_weights())
    rng = np.random.default_rng(0)
    real = tf.constant(rng.uniform(-1, 1, (8, 28, 28, 1)), tf.float32)
    fake = tf.constant(rng.uniform(-1, 1, (8, 28, 28, 1)), tf.float32)
    epsilon = tf.constant(rng.uniform(0, 1, (8,)), tf.float32)
    reference = float(gradient_penalty(full.discriminator, real, fake, epsilon=epsilon))
    scaled = float(gradient_penalty(half.discriminator, tf.cast(real, tf.float16), tf.cast(fake, tf.float16),
                                    epsilon=epsilon, loss_scale=half.d_optimizer.dynamic_scale))
    assert scaled == pytest.approx(reference, rel=1e-2), (scaled, reference)


def test_200_mixed_float16_wgangp_steps_stay_finite_and_the_loss_scale_is_checkpointed(tmp_path):
    config = presets.apply_overrides(presets.get_config("wgangp_toy"), {
        "generator.width": 16, "discriminator.width": 16, "compile.d_steps": 2, "+run": {"precision": "mixed_float16"}})
    keras.utils.set_random_seed(0)
    gan = build_gan(config)
    data = tf.data.Dataset.from_tensor_slices(sample_toy("ring8", 32 * 200, seed=0)).batch(32)
    history = gan.fit(data, epochs=1, verbose=0)
    assert all(np.isfinite(values[-1]) for values in history.history.values())
    assert all(np.all(np.isfinite(w)) for w in gan.generator.get_weights())
    assert int(gan.g_optimizer.iterations) > 150  # a few steps may be skipped while the scale adapts
    scale = float(gan.d_optimizer.dynamic_scale)
    path = ck.save_checkpoint(gan, tmp_path, 200)
    gan.d_optimizer.dynamic_scale.assign(1.0)
    ck.restore_checkpoint(gan, path)
    assert float(gan.d_optimizer.dynamic_scale) == scale
