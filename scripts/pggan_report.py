"""reports/pggan.md: progressive growing against the same networks trained directly at full
resolution for the same number of real images (the official `-nogrowing` configuration).

Trains `pggan_mnist5k` twice -- growing 4x4 -> 32x32, and with the schedule starting at 32x32 --
for the same steps (one critic step per generator step, the same batch: the same real images),
then evaluates each final (EMA) generator: FID in the MNIST classifier's feature space against the
mnist5k held-out digits, the classes the classifier finds, the share of samples it classifies
with confidence above 0.9 (samples cropped back from 32x32 to the digits' 28x28), wall and CPU
time; and draws a strip of samples from fixed latents at the end of every stage.

    python scripts/pggan_report.py                     # the report (two full runs)
    python scripts/pggan_report.py --steps 700 --out /tmp/pggan --report /tmp/pggan.md   # a quick look
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

PRESET = "pggan_mnist5k"
VARIANTS = {  # name -> overrides of the preset
    "growing": {},
    "direct": {"model.schedule.start_resolution": 32},  # the official -nogrowing: the final networks from step 0
}
STRIP_SAMPLES = 8
CONFIDENCE = 0.9


def stage_end_steps(schedule: dict, batch_size: int, total_steps: int) -> list[int]:
    """The steps at which each stage of the growing schedule ends its stable phase, then the last."""
    steps, resolution, images = [], schedule["start_resolution"], schedule["stable_images"]
    while resolution < schedule["final_resolution"]:
        steps.append(images // batch_size)
        images += schedule["fade_images"] + schedule["stable_images"]
        resolution *= 2
    return [step for step in steps if step < total_steps] + [total_steps]


def snapshot_callback(steps: Sequence[int], latents: np.ndarray):
    """A Keras callback keeping the (EMA) samples of `latents` at the current level after each of `steps`."""
    from tfgan_zoo.training.callbacks import StepCallback

    class Snapshots(StepCallback):
        def __init__(self) -> None:
            super().__init__(0)
            self.images: dict[int, np.ndarray] = {}
            self.levels: dict[int, tuple] = {}

        def on_step_end(self, step: int, logs: dict) -> None:
            if step in steps:
                self.images[step] = np.asarray(self.model.generate(latents))
                self.levels[step] = self.model.level()

    return Snapshots()


def evaluate(run_dir: Path, gan, num: int, seed: int = 0) -> dict:
    """`tfgan-zoo evaluate` of the run (FID on MNIST features against the mnist5k held-out digits,
    classes; samples cropped back to 28x28), the share of confident samples, and the FID of the
    raw generator (without EMA)."""
    from tfgan_zoo.data import centre_crop
    from tfgan_zoo.metrics.cli import evaluate_run
    from tfgan_zoo.metrics.evaluate import evaluate_generator, generate_samples
    from tfgan_zoo.metrics.features import MnistFeatures

    result = evaluate_run(run_dir, metrics="fid,classes", num=num, seed=seed, gan=gan)
    samples = generate_samples(lambda n, seed=None: centre_crop(gan.generate(n, seed=seed), 28), num, seed)
    probabilities = MnistFeatures().predict_probabilities(samples)
    confident = probabilities.max(axis=1) > CONFIDENCE
    raw = evaluate_generator(lambda n, seed=None: centre_crop(gan.generate(n, seed=seed, use_ema=False), 28),
                             num=num, metrics=("fid",), features="mnist", seed=seed)
    return {"fid": result["fid"], "classes": result["classes"], "confident_share": float(confident.mean()),
            "confident_classes": int(len(np.unique(probabilities.argmax(axis=1)[confident]))),
            "fid_raw_generator": raw["fid"]}


def train_variant(name: str, overrides: dict, out: Path, steps: Optional[int], num: int) -> dict:
    from tfgan_zoo import presets
    from tfgan_zoo.training import runner

    config = presets.get_config(PRESET)
    total = steps or config["training"]["steps"]
    batch = config["training"]["batch_size"]
    snapshot_steps = stage_end_steps(config["model"]["schedule"], batch, total)
    latents = np.random.default_rng(1).standard_normal((STRIP_SAMPLES, config["model"]["latent_dim"])).astype("float32")
    snapshots = snapshot_callback(snapshot_steps, latents)
    load_before, cpu_before, wall_before = os.getloadavg()[0], time.process_time(), time.perf_counter()
    result = runner.train(PRESET, steps=total, out=out / name, overrides=overrides, callbacks=[snapshots],
                          progress=False, echo=print)
    wall, cpu = time.perf_counter() - wall_before, time.process_time() - cpu_before
    metrics = evaluate(out / name, result.gan, num)
    return {
        "variant": name, "overrides": overrides, "steps": total, "images": total * batch,
        "train_seconds": round(result.seconds, 1), "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "snapshots": {str(step): {"resolution": snapshots.levels[step][0], "alpha": snapshots.levels[step][1]}
                      for step in snapshot_steps if step in snapshots.levels},
        "metrics": metrics,
        "_strip": [snapshots.images[step] for step in snapshot_steps if step in snapshots.images],
    }


def write_strip(rows: list[np.ndarray], path: Path) -> None:
    from tfgan_zoo import images as images_lib

    images_lib.save_png(images_lib.image_grid(np.concatenate(rows), nrow=STRIP_SAMPLES), path)


def write_report(results: list[dict], report: Path, figures: Path, command: str) -> None:
    rows = []
    for r in results:
        m = r["metrics"]
        rows.append(f"| {r['variant']} | {m['fid']:.2f} | {m['fid_raw_generator']:.2f} | "
                    f"{m['classes']['classes_covered']} | {100 * m['confident_share']:.1f} | "
                    f"{100 * m['classes']['max_class_fraction']:.1f} | {r['train_seconds'] / 60:.1f} | "
                    f"{r['cpu_seconds'] / 60:.1f} |")
    growing = next(r for r in results if r["variant"] == "growing")
    stages = ", ".join(f"step {step}: {level['resolution']}x{level['resolution']}"
                       for step, level in growing["snapshots"].items())
    load = "; ".join(f"{r['variant']} {r['load_average'][0]} -> {r['load_average'][1]}" for r in results)
    text = f"""# Progressive growing on mnist5k: growing vs direct training at 32x32

