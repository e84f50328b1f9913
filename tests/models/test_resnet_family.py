"""SNGAN-ResNet, SAGAN and BigGAN builders: layouts, initialisation, conditioning, hierarchical
latents, attention placement, serialisation and a few training steps each."""
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo as tz
from tfgan_zoo import regularizers as R
from tfgan_zoo.layers import ConditionalBatchNormalization, LinearConditionalBatchNormalization, SelfAttention
from tfgan_zoo.models import BUILDERS, biggan, build, sagan, sngan_resnet
from tfgan_zoo.models.biggan import biggan_discriminator, biggan_generator
from tfgan_zoo.models.pggan import pggan_discriminator
from tfgan_zoo.models.sagan import sagan_discriminator, sagan_generator
from tfgan_zoo.models.sngan_resnet import sngan_resnet_discriminator, sngan_resnet_generator

FAMILIES = {
    "sngan_resnet": (sngan_resnet, sngan_resnet_generator, sngan_resnet_discriminator),
    "sagan": (sagan, sagan_generator, sagan_discriminator),
    "biggan": (biggan, biggan_generator, biggan_discriminator),
}


def kernels_of(model, kind):
    """(layer name, raw kernel) of every `kind` layer, inside spectral-norm wrappers too."""
    found = []
    for layer in model._flatten_layers(include_self=False):
        if type(layer) is kind:
            found.append((layer.name, layer.kernel.numpy()))
    return found


def fresh_inputs(model, batch=2, seed=0):
    rng = np.random.default_rng(seed)
    inputs = []
    for tensor in model.inputs:
        if tensor.dtype == "int32":
            inputs.append((np.arange(batch) % 3).astype("int32"))
        else:
            inputs.append(rng.normal(size=(batch,) + tuple(tensor.shape[1:])).astype("float32"))
    return inputs if len(inputs) > 1 else inputs[0]


@pytest.mark.parametrize("family, resolution", [
    (family, resolution) for family, (module, _, _) in FAMILIES.items() for resolution in module.RESOLUTIONS
])
def test_layouts_at_every_resolution(family, resolution):
    module, make_g, make_d = FAMILIES[family]
    latent = 4 * biggan.latent_chunks(resolution) if family == "biggan" else 8
    no_attention = {} if family == "sngan_resnet" else {"attention_resolution": None}
    g = make_g(latent_dim=latent, resolution=resolution, channels=3, width=2, **no_attention)
    d = make_d(resolution=resolution, channels=3, width=2, **no_attention)
    layout_g, layout_d = module.GENERATOR_LAYOUTS[resolution], module.DISCRIMINATOR_LAYOUTS[resolution]
    images = g(fresh_inputs(g, batch=1)).numpy()
    assert images.shape == (1, resolution, resolution, 3) and np.all(np.abs(images) <= 1.0)
    assert d(images).shape == (1, 1)
    g_blocks = [g.get_layer(f"block{i}").output.shape for i in range(len(layout_g.blocks))]
    assert g_blocks == [(None, size, size, 2 * m) for size, m in zip(layout_g.block_resolutions(), layout_g.blocks)]
    assert g_blocks[-1][1] == resolution
    d_blocks = [d.get_layer(f"block{i}").output.shape for i in range(len(layout_d.blocks))]
    sizes = layout_d.block_resolutions(resolution)
    assert d_blocks == [(None, size, size, 2 * m) for size, (m, _) in zip(sizes, layout_d.blocks)]
    assert d.get_layer("features").output.shape == (None, 2 * layout_d.blocks[-1][0])


def test_official_layouts():
    # sngan_projection resnet_32 / snresnet_32 (CIFAR-10): 4x4 bottom, 3 up-blocks at ch;
    # D: optimized, down, 2 plain blocks at ch, ending at 8x8
    assert sngan_resnet.GENERATOR_LAYOUTS[32].block_resolutions() == [8, 16, 32]
    assert sngan_resnet.DISCRIMINATOR_LAYOUTS[32].block_resolutions(32) == [16, 8, 8, 8]
    assert sngan_resnet.DEFAULT_WIDTHS[32] == (256, 128)
    g = sngan_resnet_generator(latent_dim=128)
    assert g.get_layer("block0").output.shape == (None, 8, 8, 256)
    assert sngan_resnet_discriminator().get_layer("features").output.shape == (None, 128)
    # BigGAN-PyTorch G_arch / D_arch at 128: 16ch..ch; D ends with a non-downsampling 16ch block
    assert biggan.GENERATOR_LAYOUTS[128].blocks == (16, 8, 4, 2, 1)
    assert biggan.DISCRIMINATOR_LAYOUTS[128].block_resolutions(128) == [64, 32, 16, 8, 4, 4]
    assert biggan.latent_chunks(128) == 6 and biggan.latent_chunks(32) == 4
    for module in (sngan_resnet, sagan, biggan):
        assert set(module.RESOLUTIONS) == set(module.GENERATOR_LAYOUTS) == set(module.DISCRIMINATOR_LAYOUTS)


