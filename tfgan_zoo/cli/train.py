"""`tfgan-zoo train [--preset NAME] [--data SPEC] [--steps N] [--batch-size B] [--out DIR]
[--set key=value ...] [--resume] [--seed S] [--data-dir DIR] [--channels 1|3] [--no-progress]
[--strategy default|mirrored|multi_worker|tpu] [--precision float32|mixed_float16|mixed_bfloat16] [--jit]`:
a run directory (tfgan_zoo.training.runner.train)."""
from __future__ import annotations

import argparse

from tfgan_zoo.cli.registry import EXIT_OK, non_negative_int, parse_overrides, positive_int, register_command

# Literal copies of the library's names, so `--help` imports no TensorFlow (a test keeps them equal).
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", help="preset name (see `tfgan-zoo list`) or folder with a config.json; "
                        "default: clustered_dcgan_mnist5k")
    parser.add_argument("--data", metavar="SPEC", help="data spec: mnist5k, tfds:NAME[:SPLIT], folder:PATH, "
                        "npz:PATH, toy:ring8, toy:grid25 (default: the preset's)")
    parser.add_argument("--steps", type=positive_int, metavar="N", help="training steps (default: the preset's)")
    parser.add_argument("--batch-size", type=positive_int, metavar="B", help="batch size (default: the preset's)")
    parser.add_argument("--out", metavar="DIR", help="run directory (default: runs/<preset>-<timestamp>)")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE", default=[], dest="overrides",
                        help="override a config value by dotted key, e.g. --set d_optimizer.learning_rate=4e-4 "
                        "(repeatable)")
    parser.add_argument("--resume", action="store_true",
                        help="continue --out (default: the newest runs/<preset>-*) from its latest checkpoint")
    parser.add_argument("--seed", type=non_negative_int, metavar="S", help="seed of weights, data order and "
                        "latents (default: the preset's)")
    parser.add_argument("--data-dir", metavar="DIR", help="tensorflow-datasets data directory (tfds specs)")
    parser.add_argument("--channels", type=int, choices=(1, 3), help="convert the images to 1 (grayscale) or 3 "
                        "(RGB) channels, e.g. for a folder of mixed images")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--strategy", choices=STRATEGIES, default="default",
                        help="default: one device; mirrored: all local devices; multi_worker: the cluster in "
                        "TF_CONFIG (run on every worker with the same --out; the chief writes it); tpu: TPUStrategy")
    parser.add_argument("--precision", choices=PRECISIONS, help="float32 (default), mixed_float16 (loss-scaled) "
                        "or mixed_bfloat16; recorded in the run, kept by --resume")
    parser.add_argument("--jit", action="store_true", default=None,
                        help="compile the training step with XLA (one device); recorded in the run")


def run(args: argparse.Namespace) -> int:
    from tfgan_zoo.training import runner

    overrides = parse_overrides(args.overrides)
    result = runner.train(
        preset=args.preset, data=args.data, steps=args.steps, batch_size=args.batch_size, out=args.out,
        overrides=overrides, resume=args.resume, seed=args.seed, data_dir=args.data_dir, channels=args.channels,
        progress=not args.no_progress, strategy=args.strategy, precision=args.precision, jit=args.jit,
        echo=lambda message: print(message, flush=True),
    )
    if result.step > result.start_step:
        print(f"Done: step {result.step} in {result.seconds:.0f} s. Run directory: {result.run_dir}")
        print(f"  samples: {result.run_dir / runner.SAMPLES_DIR}/, metrics: {result.run_dir / runner.METRICS_FILE}, "
              f"generator: {result.run_dir / runner.GENERATOR_FILE}")
    return EXIT_OK


register_command("train", help="train a preset into a run directory (or --resume one)", configure=configure, run=run,
                 description="Train a preset. With no arguments: clustered_dcgan_mnist5k on the embedded MNIST subset.")
