"""Images per second of the training step: the zoo's generic GAN.train_step against a single-file
keras-io-style GAN (a `train_step` override written the way the Keras examples write it) on the
same networks, float32 / mixed_bfloat16 / mixed_float16 / XLA, embedded data against synthetic
tensors, and the cost as resolution and batch grow.

Both sides train the same pair with the same work per step: one D step on real + fake, one G
step, the non-saturating loss, Adam for both, no regulariser and no EMA (so a ratio compares the
step machinery, not extra terms). Figures are the best of several alternating rounds: on a shared
machine the speed of one step flips between levels, for both sides alike.

    python bench/throughput.py                        # DCGAN-32, SNGAN-ResNet-32, StyleGAN-32, batch 64
    python bench/throughput.py --models dcgan --rounds 5 --steps 30
    python bench/throughput.py --settings mixed_float16 --rounds 2 --steps 2   # slow on CPUs
    python bench/throughput.py --sweep                # DCGAN at 28/32/64 px and batch 32/64/128
    python bench/throughput.py --noise-floor --rounds 9   # A/A beside A/B: what the machine resolves
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import tfgan_zoo as tz  # noqa: E402
from tfgan_zoo.losses import cross_entropy_discriminator_loss, nonsaturating_generator_loss  # noqa: E402
from tfgan_zoo.models import registry  # noqa: E402
from tfgan_zoo.training.build import dtype_policy  # noqa: E402
from _timing import FitTimer  # noqa: E402

LATENT = 64
# name -> (generator builder, its kwargs, discriminator builder, its kwargs); small widths so a
# round takes seconds on a CPU.
MODELS = {
    "dcgan": ("dcgan_generator", {"width": 32}, "dcgan_discriminator", {"width": 32}),
    "sngan_resnet": ("sngan_resnet_generator", {"width": 32}, "sngan_resnet_discriminator", {"width": 32}),
    "stylegan": ("stylegan_generator", {"fmap_base": 256, "fmap_max": 64, "w_dim": 64, "mapping_width": 64},
                 "pggan_discriminator", {"fmap_base": 256, "fmap_max": 64}),
}


def build_pair(model: str, resolution: int, precision: str):
    g_name, g_kwargs, d_name, d_kwargs = MODELS[model]
    keras.utils.set_random_seed(0)
    with dtype_policy(precision):
        generator = registry.build(g_name, latent_dim=LATENT, resolution=resolution, channels=3, **g_kwargs)
        discriminator = registry.build(d_name, resolution=resolution, channels=3, **d_kwargs)
    return generator, discriminator


class KerasIOGAN(keras.Model):
    """The keras-io DCGAN example's shape: compile(d_optimizer, g_optimizer, loss_fn), one
    train_step override with two tapes (label noise left out: equal work)."""

    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator, self.generator, self.latent_dim = discriminator, generator, latent_dim
        self.seed_generator = keras.random.SeedGenerator(0)
        self.d_loss_metric = keras.metrics.Mean(name="d_loss")
        self.g_loss_metric = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        return [self.d_loss_metric, self.g_loss_metric]

    def train_step(self, real_images):
        batch_size = tf.shape(real_images)[0]
        z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        fake_images = self.generator(z, training=True)
        with tf.GradientTape() as tape:
            d_loss = cross_entropy_discriminator_loss(self.discriminator(real_images, training=True),
                                                      self.discriminator(fake_images, training=True))
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            g_loss = nonsaturating_generator_loss(None, self.discriminator(self.generator(z, training=True),
                                                                           training=True))
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        self.d_loss_metric.update_state(d_loss)
        self.g_loss_metric.update_state(g_loss)
        return {"d_loss": self.d_loss_metric.result(), "g_loss": self.g_loss_metric.result()}


def make_model(side: str, model: str, resolution: int, precision: str, jit: bool) -> keras.Model:
    generator, discriminator = build_pair(model, resolution, precision)
    adam = lambda: keras.optimizers.Adam(2e-4, beta_1=0.5)  # noqa: E731
    if side == "keras-io":
        gan = KerasIOGAN(discriminator, generator, LATENT)
        d_opt, g_opt = adam(), adam()
        if precision == "mixed_float16":
            d_opt, g_opt = keras.optimizers.LossScaleOptimizer(d_opt), keras.optimizers.LossScaleOptimizer(g_opt)
        gan.compile(d_optimizer=d_opt, g_optimizer=g_opt, jit_compile=jit)
        return gan
    gan = tz.GAN(generator, discriminator, LATENT, seed=0)
    gan.compile(loss="nonsaturating", g_optimizer=adam(), d_optimizer=adam(), jit_compile=jit)
    return gan


def dataset(source: str, resolution: int, batch: int) -> tf.data.Dataset:
    if source == "synthetic":
        images = np.random.default_rng(0).uniform(-1, 1, (batch, resolution, resolution, 3)).astype("float32")
        return tf.data.Dataset.from_tensors(images).repeat()
    spec = "emoji64" if resolution > 32 else "emoji32"
    return tz.data.load(spec, batch, seed=0, resolution=resolution, with_labels=False)


def images_per_second(gan: keras.Model, data: tf.data.Dataset, steps: int, batch: int) -> float:
    """Timed over `steps` steps of one `fit` epoch (after its first), after a one-step warm-up
    epoch that traces the step."""
    gan.fit(data, steps_per_epoch=1, epochs=1, verbose=0)
    timer = FitTimer()
    gan.fit(data, steps_per_epoch=steps + 1, epochs=1, verbose=0, callbacks=[timer])
    return batch / timer.seconds_per_step


def measure(cases: list[tuple], rounds: int, steps: int) -> list[list[float]]:
    """Images/s of each case (by position) in each of `rounds` alternating rounds; one model per case,
    built once, so a case listed twice is two separately built models. Odd rounds run the cases in
    reverse order, so no case always runs first."""
    built = [(make_model(*case[:5]), dataset(case[5], case[2], case[6])) for case in cases]
    speeds: list[list[float]] = [[] for _ in cases]
    order = list(range(len(cases)))
    for round_index in range(rounds):
        for index in (order if round_index % 2 == 0 else order[::-1]):
            gan, data = built[index]
            speeds[index].append(images_per_second(gan, data, steps, cases[index][6]))
    return speeds


def paired_ratio(ours: list[float], theirs: list[float]) -> float:
    """The median over rounds of ours / theirs, each pair measured back to back in one round."""
    return float(np.median([a / b for a, b in zip(ours, theirs)]))


# setting -> (precision, jit_compile, data source)
SETTINGS = {"float32": ("float32", False, "synthetic"), "mixed_bfloat16": ("mixed_bfloat16", False, "synthetic"),
            "mixed_float16": ("mixed_float16", False, "synthetic"), "XLA": ("float32", True, "synthetic"),
            "embedded": ("float32", False, "embedded")}


def compare_sides(models: list[str], settings: list[str], rounds: int, steps: int, batch: int) -> None:
    print(f"images/s of the training step, 32 px, batch {batch}, best of {rounds} alternating rounds of {steps} steps;")
    print("paired: the median over rounds of generic / keras-io measured back to back in the same round")
    print(f"{'model':14s} {'setting':16s} {'generic':>9s} {'keras-io':>9s} {'ratio':>6s} {'paired':>7s}")
    for model in models:
        for label in settings:
            precision, jit, source = SETTINGS[label]
            cases = [(side, model, 32, precision, jit, source, batch) for side in ("generic", "keras-io")]
            generic, keras_io = measure(cases, rounds, steps)
            ours, theirs = max(generic), max(keras_io)
            paired = paired_ratio(generic, keras_io)
            print(f"{model:14s} {label:16s} {ours:9.0f} {theirs:9.0f} {ours / theirs:6.2f} {paired:7.2f}", flush=True)


def noise_floor(rounds: int, steps: int, batch: int) -> None:
    """A/A against A/B on DCGAN float32: two separately built generic GANs and the keras-io one in
    alternating rounds. The A/A paired ratio's distance from 1 is what this machine resolves."""
    names = ("generic A", "generic B", "keras-io")
    cases = [(side, "dcgan", 32, "float32", False, "synthetic", batch) for side in ("generic", "generic", "keras-io")]
    a, b, keras_io = speeds = measure(cases, rounds, steps)
    print(f"DCGAN float32, batch {batch}, {rounds} alternating rounds of {steps} steps")
    for name, values in zip(names, speeds):
        print(f"  {name:9s} best {max(values):6.0f}  median {np.median(values):6.0f} images/s")
    print(f"  paired A/A (generic A / generic B): {paired_ratio(a, b):.3f}; paired generic / keras-io: "
          f"{paired_ratio(a, keras_io):.3f} (A), {paired_ratio(b, keras_io):.3f} (B)")