def test_sngan_initialisation_is_chainer_glorot_with_gain_sqrt2_in_the_blocks():
    keras.utils.set_random_seed(0)
    g = sngan_resnet_generator(latent_dim=16, width=32)

    def glorot_std(kernel):
        receptive = int(np.prod(kernel.shape[:-2])) if kernel.ndim > 2 else 1
        fan_in, fan_out = kernel.shape[-2] * receptive, kernel.shape[-1] * receptive
        return np.sqrt(2.0 / (fan_in + fan_out))  # std of Uniform(+-sqrt(6 / (fan_in + fan_out)))

    ratios = {name: kernel.std() / glorot_std(kernel) for name, kernel in kernels_of(g, keras.layers.Conv2D)}
    ratios.update({name: k.std() / glorot_std(k) for name, k in kernels_of(g, keras.layers.Dense)})
    for name, ratio in ratios.items():
        gain = np.sqrt(2.0) if name.endswith(("_conv1", "_conv2")) else 1.0
        assert ratio == pytest.approx(gain, rel=0.06), name
    assert {"block0_conv1", "block2_conv2", "block0_shortcut_conv", "to_images", "project"} <= set(ratios)
    for weight in g.weights:
        if weight.path.endswith("/bias"):
            np.testing.assert_array_equal(weight.numpy(), 0.0)


def test_biggan_initialisation_is_orthogonal():
    keras.utils.set_random_seed(1)
    g = biggan_generator(latent_dim=16, width=4, num_classes=3, embedding_dim=8)
    d = biggan_discriminator(width=4, num_classes=3)
    checked = 0
    for model in (g, d):
        for kind in (keras.layers.Conv2D, keras.layers.Dense):
            for name, kernel in kernels_of(model, kind):
                matrix = kernel.reshape(-1, kernel.shape[-1])
                small = matrix.T @ matrix if matrix.shape[0] >= matrix.shape[1] else matrix @ matrix.T
                np.testing.assert_allclose(small, np.eye(len(small)), atol=1e-4, err_msg=name)
                checked += 1
    table = g.get_layer("shared_embedding").embeddings.numpy()  # (3, 8): orthonormal rows
    np.testing.assert_allclose(table @ table.T, np.eye(3), atol=1e-5)
    assert checked > 30
    scaled = biggan_generator(latent_dim=16, width=4, num_classes=3, embedding_dim=8, embedding_gain=3.0)
    table = scaled.get_layer("shared_embedding").embeddings.numpy()  # orthogonal rows of norm 3
    np.testing.assert_allclose(table @ table.T, 9.0 * np.eye(3), atol=1e-4)


@pytest.mark.parametrize("family", ["sngan_resnet", "sagan", "biggan"])
def test_where_spectral_norm_is(family):
    _, make_g, make_d = FAMILIES[family]
    kwargs = dict(width=8, num_classes=3)
    g = make_g(latent_dim=16, **kwargs) if family != "biggan" else make_g(latent_dim=16, embedding_dim=4, **kwargs)
    bare = lambda model: [l.name for l in model.layers if isinstance(l, (keras.layers.Conv2D, keras.layers.Dense))]
    # functional layers left unwrapped; SN wrappers hide their Conv2D / Dense from model.layers
    assert bare(make_d(**kwargs)) == []
    if family == "sngan_resnet":
        assert "to_images" in bare(g) and "block0_conv1" in bare(g)  # SNGAN: no SN in G
    else:
        assert bare(g) == []  # SAGAN / BigGAN: SN in G too ...
        attention = [l for l in g.layers if isinstance(l, SelfAttention)]
        assert len(attention) == 1 and attention[0].spectral_norm and attention[0].pooling
    if family == "biggan":
        assert isinstance(g.get_layer("shared_embedding"), keras.layers.Embedding)  # ... but its embedding
        assert all(l.spectral_norm for l in g.layers if isinstance(l, LinearConditionalBatchNormalization))


