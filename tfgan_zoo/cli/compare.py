"""`tfgan-zoo compare --presets A,B --data SPEC --out DIR [--steps N] [--seeds K] [--set k=v ...]
[--num N] [--report FILE.md] [--notes FILE.md] [--no-progress]`: the stabilisation lab (tfgan_zoo.compare.compare)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tfgan_zoo.cli.registry import EXIT_OK, CommandFailure, parse_overrides, positive_int, register_command
from tfgan_zoo.compare import DEFAULT_SEEDS  # no TensorFlow: the library module imports it when it trains


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--presets", required=True, metavar="A,B,...", help="comma-separated preset names")
    parser.add_argument("--data", required=True, metavar="SPEC", help="toy:ring8, toy:grid25, mnist5k, ...")
    parser.add_argument("--steps", type=positive_int, metavar="N", help="training steps per run "
                        "(default: each preset's own)")
    parser.add_argument("--seeds", type=positive_int, default=DEFAULT_SEEDS, metavar="K",
                        help=f"runs per preset, seeds 0..K-1 (default {DEFAULT_SEEDS})")
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory; running the same command "
                        "again reuses its finished runs")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE", default=[], dest="overrides",
                        help="override a config value of every preset, e.g. --set training.batch_size=64 (repeatable)")
    parser.add_argument("--num", type=positive_int, metavar="N",
                        help="samples per evaluation (default 2500 toy points, 26000 stacked_mnist images, 5000 "
                        "other images)")
    parser.add_argument("--report", metavar="FILE.md", help="write the markdown report here instead of DIR/report.md "
                        "(picture links stay relative to it)")
    parser.add_argument("--notes", metavar="FILE.md", help="markdown inserted in the report after the tables (the "
                        "setting followed, its sources and deviations)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    """Progress on stderr, the table and the report's path on stdout; exit 1 when a run failed."""
    from tfgan_zoo.compare import REPORT_FILE, RESULTS_FILE, compare, summary_table

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        results = compare(args.presets, args.data, args.steps, args.seeds, args.out,
                          overrides=parse_overrides(args.overrides), num=args.num,
                          progress=not args.no_progress, echo=say, report=args.report, notes=args.notes)
    except KeyboardInterrupt:
        say("Interrupted: results.json holds the finished runs; run the same command again to continue.")
        raise
    out = Path(args.out)
    print("\n".join(summary_table(results)))
    print(f"\nReport: {args.report or out / REPORT_FILE}  results: {out / RESULTS_FILE}")
    failed = sum(summary["failed"] for summary in results["aggregates"].values())
    if failed:
        raise CommandFailure(f"{failed} of {len(results['records'])} runs failed (errors in {out / RESULTS_FILE}).")
    return EXIT_OK


register_command("compare", help="train presets under several seeds, evaluate them and write a report",
                 configure=configure, run=run,
                 description="The stabilisation lab: train every preset under every seed, evaluate (toy: modes "
                             "and % high quality; stacked_mnist: modes and KL; emoji: emoji FID, KID and groups; "
                             "28x28 grey images: MNIST FID and classes) and write DIR/report.md, "
                             "DIR/results.json and plots.")
