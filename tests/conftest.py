"""Test session setup: quiet TensorFlow, and two logical CPU devices so tests can run a
two-replica MirroredStrategy (docs/architecture.md: the four tf.distribute failures only show there)."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

_cpus = tf.config.list_physical_devices("CPU")
try:
    tf.config.set_logical_device_configuration(_cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)
except RuntimeError:  # already initialised by another import: keep what is there
    pass
