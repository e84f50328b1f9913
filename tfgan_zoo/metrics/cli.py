"""`tfgan-zoo evaluate --run DIR [--metrics ...] [--num N] [--features mnist|inception]`:
prints the metrics as JSON and writes DIR/eval.json."""
from __future__ import annotations

import argparse
import json
from typing import Any

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


def _real_images(config: dict, info: Any, features: str, num: int) -> Any:
    """Real images for the reference statistics: mnist5k's held-out split for MNIST features
    on mnist5k (the evaluator's default), else a seeded draw from the run's data."""
    from tfgan_zoo import data as data_lib

    spec = config["data"]
    if features == "mnist" and spec.split(":")[0] == "mnist5k":
        return None
    resolution, channels = config["discriminator"].get("resolution"), config["discriminator"].get("channels")
    available = info.num_examples or num
    return data_lib.as_numpy_images(spec, min(num, available), resolution=resolution, channels=channels,
                                    data_dir=config.get("data_dir"))


def run_evaluate(args: argparse.Namespace) -> int:
    from tfgan_zoo import data as data_lib
    from tfgan_zoo.metrics.evaluate import evaluate_generator, parse_metrics, write_eval_json
    from tfgan_zoo.training.runner import load_run, read_run_config

    config = read_run_config(args.run)
    info = data_lib.describe(config["data"], data_dir=config.get("data_dir"))
    toy = info.kind == "points"
    mnist_like = not toy and tuple(info.shape) == (28, 28, 1)
    features = args.features or ("mnist" if mnist_like else "inception")
    default_metrics = "modes" if toy else ("fid,classes" if mnist_like else "fid")
    try:
        metrics = parse_metrics(args.metrics or default_metrics)
    except ValueError as error:
        raise UsageError(str(error)) from None
    gan, config = load_run(args.run)
    try:
        result = evaluate_generator(
            lambda n, seed=None: gan.generate(n, seed=seed).numpy(),
            num=args.num, metrics=metrics, features=features, seed=args.seed,
            toy_dataset=info.name if toy else None,
            real_images=None if toy else _real_images(config, info, features, args.num or 5000),
            inception_weights=args.inception_weights,
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    result["run"] = str(args.run)
    result["step"] = int(gan.g_optimizer.iterations.numpy())
    write_eval_json(result, args.run)
    print(json.dumps(result, indent=2))
    return 0


register_command("evaluate", help="evaluate a run's generator (FID, KID, IS, precision/recall, coverage)",
                 configure=_configure, run=run_evaluate)
