"""BEGAN's convergence measure against FID on the digits: reports/began.md.

Berthelot et al. 2017 (sec. 3.4.1) propose M = L(x) + |gamma L(x) - L(G(z))| as a measure of
convergence that falls as the samples improve. This script trains a BEGAN preset (default
`began_mnist5k`, at its own step count) with the MNIST-feature FID every `--fid-every` steps
(`training.fid_every`, 1,000 samples against the mnist5k held-out digits), then writes a report with
M (the mean over each FID interval, from metrics.csv) next to the FID at every checkpoint, their
rank correlation, a plot of M against FID, sample grids, and the final evaluation (FID, classes,
share of confidently classified samples).

    python scripts/began_convergence.py                      # -> reports/began.md, reports/began/

An existing finished run under `--out` is reused (pass --retrain to train it again).
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import sys
from pathlib import Path
from typing import Optional

import numpy as np

REPORT = Path("reports/began.md")
OUT = Path("reports/began")


def read_rows(metrics_csv: Path) -> list[dict[str, float]]:
    """metrics.csv as a list of {column: float} (empty cells -> NaN)."""
    with metrics_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))

    def number(cell: str) -> float:
        try:
            return float(cell)
        except (TypeError, ValueError):
            return math.nan

    return [{key: number(value) for key, value in row.items()} for row in rows]


def checkpoints(rows: list[dict[str, float]], fid_every: int) -> list[dict[str, float]]:
    """One entry per FID evaluation (every `fid_every` steps; metrics.csv repeats the last FID on the
    rows between): the step, its FID, and M, k_t, L(x), L(G(z)) averaged over the log rows since the
    previous evaluation (metrics.csv holds the mean of each `log_every` window)."""
    out, window = [], []
    for row in rows:
        window.append(row)
        if int(row["step"]) % fid_every == 0 and not math.isnan(row.get("fid", math.nan)):
            def mean(key: str) -> float:
                return float(np.mean([r[key] for r in window]))

            out.append({"step": int(row["step"]), "fid": row["fid"], "convergence": mean("convergence"),
                        "k_t": window[-1]["k_t"], "recon_real": mean("recon_real"),
                        "recon_fake": mean("recon_fake")})
            window = []
    return out


def rank_correlation(a: list[float], b: list[float]) -> float:
    """Spearman's rank correlation (no ties expected)."""
    ranks_a, ranks_b = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ranks_a, ranks_b)[0, 1])


def plot(points: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 4), dpi=100)
    steps = [p["step"] for p in points]
    left, right = figure.subplots(1, 2)
    left.plot(steps, [p["convergence"] for p in points], "o-", color="tab:blue", label="M")
    left.set_xlabel("step")
    left.set_ylabel("convergence measure M", color="tab:blue")
    twin = left.twinx()
    twin.plot(steps, [p["fid"] for p in points], "s--", color="tab:red", label="FID")
    twin.set_yscale("log")
    twin.set_ylabel("MNIST FID (log scale)", color="tab:red")
    left.set_title("M and FID during training")
    right.plot([p["convergence"] for p in points], [p["fid"] for p in points], "o-", color="tab:purple")
    for p in points:
        right.annotate(str(p["step"]), (p["convergence"], p["fid"]), fontsize=7,
                       textcoords="offset points", xytext=(3, 3))
    right.set_yscale("log")
    right.set_xlabel("convergence measure M")
    right.set_ylabel("MNIST FID (log scale)")
    right.set_title("M against FID at each checkpoint")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")


