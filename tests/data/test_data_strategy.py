"""The global batch under MirroredStrategy on two logical CPUs, through keras fit.

Runs in a subprocess: logical devices must be configured before TensorFlow initialises."""
import json
import os
import subprocess
import sys

import pytest

from tfgan_zoo import data

SCRIPT = r"""
import json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
import numpy as np
from tfgan_zoo import data

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
out = {"replicas": strategy.num_replicas_in_sync}
ds = data.load("mnist5k", 32, seed=0, strategy=strategy)
out["global_batch"] = list(ds.element_spec[0].shape)
dist = strategy.experimental_distribute_dataset(ds)
x, y = next(iter(dist))
out["per_replica"] = [list(t.shape) for t in strategy.experimental_local_results(x)]
with strategy.scope():
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    model.compile(optimizer=keras.optimizers.SGD(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    try:
        data.load("mnist5k", 33)  # strategy picked up from the active scope
        out["indivisible"] = "no error"
    except ValueError as error:
        out["indivisible"] = str(error)
    out["real_images"] = list(data.as_numpy_images("mnist5k", 7).shape)  # any num in a scope
history = model.fit(ds, epochs=2, steps_per_epoch=20, verbose=0)
out["loss"] = [float(v) for v in history.history["loss"]]
print("RESULT " + json.dumps(out))
"""


def test_fit_under_mirrored_strategy():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    lines = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    out = json.loads(lines[-1][len("RESULT "):])
    assert out["replicas"] == 2
    assert out["global_batch"] == [32, 28, 28, 1]
    assert out["per_replica"] == [[16, 28, 28, 1], [16, 28, 28, 1]]
    assert "batch_size=33 is the global batch and must divide evenly over the 2 replicas" in out["indivisible"]
    assert out["real_images"] == [7, 28, 28, 1]
    assert out["loss"][1] < out["loss"][0]  # it trains


def test_indivisible_global_batch_single_process():
    import tensorflow as tf

    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")  # one replica: anything divides
    assert next(iter(data.load("mnist5k", 7, strategy=strategy)))[0].shape[0] == 7
