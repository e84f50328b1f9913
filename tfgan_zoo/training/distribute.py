"""A MirroredStrategy that can be created more than once in a process.

    strategy = mirrored_strategy()            # instead of tf.distribute.MirroredStrategy()
    with strategy.scope():
        gan = GAN(...); gan.compile(...)
    gan.fit(dataset)

Why: every `tf.distribute.MirroredStrategy` numbers its all-reduce collectives from the same
start (group key 1, instance keys 100, 101, ...), while the TensorFlow runtime remembers, per
process, the shape each (group, instance) key was first run with. The first strategy works; a
second one over the same devices -- the next model in a loop, a new notebook cell, the next
test -- reuses those keys for tensors of other shapes and every step fails with "Collective ops
is aborted by: Shape mismatch in the collective instance 100 ... expected shape [A] but another
member in the group expected shape [B]" (B being a size from the earlier model; TensorFlow
issue #62790). A GAN step all-reduces the discriminator and generator gradients as one packed
tensor each, so a GAN of another size always collides.

`mirrored_strategy` gives each strategy its own range of collective keys, as TensorFlow's own
tests do (`strategy_combinations`, through the class attribute `_collective_key_base`), and
keeps the default all-reduce (ring on CPUs, NCCL on GPUs). Should a later TensorFlow drop that
attribute, it falls back to `tf.distribute.ReductionToOneDevice`, which uses no collectives.
"""
from __future__ import annotations

import threading
from typing import Optional, Sequence

import tensorflow as tf

# Room for far more collective groups than one strategy uses (TensorFlow's tests use the same).
_KEY_RANGE = 100_000
_lock = threading.Lock()


def mirrored_strategy(devices: Optional[Sequence[str]] = None) -> tf.distribute.MirroredStrategy:
    """`tf.distribute.MirroredStrategy(devices)` with collective keys no other strategy uses."""
    cls = tf.distribute.MirroredStrategy
    if not hasattr(cls, "_collective_key_base"):
        return cls(devices, cross_device_ops=tf.distribute.ReductionToOneDevice())
    with _lock:
        base = cls._collective_key_base + _KEY_RANGE
        cls._collective_key_base = base
        strategy = cls(devices)  # reads the base when it is built
        # Leave an unused range for a plain MirroredStrategy created next.
        cls._collective_key_base = base + _KEY_RANGE
    return strategy
