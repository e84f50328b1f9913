"""Scaling, centre crop + resize, and channel conversion on known patterns."""
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.data import centre_crop, centre_crop_resize, centre_pad, convert_channels, to_signed_unit


def _pattern():
    """8 x 16 image: the centre 8 x 8 holds four 4 x 4 blocks 0, 85 / 170, 255; the four
    columns on each side hold 50 (they must be cropped away)."""
    image = np.full((8, 16, 1), 50, np.uint8)
    image[:4, 4:8], image[:4, 8:12] = 0, 85
    image[4:, 4:8], image[4:, 8:12] = 170, 255
    return image


def test_to_signed_unit_endpoints():
    x = to_signed_unit(tf.constant([0, 1, 127, 128, 254, 255], tf.uint8)).numpy()
    assert x[0] == -1.0 and x[-1] == 1.0
    np.testing.assert_allclose(x, np.array([0, 1, 127, 128, 254, 255]) / 127.5 - 1, atol=1e-7)
    floats = tf.constant([-0.5, 0.25])
    np.testing.assert_array_equal(to_signed_unit(floats).numpy(), [-0.5, 0.25])


def test_centre_crop_then_area_downscale_gives_block_means():
    out = centre_crop_resize(tf.constant(_pattern()), 2).numpy()
    np.testing.assert_allclose(out[..., 0], [[0, 85], [170, 255]], atol=1e-4)


def test_crop_only_when_size_matches():
    out = centre_crop_resize(tf.constant(_pattern()), 8).numpy()
    np.testing.assert_array_equal(out, _pattern()[:, 4:12].astype(np.float32))
    tall = np.transpose(_pattern(), (1, 0, 2))  # 16 x 8: crop rows instead
    out = centre_crop_resize(tf.constant(tall), 8).numpy()
    np.testing.assert_array_equal(out, tall[4:12].astype(np.float32))


def test_dynamic_shape_matches_static():
    fn = tf.function(
        lambda x: centre_crop_resize(x, 2),
        input_signature=[tf.TensorSpec([None, None, None, 1], tf.uint8)],
    )
    out = fn(tf.constant(_pattern()[None])).numpy()
    assert out.shape == (1, 2, 2, 1)
    np.testing.assert_allclose(out[0, ..., 0], [[0, 85], [170, 255]], atol=1e-4)
    fn_up = tf.function(
        lambda x: centre_crop_resize(x, 6),
        input_signature=[tf.TensorSpec([None, None, None, 1], tf.uint8)],
    )
    up = fn_up(tf.constant(np.full((1, 3, 5, 1), 7, np.uint8))).numpy()
    np.testing.assert_allclose(up, np.full((1, 6, 6, 1), 7.0), atol=1e-5)


def test_bilinear_upscale_of_two_pixels():
    # Half-pixel-centred bilinear, 2 -> 4 along a row [a, b]: [a, .75a+.25b, .25a+.75b, b].
    image = tf.constant([[[0.0], [4.0]], [[0.0], [4.0]]])
    out = centre_crop_resize(image, 4).numpy()[..., 0]
    np.testing.assert_allclose(out, np.tile([0.0, 1.0, 3.0, 4.0], (4, 1)), atol=1e-6)


def test_convert_channels():
    red = tf.constant([[[1.0, -1.0, -1.0]]])  # pure red in [-1, 1]
    gray = convert_channels(red, 1).numpy()
    np.testing.assert_allclose(gray, [[[0.299 - 0.587 - 0.114]]], atol=1e-6)
    white = convert_channels(tf.constant([[[1.0, 1.0, 1.0]]]), 1).numpy()
    np.testing.assert_allclose(white, [[[1.0]]], atol=1e-6)
    tiled = convert_channels(tf.constant([[[0.5]]]), 3).numpy()
    np.testing.assert_array_equal(tiled, [[[0.5, 0.5, 0.5]]])
    rgba = tf.constant([[[0.1, 0.2, 0.3, 0.9]]])
    np.testing.assert_allclose(convert_channels(rgba, 3).numpy(), [[[0.1, 0.2, 0.3]]])
    with pytest.raises(ValueError, match="Cannot convert 3-channel images to channels=2"):
        convert_channels(red, 2)


def test_centre_pad_keeps_the_image_and_pads_black():
    image = np.arange(2 * 6 * 1, dtype=np.float32).reshape(2, 6, 1) / 12.0  # 2 x 6: centre 2 x 2 kept
    out = centre_pad(tf.constant(image), 5, -1.0).numpy()
    assert out.shape == (5, 5, 1)
    # margin 3: 1 row / column before, 2 after; the centre crop is columns 2..3
    np.testing.assert_array_equal(out[1:3, 1:3], image[:, 2:4])
    mask = np.ones((5, 5), bool)
    mask[1:3, 1:3] = False
    assert np.all(out[mask] == -1.0)
    np.testing.assert_array_equal(centre_crop(out, 2), image[:, 2:4])
    with pytest.raises(ValueError, match="Cannot pad 2x2 images to 1x1: padding only enlarges"):
        centre_pad(tf.constant(image), 1, -1.0)


def test_mnist5k_padded_to_32():
    from tfgan_zoo import data

    padded = next(iter(data.load("mnist5k", 8, resolution=32, fit="pad", shuffle=False, with_labels=False)))
    plain = next(iter(data.load("mnist5k", 8, shuffle=False, with_labels=False)))
    assert padded.shape == (8, 32, 32, 1)
    np.testing.assert_array_equal(padded.numpy()[:, 2:30, 2:30], plain.numpy())  # the digits, unscaled
    assert np.all(padded.numpy()[:, :2] == -1.0) and np.all(padded.numpy()[:, :, 30:] == -1.0)
    with pytest.raises(ValueError, match=r"Cannot pad the 28x28 images of 'mnist5k' to resolution=16"):
        data.load("mnist5k", 8, resolution=16, fit="pad")
    with pytest.raises(ValueError, match=r"Expected fit to be one of 'resize', 'pad', got fit='crop'"):
        data.load("mnist5k", 8, resolution=32, fit="crop")


def test_a_folder_of_colour_images_padded(tmp_path):
    from tfgan_zoo import data
    from tfgan_zoo.images import save_png

    rng = np.random.default_rng(0)
    pictures = rng.integers(0, 256, (3, 6, 6, 3), dtype=np.uint8)
    for i, picture in enumerate(pictures):
        save_png(picture, tmp_path / f"{i}.png")
    batch = next(iter(data.load(f"folder:{tmp_path}", 3, resolution=8, fit="pad", shuffle=False))).numpy()
    assert batch.shape == (3, 8, 8, 3)
    inside = np.sort(batch[:, 1:7, 1:7].reshape(3, -1), axis=1)  # (file order aside) the pictures, scaled
    expected = np.sort(pictures.reshape(3, -1).astype(np.float32) / 127.5 - 1.0, axis=1)
    np.testing.assert_allclose(np.sort(inside, axis=0), np.sort(expected, axis=0), atol=1e-6)
    assert np.all(batch[:, 0] == -1.0) and np.all(batch[:, :, 7] == -1.0)