def test_attention_sits_at_the_chosen_resolution_and_bad_values_name_the_choices():
    g = sagan_generator(latent_dim=8, width=8, attention_resolution=32)
    assert g.get_layer("attention").input.shape == (None, 32, 32, 8)
    d = sagan_discriminator(width=8, attention_resolution=8)
    assert d.get_layer("attention").input.shape == (None, 8, 8, 8)
    assert d.get_layer("attention").output.shape == (None, 8, 8, 8)
    assert [l for l in d.layers if isinstance(l, SelfAttention)] == [d.get_layer("attention")]  # once
    assert biggan_generator(latent_dim=16, width=2, attention_resolution=16).get_layer("attention").input.shape == (
        None, 16, 16, 8)
    with pytest.raises(ValueError, match=r"attention_resolution must be a feature-map size of this 32 px generator, "
                                         r"one of \[8, 16, 32\] \(or None for no attention\), got 4\."):
        sagan_generator(latent_dim=8, width=8, attention_resolution=4)
    with pytest.raises(ValueError, match=r"of this 28 px discriminator, one of \[14\] .*got 7\."):
        sagan_discriminator(resolution=28, width=8, attention_resolution=7)  # 7x7: keys cannot be 2x2 pooled
    with pytest.raises(ValueError, match=r"of this 32 px discriminator, one of \[8, 16\] .*got 32\."):
        biggan_discriminator(width=2, attention_resolution=32)
    assert "attention" not in [l.name for l in sagan_generator(latent_dim=8, width=8, attention_resolution=None).layers]


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match=r"resolution must be one of \[28, 32, 64\], got 128"):
        sngan_resnet_generator(resolution=128)
    with pytest.raises(ValueError, match=r"resolution must be one of \[28, 32, 64, 128\], got 48"):
        biggan_discriminator(resolution=48)
    with pytest.raises(ValueError, match=r"latent_dim must be a multiple of 4 at 32 px \(one equal chunk per "
                                         r"generator block plus one for the input layer\), got 130\."):
        biggan_generator(latent_dim=130)
    with pytest.raises(ValueError, match=r"embedding_gain must be a positive finite number, got -1\.0\."):
        biggan_generator(latent_dim=16, num_classes=3, embedding_gain=-1.0)
    with pytest.raises(ValueError, match=r"width must be a positive integer, got 0"):
        sagan_discriminator(width=0)
    with pytest.raises(ValueError, match=r"num_classes must be None or an integer >= 2, got -2"):
        sngan_resnet_discriminator(num_classes=-2)
    with pytest.raises(ValueError, match=r"Bad config for 'sagan_generator'.*unexpected keyword argument 'depth'"):
        build("sagan_generator", depth=3)


def test_per_class_batch_norm_generators_depend_on_the_label_once_their_tables_move():
    keras.utils.set_random_seed(2)
    z = np.random.default_rng(0).normal(size=(3, 16)).astype("float32")
    for make, extra in ((sngan_resnet_generator, {}), (sagan_generator, {"attention_resolution": 14})):
        g = make(latent_dim=16, resolution=28, width=8, num_classes=3, **extra)
        same_z = np.repeat(z[:1], 3, axis=0)
        out = lambda: g([same_z, np.array([0, 1, 2], "int32")], training=False).numpy()
        # per-class gain 1, bias 0 at init (as the official code): G starts label-blind
        first = out()
        np.testing.assert_allclose(first[0], first[1], atol=1e-6)
        norms = [l for l in g.layers if isinstance(l, ConditionalBatchNormalization)]
        assert len(norms) == 2 * 2  # two per block, the output BN is plain
        rng = np.random.default_rng(1)
        for norm in norms:
            norm.gamma.assign(1.0 + 0.3 * rng.normal(size=norm.gamma.shape))
            norm.beta.assign(0.3 * rng.normal(size=norm.beta.shape))
        moved = out()
        assert np.abs(moved[0] - moved[1]).mean() > 1e-3 and np.abs(moved[1] - moved[2]).mean() > 1e-3