def write_report(preset: str, run_dir: Path, points: list[dict[str, float]], final: dict, seconds: float,
                 argv: list[str], report: Path, out: Path) -> None:
    from tfgan_zoo.presets import get_config

    config = json.loads((run_dir / "config.json").read_text())
    training = config["training"]
    rho = rank_correlation([p["convergence"] for p in points], [p["fid"] for p in points])
    classes = final["classes"]
    grids = sorted((run_dir / "samples").glob("step_*.png"))
    keep = [grids[i] for i in sorted({1, len(grids) // 2, len(grids) - 1}) if 0 <= i < len(grids)]
    for grid in keep:
        shutil.copyfile(grid, out / grid.name)
    relative = Path(os.path.relpath(out, report.parent))
    lines = [
        f"# BEGAN on the digits: the convergence measure M against FID (`{preset}`)",
        "",
        "Regenerate with:",
        "",
        "```",
        " ".join(argv),
        "```",
        "",
        f"Preset: {get_config(preset)['description']}.",
        "",
        f"{training['steps']} steps at batch {training['batch_size']} on `{config['data']}`, seed "
        f"{config.get('seed', 0)}; {seconds:.0f} s of training on this machine (2 CPU cores, shared). FID every "
        f"{training['fid_every']} steps on 1,000 samples (MNIST classifier features, mnist5k held-out digits; "
        "the real-data FID of 1,000 train digits is 0.5-0.9 at this sample count). M is the mean over "
        "each FID interval.",
        "",
        f"**Final ({final['num_samples']} samples):** FID {final['fid']:.2f} (real-data floor "
        f"{final.get('fid_real_floor', 0.25):.2f}), {classes['classes_covered']}/10 classes, class shares "
        f"{100 * classes['min_class_fraction']:.1f}-{100 * classes['max_class_fraction']:.1f}%, "
        f"{100 * classes['confident_fraction']:.1f}% of the samples classified with p > 0.9.",
        "",
        f"**Rank correlation of M and FID over the {len(points)} checkpoints: {rho:.2f}** (1: M falls "
        "exactly when FID falls).",
        "",
        f"![M against FID]({(relative / 'convergence.png').as_posix()})",
        "",
        "| step | M | FID | k_t | L(x) | L(G(z)) |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {p['step']} | {p['convergence']:.4f} | {p['fid']:.2f} | {p['k_t']:.4f} | "
              f"{p['recon_real']:.4f} | {p['recon_fake']:.4f} |" for p in points]
    lines += ["", "Samples from fixed latents:", ""]
    lines += [f"![{grid.stem}]({(relative / grid.name).as_posix()}) " for grid in keep]
    report.write_text("\n".join(lines) + "\n")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="began_mnist5k")
    parser.add_argument("--steps", type=int, default=None, help="default: the preset's")
    parser.add_argument("--fid-every", type=int, default=250)
    parser.add_argument("--num", type=int, default=5000, help="samples of the final evaluation")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument("--retrain", action="store_true")
    args = parser.parse_args(argv)

    import tfgan_zoo as tz
    from tfgan_zoo.metrics.runs import evaluate_run

    run_dir = args.out / "runs" / args.preset
    done = (run_dir / "gan.weights.h5").is_file()
    if args.retrain and run_dir.exists():
        shutil.rmtree(run_dir)
        done = False
    seconds = 0.0
    if not done:
        result = tz.train(args.preset, steps=args.steps, out=run_dir, progress=False, echo=print,
                          overrides={"training.fid_every": args.fid_every})
        seconds = result.seconds
        (run_dir / "train_seconds.txt").write_text(f"{seconds:.1f}\n")
    elif (run_dir / "train_seconds.txt").is_file():
        seconds = float((run_dir / "train_seconds.txt").read_text())
    fid_every = json.loads((run_dir / "config.json").read_text())["training"]["fid_every"]
    points = checkpoints(read_rows(run_dir / "metrics.csv"), fid_every)
    if len(points) < 2:
        raise SystemExit(f"{run_dir}/metrics.csv has {len(points)} FID rows; need at least 2 (lower --fid-every).")
    final = evaluate_run(run_dir, num=args.num)
    args.out.mkdir(parents=True, exist_ok=True)
    plot(points, args.out / "convergence.png")
    (args.out / "checkpoints.json").write_text(json.dumps({"points": points, "final": final}, indent=2) + "\n")
    command = ["python", "scripts/began_convergence.py", *(argv if argv is not None else sys.argv[1:])]
    write_report(args.preset, run_dir, points, final, seconds, command, args.report, args.out)
    print(f"Wrote {args.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
