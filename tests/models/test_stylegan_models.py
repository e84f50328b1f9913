"""The style-based generator (Karras et al. 2019; official training/networks_stylegan.py)."""
from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.layers import AdaIN, ConstantInput, EqualizedDense, NoiseInjection
from tfgan_zoo.layers.noise_injection import inference_noise
from tfgan_zoo.models.stylegan import (
    check_crossover, check_psi, default_truncation_cutoff, mix_styles, nested_layers, num_style_layers, style_parts,
    stylegan_generator, synthesis_at,
)

LATENT = 8


def tiny_generator(seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    config = dict(latent_dim=LATENT, resolution=16, channels=1, fmap_base=32, fmap_max=8, mapping_layers=3,
                  noise_seed=seed)
    config.update(kwargs)
    return stylegan_generator(**config)


def latents(num, seed=0):
    return np.random.default_rng(seed).normal(size=(num, LATENT)).astype(np.float32)


def test_style_layers_and_default_cutoff_per_resolution():
    assert [num_style_layers(r) for r in (4, 16, 32, 64, 1024)] == [2, 6, 8, 10, 18]
    # the official cutoff 8 = the layers of 4x4 .. 32x32: every layer at 32 px and below
    assert [default_truncation_cutoff(r) for r in (16, 32, 64, 1024)] == [6, 8, 8, 8]
    assert style_parts(tiny_generator()).w_average.truncation_cutoff == 6


def test_initialisation_matches_the_official_code():
    generator = tiny_generator()
    parts = style_parts(generator)
    const = [l for l in nested_layers(parts.synthesis) if isinstance(l, ConstantInput)]
    assert len(const) == 1 and np.all(const[0].constant.numpy() == 1.0)  # constant input: ones
    noises = [l for l in nested_layers(parts.synthesis) if isinstance(l, NoiseInjection)]
    adains = [l for l in nested_layers(parts.synthesis) if isinstance(l, AdaIN)]
    assert len(noises) == len(adains) == 6  # one per style layer
    assert all(np.all(l.weight.numpy() == 0.0) for l in noises)  # per-channel noise scales: zero
    for layer in adains:  # the style affine "A": equalized, gain 1, scale bias 1
        assert layer.runtime_scale == pytest.approx(1.0 / math.sqrt(LATENT))
        channels = layer.bias.shape[0] // 2
        np.testing.assert_array_equal(layer.bias.numpy(), [1.0] * channels + [0.0] * channels)
    np.testing.assert_array_equal(parts.w_average.w_avg.numpy(), np.zeros(LATENT))


def test_mapping_effective_learning_rate_is_the_runtime_scale_with_multiplier_0_01():
    """Stored weights N(0, 1/0.01^2) scaled by 0.01 sqrt(2/fan_in) at run time: effective weights
    have He statistics, and Adam's first step (every stored weight moves ~lr) moves an effective
    weight by lr * 0.01 * sqrt(2/fan_in) and an effective bias by lr * 0.01."""
    keras.utils.set_random_seed(1)
    generator = tiny_generator(w_dim=64, mapping_width=64, latent_dim=64)
    dense = [l for l in style_parts(generator).mapping.layers if isinstance(l, EqualizedDense)]
    assert len(dense) == 3
    layer = dense[1]
    np.testing.assert_allclose(layer.kernel.numpy().std(), 100.0, rtol=0.05)
    assert layer.runtime_scale == pytest.approx(0.01 * math.sqrt(2.0 / 64))
    effective = keras.ops.convert_to_numpy(layer.effective_kernel)
    np.testing.assert_allclose(effective.std(), math.sqrt(2.0 / 64), rtol=0.05)
    mapping = style_parts(generator).mapping
    z = tf.random.normal((16, 64))
    kernel_before, bias_before = effective, keras.ops.convert_to_numpy(layer.bias * layer.lr_multiplier)
    optimizer = keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(mapping(z) * tf.random.normal((16, 64)))
    variables = [layer.kernel, layer.bias]
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
    kernel_step = np.abs(keras.ops.convert_to_numpy(layer.effective_kernel) - kernel_before)
    bias_step = np.abs(keras.ops.convert_to_numpy(layer.bias * layer.lr_multiplier) - bias_before)
    np.testing.assert_allclose(np.median(kernel_step), 1e-3 * 0.01 * math.sqrt(2.0 / 64), rtol=0.02)
    np.testing.assert_allclose(np.median(bias_step), 1e-3 * 0.01, rtol=0.02)


def test_noise_acts_only_through_the_zero_initialised_scales():
    generator = tiny_generator()
    parts = style_parts(generator)
    styles = parts.styles(parts.map(latents(4)))
    out = {mode: parts.synthesize(styles, noise=mode).numpy() for mode in ("random", "fixed", "none")}
    train = np.clip(parts.synthesize(styles, training=True).numpy(), -1.0, 1.0)  # raw in training
    for value in (out["fixed"], out["none"], train):  # scales 0: noise cannot change the output
        np.testing.assert_array_equal(value, out["random"])
    noise = parts.synthesis.get_layer("block_16").get_layer("16x16_conv1_noise")
    noise.weight.assign(np.full(noise.weight.shape, 0.5, np.float32))
    a, b = parts.synthesize(styles).numpy(), parts.synthesize(styles).numpy()  # fresh noise each call
    assert np.abs(a - b).max() > 1e-3
    np.testing.assert_array_equal(parts.synthesize(styles, noise="fixed").numpy(),
                                  parts.synthesize(styles, noise="fixed").numpy())
    np.testing.assert_array_equal(parts.synthesize(styles, noise="none").numpy(), out["none"])


def test_psi_zero_gives_w_avg_for_every_z_and_psi_one_the_untruncated_output():
    generator = tiny_generator()
    parts = style_parts(generator)
    for layer in nested_layers(parts.synthesis):  # noise that matters, fixed
        if isinstance(layer, NoiseInjection):
            layer.weight.assign(np.full(layer.weight.shape, 0.3, np.float32))
    w_avg = np.random.default_rng(3).normal(size=LATENT).astype(np.float32)
    parts.w_average.w_avg.assign(w_avg)
    z = latents(5)
    w = parts.map(z)
    zero_styles = parts.styles(w, psi=0.0).numpy()
    np.testing.assert_array_equal(zero_styles, np.broadcast_to(w_avg, (5, 6, LATENT)))  # exactly w_avg
    zero = parts.synthesize(zero_styles, noise="fixed").numpy()
    # the same image for every z (to float32 round-off: oneDNN's convolutions differ ~1e-6 by batch row)
    np.testing.assert_allclose(zero, np.repeat(zero[:1], 5, axis=0), rtol=0, atol=1e-5)
    expected = parts.synthesize(np.broadcast_to(w_avg, (1, 6, LATENT)), noise="fixed").numpy()
    np.testing.assert_allclose(zero[:1], expected, rtol=1e-5, atol=1e-6)
    one = parts.synthesize(parts.styles(w, psi=np.ones(5, np.float32)), noise="fixed").numpy()
    plain = parts.synthesize(parts.styles(w), noise="fixed").numpy()
    np.testing.assert_array_equal(one, plain)
    assert np.abs(plain - plain[:1]).max() > 1e-3  # the z do differ
    # psi 0.5 on the first 3 layers only: those styles are halfway to w_avg, the rest untouched
    half = parts.styles(w, psi=0.5, truncation_cutoff=3).numpy()
    np.testing.assert_allclose(half[:, :3], np.repeat(0.5 * (w.numpy()[:, None] + w_avg), 3, axis=1), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(half[:, 3:], np.repeat(w.numpy()[:, None], 3, axis=1))


def test_mix_styles_takes_w1_below_the_crossover_and_w2_from_it():
    w1, w2 = np.zeros((3, 2), np.float32), np.ones((3, 2), np.float32)
    mixed = mix_styles(w1, w2, np.array([0, 2, 4]), num_layers=4).numpy()
    np.testing.assert_array_equal(mixed[..., 0], [[1, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 0]])


def test_keras_file_round_trip_keeps_w_avg_buffers_and_outputs(tmp_path):
    generator = tiny_generator(num_classes=3)
    parts = style_parts(generator)
    parts.w_average.w_avg.assign(np.arange(LATENT, dtype=np.float32))
    for layer in nested_layers(parts.synthesis):
        if isinstance(layer, NoiseInjection):
            layer.weight.assign(np.full(layer.weight.shape, 0.2, np.float32))
    path = tmp_path / "g.keras"
    generator.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    z, labels = latents(3), np.array([0, 1, 2], np.int32)
    for g in (generator, loaded):
        p = style_parts(g)
        assert p.conditional and p.num_layers == 6
    out = [style_parts(g).synthesize(style_parts(g).styles(style_parts(g).map(z, labels), psi=0.7), noise="fixed").numpy()
           for g in (generator, loaded)]
    np.testing.assert_array_equal(out[0], out[1])
    np.testing.assert_array_equal(style_parts(loaded).w_average.w_avg.numpy(), np.arange(LATENT))


def test_bad_input_one_clear_line_each():
    with pytest.raises(ValueError, match=r"truncation_cutoff must be an integer in \[1, 6\] \(the generator has 6 style layers\), got 7"):
        tiny_generator(truncation_cutoff=7)
    with pytest.raises(ValueError, match=r"resolution must be a power of two between 4 and 1024, got 28"):
        stylegan_generator(resolution=28)
    with pytest.raises(ValueError, match=r"psi \(the truncation in W\) must be a number, or one per sample, in \[0, 1\] .*got 1.5"):
        check_psi(1.5)
    with pytest.raises(ValueError, match=r"in \[0, 1\] .*got nan"):
        check_psi([0.5, float("nan")])
    with pytest.raises(ValueError, match=r"crossover must be an integer layer in \[0, 6\] .*got 7"):
        check_crossover([1, 7], 6)
    with pytest.raises(ValueError, match=r"Expected a style-based generator"):
        style_parts(keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)]))