Regenerate with:

```
{command}
```

Date: {datetime.datetime.now().isoformat(timespec='seconds')}. Machine: {os.cpu_count()} CPUs, {platform.system()}
{platform.machine()}, Python {platform.python_version()}. **Shared machine**: other jobs ran at the same time
(1-minute load average at the start and end of each run: {load}), so the wall times are inflated;
CPU seconds (this process) are the steadier measure of cost.

`{PRESET}` (Karras et al. 2018: WGAN-GP + drift, Adam(1e-3, 0, 0.99), EMA 0.999, pixel norm, equalized
learning rate, minibatch stddev; mnist5k padded to 32x32) for {growing['steps']} steps of batch
{growing['images'] // growing['steps']} ({growing['images']:,} real images) in both runs. *growing*: 4x4 -> 32x32,
32k images per stable and per fade phase, then the 32x32 stage stable; *direct*: the same networks,
schedule starting at 32x32 (the official `-nogrowing`). Evaluation of the final EMA generator: 5,000 samples
cropped back to 28x28; FID on the MNIST classifier's features against the 1,000 mnist5k held-out digits
(real-vs-real floor 0.25); classes and confidence by the same classifier.

| Run | MNIST FID (EMA) | FID raw G | Classes (of 10) | Confident > 0.9 % | Largest class % | Train min (wall) | CPU min |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Samples from fixed latents at the end of each stage ({stages}); each row is one point in training
(the same real images seen in both runs), drawn at the stage's resolution and upsampled to 32x32.

| growing | direct |
|---|---|
| ![growing]({figures.name}/strip_growing.png) | ![direct]({figures.name}/strip_direct.png) |

Figures: `{figures.name}/results.json`.
"""
    report.write_text(text)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, help="training steps of each run (default: the preset's)")
    parser.add_argument("--num", type=int, default=5000, help="samples per evaluation (a multiple of 500)")
    parser.add_argument("--out", default="runs/pggan_report", help="where the two run directories go")
    parser.add_argument("--report", default="reports/pggan.md")
    args = parser.parse_args(argv)
    if args.num < 500 or args.num % 500:
        parser.error(f"--num must be a positive multiple of 500, got {args.num}.")
    report = Path(args.report)
    figures = report.with_suffix("")
    figures.mkdir(parents=True, exist_ok=True)
    out = Path(args.out)
    results = [train_variant(name, overrides, out, args.steps, args.num) for name, overrides in VARIANTS.items()]
    for r in results:
        write_strip(r.pop("_strip"), figures / f"strip_{r['variant']}.png")
    (figures / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    command = "python scripts/pggan_report.py" + "".join(
        f" {flag} {value}" for flag, value in (("--steps", args.steps), ("--num", args.num if args.num != 5000 else None),
                                               ("--out", args.out if args.out != "runs/pggan_report" else None),
                                               ("--report", args.report if args.report != "reports/pggan.md" else None))
        if value is not None)
    write_report(results, report, figures, command)
    print(f"Wrote {report} and {figures}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
