"""Step time of each ResNet-family preset beside DCGAN at the same resolution and batch.

Every GAN is built from its preset (SNGAN-ResNet with its 5 D steps, SAGAN 1:1, BigGAN 2 D steps
plus orthogonal regularisation and EMA) and trained on the same in-memory batch, in one process.
The families are timed in alternating rounds (DCGAN, SNGAN-ResNet, SAGAN, BigGAN, DCGAN, ...) and
each keeps its best round, so load from other processes inflates all of them alike; the ratios
against DCGAN are the figures to read. A "G step" is one generator update with its D updates.

    python bench/resnet_family.py [--steps 10] [--rounds 3] [--batch 64] [--data emoji32]
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfgan_zoo import presets  # noqa: E402
from tfgan_zoo.training.build import build_gan  # noqa: E402
from _timing import FitTimer  # noqa: E402

FAMILIES = {
    "emoji32": ("dcgan_emoji32", "sngan_resnet_emoji32", "sagan_emoji32", "biggan_emoji32"),
    "mnist5k": ("cdcgan_mnist5k", "biggan_mnist5k"),
}


def dcgan_at(resolution: int, channels: int, num_classes: "int | None") -> dict:
    """The DCGAN baseline at a resolution (dcgan_mnist5k's recipe, conditional when asked)."""
    overrides = {f"{net}.{key}": value for net in ("generator", "discriminator")
                 for key, value in (("resolution", resolution), ("channels", channels), ("num_classes", num_classes))}
    return presets.apply_overrides(presets.get_config("dcgan_mnist5k"), {**overrides, "model.num_classes": num_classes})


def config_of(name: str) -> dict:
    """A preset's config; `dcgan_emoji32` falls back to dcgan_mnist5k's recipe at 32 px RGB when
    the preset is not registered."""
    if name == "dcgan_emoji32" and name not in presets.list_presets():
        return dcgan_at(32, 3, None)
    return presets.get_config(name)


def batches(config: dict, batch: int) -> tf.data.Dataset:
    """One fixed batch of images in [-1, 1] (with labels when conditional), repeated."""
    d = config["discriminator"]
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (batch, d["resolution"], d["resolution"], d["channels"])).astype("float32")
    classes = config["model"].get("num_classes")
    if classes:
        return tf.data.Dataset.from_tensors((images, (np.arange(batch) % classes).astype("int32"))).repeat()
    return tf.data.Dataset.from_tensors(images).repeat()


def time_steps(gan, data: tf.data.Dataset, steps: int) -> float:
    """Seconds per generator step over `steps` steps (after one untimed step)."""
    timer = FitTimer()
    gan.fit(data, steps_per_epoch=steps + 1, epochs=1, verbose=0, callbacks=[timer])
    return timer.seconds_per_step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=sorted(FAMILIES), default="emoji32")
    parser.add_argument("--steps", type=int, default=10, help="timed G steps per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    names = FAMILIES[args.data]
    gans, data = {}, {}
    for name in names:
        keras.utils.set_random_seed(0)
        config = config_of(name)
        gans[name] = build_gan(config)
        data[name] = batches(config, args.batch)
        gans[name].fit(data[name], steps_per_epoch=2, epochs=1, verbose=0)  # trace and warm up
    times = {name: [] for name in names}
    for _ in range(args.rounds):
        for name in names:
            times[name].append(time_steps(gans[name], data[name], args.steps))
    best = {name: min(values) for name, values in times.items()}
    base = best[names[0]]
    load = os.getloadavg()[0]
    print(f"{args.data}: batch {args.batch}, {args.steps} G steps per round, best of {args.rounds} alternating "
          f"rounds; load average {load:.1f} on {os.cpu_count()} CPUs")
    print(f"  {'preset':28s} {'D steps':>7s} {'params G/D':>14s} {'ms / G step':>12s} {'x ' + names[0]:>16s}")
    for name in names:
        gan = gans[name]
        params = f"{gan.generator.count_params() / 1e3:.0f}k/{gan.discriminator.count_params() / 1e3:.0f}k"
        print(f"  {name:28s} {gan.d_steps:7d} {params:>14s} {1000 * best[name]:12.1f} {best[name] / base:16.2f}")


if __name__ == "__main__":
    main()
