"""The serving graph's building blocks, shared by every export signature (tfgan_zoo.export and
its signature modules export_style / export_seeded, which import this module, not export.py):
the uint8 conversion, the in-graph input checks and the generator call. `spec` is a
tfgan_zoo.export.GeneratorSpec."""
from __future__ import annotations

from typing import Any, Optional

import keras
import tensorflow as tf

SERVING_SIGNATURE = "serving_default"
FLOAT_SIGNATURE = "float_images"


def to_uint8_tensor(images: tf.Tensor) -> tf.Tensor:
    """Images in [-1, 1] -> uint8: round((x + 1) * 127.5) clipped to [0, 255] (as images.to_uint8)."""
    scaled = tf.round((tf.cast(images, tf.float32) + 1.0) * 127.5)
    return tf.cast(tf.clip_by_value(scaled, 0.0, 255.0), tf.uint8)


def checked_batch(value: tf.Tensor, batch: tf.Tensor, name: str, of: str = "z") -> tf.Tensor:
    """`value` checked at run time to have shape (batch,): "{name} must have shape (batch,) with
    the batch size of {of}"."""
    message = f"{name} must have shape (batch,) with the batch size of {of}"
    size = tf.gather(tf.concat([tf.shape(value), [-1]], 0), 0)
    checks = [
        tf.debugging.assert_equal(tf.size(value), size, message=message),
        tf.debugging.assert_equal(size, tf.cast(batch, size.dtype), message=message),
    ]
    with tf.control_dependencies(checks):
        return tf.ensure_shape(value, [None])


def checked_inputs(spec: Any, z: tf.Tensor, label: Optional[tf.Tensor], name: str = "z"):
    """In-graph validation. TF Serving feeds the signature tensors without checking them against the
    signature's shapes, and Grappler folds shape arithmetic (tf.rank, ...) to the signature's static
    shapes, so the checks read sizes from the data and end in tf.ensure_shape, which checks the fed
    tensor at run time."""
    latent = spec.latent_dim
    z_message = f"{name} must be a matrix of shape (batch, {latent}) float32"
    z_shape = tf.shape(z)
    # gather from padded shapes: no out-of-range slice errors for a scalar or a rank-1 z
    batch = tf.gather(tf.concat([z_shape, [-1]], 0), 0)
    width = tf.gather(tf.concat([z_shape, [latent, latent]], 0), 1)
    checks = [
        tf.debugging.assert_equal(width, latent, message=z_message),
        tf.debugging.assert_equal(tf.size(z), batch * latent, message=z_message),
    ]
    with tf.control_dependencies(checks):
        z = tf.ensure_shape(z, [None, latent])  # any other rank: "Shape of tensor z [...] is not compatible"
    checks = [tf.debugging.assert_all_finite(z, f"{name} must be finite")]
    if label is not None:
        k = spec.num_classes
        label = checked_batch(label, batch, "label", name)
        range_message = f"label must be in [0, {k})"
        checks.append(tf.debugging.assert_greater_equal(label, 0, message=range_message))
        checks.append(tf.debugging.assert_less(label, k, message=range_message))
    with tf.control_dependencies(checks):
        z = tf.identity(z)
        label = None if label is None else tf.identity(label)
    return z, label


def forward(generator: keras.Model, spec: Any, z: tf.Tensor, label: Optional[tf.Tensor]) -> tf.Tensor:
    z, label = checked_inputs(spec, z, label)
    if spec.label_index is None:
        inputs: Any = z
    else:
        inputs = [None, None]
        inputs[spec.z_index], inputs[spec.label_index] = z, label
    return tf.cast(generator(inputs, training=False), tf.float32)
