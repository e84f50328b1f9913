"""Overhead of the generic GAN.train_step over a minimal hand-written tf.function step.

Same DCGAN pair (28 px, width 32), non-saturating loss, batch 64, Adam for both networks, in one
process. Prints ms/step for: the hand-written step, GAN.fit, and GAN.fit with jit_compile (XLA),
and the ratios. Target: generic / hand-written within 1.05.

    python bench/step_overhead.py [--steps 60] [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import tfgan_zoo as tz  # noqa: E402
from _timing import FitTimer  # noqa: E402
from tfgan_zoo.losses import cross_entropy_discriminator_loss, nonsaturating_generator_loss  # noqa: E402
from tfgan_zoo.models import dcgan_discriminator, dcgan_generator  # noqa: E402

LATENT, BATCH, WIDTH = 64, 64, 32


def pair():
    keras.utils.set_random_seed(0)
    return dcgan_generator(LATENT, 28, 1, WIDTH), dcgan_discriminator(28, 1, WIDTH)


def images(steps):
    data = np.random.default_rng(0).uniform(-1, 1, (BATCH, 28, 28, 1)).astype("float32")
    return tf.data.Dataset.from_tensors(data).repeat(steps)


def hand_written(steps: int) -> float:
    generator, discriminator = pair()
    g_opt, d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)
    seed = keras.random.SeedGenerator(0)

    @tf.function
    def step(real):
        z = keras.random.normal((BATCH, LATENT), seed=seed)
        fake = generator(z, training=True)
        with tf.GradientTape() as tape:
            d_loss = cross_entropy_discriminator_loss(discriminator(real, training=True), discriminator(fake, training=True))
        d_opt.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_variables), discriminator.trainable_variables))
        z = keras.random.normal((BATCH, LATENT), seed=seed)
        with tf.GradientTape() as tape:
            g_loss = nonsaturating_generator_loss(None, discriminator(generator(z, training=True), training=True))
        g_opt.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables))
        return d_loss, g_loss

    for real in images(5):
        step(real)  # trace and warm up
    iterator = iter(images(steps))
    start = time.perf_counter()
    for real in iterator:  # the same tf.data input as fit
        outputs = step(real)
    float(outputs[0])
    return (time.perf_counter() - start) / steps


def generic(steps: int, jit_compile: bool, steps_per_execution: int = 1) -> float:
    generator, discriminator = pair()
    gan = tz.GAN(generator, discriminator, LATENT, seed=0)
    gan.compile(loss="nonsaturating", jit_compile=jit_compile, steps_per_execution=steps_per_execution)
    gan.fit(images(5 * steps_per_execution), epochs=1, verbose=0)  # trace and warm up
    timer = FitTimer()  # times the `steps` steps after the first execution
    gan.fit(images(steps + steps_per_execution), epochs=1, verbose=0, callbacks=[timer])
    return timer.seconds_per_step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    results = {"hand-written tf.function": [], "GAN.fit": [], "GAN.fit steps_per_execution=10": [],
               "GAN.fit jit_compile": []}
    for _ in range(args.repeats):  # interleaved, best of repeats, to damp machine noise
        results["hand-written tf.function"].append(hand_written(args.steps))
        results["GAN.fit"].append(generic(args.steps, jit_compile=False))
        results["GAN.fit steps_per_execution=10"].append(generic(args.steps, False, steps_per_execution=10))
        results["GAN.fit jit_compile"].append(generic(args.steps, jit_compile=True))
    best = {name: min(times) for name, times in results.items()}
    print(f"DCGAN 28px width {WIDTH}, batch {BATCH}, {args.steps} steps, best of {args.repeats}")
    for name, seconds in best.items():
        print(f"  {name:26s} {1000 * seconds:8.2f} ms/step")
    base = best["hand-written tf.function"]
    print(f"  generic / hand-written     {best['GAN.fit'] / base:8.3f}  (target <= 1.05)")
    print(f"  with steps_per_execution=10 {best['GAN.fit steps_per_execution=10'] / base:7.3f}")
    print(f"  XLA speed-up (no-jit/jit)  {best['GAN.fit'] / best['GAN.fit jit_compile']:8.3f}")


if __name__ == "__main__":
    main()
