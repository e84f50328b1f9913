"""`tfgan-zoo evaluate --run DIR [--metrics ...] [--num N] [--features mnist|inception]`:
prints the metrics as JSON and writes DIR/eval.json.

The library side is :func:`evaluate_run` (also used by `tfgan-zoo compare`)."""
from __future__ import annotations

import argparse
import json
import os
from typing import Any, Optional

from tfgan_zoo.cli import UsageError, positive_int, register_command


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", required=True, help="run directory written by `tfgan-zoo train`")
    parser.add_argument("--metrics", default=None,
                        help="comma-separated: fid,kid,is,pr,modes,classes (default: modes for toy data; "
                             "fid,classes for 28x28 grey images; fid otherwise)")
    parser.add_argument("--num", type=positive_int, default=None,
                        help="generated samples (default 5000 images, 2500 toy points)")
    parser.add_argument("--features", choices=("mnist", "inception"), default=None,
                        help="feature extractor for images (default: mnist for 28x28 grey images, else inception)")
    parser.add_argument("--inception-weights", default="imagenet",
                        help="Inception-v3 weights file (default: the Keras cache)")
    parser.add_argument("--seed", type=int, default=0)


def evaluate_run(run_dir: str | os.PathLike, metrics: Optional[str] = None, num: Optional[int] = None,
                 seed: int = 0, features: Optional[str] = None,
                 inception_weights: str | os.PathLike | None = "imagenet", gan: Any = None) -> dict[str, Any]:
    """Evaluate a run's (EMA) generator at its latest checkpoint (or the given trained `gan`).

    Defaults by data: toy points -> "modes" (DESIGN.md protocol, 2,500 points); 28x28 grey
    images -> "fid,classes" with MNIST features against the mnist5k held-out images; other
    images -> "fid" with Inception features. Returns the dict of `evaluate_generator` plus
    "run" and "step". Raises ValueError (RunError included) for bad input.
    """
    from tfgan_zoo import data as data_lib
    from tfgan_zoo.metrics.evaluate import default_features, evaluate_generator, parse_metrics, real_images_for
    from tfgan_zoo.training.runner import load_run, load_run_config

    config = load_run_config(run_dir)
    info = data_lib.describe(config.data, data_dir=config.data_dir)
    toy = info.kind == "points"
    mnist_like = not toy and default_features(info) == "mnist"
    features = features or default_features(info)
    names = parse_metrics(metrics or ("modes" if toy else ("fid,classes" if mnist_like else "fid")))
    if gan is None:
        gan, config = load_run(run_dir)
    reals = None if toy else real_images_for(config, info, features, num or 5000)
    # A run on padded data (28x28 digits on 32x32) is compared with the default (unpadded) reals
    # after cropping its samples back to the data's size.
    padded = not toy and config.data_fit == "pad" and (info.resolution or 0) < (config.resolution or 0)
    crop = (lambda images: data_lib.centre_crop(images, info.resolution)) if padded and reals is None else None
    result = evaluate_generator(
        lambda n, seed=None: (crop or (lambda images: images))(gan.generate(n, seed=seed).numpy()),
        num=num, metrics=names, features=features, seed=seed,
        toy_dataset=data_lib.parse_spec(config.data).name if toy else None,
        real_images=reals, inception_weights=inception_weights,
    )
    result["run"] = str(run_dir)
    result["step"] = gan.trained_steps
    return result


def run_evaluate(args: argparse.Namespace) -> int:
    from tfgan_zoo.metrics.evaluate import write_eval_json

    try:
        result = evaluate_run(args.run, metrics=args.metrics, num=args.num, seed=args.seed,
                              features=args.features, inception_weights=args.inception_weights)
    except ValueError as error:
        raise UsageError(str(error)) from None
    write_eval_json(result, args.run)
    print(json.dumps(result, indent=2))
    return 0


register_command("evaluate", help="evaluate a run's generator (FID, KID, IS, precision/recall, coverage)",
                 configure=_configure, run=run_evaluate)
