"""Class-conditional StyleGAN: the label embedding concatenated to z in the mapping network (the
official G_mapping's LabelConcat), the projection discriminator (Miyato & Koyama 2018), a tiny
conditional model trained, bad labels (the preset's run: test_stylegan_runs.py)."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo as tz
from tfgan_zoo.layers import EqualizedDense, NoiseInjection
from tfgan_zoo.layers.noise_injection import inference_noise
from tfgan_zoo.models.pggan import discriminator_at, pggan_discriminator
from tfgan_zoo.models.stylegan import nested_layers, style_parts, stylegan_generator
from tfgan_zoo.regularizers import R1Penalty

pytestmark = pytest.mark.filterwarnings("ignore:Gradients do not exist for variables")

RES, LATENT, CLASSES = 8, 8, 3


def conditional_generator(seed=0):
    keras.utils.set_random_seed(seed)
    generator = stylegan_generator(latent_dim=LATENT, resolution=RES, channels=1, fmap_base=32, fmap_max=8,
                                   mapping_layers=2, num_classes=CLASSES, noise_seed=seed)
    for layer in nested_layers(style_parts(generator).synthesis):  # noise that shows: "fixed" must hold it
        if isinstance(layer, NoiseInjection):
            layer.weight.assign(np.full(layer.weight.shape, 0.3, np.float32))
    return generator


def projection_discriminator(seed=0):
    keras.utils.set_random_seed(seed)
    return pggan_discriminator(resolution=RES, channels=1, fmap_base=16, fmap_max=8, blur=True, num_classes=CLASSES)


def latents(num, seed=0):
    return np.random.default_rng(seed).standard_normal((num, LATENT)).astype(np.float32)


def mapping_reference(mapping, z, labels):
    """G_mapping in numpy: pixel norm of [z, E[y]], then each equalized dense + leaky ReLU (0.2)."""
    table = mapping.get_layer("label_embedding").embeddings.numpy()
    h = np.concatenate([z, table[labels]], axis=1)
    h = h / np.sqrt(np.mean(h**2, axis=1, keepdims=True) + 1e-8)
    for layer in [l for l in mapping.layers if isinstance(l, EqualizedDense)]:
        h = h @ layer.effective_kernel.numpy() + layer.bias.numpy() * layer.lr_multiplier
        h = np.where(h >= 0, h, 0.2 * h)
    return h


def test_the_label_changes_the_output_only_through_the_mapping():
    generator = conditional_generator()
    parts = style_parts(generator)
    z = np.repeat(latents(1), CLASSES, axis=0)  # one z, every class
    labels = np.arange(CLASSES, dtype=np.int32)
    w = parts.map(z, labels).numpy()
    np.testing.assert_allclose(w, mapping_reference(parts.mapping, z, labels), rtol=1e-5, atol=1e-6)
    assert np.abs(w[1:] - w[:1]).max() > 1e-3  # same z, another label: another w
    np.testing.assert_array_equal(parts.map(z, np.zeros(CLASSES, np.int32)).numpy(), np.repeat(w[:1], CLASSES, 0))
    # the synthesis network takes styles only: the same w gives the same image whatever the label
    assert [tuple(t.shape) for t in parts.synthesis.inputs] == [(None, parts.num_layers, LATENT)]
    with inference_noise(parts.synthesis, "fixed"):
        images = generator([z, labels]).numpy()
    np.testing.assert_allclose(images, parts.synthesize(parts.styles(w), noise="fixed").numpy(), rtol=1e-5, atol=1e-6)
    assert np.abs(images[1:] - images[:1]).max() > 1e-3
    swapped = parts.synthesize(parts.styles(np.repeat(w[2:3], CLASSES, 0)), noise="fixed").numpy()
    np.testing.assert_allclose(swapped, np.repeat(images[2:3], CLASSES, 0), rtol=1e-5, atol=1e-6)


def test_the_projection_term_is_the_inner_product_of_the_label_embedding_and_phi():
    discriminator = projection_discriminator()
    block = discriminator.get_layer("block_4")
    projection = block.get_layer("projection")
    rng = np.random.default_rng(1)
    projection.kernel.assign(rng.standard_normal(projection.kernel.shape).astype(np.float32))  # not symmetric
    x = np.tanh(rng.standard_normal((5, RES, RES, 1))).astype(np.float32)
    y = np.array([0, 1, 2, 2, 0], np.int32)
    logits = discriminator([x, y]).numpy()[:, 0]
    features = keras.Model(block.inputs, [block.get_layer("dense0").output, block.get_layer("dense1").output])
    h = discriminator.get_layer("fade_8")(
        [discriminator.get_layer("from_rgb_4")(discriminator.get_layer("downscale_rgb_4")(x)),
         discriminator.get_layer("block_8")(discriminator.get_layer("from_rgb_8")(x))])
    phi, psi = (v.numpy() for v in features([h, tf.constant(y)]))
    width = phi.shape[1]
    embed = projection.kernel.numpy().T / np.sqrt(width)  # class y's embedding: column y, gain 1 / sqrt(fan_in)
    np.testing.assert_allclose(logits - psi[:, 0], np.sum(embed[y] * phi, axis=1), rtol=1e-4, atol=1e-5)
    assert np.abs(logits - psi[:, 0]).min() > 1e-4  # the term is there
    # the grown path (what training runs) conditions the same way; no labels: a clear error
    np.testing.assert_allclose(discriminator_at(discriminator, x, RES, labels=y).numpy()[:, 0], logits, rtol=1e-5,
                               atol=1e-6)
    with pytest.raises(ValueError, match="is conditional: expected labels"):
        discriminator_at(discriminator, x, RES)


def test_a_tiny_conditional_stylegan_learns_what_each_label_draws():
    """Three classes of flat images at -0.8, 0 and 0.8: after 350 steps each label's samples have
    their class's brightness (within 0.25), so both label paths (G's embedding, D's projection) learn."""
    generator, discriminator = conditional_generator(), projection_discriminator()
    gan = tz.StyleGAN(generator, discriminator, latent_dim=LATENT, num_classes=CLASSES, seed=0,
                      schedule={"start_resolution": RES, "final_resolution": RES})
    adam = lambda: keras.optimizers.Adam(2e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8)  # noqa: E731
    gan.compile(adam(), adam(), loss="nonsaturating", regularizers=[R1Penalty(weight=5.0)], ema_decay=0.9)
    table = style_parts(generator).mapping.get_layer("label_embedding").embeddings
    projection = discriminator.get_layer("block_4").get_layer("projection").kernel
    before = table.numpy().copy(), projection.numpy().copy()
    labels = np.arange(240) % CLASSES
    brightness = np.array([-0.8, 0.0, 0.8], np.float32)
    x = brightness[labels][:, None, None, None] + 0.05 * np.random.default_rng(0).standard_normal((240, RES, RES, 1))
    data = tf.data.Dataset.from_tensor_slices((x.astype(np.float32), labels)).shuffle(240, seed=0).batch(16).repeat()
    history = gan.fit(data, steps_per_epoch=350, epochs=1, verbose=0).history
    assert all(np.isfinite(history[k][-1]) for k in ("d_loss", "g_loss", "d_r1"))
    assert np.abs(table.numpy() - before[0]).min() > 0  # the generator's embedding of every class learned
    assert np.abs(projection.numpy() - before[1]).min() > 0  # and D's projection of every class
    z = latents(30, seed=1)
    means = np.array([gan.generate(z, labels=k, stage="final").mean() for k in range(CLASSES)])
    np.testing.assert_allclose(means, brightness, atol=0.25)
    z = np.repeat(latents(1), CLASSES, axis=0)
    samples = gan.generate(z, labels=np.arange(CLASSES), noise="fixed", psi=0.5, stage="final")
    assert np.abs(samples[1:] - samples[:1]).max() > 1e-3
    with pytest.raises(ValueError, match=r"^Labels must be in \[0, 2\], got 3\.$"):
        gan.generate(2, labels=[0, 3])
    with pytest.raises(ValueError, match="takes no labels"):
        tz.StyleGAN(generator, pggan_discriminator(resolution=RES, channels=1, fmap_base=16, fmap_max=8),
                    latent_dim=LATENT, num_classes=CLASSES, schedule={"start_resolution": RES, "final_resolution": RES})


