"""reports/pggan.md: progressive growing against the same networks trained directly at full
resolution for the same number of real images (the official `-nogrowing` configuration).

Trains `pggan_mnist5k` twice -- growing 4x4 -> 32x32, and with the schedule starting at 32x32 --
for the same steps (one critic step per generator step, the same batch: the same real images;
a finished run, with its timing.json, is reused), then evaluates each final (EMA) generator: FID in the MNIST classifier's feature space against the
mnist5k held-out digits, the classes the classifier finds, the share of samples it classifies
with confidence above 0.9 (samples cropped back from 32x32 to the digits' 28x28), wall and CPU
time; and draws a strip of samples from fixed latents at the end of every stage.

    python scripts/pggan_report.py                     # the report (two full runs)
    python scripts/pggan_report.py --variant growing & python scripts/pggan_report.py --variant direct
                                                       # both runs at once; then the first line writes the report
    python scripts/pggan_report.py --steps 700 --out /tmp/pggan --report /tmp/pggan.md   # a quick look
"""
from __future__ import annotations

import argparse
import json
import os
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


def evaluate(run_dir: Path, num: int, seed: int = 0) -> dict:
    """`tfgan-zoo evaluate` of the run's final EMA generator (FID on MNIST features against the
    mnist5k held-out digits, classes and the share read with p > 0.9; samples cropped back to
    28x28), and the FID of the raw generator (without EMA)."""
    from tfgan_zoo.data import centre_crop
    from tfgan_zoo.metrics.evaluate import evaluate_generator
    from tfgan_zoo.metrics.runs import evaluate_run
    from tfgan_zoo.training.runner import load_run

    gan, _ = load_run(run_dir)
    result = evaluate_run(run_dir, metrics="fid,classes", num=num, seed=seed, gan=gan)
    raw = evaluate_generator(lambda n, seed=None: centre_crop(gan.generate(n, seed=seed, use_ema=False), 28),
                             num=num, metrics=("fid",), features="mnist", seed=seed)
    return {"fid": result["fid"], "classes": result["classes"],
            "confident_share": float(result["classes"]["confident_fraction"]), "fid_raw_generator": raw["fid"]}


def evaluate_or_reuse(run_dir: Path, num: int) -> dict:
    """`evaluate` of a finished run, kept in evaluation.json beside it (reused for the same `num`)."""
    kept = run_dir / "evaluation.json"
    if kept.is_file() and json.loads(kept.read_text())["num"] == num:
        return json.loads(kept.read_text())["metrics"]
    metrics = evaluate(run_dir, num)
    kept.write_text(json.dumps({"num": num, "metrics": metrics}, indent=2) + "\n")
    return metrics


def train_variant(name: str, overrides: dict, out: Path, steps: Optional[int]) -> None:
    """Train one variant into out/name (unless it finished before) and keep its timing, levels and
    sample strip beside it (timing.json, strip.npy)."""
    from tfgan_zoo.training import runner

    run_dir = out / name
    if (run_dir / "timing.json").is_file():
        return
    config = _preset_config()
    total = steps or config["training"]["steps"]
    batch = config["training"]["batch_size"]
    snapshot_steps = stage_end_steps(config["model"]["schedule"], batch, total)
    latents = np.random.default_rng(1).standard_normal((STRIP_SAMPLES, config["model"]["latent_dim"])).astype("float32")
    snapshots = snapshot_callback(snapshot_steps, latents)
    load_before, cpu_before, wall_before = os.getloadavg()[0], time.process_time(), time.perf_counter()
    result = runner.train(PRESET, steps=total, out=run_dir, overrides=overrides, callbacks=[snapshots],
                          progress=False, echo=print)
    wall, cpu = time.perf_counter() - wall_before, time.process_time() - cpu_before
    np.save(run_dir / "strip.npy", np.concatenate([snapshots.images[step] for step in snapshot_steps]))
    timing = {
        "variant": name, "overrides": overrides, "steps": total, "images": total * batch,
        "train_seconds": round(result.seconds, 1), "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "snapshots": {str(step): {"resolution": snapshots.levels[step][0], "alpha": snapshots.levels[step][1]}
                      for step in snapshot_steps},
    }
    (run_dir / "timing.json").write_text(json.dumps(timing, indent=2) + "\n")


