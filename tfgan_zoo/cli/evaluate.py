"""`tfgan-zoo evaluate --run DIR [--metrics ...] [--num N] [--features mnist|inception]
[--inception-weights FILE] [--seed S]`: prints the metrics as JSON and writes DIR/eval.json
(tfgan_zoo.metrics.runs.evaluate_run)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from tfgan_zoo.cli.registry import EXIT_OK, UsageError, non_negative_int, positive_int, register_command


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", required=True, metavar="DIR", help="run directory written by `tfgan-zoo train`")
    parser.add_argument("--metrics", default=None,
                        help="comma-separated: fid,kid,is,pr,modes,classes (default: modes for toy data; "
                             "fid,classes for 28x28 grey images; fid otherwise)")
    parser.add_argument("--num", type=positive_int, default=None, metavar="N",
                        help="generated samples (default 5000 images, 2500 toy points)")
    parser.add_argument("--features", choices=("mnist", "inception"), default=None,
                        help="feature extractor for images (default: mnist for 28x28 grey images, else inception)")
    parser.add_argument("--inception-weights", default="imagenet", metavar="FILE",
                        help="Inception-v3 weights file (default: the Keras cache, ~/.keras/models/, "
                             "downloaded when online)")
    parser.add_argument("--seed", type=non_negative_int, default=0, metavar="S", help="latent seed (default 0)")


def _inception_hint(error) -> str:
    """The one line for Inception-v3 weights that cannot be had, naming the flag and the place."""
    reason = f" ({error.reason})" if error.reason else ""
    return (f"--features inception needs the Inception-v3 weights {error.filename}: they are not in the Keras "
            f"cache and could not be downloaded{reason}. Put the file at {error.expected_path} or pass "
            "--inception-weights FILE.")


def run(args: argparse.Namespace) -> int:
    from tfgan_zoo.data import DataUnavailableError
    from tfgan_zoo.metrics.evaluate import write_eval_json
    from tfgan_zoo.metrics.features import InceptionWeightsError
    from tfgan_zoo.metrics.runs import evaluate_run
    from tfgan_zoo.training.runner import check_writable, read_run_config

    if args.inception_weights != "imagenet" and not Path(args.inception_weights).expanduser().is_file():
        raise UsageError(f"--inception-weights {args.inception_weights}: no such file (expected a Keras "
                         "InceptionV3 weights .h5 file).")
    read_run_config(args.run)  # RunError (exit 2) for a missing run before anything is computed
    check_writable(args.run, "run directory")  # eval.json goes there
    try:
        result = evaluate_run(args.run, metrics=args.metrics, num=args.num, seed=args.seed,
                              features=args.features, inception_weights=args.inception_weights)
    except InceptionWeightsError as error:
        raise UsageError(_inception_hint(error)) from None
    except (ValueError, DataUnavailableError) as error:
        raise UsageError(str(error)) from None
    write_eval_json(result, args.run)
    print(json.dumps(result, indent=2))
    return EXIT_OK


register_command("evaluate", help="evaluate a run's generator (FID, KID, IS, precision/recall, coverage)",
                 configure=configure, run=run)