def test_a_two_replica_step_equals_a_one_device_step():
    """Two replicas on two logical CPUs: labels through the mapping and the projection, style
    mixing, noise (each replica takes its rows of the global draw), R1 and w_avg end as one
    device's (minibatch stddev off: its groups form within a replica's batch)."""
    from tfgan_zoo.training import checkpoint as checkpoint_lib
    from tfgan_zoo.training.distribute import mirrored_strategy

    devices = tf.config.list_logical_devices("CPU")
    if len(devices) < 2:
        pytest.skip("needs two logical CPU devices (set up in conftest.py)")

    def build():
        generator = conditional_generator()
        keras.utils.set_random_seed(0)
        discriminator = pggan_discriminator(resolution=RES, channels=1, fmap_base=16, fmap_max=8, blur=True,
                                            num_classes=CLASSES, minibatch_group_size=0)
        gan = tz.StyleGAN(generator, discriminator, latent_dim=LATENT, num_classes=CLASSES, seed=0,
                          style_mixing_prob=1.0, schedule={"start_resolution": RES, "final_resolution": RES})
        # SGD: Adam's update is invariant to the gradient's scale and would hide a replica-scaling bug
        gan.compile(keras.optimizers.SGD(0.05), keras.optimizers.SGD(0.05), loss="nonsaturating",
                    regularizers=[R1Penalty(weight=5.0)], ema_decay=0.9)
        return gan

    rng = np.random.default_rng(0)
    x = np.tanh(rng.standard_normal((16, RES, RES, 1))).astype(np.float32)
    labels = (np.arange(16) % CLASSES).astype(np.int32)
    data = lambda: tf.data.Dataset.from_tensor_slices((x, labels)).batch(8)  # noqa: E731
    single = build()
    initial, _ = checkpoint_lib.capture_state(single)
    single.fit(data(), epochs=1, verbose=0)
    with mirrored_strategy([d.name for d in devices[:2]]).scope():
        mirrored = build()
    mirrored.fit(data(), epochs=1, verbose=0)
    expected, got = checkpoint_lib.capture_state(single)[0], checkpoint_lib.capture_state(mirrored)[0]
    assert expected.keys() == got.keys()
    assert sum(not np.allclose(expected[key], initial[key]) for key in expected) > 0.5 * len(expected)
    w_average = style_parts(single.generator).mapping.get_layer("w_average")
    assert np.abs(w_average.get_weights()[0]).max() > 0  # w_avg tracked (it starts at 0)
    noise_scales = [layer.weight.numpy() for layer in nested_layers(style_parts(single.generator).synthesis)
                    if isinstance(layer, NoiseInjection)]
    assert all(np.abs(scale - 0.3).max() > 1e-6 for scale in noise_scales)  # the noise shaped the step
    for key in expected:  # gradients summed over replicas: float32 rounding
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-4, atol=1e-5, err_msg=key)
