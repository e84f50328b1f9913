"""PGGAN networks (Karras et al. 2018, table 2 and the official networks.py): equalized gains, the
fade between stages (exact at alpha 0 and 1), stage-limited computation, serialisation, bad input."""
import math

import keras
import numpy as np
import pytest

from tfgan_zoo.layers import Bias, EqualizedConv2D, EqualizedDense, MinibatchStdDev, PixelNormalization
from tfgan_zoo.models.pggan import (
    check_resolution, discriminator_at, downscale2d, feature_maps, generator_at, generator_for_level,
    pggan_discriminator, pggan_generator, upscale2d,
)

LATENT = 6
KW = dict(fmap_base=16, fmap_max=8)  # 8 maps at 4x4, 4 at 8x8, 2 at 16x16


def networks(resolution=16, channels=2, seed=0):
    keras.utils.set_random_seed(seed)
    return (pggan_generator(LATENT, resolution, channels, **KW), pggan_discriminator(resolution, channels, **KW))


def latents(n=5, seed=1):
    return np.random.default_rng(seed).normal(size=(n, LATENT)).astype("float32")


def images(n=5, resolution=16, channels=2, seed=2):
    return np.random.default_rng(seed).uniform(-1, 1, (n, resolution, resolution, channels)).astype("float32")


def layers_of(model):
    return list(model._flatten_layers(include_self=False, recursive=True))


def test_feature_maps_follow_the_official_nf():
    # nf(stage) = min(fmap_base / 2^stage, fmap_max), stage = log2(resolution) - 1
    assert [feature_maps(r) for r in (4, 8, 16, 32, 64, 128, 256, 512, 1024)] == [512] * 4 + [256, 128, 64, 32, 16]
    assert [feature_maps(r, 16, fmap_max=8) for r in (2, 4, 8, 16, 32)] == [8, 8, 4, 2, 1]


def test_equalized_gains_biases_and_activations():
    generator, discriminator = networks()
    block4 = generator.get_layer("block_4")
    dense = block4.get_layer("dense")
    # the 4x4 dense: gain sqrt2/4 over fan_in = latent_dim, no bias of its own; one bias per map after
    assert dense.runtime_scale == pytest.approx(math.sqrt(2) / 4 / math.sqrt(LATENT)) and not dense.use_bias
    assert block4.get_layer("dense_bias").bias.shape == (8,) and isinstance(block4.get_layer("dense_bias"), Bias)
    assert isinstance(block4.layers[1], PixelNormalization)  # pixel norm on z first
    assert generator.get_layer("to_rgb_16").runtime_scale == pytest.approx(1 / math.sqrt(2))  # gain 1, fan_in 1x1x2
    conv = generator.get_layer("block_16").get_layer("conv0")
    assert conv.runtime_scale == pytest.approx(math.sqrt(2) / math.sqrt(9 * 4))  # 3x3 over block_8's 4 maps
    assert discriminator.get_layer("block_4").get_layer("dense1").runtime_scale == pytest.approx(1 / math.sqrt(8))
    for model, count in ((generator, 3 * 3), (discriminator, 3 + 2 + 2 + 3)):  # every dense and conv
        equalized = [layer for layer in layers_of(model) if isinstance(layer, (EqualizedDense, EqualizedConv2D))]
        assert len(equalized) == count
        for layer in equalized:
            assert layer.lr_multiplier == 1.0
            if layer.use_bias:
                np.testing.assert_array_equal(layer.bias.numpy(), 0.0)
            act = layer.get_config()["activation"]
            assert act in ("linear", "leaky_relu"), act
    # every generator conv is followed by pixel norm; leaky ReLUs have slope 0.2
    names = [layer.name for layer in generator.get_layer("block_8").layers]
    assert names[1:] == ["upsample", "conv0", "conv0_norm", "conv1", "conv1_norm"]
    relus = [layer for layer in layers_of(generator) + layers_of(discriminator) if isinstance(layer, keras.layers.LeakyReLU)]
    assert relus and all(layer.negative_slope == pytest.approx(0.2) for layer in relus)
    stddev = [layer for layer in layers_of(discriminator) if isinstance(layer, MinibatchStdDev)]
    assert len(stddev) == 1 and stddev[0].group_size == 4  # in the last (4x4) block only


def test_stored_weights_are_standard_normal():
    keras.utils.set_random_seed(3)
    generator = pggan_generator(64, 8, 3, fmap_base=256, fmap_max=64)
    kernel = generator.get_layer("block_8").get_layer("conv1").kernel.numpy()  # 3x3x64x64
    assert kernel.std() == pytest.approx(1.0, rel=0.02) and abs(kernel.mean()) < 0.02