def test_biggan_hierarchical_latents_and_shared_embedding():
    keras.utils.set_random_seed(3)
    embedding_dim, chunk = 4, 4
    g = biggan_generator(latent_dim=16, width=2, num_classes=3, embedding_dim=embedding_dim)
    norms = {k: [g.get_layer(f"block{k}_bn1"), g.get_layer(f"block{k}_bn2")] for k in range(3)}
    conditions = [g.get_layer(f"block{k}_condition").output for k in range(3)]
    for k, pair in norms.items():
        assert all(norm.input[1] is conditions[k] for norm in pair)  # both BNs of block k read c_k
    assert len([l for l in g.layers if isinstance(l, keras.layers.Embedding)]) == 1
    probe = keras.Model(g.inputs, conditions)
    labels = np.array([0, 2], "int32")
    z = np.random.default_rng(0).normal(size=(2, 16)).astype("float32")

    def modulations(latents):
        cs = [c.numpy() for c in probe([latents, labels])]
        return cs, {k: [np.concatenate(norm.modulation(cs[k])) for norm in pair] for k, pair in norms.items()}

    base_c, base_m = modulations(z)
    table = g.get_layer("shared_embedding").embeddings.numpy()
    for k in range(3):  # c_k = [shared embedding(y), z chunk k + 1]
        np.testing.assert_array_equal(base_c[k][:, :embedding_dim], table[labels])
        np.testing.assert_array_equal(base_c[k][:, embedding_dim:], z[:, chunk * (k + 1): chunk * (k + 2)])
    images = g([z, labels]).numpy()
    for changed in range(4):  # chunk 0 feeds the input linear, chunk k + 1 block k
        other = z.copy()
        other[:, chunk * changed: chunk * (changed + 1)] += 1.0
        _, m = modulations(other)
        for k in range(3):
            for before, after in zip(base_m[k], m[k]):
                assert np.allclose(before, after) == (k != changed - 1), (changed, k)
        assert not np.allclose(g([other, labels]).numpy(), images)  # every chunk reaches the image
    assert not np.allclose(g([z, labels[::-1]]).numpy(), images)  # the label too, from initialisation


def test_biggan_embedding_at_input_feeds_the_label_to_the_input_linear():
    """BigGAN-deep's input (the shared embedding beside z): off, the bottom map ignores the label."""
    keras.utils.set_random_seed(5)
    z = np.random.default_rng(0).normal(size=(2, 16)).astype("float32")
    labels = np.array([0, 2], "int32")
    for at_input in (False, True):
        g = biggan_generator(latent_dim=16, width=2, num_classes=3, embedding_dim=4, embedding_at_input=at_input)
        bottom = keras.Model(g.inputs, g.get_layer("sn_project").output)
        change = np.abs(bottom([z, labels]).numpy() - bottom([z, labels[::-1]]).numpy()).max()
        assert (change > 1e-3) == at_input, (at_input, change)
    probe = keras.Model(g.inputs, g.get_layer("input_condition").output)
    table = g.get_layer("shared_embedding").embeddings.numpy()
    np.testing.assert_array_equal(probe([z, labels]).numpy(), np.concatenate([table[labels], z[:, :4]], axis=1))
    with pytest.raises(ValueError, match=r"embedding_at_input must be True or False, got 'yes'\."):
        biggan_generator(latent_dim=16, num_classes=3, embedding_at_input="yes")


def test_projection_discriminator_is_linear_plus_inner_product_with_sum_pooled_features():
    keras.utils.set_random_seed(4)
    d = biggan_discriminator(resolution=28, width=2, num_classes=3, attention_resolution=None)
    x = np.random.default_rng(0).normal(size=(3, 28, 28, 3)).astype("float32")
    labels = np.array([2, 0, 1], "int32")
    probe = keras.Model(d.inputs, [d.get_layer("output_relu").output, d.get_layer("features").output])
    relu, features = (t.numpy() for t in probe([x, labels]))
    np.testing.assert_allclose(features, relu.sum(axis=(1, 2)), rtol=1e-5)
    np.testing.assert_allclose(features, 7 * 7 * relu.mean(axis=(1, 2)), rtol=1e-4)
    linear = [l for l in d.layers if l.name.endswith("logits")][0]
    embedding = [l for l in d.layers if l.name.endswith("projection_embedding")][0]
    table = embedding(np.arange(3, dtype="int32")).numpy().reshape(3, -1)  # the (normalised) table the model applies
    expected = linear(features).numpy()[:, 0] + np.sum(table[labels] * features, axis=1)
    np.testing.assert_allclose(d([x, labels]).numpy()[:, 0], expected, rtol=1e-4, atol=1e-4)
    assert np.abs(np.sum(table[labels] * features, axis=1)).mean() > 1e-3  # the label term is not nil


