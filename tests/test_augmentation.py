"""The translation behind consistency regularisation: exact shifts, edge fill, uniform offsets."""
import numpy as np
import tensorflow as tf

from tfgan_zoo.augmentation import shifts_from_uniform, translate


def reference_shift(image, dx, dy):
    """numpy: output (y, x) reads input (clip(y - dy), clip(x - dx)), the edge repeated."""
    h, w = image.shape[:2]
    rows = np.clip(np.arange(h) - dy, 0, h - 1)
    cols = np.clip(np.arange(w) - dx, 0, w - 1)
    return image[rows][:, cols]


def test_translate_moves_each_image_by_its_own_shift():
    images = np.random.default_rng(0).normal(size=(4, 7, 6, 3)).astype("float32")
    shifts = np.array([[0, 0], [2, 0], [-1, 3], [3, -2]], "int32")
    moved = translate(tf.constant(images), tf.constant(shifts)).numpy()
    for image, (dx, dy), out in zip(images, shifts, moved):
        np.testing.assert_array_equal(out, reference_shift(image, dx, dy))
    np.testing.assert_array_equal(moved[0], images[0])  # a zero shift is the identity


def test_translate_keeps_a_digit_background():
    # a [-1, 1] image with background -1: shifting never brings in another value
    image = -np.ones((1, 8, 8, 1), "float32")
    image[0, 3:5, 3:5] = 1.0
    moved = translate(tf.constant(image), tf.constant([[2, -2]])).numpy()
    assert set(np.unique(moved)) == {-1.0, 1.0} and moved.sum() == image.sum()
    assert moved[0, 1:3, 5:7].min() == 1.0


def test_shifts_are_uniform_over_the_integer_range():
    u = tf.constant(np.random.default_rng(1).uniform(size=(60000,)).astype("float32"))
    shifts = shifts_from_uniform(u, 2).numpy()
    values, counts = np.unique(shifts, return_counts=True)
    np.testing.assert_array_equal(values, [-2, -1, 0, 1, 2])
    np.testing.assert_allclose(counts / 60000, 0.2, atol=0.01)
    edges = shifts_from_uniform(tf.constant([0.0, 0.19999, 0.2, 0.99999999]), 2).numpy()
    np.testing.assert_array_equal(edges, [-2, -2, -1, 2])
    np.testing.assert_array_equal(shifts_from_uniform(tf.constant([0.5]), 3).numpy(), [0])