@pytest.mark.parametrize("resolution", [8, 16])
def test_generator_fade_is_exact_at_alpha_0_and_1(resolution):
    generator, _ = networks()
    z = latents()
    previous = generator_at(generator, z, resolution // 2)  # the previous stage, stable, upsampled
    new = generator_at(generator, z, resolution)
    assert previous.shape == new.shape == (5, 16, 16, 2)
    np.testing.assert_array_equal(generator_at(generator, z, resolution, 0.0), previous)
    np.testing.assert_array_equal(generator_at(generator, z, resolution, 1.0), new)
    np.testing.assert_allclose(generator_at(generator, z, resolution, 0.3), 0.7 * previous + 0.3 * new, atol=1e-6)
    # the previous stage really is its lower resolution, nearest-upsampled: constant 2x2 blocks
    factor = 16 // (resolution // 2)
    coarse = np.asarray(previous)[:, ::factor, ::factor]
    np.testing.assert_array_equal(upscale2d(coarse, factor), previous)


def test_final_stage_is_the_model_and_lower_levels_match_generator_for_level():
    generator, _ = networks()
    z = latents()
    # the linear output in training; clipped to [-1, 1] at inference (InferenceClip)
    np.testing.assert_array_equal(generator_at(generator, z, 16), generator(z, training=True))
    np.testing.assert_array_equal(np.clip(generator_at(generator, z, 16), -1, 1), generator(z))
    assert np.abs(generator_at(generator, z, 16)).max() > 1  # so the clip is tested
    for resolution, alpha in ((4, 1.0), (8, 0.25), (16, 0.5)):
        model = generator_for_level(generator, resolution, alpha)
        np.testing.assert_allclose(model(z, training=True), generator_at(generator, z, resolution, alpha), atol=1e-6)
    assert float(generator.get_layer("fade_16").alpha.numpy()) == 1.0  # the original is untouched


def test_a_stage_runs_only_its_blocks():
    generator, discriminator = networks()
    z, x = latents(), images()
    g8, d8 = generator_at(generator, z, 8, 0.5), discriminator_at(discriminator, x, 8, 0.5)
    for model in (generator, discriminator):
        for variable in model.get_layer("block_16").trainable_variables:
            variable.assign(variable + 10.0)
    np.testing.assert_array_equal(generator_at(generator, z, 8, 0.5), g8)
    np.testing.assert_array_equal(discriminator_at(discriminator, x, 8, 0.5), d8)
    assert not np.allclose(generator_at(generator, z, 16, 0.5), generator_at(generator, z, 8))


@pytest.mark.parametrize("resolution", [8, 16])
def test_discriminator_fade_is_exact_at_alpha_0_and_1(resolution):
    _, discriminator = networks()
    x = images()
    previous, new = discriminator_at(discriminator, x, resolution // 2), discriminator_at(discriminator, x, resolution)
    assert previous.shape == (5, 1)
    np.testing.assert_array_equal(discriminator_at(discriminator, x, resolution, 0.0), previous)
    np.testing.assert_array_equal(discriminator_at(discriminator, x, resolution, 1.0), new)
    np.testing.assert_array_equal(discriminator_at(discriminator, x, 16), discriminator(x))
    # the previous stage sees the images box-downscaled: blocks of equal pixels change nothing
    blocky = upscale2d(downscale2d(x, 16 // (resolution // 2)), 16 // (resolution // 2))
    np.testing.assert_allclose(discriminator_at(discriminator, blocky, resolution // 2), previous, rtol=1e-5, atol=1e-5)


def test_keras_round_trip_and_clone(tmp_path):
    generator, discriminator = networks()
    z, x = latents(), images()
    for model, inputs in ((generator, z), (discriminator, x)):
        path = tmp_path / f"{model.name}.keras"
        model.save(path)
        loaded = keras.saving.load_model(path)
        np.testing.assert_array_equal(loaded(inputs), model(inputs))
        clone = keras.models.clone_model(model)
        clone.set_weights(model.get_weights())
        np.testing.assert_array_equal(clone(inputs), model(inputs))


@pytest.mark.parametrize("bad", [48, 2, 2048, 0, 16.5, "32", True])
def test_bad_resolution_is_one_clear_line(bad):
    with pytest.raises(ValueError, match=r"^resolution must be a power of two between 4 and 1024, got .+\.$"):
        pggan_generator(LATENT, bad, 1, **KW)
    with pytest.raises(ValueError, match="power of two"):
        pggan_discriminator(bad, 1, **KW)
    assert check_resolution(1024) == 1024


def test_conditional_is_refused():
    with pytest.raises(ValueError, match="unconditional: expected num_classes=None, got 10"):
        pggan_generator(LATENT, 8, 1, num_classes=10, **KW)