def sweep(rounds: int, steps: int) -> None:
    print(f"DCGAN generic step, images/s, synthetic tensors, best of {rounds} rounds of {steps} steps")
    for resolution in (28, 32, 64):  # the DCGAN builder's resolutions
        row = []
        for batch in (32, 64, 128):
            case = ("generic", "dcgan", resolution, "float32", False, "synthetic", batch)
            row.append(max(measure([case], rounds, steps)[0]))
        print(f"  {resolution:3d} px: " + "  ".join(f"batch {b}: {v:6.0f}" for b, v in zip((32, 64, 128), row)),
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=["dcgan", "sngan_resnet", "stylegan"])
    parser.add_argument("--settings", nargs="+", choices=list(SETTINGS),
                        default=[name for name in SETTINGS if name != "mixed_float16"],
                        help="mixed_float16 is ~200x slower on CPUs without float16 arithmetic: "
                        "run it apart with few --steps and --rounds")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--sweep", action="store_true", help="resolution x batch sweep of DCGAN instead")
    parser.add_argument("--noise-floor", action="store_true",
                        help="A/A (two generic GANs) beside A/B on DCGAN: the ratio this machine resolves")
    args = parser.parse_args()
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {os.cpu_count()} CPUs")
    if args.sweep:
        sweep(args.rounds, args.steps)
    elif args.noise_floor:
        noise_floor(args.rounds, args.steps, args.batch)
    else:
        compare_sides(args.models, args.settings, args.rounds, args.steps, args.batch)


if __name__ == "__main__":
    main()
