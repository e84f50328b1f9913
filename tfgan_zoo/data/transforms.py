"""Image transforms used by the pipelines: scale to [-1, 1], centre crop + resize or pad, channels.

All work on a single image (H, W, C) or a batch (N, H, W, C).
"""
from __future__ import annotations

import tensorflow as tf

# ITU-R BT.601 luma weights (as tf.image.rgb_to_grayscale and PIL's convert("L")).
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def to_signed_unit(images: tf.Tensor) -> tf.Tensor:
    """uint8 [0, 255] -> float32 [-1, 1] (0 -> -1, 255 -> 1 exactly); float input is returned
    as float32 unchanged (it is taken to be in [-1, 1] already)."""
    if images.dtype == tf.uint8:
        return tf.cast(images, tf.float32) / 127.5 - 1.0
    return tf.cast(images, tf.float32)


def centre_crop_resize(images: tf.Tensor, resolution: int) -> tf.Tensor:
    """Centre-crop to a square of side min(H, W), then resize to resolution x resolution.

    Downscaling uses area averaging (exact block means for integer factors), upscaling bilinear
    interpolation; both stay inside the input's value range. Returns float32.
    """
    if resolution < 1:
        raise ValueError(f"Expected resolution >= 1, got {resolution}.")
    images = tf.convert_to_tensor(images)
    height, width = images.shape[-3], images.shape[-2]
    if height is not None and width is not None:  # static shape: decide in Python
        side = min(height, width)
        top, left = (height - side) // 2, (width - side) // 2
        images = images[..., top : top + side, left : left + side, :]
        images = tf.cast(images, tf.float32)
        if side == resolution:
            return images
        method = "area" if side > resolution else "bilinear"
        return tf.image.resize(images, [resolution, resolution], method=method)
    shape = tf.shape(images)
    height, width = shape[-3], shape[-2]
    side = tf.minimum(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    images = tf.cast(images[..., top : top + side, left : left + side, :], tf.float32)
    size = [resolution, resolution]
    out = tf.cond(
        side > resolution,
        lambda: tf.image.resize(images, size, method="area"),
        lambda: tf.image.resize(images, size, method="bilinear"),
    )
    static = list(images.shape)
    static[-3:-1] = size
    return tf.ensure_shape(out, static)


FITS = ("resize", "pad")


def centre_pad(images: tf.Tensor, resolution: int, value: float) -> tf.Tensor:
    """Centre-crop to a square of side min(H, W), then pad every side with `value` to
    resolution x resolution (an odd margin puts the extra row / column at the bottom / right).
    The digits of 28x28 MNIST padded to 32x32 keep their size, as growing 4 -> 32 needs a power of
    two. Returns float32; raises ValueError for images larger than `resolution`."""
    images = tf.convert_to_tensor(images)
    height, width = images.shape[-3], images.shape[-2]
    if height is None or width is None:
        raise ValueError("centre_pad needs images of a static size.")
    side = min(height, width)
    if side > resolution:
        raise ValueError(
            f"Cannot pad {side}x{side} images to {resolution}x{resolution}: padding only enlarges; "
            "expected images of at most that size, or fit='resize'."
        )
    top, left = (height - side) // 2, (width - side) // 2
    images = tf.cast(images[..., top : top + side, left : left + side, :], tf.float32)
    before = (resolution - side) // 2
    after = resolution - side - before
    paddings = [[0, 0]] * (images.shape.rank - 3) + [[before, after], [before, after], [0, 0]]
    return tf.pad(images, paddings, constant_values=value)


def centre_crop(images, size: int):
    """The centre size x size window of images (..., H, W, C): undoes `centre_pad` (numpy or tf)."""
    height, width = images.shape[-3], images.shape[-2]
    if size > min(height, width):
        raise ValueError(f"Cannot crop {height}x{width} images to {size}x{size}; expected size <= {min(height, width)}.")
    top, left = (height - size) // 2, (width - size) // 2
    return images[..., top : top + size, left : left + size, :]


def fit_to_resolution(images: tf.Tensor, resolution: int, fit: str = "resize", pad_value: float = -1.0) -> tf.Tensor:
    """`centre_crop_resize` (fit="resize") or `centre_pad` with `pad_value` (fit="pad")."""
    if fit not in FITS:
        raise ValueError(f"Expected fit to be one of {', '.join(map(repr, FITS))}, got fit={fit!r}.")
    if fit == "pad":
        return centre_pad(images, resolution, pad_value)
    return centre_crop_resize(images, resolution)


def convert_channels(images: tf.Tensor, channels: int | None) -> tf.Tensor:
    """Convert the (static) channel count: alpha (2 or 4 channels) is dropped, 1 -> 3 tiles,
    3 -> 1 takes the BT.601 luminance. Works on float images; None or equal count: unchanged."""
    current = images.shape[-1]
    if channels is None or current == channels:
        return images
    if current is None:
        raise ValueError("convert_channels needs a static channel count.")
    if channels not in (1, 3):
        raise ValueError(
            f"Cannot convert {current}-channel images to channels={channels}; expected "
            "channels to be 1 (grayscale) or 3 (RGB)."
        )
    if current in (2, 4):  # grayscale + alpha, RGBA: drop alpha
        images = images[..., : current - 1]
        current -= 1
    if current == channels:
        return images
    if current == 1:  # channels == 3
        return tf.repeat(images, 3, axis=-1)
    if current == 3:  # channels == 1
        weights = tf.constant(LUMA_WEIGHTS, dtype=images.dtype)
        return tf.reduce_sum(images * weights, axis=-1, keepdims=True)
    raise ValueError(
        f"Cannot convert {current}-channel images to channels={channels}; expected images "
        "with 1, 2, 3 or 4 channels."
    )


def convert_channels_dynamic(image: tf.Tensor, channels: int) -> tf.Tensor:
    """`convert_channels` for one uint8 image whose channel count (1..4) is only known at run
    time (e.g. decoded files of mixed modes). Returns uint8 (H, W, channels)."""

    def branch(count: int):
        def fn() -> tf.Tensor:
            x = tf.ensure_shape(image, [None, None, count])
            x = convert_channels(tf.cast(x, tf.float32), channels)
            return tf.cast(tf.clip_by_value(tf.round(x), 0.0, 255.0), tf.uint8)

        return fn

    index = tf.shape(image)[-1] - 1
    out = tf.switch_case(index, [branch(c) for c in (1, 2, 3, 4)])
    return tf.ensure_shape(out, [None, None, channels])


def preprocess_batch(
    images: tf.Tensor, resolution: int | None = None, channels: int | None = None, fit: str = "resize"
) -> tf.Tensor:
    """uint8 (or [-1, 1] float) images -> float32 [-1, 1], optionally centre-cropped and resized
    (or padded with -1, fit="pad") and channel-converted."""
    x = to_signed_unit(images)
    if resolution is not None:
        x = fit_to_resolution(x, resolution, fit, pad_value=-1.0)
    if channels is not None and x.shape[-1] != channels:
        x = tf.clip_by_value(convert_channels(x, channels), -1.0, 1.0)
    return x