@pytest.mark.parametrize("name, config", [
    ("sngan_resnet_generator", dict(latent_dim=8, resolution=28, channels=1, width=8, num_classes=3)),
    ("sngan_resnet_discriminator", dict(resolution=28, channels=1, width=8, num_classes=3)),
    ("sagan_generator", dict(latent_dim=8, resolution=28, width=8, num_classes=3, attention_resolution=14)),
    ("sagan_discriminator", dict(resolution=28, width=8, num_classes=3, attention_resolution=14)),
    ("biggan_generator", dict(latent_dim=9, resolution=28, width=2, num_classes=3, embedding_dim=4,
                              attention_resolution=14)),
    ("biggan_discriminator", dict(resolution=28, width=2, num_classes=3, attention_resolution=14)),
])
def test_keras_round_trip_gives_identical_outputs(tmp_path, name, config):
    keras.utils.set_random_seed(5)
    model = build(name, **config)
    assert BUILDERS[name].function is getattr(tz.models, name)
    inputs = fresh_inputs(model, batch=3)
    model(inputs, training=True)  # move batch-norm statistics and power iterations off their start
    for layer in model.layers:
        if isinstance(layer, SelfAttention):
            layer.gamma.assign(0.5)  # make the attention branch count
    expected = model(inputs, training=False).numpy()
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    np.testing.assert_array_equal(loaded(inputs, training=False).numpy(), expected)
    clone = keras.models.clone_model(model)  # how GAN makes its EMA generator
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone(inputs, training=False).numpy(), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("family", ["sngan_resnet", "biggan"])  # SAGAN trains in test_distribute.py
def test_a_few_hinge_steps_train_each_pair(family):
    keras.utils.set_random_seed(6)
    _, make_g, make_d = FAMILIES[family]
    if family == "biggan":  # conditional, attention, orthogonal regularisation, EMA
        num_classes, latent, extra = 3, 9, dict(width=2, num_classes=3, attention_resolution=14)
    else:
        num_classes, latent, extra = None, 8, dict(width=8)
    g = make_g(latent_dim=latent, resolution=28, channels=1, **extra)
    d = make_d(resolution=28, channels=1, **extra)
    gan = tz.GAN(g, d, latent_dim=latent, num_classes=num_classes, seed=0)
    adam = lambda: keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.9)
    # Eager: two steps run far faster than tracing the step (Keras's SN wrapper adds a cond per layer).
    gan.compile(adam(), adam(), loss="hinge", run_eagerly=True,
                regularizers=[R.OrthogonalRegularization(1e-4)] if family == "biggan" else [],
                ema_decay=0.9 if family == "biggan" else None, ema_warmup=False)
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    data = (images, rng.integers(0, 3, 8).astype("int32")) if num_classes else images
    networks = g.trainable_weights + d.trainable_weights
    before = [w.numpy().copy() for w in networks]
    history = gan.fit(tf.data.Dataset.from_tensor_slices(data).batch(4), epochs=1, verbose=0)
    for name, values in history.history.items():
        assert np.all(np.isfinite(values)), name
    moved = [not np.allclose(a, w.numpy()) for a, w in zip(before, networks)]
    assert sum(moved[:len(g.trainable_weights)]) > len(g.trainable_weights) // 2
    assert sum(moved[len(g.trainable_weights):]) > len(d.trainable_weights) // 2
    if family == "biggan":
        assert history.history["g_orth"][-1] > 0
        # The EMA generator lags behind in its trainable weights (the others are copied).
        lagging = [not np.allclose(a.numpy(), b.numpy())
                   for a, b in zip(gan.ema_generator.trainable_weights, g.trainable_weights)]
        assert sum(lagging) > len(lagging) // 2


@pytest.mark.parametrize("bad", [1, 0, -2, 2.5, True, "10"])
def test_one_class_count_check_serves_the_gan_and_every_conditional_builder(bad):
    message = rf"num_classes must be None or an integer >= 2, got {re.escape(repr(bad))}\."
    for build_one in (lambda: biggan_generator(num_classes=bad), lambda: sagan_discriminator(num_classes=bad),
                      lambda: pggan_discriminator(resolution=8, num_classes=bad),
                      lambda: tz.GAN(keras.Sequential(), keras.Sequential(), latent_dim=4, num_classes=bad)):
        with pytest.raises(ValueError, match=message):
            build_one()
