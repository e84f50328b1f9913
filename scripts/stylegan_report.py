"""Regenerate reports/stylegan.md: StyleGAN v1 (Karras et al. 2019) on the embedded digits.

    python scripts/stylegan_report.py                      # trains what is missing, then writes the report
    python scripts/stylegan_report.py --runs runs/sg --out reports/stylegan.md
    python scripts/stylegan_report.py --no-train           # measures the finished runs only

Trains (or reuses, when finished) two runs of the `stylegan_mnist5k` preset, seed 0: the preset
itself (style mixing probability 0.9) and the same with mixing 0. Then, on the EMA generators:

1. the preset's target: the share of samples the shipped MNIST classifier labels with confidence
   above 0.9 (>= 80% asked) and the classes among them (all ten asked), and the MNIST FID;
2. the mixing regulariser at small scale (the paper's Table 2): FID of samples whose styles come
   from 1 latent and from 2 latents mixed at a crossover drawn uniformly over the layers, for the
   models trained with mixing 0 and 0.9;
3. the truncation trick in W: psi 1, 0.7, 0.5, 0 -- FID, precision / recall (Kynkaanniemi 2019,
   k = 3) in the classifier's feature space, and sample rows of the same latents;
4. a style-mixing grid (the paper's Figure 3): the coarse (4x4-8x8), middle (16x16) and fine
   (32x32) styles of source B copied into source A;
5. the noise inputs (Figure 4): many samples of one w with fresh noise and their per-pixel
   standard deviation.

Samples are cropped from 32x32 back to the digits' 28x28 (the runs pad the data) and compared with
the 1,000 held-out digits. FID is measured at psi 1 with fresh noise, as the paper's. The report
names the machine load during training: times on a shared machine are inflated.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

PRESET = "stylegan_mnist5k"
PSIS = (1.0, 0.7, 0.5, 0.0)
#: Style layers of a 32 px generator copied from source B in the mixing grid (the paper's groups).
GROUPS = {"coarse (4x4-8x8, layers 0-3)": range(0, 4), "middle (16x16, layers 4-5)": range(4, 6),
          "fine (32x32, layers 6-7)": range(6, 8)}


def train_or_reuse(runs: Path, name: str, overrides: dict, steps: int | None, train: bool = True) -> dict | None:
    """Train PRESET into runs/name unless it finished before; its timing (kept in timing.json).
    With `train` False an unfinished run is left as it is: None."""
    from tfgan_zoo.training import runner

    run_dir = runs / name
    timing_file = run_dir / "timing.json"
    if (run_dir / runner.GENERATOR_FILE).is_file() and timing_file.is_file():
        return json.loads(timing_file.read_text())
    if not train:
        return None
    resume = (run_dir / runner.CONFIG_FILE).is_file()
    load_before, cpu_before, start = os.getloadavg()[0], time.process_time(), time.time()
    result = runner.train(PRESET, out=run_dir, overrides=overrides, steps=steps, resume=resume, progress=False)
    timing = {"steps": result.step, "seconds": training_seconds(run_dir, time.time() - start),
              "cpu_seconds": time.process_time() - cpu_before, "load_average": [load_before, os.getloadavg()[0]],
              "resumed": resume}
    timing_file.write_text(json.dumps(timing, indent=2) + "\n")
    return timing


def steps_logged(run_dir: Path) -> int:
    """The last step in the run's metrics.csv (0 without one): how far an unfinished run got."""
    from tfgan_zoo.training import runner

    rows = (run_dir / runner.METRICS_FILE).read_text().splitlines() if (run_dir / runner.METRICS_FILE).is_file() else []
    return int(rows[-1].split(",")[0]) if len(rows) > 1 else 0


def training_seconds(run_dir: Path, fallback: float) -> float:
    """The run's wall time over all its segments: metrics.csv's last elapsed_s (it continues
    across resumes), or `fallback` when the run logged no row."""
    from tfgan_zoo.training import runner

    rows = (run_dir / runner.METRICS_FILE).read_text().splitlines() if (run_dir / runner.METRICS_FILE).is_file() else []
    return float(rows[-1].split(",")[1]) if len(rows) > 1 else fallback


def crop(images: np.ndarray) -> np.ndarray:
    from tfgan_zoo.data import centre_crop

    return np.asarray(centre_crop(images, 28))


