"""The residual blocks of the SNGAN-ResNet family (tfgan_zoo.models.resnet) against closed forms:
a zero residual branch leaves exactly the shortcut, and the shortcut is the official one."""
import keras
import numpy as np
import pytest

from tfgan_zoo.models.resnet import ConvStyle, discriminator_block, generator_block

PLAIN = ConvStyle(spectral_norm=False)


def _batch_norm(h, name):
    return keras.layers.BatchNormalization(name=name)(h)


def block_model(kind, shape, filters, **kwargs):
    x = keras.Input(shape)
    if kind == "generator":
        h = generator_block(x, filters, PLAIN, _batch_norm, "b")
    else:
        h = discriminator_block(x, filters, PLAIN, "b", **kwargs)
    return keras.Model(x, h)


def zero_residual(model):
    """Zero the residual branch's last convolution: the block must then be its shortcut."""
    conv = model.get_layer("b_conv2")
    conv.set_weights([np.zeros_like(w) for w in conv.get_weights()])


def shortcut_weights(model):
    kernel, bias = model.get_layer("b_shortcut_conv").get_weights()
    return kernel[0, 0], bias  # the 1x1 convolution as a matrix


def upsample(x):
    return x.repeat(2, axis=1).repeat(2, axis=2)


def avg_pool(x):
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def signed_input(shape, seed=0):
    return np.random.default_rng(seed).normal(size=(2,) + shape).astype("float32")  # half negative


def test_generator_block_is_upsample_then_1x1_conv_shortcut():
    keras.utils.set_random_seed(0)
    model = block_model("generator", (4, 4, 8), 6)
    assert model.output_shape == (None, 8, 8, 6)
    x = signed_input((4, 4, 8))
    assert not np.allclose(model(x).numpy(), model(x * 0).numpy())
    zero_residual(model)
    kernel, bias = shortcut_weights(model)
    out = model(x).numpy()
    np.testing.assert_allclose(out, upsample(x) @ kernel + bias, rtol=1e-5, atol=1e-5)
    shortcut = keras.Model(model.input, model.get_layer("b_shortcut_conv").output)(x).numpy()
    np.testing.assert_array_equal(out, shortcut)  # residual exactly 0: output is the shortcut
    upsamplings = [layer for layer in model.layers if isinstance(layer, keras.layers.UpSampling2D)]
    assert len(upsamplings) == 2 and all(layer.interpolation == "nearest" for layer in upsamplings)


def test_downsampling_block_shortcut_is_1x1_conv_then_pool_of_the_raw_input():
    keras.utils.set_random_seed(1)
    model = block_model("discriminator", (8, 8, 4), 6)
    assert model.output_shape == (None, 4, 4, 6)
    assert model.get_layer("b_shortcut_conv").input.shape == (None, 8, 8, 4)  # conv at full size
    zero_residual(model)
    kernel, bias = shortcut_weights(model)
    x = signed_input((8, 8, 4), seed=2)
    # the shortcut sees x itself, not the pre-activated relu(x)
    np.testing.assert_allclose(model(x).numpy(), avg_pool(x @ kernel + bias), rtol=1e-5, atol=1e-5)


def test_optimized_block_pools_before_its_1x1_conv():
    keras.utils.set_random_seed(3)
    model = block_model("discriminator", (8, 8, 3), 6, preactivation=False)
    assert model.output_shape == (None, 4, 4, 6)
    # avg-pool then 1x1 conv (sngan_projection OptimizedBlock, BigGAN DBlock without
    # preactivation): the conv runs on the pooled 4x4 map. The two orders are equal in exact
    # arithmetic (both linear), so the order shows in where the conv sits, and in the cost.
    assert model.get_layer("b_shortcut_conv").input.shape == (None, 4, 4, 3)
    assert model.get_layer("b_conv1").filters == 6  # hidden width = output width
    zero_residual(model)
    kernel, bias = shortcut_weights(model)
    x = signed_input((8, 8, 3), seed=4)
    np.testing.assert_allclose(model(x).numpy(), avg_pool(x) @ kernel + bias, rtol=1e-5, atol=1e-5)


def test_only_the_optimized_block_lacks_the_pre_activation():
    keras.utils.set_random_seed(5)
    negative = [-np.abs(signed_input((8, 8, 3), seed=s)) for s in (6, 7)]
    for preactivation in (True, False):
        model = block_model("discriminator", (8, 8, 3), 6, preactivation=preactivation)
        residual = keras.Model(model.input, model.get_layer("b_pool").output)
        a, b = (residual(x).numpy() for x in negative)
        # relu(x) = 0 for x <= 0, so a pre-activated residual branch cannot tell the inputs apart
        assert np.allclose(a, b) == preactivation


def test_same_size_block_has_the_identity_shortcut_or_a_1x1_conv():
    keras.utils.set_random_seed(8)
    x = signed_input((4, 4, 6), seed=9)
    model = block_model("discriminator", (4, 4, 6), 6, downsample=False)
    assert model.output_shape == (None, 4, 4, 6)
    assert "b_shortcut_conv" not in [layer.name for layer in model.layers]
    zero_residual(model)
    np.testing.assert_array_equal(model(x).numpy(), x)  # identity shortcut, exactly
    widen = block_model("discriminator", (4, 4, 6), 8, downsample=False)
    zero_residual(widen)
    kernel, bias = shortcut_weights(widen)
    np.testing.assert_allclose(widen(x).numpy(), x @ kernel + bias, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("wide, hidden", [(True, 8), (False, 4)])
def test_hidden_width_of_wide_and_thin_blocks(wide, hidden):
    # SAGAN / BigGAN blocks are wide (hidden = output width); sngan_projection's Block is thin
    model = block_model("discriminator", (8, 8, 4), 8, wide=wide)
    assert model.get_layer("b_conv1").filters == hidden
    assert model.get_layer("b_conv2").filters == 8
