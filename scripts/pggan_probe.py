"""A learning curve of `pggan_mnist5k` (or a variant of it): train with --set overrides and, at the
chosen steps, print the share of samples the MNIST classifier reads with p > 0.9 (cropped back to
28x28) and the classes it finds, for the EMA and the raw generator, beside the training CPU minutes
so far (the evaluations' own CPU time left out). The probe behind the tries recorded in
tfgan_zoo/presets/pggan.py; a stopped probe continues with --resume (the same --out).

    python scripts/pggan_probe.py --out runs/probe --steps 5000 --at 3000,4000,5000 \\
        --set model.schedule.stable_images=16000 --set model.schedule.fade_images=16000
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Optional, Sequence

PRESET = "pggan_mnist5k"


def confident_share(gan, num: int, use_ema: bool) -> tuple[float, int]:
    """(share read with p > 0.9, classes found) of `num` samples at seed 0, drawn at the level of detail
    reached (the final networks once grown)."""
    from tfgan_zoo.data import centre_crop
    from tfgan_zoo.metrics.evaluate import evaluate_generator

    def generate(n: int, seed: Optional[int] = None):
        return centre_crop(gan.generate(n, seed=seed, use_ema=use_ema), 28)

    classes = evaluate_generator(generate, num=num, metrics=("classes",), features="mnist", seed=0)["classes"]
    return float(classes["confident_fraction"]), int(classes["classes_covered"])


def curve_callback(at: Sequence[int], num: int, echo=print):
    """A Keras callback printing `confident_share` (EMA and raw) after each step in `at`."""
    from tfgan_zoo.training.callbacks import StepCallback

    class Curve(StepCallback):
        def __init__(self) -> None:
            super().__init__(0)
            self.start, self.evaluation_cpu = time.process_time(), 0.0

        def on_step_end(self, step: int, logs: dict) -> None:
            step = self.model.trained_steps  # counts across --resume
            if step not in at:
                return
            before = time.process_time()
            train_cpu = (before - self.start - self.evaluation_cpu) / 60
            (ema, ema_classes), (raw, raw_classes) = (confident_share(self.model, num, use_ema)
                                                      for use_ema in (True, False))
            self.evaluation_cpu += time.process_time() - before
            resolution, alpha = self.model.level()
            echo(f"step {step} ({resolution}x{resolution}, alpha {alpha:.3g}): train CPU {train_cpu:.1f} min "
                 f"(this process); p > 0.9: EMA {100 * ema:.1f}% ({ema_classes} classes), "
                 f"raw {100 * raw:.1f}% ({raw_classes} classes)")

    return Curve()


def main(argv: Optional[Sequence[str]] = None) -> int:
    from tfgan_zoo.cli.registry import UsageError, parse_overrides

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="the run directory")
    parser.add_argument("--steps", type=int, help="training steps (default: the preset's)")
    parser.add_argument("--at", required=True, help="comma-separated steps at which to evaluate")
    parser.add_argument("--num", type=int, default=1000, help="samples per evaluation")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a config override")
    parser.add_argument("--resume", action="store_true", help="continue --out from its latest checkpoint")
    args = parser.parse_args(argv)
    try:
        at = sorted({int(step) for step in args.at.split(",")})
    except ValueError:
        parser.error(f"--at must be comma-separated integers, got {args.at!r}.")
    try:
        overrides = parse_overrides(args.set)
    except UsageError as error:
        parser.error(str(error))
    from tfgan_zoo.training import runner

    runner.train(PRESET, steps=args.steps, out=args.out, overrides=None if args.resume else overrides,
                 resume=args.resume, callbacks=[curve_callback(at, args.num)], progress=False, echo=print)
    return 0


if __name__ == "__main__":
    sys.exit(main())