def test_synthesis_at_grows_stage_by_stage_and_the_final_model_is_the_last_stage():
    generator = tiny_generator()
    parts = style_parts(generator)
    styles = parts.styles(parts.map(latents(3)))
    final = parts.synthesize(styles, noise="none").numpy()
    with inference_noise(parts.synthesis, "none"):
        np.testing.assert_array_equal(synthesis_at(parts.synthesis, styles, 16).numpy(), final)  # FadeIn at 1
        x4 = parts.synthesis.get_layer("block_4")(styles)
        x8 = parts.synthesis.get_layer("block_8")([x4, styles])
        rgb4, rgb8 = (parts.synthesis.get_layer(f"to_rgb_{r}")(x).numpy() for r, x in ((4, x4), (8, x8)))
        up = lambda a, f: a.repeat(f, axis=1).repeat(f, axis=2)  # noqa: E731
        clip = lambda a: np.clip(a, -1.0, 1.0)  # noqa: E731  (InferenceClip)
        np.testing.assert_allclose(synthesis_at(parts.synthesis, styles, 8).numpy(), clip(up(rgb8, 2)), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(synthesis_at(parts.synthesis, styles, 8, alpha=0.25).numpy(),
                                   clip(up(0.75 * up(rgb4, 2) + 0.25 * rgb8, 2)), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(synthesis_at(parts.synthesis, styles, 4).numpy(), clip(up(rgb4, 4)), rtol=1e-5, atol=1e-6)
        raw = synthesis_at(parts.synthesis, styles, 4, training=True).numpy()
        np.testing.assert_allclose(raw, up(rgb4, 4), rtol=1e-5, atol=1e-6)  # training: the linear output
        assert np.abs(raw).max() > 1.0
