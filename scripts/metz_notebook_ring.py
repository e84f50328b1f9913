"""The unrolled-GAN toy on the authors' notebook data, where the vanilla GAN does collapse.

The reference notebook of Metz et al. 2016 draws its ring with
`thetas = np.linspace(0, 2 * pi, 8)`, (x, y) = (sin, cos), radius 1, std 0.01: the first and last
angles coincide, so the "8 Gaussians" are 7 distinct means and the one at (0, 1) has twice the
weight. docs/architecture.md's ring8 has 8 equal modes. This script trains presets (default `toy_gan` and
`toy_unrolled`) on the notebook's mixture and prints, every `--every` steps, the toy protocol
against its 7 distinct means (2,500 samples, high quality within 3 std) and the largest share of
one mode among the high-quality samples.

    python scripts/metz_notebook_ring.py --presets toy_gan,toy_unrolled --seeds 0,1 --steps 25000
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Optional, Sequence

import numpy as np

NOTEBOOK_STD = 0.01


def notebook_means() -> np.ndarray:
    """The notebook's 8 listed means (sin theta, cos theta), theta = linspace(0, 2 pi, 8)."""
    thetas = np.linspace(0.0, 2.0 * np.pi, 8)
    return np.stack([np.sin(thetas), np.cos(thetas)], axis=1)


def distinct_means() -> np.ndarray:
    """The 7 distinct means of the notebook's mixture."""
    return np.unique(np.round(notebook_means(), 9), axis=0)


def sample_notebook_ring(num: int, seed: int) -> np.ndarray:
    """`num` points of the notebook's mixture (one of the 8 listed means uniformly, std 0.01)."""
    rng = np.random.default_rng(seed)
    means = notebook_means()
    return (means[rng.integers(0, len(means), num)] + NOTEBOOK_STD * rng.normal(size=(num, 2))).astype("float32")


def largest_mode_share(samples: np.ndarray) -> float:
    """Percent of the high-quality samples on the most populated mode (0 when there are none)."""
    from tfgan_zoo.metrics.coverage import nearest_modes

    nearest, high_quality = nearest_modes(samples, distinct_means(), NOTEBOOK_STD)
    if not high_quality.any():
        return 0.0
    return float(100.0 * np.bincount(nearest[high_quality]).max() / high_quality.sum())


def train_and_watch(preset: str, seed: int, steps: int, every: int) -> list[dict]:
    """Train `preset` on the notebook ring; the coverage every `every` steps."""
    import keras
    import tensorflow as tf

    from tfgan_zoo import presets
    from tfgan_zoo.metrics import coverage_of_means

    keras.utils.set_random_seed(seed)
    gan = presets.from_preset(preset, {"model.seed": seed})
    batch = gan.preset_config["training"]["batch_size"]
    data = tf.data.Dataset.from_tensor_slices(sample_notebook_ring(batch * 4000, seed))
    data = data.shuffle(100_000, seed=seed).repeat().batch(batch, drop_remainder=True)
    rows: list[dict] = []
    start = time.time()

    class Watch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch_index: int, logs: Optional[dict] = None) -> None:
            step = int(gan.g_optimizer.iterations.numpy())
            if step % every == 0:
                samples = np.asarray(gan.generate(2500, seed=seed))
                result = coverage_of_means(samples, distinct_means(), NOTEBOOK_STD)
                rows.append({"preset": preset, "seed": seed, "step": step, **result,
                             "largest_mode_percent": largest_mode_share(samples),
                             "wall_s": time.time() - start})
                print(f"{preset} seed {seed} step {step}: {result['modes_covered']}/7 modes, "
                      f"{result['high_quality_percent']:.1f}% high quality, "
                      f"{rows[-1]['largest_mode_percent']:.0f}% of those on one mode", flush=True)

    gan.fit(data, steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[Watch()])
    return rows


def markdown(rows: Sequence[dict]) -> str:
    lines = ["| Preset | Seed | Step | Modes (of 7) | % high quality | % on the largest mode | Wall s |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| `{r['preset']}` | {r['seed']} | {r['step']} | {r['modes_covered']} | "
              f"{r['high_quality_percent']:.1f} | {r['largest_mode_percent']:.0f} | {r['wall_s']:.0f} |"
              for r in rows]
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="toy_gan,toy_unrolled")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds")
    parser.add_argument("--steps", type=int, default=25000)
    parser.add_argument("--every", type=int, default=5000)
    parser.add_argument("--out", help="also write the table to this markdown file, under the command")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.every < 1:
        parser.error(f"--steps and --every must be positive, got {args.steps} and {args.every}")
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        parser.error(f"--seeds must be comma-separated integers, got {args.seeds!r}")
    rows = [row for preset in args.presets.split(",") for seed in seeds
            for row in train_and_watch(preset.strip(), seed, args.steps, args.every)]
    table = markdown(rows)
    print(table)
    if args.out:
        from tfgan_zoo._atomic import replacing

        command = "python scripts/metz_notebook_ring.py " + " ".join(argv if argv is not None else sys.argv[1:])
        text = (f"# Unrolled-GAN toy on the authors' notebook ring (7 distinct means)\n\n"
                f"Regenerate with:\n\n```\n{command}\n```\n\n{__doc__.split(chr(10) * 2)[1]}\n\n{table}")
        with replacing(args.out) as temporary:
            temporary.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