class Judge:
    """The shipped MNIST classifier: confidence, classes, FID and precision / recall vs held-out digits."""

    def __init__(self) -> None:
        from tfgan_zoo.metrics.features import MnistFeatures, mnist5k_images

        self.extractor = MnistFeatures()
        self.real = self.extractor.features(mnist5k_images("heldout"))

    def scores(self, images: np.ndarray, precision_recall: bool = False) -> dict:
        from tfgan_zoo.metrics import fid_from_features
        from tfgan_zoo.metrics import precision_recall as pr

        images = crop(images)
        features = self.extractor.features(images)
        probabilities = self.extractor.predict_probabilities(images)
        confident = probabilities.max(axis=1) > 0.9
        labels = probabilities.argmax(axis=1)
        result = {
            "fid": float(fid_from_features(features, self.real)),
            "confident": float(confident.mean()),
            "confident_classes": int(len(set(labels[confident]))),
            "class_counts": np.bincount(labels, minlength=10).tolist(),
        }
        if precision_recall:
            result.update(pr(self.real, features[: len(self.real)], k=3))
        return result


def mixed_latent_samples(gan: Any, num: int, latents: int, seed: int) -> np.ndarray:
    """`num` samples whose styles come from `latents` (1 or 2) z: with 2, z1 on the layers below a
    crossover drawn uniformly from 1..L-1 and z2 from it on (as the training regulariser)."""
    rng = np.random.default_rng(seed)
    z1 = rng.standard_normal((num, gan.latent_dim)).astype("float32")
    if latents == 1:
        return gan.generate(z1, stage="final")
    z2 = rng.standard_normal((num, gan.latent_dim)).astype("float32")
    crossover = rng.integers(1, gan.num_style_layers, num)
    return np.concatenate([gan.generate_mixed(z1[i:i + 500], z2[i:i + 500], crossover[i:i + 500], noise="random")
                           for i in range(0, num, 500)])


def copy_styles(parts: Any, w_a: Any, w_b: Any, layers: range) -> Any:
    """Per-layer styles of source A with the `layers` taken from source B."""
    import tensorflow as tf

    mask = tf.reshape(tf.constant([i in layers for i in range(parts.num_layers)]), (1, -1, 1))
    return tf.where(mask, parts.styles(w_b), parts.styles(w_a))


def save_figure(images: np.ndarray, nrow: int, path: Path, zoom: int = 3) -> None:
    """A grid of images in [-1, 1], each pixel drawn `zoom` x `zoom` (32 px cells are small on screen)."""
    from tfgan_zoo.images import image_grid, save_png

    grid = image_grid(images, nrow=nrow)
    save_png(grid.repeat(zoom, axis=0).repeat(zoom, axis=1), path)


def mixing_grids(gan: Any, out_dir: Path, rows: int = 5, columns: int = 6) -> list[str]:
    """One grid per style group: the top row sources B, the left column sources A (fixed noise)."""
    from tfgan_zoo.models.stylegan import style_parts

    parts = style_parts(gan.sampling_generator)
    rng = np.random.default_rng(11)
    z_a = rng.standard_normal((rows, gan.latent_dim)).astype("float32")
    z_b = rng.standard_normal((columns, gan.latent_dim)).astype("float32")
    w_a, w_b = parts.map(z_a), parts.map(z_b)
    own = lambda w: np.asarray(parts.synthesize(parts.styles(w), noise="fixed"))  # noqa: E731
    names = []
    for index, (group, layers) in enumerate(GROUPS.items()):
        cells = [np.full((1, 32, 32, 1), -1.0, np.float32), own(w_b)]
        for i in range(rows):
            a = np.repeat(w_a[i : i + 1], columns, axis=0)
            cells += [own(w_a[i : i + 1]), np.asarray(parts.synthesize(copy_styles(parts, a, w_b, layers), noise="fixed"))]
        name = f"mixing_{index}.png"
        save_figure(np.concatenate(cells), columns + 1, out_dir / name)
        names.append((group, name))
    return names


def noise_figure(gan: Any, out_dir: Path, num: int = 200) -> dict:
    """Samples of one w with fresh noise, and the per-pixel standard deviation over `num` of them."""

    z = np.repeat(np.random.default_rng(5).standard_normal((1, gan.latent_dim)).astype("float32"), num, axis=0)
    samples = gan.generate(z, noise="random", stage="final")
    std = samples.std(axis=0)
    scaled = std / max(float(std.max()), 1e-8) * 2.0 - 1.0  # 0 -> black, the largest std -> white
    save_figure(np.concatenate([samples[:7], scaled[None]]), 8, out_dir / "noise.png")
    stroke = samples.mean(axis=0) > 0.0
    return {"std_mean": float(std.mean()), "std_stroke": float(std[stroke].mean()),
            "std_background": float(std[~stroke].mean()), "stroke_fraction": float(stroke.mean())}