def write_strip(images: np.ndarray, path: Path) -> None:
    from tfgan_zoo import images as images_lib

    images_lib.save_png(images_lib.image_grid(images, nrow=STRIP_SAMPLES), path)


def _preset_config() -> dict:
    from tfgan_zoo import presets

    return presets.get_config(PRESET)


def write_report(results: list[dict], report: Path, figures: Path, command: str, num: int) -> None:
    from tfgan_zoo.compare import date_and_machine

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
    m = growing["metrics"]
    met = m["classes"]["classes_covered"] == 10 and m["confident_share"] >= 0.8 and growing["cpu_seconds"] <= 2 * 15 * 60
    bar = (f"The preset's bar -- all ten digits, at least 80% of the samples read with p > 0.9, within 15 minutes on 2 "
           f"cores (30 CPU minutes) -- is **{'met' if met else 'missed'}** by the growing run: "
           f"{m['classes']['classes_covered']} classes, {100 * m['confident_share']:.1f}%, "
           f"{growing['cpu_seconds'] / 60:.1f} CPU minutes.")
    load = "; ".join(f"{r['variant']} {r['load_average'][0]} -> {r['load_average'][1]}" for r in results)
    config = _preset_config()
    schedule, widths = config["model"]["schedule"], config["generator"]
    phases = (f"{schedule['stable_images'] // 1000}k images per stable and {schedule['fade_images'] // 1000}k per fade "
              f"phase")
    nets = f"fmap_base {widths['fmap_base']}, fmap_max {widths['fmap_max']}"
    text = f"""# Progressive growing on mnist5k: growing vs direct training at 32x32

Regenerate with:

```
{command}
```

{date_and_machine()}. **Shared machine**: other jobs ran at the same time
(1-minute load average at the start and end of each run: {load}), so the wall times are inflated;
CPU seconds (this process) are the steadier measure of cost.

`{PRESET}` (Karras et al. 2018: WGAN-GP + drift, Adam(1e-3, 0, 0.99), EMA 0.999, pixel norm, equalized
learning rate, minibatch stddev; mnist5k padded to 32x32) for {growing['steps']} steps of batch
{growing['images'] // growing['steps']} ({growing['images']:,} real images) in both runs. *growing*: 4x4 -> 32x32,
{phases}, then the 32x32 stage stable; *direct*: the same networks ({nets}),
schedule starting at 32x32 (the official `-nogrowing`). Evaluation of the final EMA generator: {num:,} samples
cropped back to 28x28; FID on the MNIST classifier's features against the 1,000 mnist5k held-out digits
(real-vs-real floor 0.25); classes and confidence by the same classifier.

| Run | MNIST FID (EMA) | FID raw G | Classes (of 10) | Confident > 0.9 % | Largest class % | Train min (wall) | CPU min |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

{bar}

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
    parser.add_argument("--variant", choices=sorted(VARIANTS),
                        help="only train this variant (two processes can train both at once), then stop")
    args = parser.parse_args(argv)
    if args.num < 500 or args.num % 500:
        parser.error(f"--num must be a positive multiple of 500, got {args.num}.")
    report = Path(args.report)
    figures = report.with_suffix("")
    figures.mkdir(parents=True, exist_ok=True)
    out = Path(args.out)
    for name, overrides in VARIANTS.items():
        if args.variant in (None, name):
            train_variant(name, overrides, out, args.steps)
    if args.variant:
        return 0
    results = []
    for name in VARIANTS:
        result = json.loads((out / name / "timing.json").read_text())
        results.append({**result, "metrics": evaluate_or_reuse(out / name, args.num)})
        write_strip(np.load(out / name / "strip.npy"), figures / f"strip_{name}.png")
    (figures / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    command = "python scripts/pggan_report.py" + "".join(
        f" {flag} {value}" for flag, value in (("--steps", args.steps), ("--num", args.num if args.num != 5000 else None),
                                               ("--out", args.out if args.out != "runs/pggan_report" else None),
                                               ("--report", args.report if args.report != "reports/pggan.md" else None))
        if value is not None)
    write_report(results, report, figures, command, args.num)
    print(f"Wrote {report} and {figures}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
