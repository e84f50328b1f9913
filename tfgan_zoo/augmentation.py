"""Image augmentations for the discriminator's regularisers: pure functions of a batch and its draws."""
from __future__ import annotations

import keras
import tensorflow as tf

Tensor = tf.Tensor


def translate(images: Tensor, shifts: Tensor) -> Tensor:
    """Shift each image of (batch, H, W, C) by its integer (dx, dy) in `shifts` (batch, 2), pixels
    right / down; the vacated border repeats the edge pixels (the background of a digit stays
    background, where zero padding would draw a grey frame on [-1, 1] images)."""
    shifts = tf.cast(shifts, tf.float32)
    batch = tf.shape(shifts)[0]
    ones, zeros = tf.ones((batch,)), tf.zeros((batch,))
    # Output pixel (x, y) reads input (x - dx, y - dy): keras's projective transform rows a0..c1.
    transform = tf.stack([ones, zeros, -shifts[:, 0], zeros, ones, -shifts[:, 1], zeros, zeros], axis=1)
    moved = keras.ops.image.affine_transform(
        tf.cast(images, tf.float32), transform, interpolation="nearest", fill_mode="nearest")
    return tf.cast(moved, images.dtype)


def shifts_from_uniform(uniform: Tensor, max_shift: int) -> Tensor:
    """Integer shifts uniform over [-max_shift, max_shift] from U[0, 1) draws of any shape."""
    return tf.minimum(tf.floor(uniform * (2 * max_shift + 1)), 2 * max_shift) - max_shift