def psi_rows(gan: Any, out_dir: Path, per_row: int = 10) -> str:

    z = np.random.default_rng(3).standard_normal((per_row, gan.latent_dim)).astype("float32")
    rows = [gan.generate(z, psi=psi, noise="fixed", stage="final") for psi in PSIS]
    save_figure(np.concatenate(rows), per_row, out_dir / "psi.png")
    return "psi.png"


def write_report(path: Path, results: dict, command: str) -> None:
    main, mix0 = results["runs"]["mix90"], results["runs"]["mix0"]
    target = results["target"]
    lines = [
        "# StyleGAN v1 on the embedded digits", "",
        f"Regenerate: `{command}` (trains the two runs below unless they are finished, then measures).", "",
        "StyleGAN (Karras, Laine, Aila 2019) as the official code defines it: an 8-layer mapping network "
        "(learning-rate multiplier 0.01) to w, a learned 4x4 constant, per layer noise -> bias -> leaky ReLU -> "
        "instance norm -> style (AdaIN with an equalized affine), the [1, 2, 1] blur in G and D, style mixing 0.9, "
        "w_avg (decay 0.995), the non-saturating loss with R1 (gamma 10), Adam(1e-3, 0, 0.99), a generator EMA, "
        f"grown from 8x8 to 32x32 (preset `{PRESET}`, seed 0; the digits padded to 32x32). Samples are cropped back "
        "to 28x28 and judged by the shipped MNIST classifier against the 1,000 held-out digits (real-data FID floor "
        f"0.25); {results['num']:,} samples unless said, psi 1 and fresh noise unless said.", "",
        "## The preset's target", "",
        "| samples classified with confidence > 0.9 | classes among them | MNIST FID | steps | wall time | CPU time | load average (start, end) |",
        "|---|---|---|---|---|---|---|",
        f"| {100 * target['confident']:.1f}% (target >= 80%) | {target['confident_classes']} / 10 | {target['fid']:.2f} | "
        f"{main['steps']} | {main['seconds'] / 60:.1f} min | {main['cpu_seconds'] / 60:.1f} min | "
        f"{main['load_average'][0]:.1f}, {main['load_average'][1]:.1f} |", "",
        f"Class counts (argmax over {results['num']:,} samples, digits 0-9): {target['class_counts']}.", "",
        "The time is for two CPU cores; a load average above 2 means other jobs shared them and the wall time is "
        "inflated (the CPU time is this process's"
        + ("; the run was resumed, so it counts the last segment only)." if main["resumed"] else ")."), "",
        "## The mixing regulariser (the paper's Table 2, at small scale)", "",
        "FID of samples whose styles come from one latent, or from two latents mixed at a crossover drawn "
        "uniformly over the layers 1-7 (as the regulariser draws it), for the same preset trained with mixing "
        "probability 0 and 0.9.", "",
        "| trained with mixing | 1 latent | 2 latents |", "|---|---|---|",
    ]
    for label, key in (("0", "mix0"), ("0.9", "mix90")):
        table = results["mixing"].get(key)
        if table is None:
            lines.append(f"| {label} | not trained yet: step {results['unfinished'][key]:,} of {main['steps']:,} "
                         f"(`{command}` resumes it) | |")
        else:
            lines.append(f"| {label} | {table['1']['fid']:.2f} | {table['2']['fid']:.2f} |")
    paper = ("The paper (FFHQ, 1024x1024): with mixing 0, FID 4.42 / 8.22 / 12.88 / 17.41 for 1 / 2 / 3 / 4 latents "
             "mixed; with 90%, 4.40 / 5.11 / 6.88 / 9.03 -- training with mixing makes mixed styles safe.")
    mixing = results["mixing"]
    here = [f"mixing {label} moves from {mixing[key]['1']['fid']:.2f} to {mixing[key]['2']['fid']:.2f}"
            for label, key in (("0", "mix0"), ("0.9", "mix90")) if key in mixing]
    lines += [
        "", paper + " Here: " + ", ".join(here) + ".",
        f"Run times: mixing 0 {mix0['seconds'] / 60:.1f} min ({mix0['cpu_seconds'] / 60:.1f} min CPU)."
        if mix0 is not None else "The mixing-0 run has not finished, so the comparison is not made yet.", "",
        "## Truncation in W", "",
        "w' = w_avg + psi (w - w_avg) on the truncated layers: at 32x32 the official cutoff 8 (the layers of 4x4 "
        "to 32x32) is every layer. Precision and recall are the k-NN manifold estimates (k = 3) in the classifier's "
        "feature space, 1,000 samples against the 1,000 held-out digits.", "",
        "| psi | FID | precision | recall | confident > 0.9 | classes |", "|---|---|---|---|---|---|",
    ]
    for psi in PSIS:
        row = results["psi"][str(psi)]
        lines.append(f"| {psi:g} | {row['fid']:.2f} | {row['precision']:.3f} | {row['recall']:.3f} | "
                     f"{100 * row['confident']:.1f}% | {row['confident_classes']} |")
    lines += [
        "", "Rows: psi 1, 0.7, 0.5, 0 for the same ten latents (fixed noise); psi 0 is w_avg, the same image for every z.",
        "", "![psi rows](stylegan/psi.png)", "",
        "## Style mixing (the paper's Figure 3)", "",
        "In each grid the top row holds sources B, the left column sources A; a cell takes A's styles except the "
        "named layers, which come from B (fixed noise).", "",
    ]
    for group, name in results["grids"]:
        lines += [f"**{group}**", "", f"![{group}](stylegan/{name})", ""]
    noise = results["noise"]
    lines += [
        "## Noise inputs (the paper's Figure 4)", "",
        "Seven samples of one w with fresh noise, then the per-pixel standard deviation over 200 such samples "
        "(black 0, white the largest).", "", "![noise](stylegan/noise.png)", "",
        f"Mean per-pixel standard deviation {noise['std_mean']:.3f}: {noise['std_stroke']:.3f} on the stroke "
        f"(the {100 * noise['stroke_fraction']:.0f}% of pixels whose mean is above 0) and {noise['std_background']:.3f} "
        "on the background -- the noise moves the stroke's edges, not the digit's layout.", "",
    ]
    path.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="runs/stylegan_report", help="where the two runs go (reused when finished)")
    parser.add_argument("--out", default="reports/stylegan.md", help="the report (figures in a folder beside it)")
    parser.add_argument("--steps", type=int, help="override the preset's steps (for a quick look)")
    parser.add_argument("--num", type=int, default=5000, help="samples per FID")
    parser.add_argument("--no-train", action="store_true",
                        help="train nothing: measure the finished runs, name the unfinished ones in the report")
    args = parser.parse_args(argv)
    command = "python scripts/stylegan_report.py" + "".join(
        f" {flag} {value}" for flag, value in (("--runs", args.runs), ("--out", args.out), ("--steps", args.steps))
        if value is not None and (flag, value) not in (("--runs", "runs/stylegan_report"), ("--out", "reports/stylegan.md")))
    from tfgan_zoo.training import runner

    runs, out = Path(args.runs), Path(args.out)
    figures = out.with_suffix("")
    figures.mkdir(parents=True, exist_ok=True)
    train = not args.no_train
    timing = {"mix90": train_or_reuse(runs, "mix90", {}, args.steps, train),
              "mix0": train_or_reuse(runs, "mix0", {"model.style_mixing_prob": 0.0}, args.steps, train)}
    if timing["mix90"] is None:
        print(f"error: {runs / 'mix90'} has not finished; run without --no-train to train it.", file=sys.stderr)
        return 2
    judge = Judge()
    gans = {key: runner.load_run(runs / key)[0] for key, value in timing.items() if value is not None}
    main_gan = gans["mix90"]
    results: dict = {"runs": timing, "num": args.num,
                     "unfinished": {key: steps_logged(runs / key) for key, value in timing.items() if value is None}}
    results["target"] = judge.scores(main_gan.generate(args.num, seed=0, stage="final"))
    results["mixing"] = {key: {str(n): judge.scores(mixed_latent_samples(gan, args.num, n, seed=1)) for n in (1, 2)}
                         for key, gan in gans.items()}
    results["psi"] = {str(psi): judge.scores(main_gan.generate(1000, seed=2, psi=psi, stage="final"), precision_recall=True)
                      for psi in PSIS}
    psi_rows(main_gan, figures)
    results["grids"] = mixing_grids(main_gan, figures)
    results["noise"] = noise_figure(main_gan, figures)
    (figures / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    write_report(out, results, command)
    print(f"Wrote {out} and {figures}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
