"""The stabilisation lab, the library side of `tfgan-zoo compare` (tfgan_zoo/cli/compare.py).

    tfgan-zoo compare --presets toy_gan,toy_unrolled,toy_stable --data toy:ring8 --steps 5000 \\
                      --seeds 3 --out lab/ring8

trains every preset under every seed 0..K-1, evaluates each run and writes

    DIR/runs/<preset>/seed<k>/   ordinary run directories (`tfgan-zoo evaluate/sample/export --run`
                                 work on them), each with its eval.json
    DIR/results.json             one record per (preset, seed) and per-preset aggregates
    DIR/plots/                   per preset: final samples (a scatter with the mode centres for toys,
                                 a grid for images) and loss curves (all seeds overlaid); metrics.png
    DIR/report.md                the command that regenerates it, then the table (mean ± std over
                                 seeds, like the published tables) and the pictures

Evaluation by data kind (`DATA_KINDS`, the defaults of `tfgan_zoo.metrics.runs.evaluate_run`):
toys by the docs/architecture.md protocol (modes covered, percent high
quality, 2,500 samples); stacked_mnist by its 1,000 modes and KL(generated modes || uniform)
(26,000 samples, the published protocol); emoji by FID and KID in the emoji classifier's features
against the held-out emoji, and the 9 groups covered (5,000 samples); other 28x28 grey images by
MNIST-domain FID against the mnist5k held-out images and class coverage (5,000 samples). A run
whose loss becomes NaN or infinite is "diverged", one that raises is "failed": both stay in the
table, marked, and are left out of the means (the counts are shown).

Continuing: results.json is rewritten after every run. Running the same command again (same
--data, --steps, --set, --num) reuses the records with status "ok" whose run directory is still
there and trains the others afresh (a partial run directory of an interrupted or diverged run is
replaced); a DIR whose results.json came from different settings is refused. Records of presets or
seeds the command no longer names are dropped from results.json (their run directories stay).
"""
from __future__ import annotations

import csv
import dataclasses
import datetime
import difflib
import json
import math
import os
import platform
import re
import shlex
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from tfgan_zoo._atomic import replacing
from tfgan_zoo.errors import InputError

PathLike = Union[str, os.PathLike]


class CompareError(InputError):
    """Bad input to a comparison (presets, data, counts, the output directory); nothing was written."""

FORMAT = "tfgan_zoo.compare/1"
RESULTS_FILE = "results.json"
REPORT_FILE = "report.md"
RUNS_DIR = "runs"
PLOTS_DIR = "plots"
DEFAULT_SEEDS = 3

# Published toy figures (modes covered, % high quality), shown beside ours in toy reports. Each
# paper used its own mixture scale, networks and training length, so they frame ours rather than
# match it. VEEGAN: Srivastava et al. 2017, Table 1; PacGAN: Lin et al. 2018, Table 3 (best
# packing); GDPP: Elfeki et al. 2019, Table 1.
PUBLISHED_TOY = {
    "ring8": [("GAN (VEEGAN table)", 1.0, 99.3), ("Unrolled GAN (VEEGAN table)", 7.6, 35.6),
              ("VEEGAN", 8.0, 52.9), ("PacGAN2", 7.9, 95.6), ("GDPP", 8.0, 71.7)],
    "grid25": [("GAN (VEEGAN table)", 3.3, 0.5), ("Unrolled GAN (VEEGAN table)", 23.6, 16.0),
               ("VEEGAN", 24.6, 40.0), ("PacGAN4", 24.8, 93.8), ("GDPP", 24.8, 68.5)],
}
# Published Stacked MNIST figures (modes covered of 1,000, KL(generated modes || uniform)), the same
# count on 26,000 samples with each paper's MNIST classifier, checked against PacGAN's Tables 2 and 3
# as its repository ships them (stacked_MNIST_experiments/results/). PacGAN's ± is the standard
# error over 10 (Table 2) or 50 (Table 3) trials. (setting, source, rows of (method, modes, KL),
# each figure a string as printed).
PUBLISHED_STACKED_MNIST = [
    ("the VEEGAN setting: DCGAN networks (D 64-128-256-512 filters), 128,000 images, 50 epochs of batch 64",
     "Lin et al. 2018 (PacGAN), Table 2; its first four rows are Srivastava et al. 2017 (VEEGAN), Table 2",
     [("DCGAN", "99.0", "3.40"), ("ALI", "16.0", "5.40"), ("Unrolled GAN", "48.7", "4.32"),
      ("VEEGAN", "150.0", "2.95"), ("DCGAN (PacGAN's run)", "78.9 ± 6.46", "4.50 ± 0.127"),
      ("PacDCGAN2", "1000.0 ± 0.00", "0.06 ± 0.003"), ("PacDCGAN4", "1000.0 ± 0.00", "0.07 ± 0.005")]),
    ("Metz et al.'s small discriminator, D 1/4 the size of G (D 2-4-8 filters of 3x3), batch 128, 500,000 steps",
     "Metz et al. 2016 (Unrolled GAN), Table 2, as Lin et al. 2018 (PacGAN), Table 3 reprints it, with PacGAN's rows",
     [("DCGAN", "30.6 ± 20.73", "5.99 ± 0.42"), ("Unrolled GAN, 1 step", "65.4 ± 34.75", "5.91 ± 0.14"),
      ("Unrolled GAN, 5 steps", "236.4 ± 63.30", "4.67 ± 0.43"), ("Unrolled GAN, 10 steps", "327.2 ± 74.67", "4.66 ± 0.46"),
      ("DCGAN (PacGAN's run)", "78.5 ± 17.56", "5.21 ± 0.19"), ("PacDCGAN2", "484.5 ± 32.99", "2.61 ± 0.22"),
      ("PacDCGAN4", "667.4 ± 29.00", "1.81 ± 0.15")]),
    ("Metz et al.'s D 1/2 the size of G (D 4-8-16 filters)",
     "Metz et al. 2016, Table 2, as PacGAN Table 3 reprints it",
     [("DCGAN", "628.0 ± 140.9", "2.58 ± 0.75"), ("Unrolled GAN, 1 step", "523.6 ± 55.77", "2.44 ± 0.26"),
      ("Unrolled GAN, 5 steps", "732.0 ± 44.98", "1.66 ± 0.09"), ("Unrolled GAN, 10 steps", "817.4 ± 37.91", "1.43 ± 0.12"),
      ("DCGAN (PacGAN's run)", "487.7 ± 34.59", "2.24 ± 0.15"), ("PacDCGAN2", "840.7 ± 15.92", "1.00 ± 0.05")]),
]
STATUSES = ("ok", "diverged", "failed")
#: The settings a reused results.json must share with the command (presets and seeds may change).
REUSE_KEYS = ("data", "steps", "overrides", "num")


@dataclasses.dataclass(frozen=True)
class Column:
    """A metric column of the report: a record's `key`, its header (`{name}` fields are filled
    from the first evaluated record's metrics), decimals, shown as a percentage, and the count
    key a per-run cell is shown out of ("7/8")."""

    key: str
    header: str
    digits: int
    percent: bool = False
    out_of: Optional[str] = None
    lower_is_better: bool = False


@dataclasses.dataclass(frozen=True)
class DataKind:
    """How `compare` evaluates and tabulates one kind of data: the record's metric keys (read
    from `evaluate_run`'s result with the defaults for that data), the table's columns, the
    default sample count and the protocol sentence of the report."""

    name: str
    metrics: tuple[str, ...]
    columns: tuple[Column, ...]
    default_num: int
    protocol: str
    evaluate: Optional[str] = None  # the metrics `evaluate_run` computes (None: its defaults for the data)


DATA_KINDS = {kind.name: kind for kind in (
    DataKind("toy", ("modes_covered", "num_modes", "high_quality_percent", "num_samples"),
             (Column("modes_covered", "Modes (max {num_modes})", 1, out_of="num_modes"),
              Column("high_quality_percent", "% high quality", 1)),
             2500, "{num} samples per run; a sample is high quality within 3 std of its nearest mode, a mode is "
                   "covered when it is the nearest mode of a high-quality sample (docs/architecture.md toy "
                   "protocol)"),
    DataKind("mnist", ("fid", "classes_covered", "num_classes", "max_class_fraction", "min_class_fraction",
                       "kl_to_uniform", "confident_fraction", "num_samples"),
             (Column("fid", "MNIST FID", 2, lower_is_better=True),
              Column("classes_covered", "Classes covered (of {num_classes})", 1, out_of="num_classes"),
              Column("max_class_fraction", "Max class share %", 1, percent=True),
              Column("confident_fraction", "Read with p > 0.9 %", 1, percent=True)),
             5000, "{num} samples per run; FID on the MNIST classifier's features against the mnist5k held-out "
                   "images, classes by the MNIST classifier"),
    DataKind("stacked_mnist", ("modes_covered", "num_modes", "kl_to_uniform", "max_mode_fraction", "num_samples"),
             (Column("modes_covered", "Modes (of {num_modes})", 1, out_of="num_modes"),
              Column("kl_to_uniform", "KL to uniform", 2, lower_is_better=True),
              Column("max_mode_fraction", "Max mode share %", 1, percent=True)),
             26000, "{num} samples per run; each channel read by the shipped MNIST classifier, a mode (of 1,000) "
                    "covered when a sample has its three digits; KL(generated modes ‖ uniform) in nats, as "
                    "PacGAN's code computes it (real stacked data: 1,000 modes, KL 0.019)"),
    DataKind("emoji", ("fid", "kid", "precision", "recall", "classes_covered", "num_classes", "max_class_fraction",
                       "label_accuracy", "num_samples"),
             (Column("fid", "Emoji FID", 2, lower_is_better=True),
              Column("kid", "Emoji KID", 3, lower_is_better=True),
              Column("precision", "Precision", 3),
              Column("recall", "Recall", 3),
              Column("classes_covered", "Groups covered (of {num_classes})", 1, out_of="num_classes"),
              Column("max_class_fraction", "Max group share %", 1, percent=True),
              Column("label_accuracy", "Label accuracy %", 1, percent=True)),
             5000, "{num} samples per run; FID and KID (unbiased, cubic kernel) on the shipped emoji classifier's "
                   "features against the 372 held-out emoji (real-data floors between the train and held-out "
                   "splits: FID {fid_floor:.2f}, KID {kid_floor:.3f}); improved precision and recall (k = 3, "
                   "Kynkäänniemi et al. 2019) in the same features; groups by the emoji classifier, and for a "
                   "conditional preset the share of samples drawn with group label L that it reads as L",
             evaluate="fid,kid,pr,classes"),
)}


def data_kind(data: str, info: Any) -> DataKind:
    """The DataKind of data spec `data` and its `tfgan_zoo.data.describe` result (CompareError for
    data that compare cannot evaluate)."""
    from tfgan_zoo.data import parse_spec

    if info.kind == "points":
        return DATA_KINDS["toy"]
    spec = parse_spec(data)
    if spec.kind in ("stacked_mnist", "emoji"):
        return DATA_KINDS[spec.kind]
    if tuple(info.shape or ()) == (28, 28, 1):
        return DATA_KINDS["mnist"]
    raise CompareError(f"compare evaluates toy points (toy:ring8, toy:grid25), stacked_mnist, emoji32 / emoji64 or "
                       f"28x28 grey images (MNIST-domain FID and classes, e.g. mnist5k); {data!r} holds images "
                       f"of shape {tuple(info.shape or ())}.")


# --- settings and checks -----------------------------------------------------------------------

def _preset_list(presets: Union[str, Sequence[str]]) -> list[str]:
    """"a,b" or ["a", "b"] -> ["a", "b"], checked against the preset names (duplicates dropped)."""
    from tfgan_zoo.presets import list_presets

    items = presets.split(",") if isinstance(presets, str) else list(presets)
    names = list(dict.fromkeys(str(name).strip() for name in items if str(name).strip()))
    valid = list_presets()
    if not names:
        raise CompareError(f"--presets needs at least one preset name; valid presets: {', '.join(valid)}.")
    unknown = [name for name in names if name not in valid]
    if unknown:
        close = [match for name in unknown for match in difflib.get_close_matches(name, valid, n=1)]
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise CompareError(f"Unknown preset(s) {', '.join(map(repr, unknown))}.{hint} Valid presets: {', '.join(valid)}.")
    return names


def _check_count(name: str, value: Any, allow_none: bool = False) -> Optional[int]:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise CompareError(f"{name} must be an integer >= 1, got {value!r}.")
    return int(value)


def format_value(value: Any) -> str:
    """presets.format_value, imported on use (importing presets imports Keras)."""
    from tfgan_zoo.presets import format_value as format_preset_value

    return format_preset_value(value)


def command_argv(presets: Sequence[str], data: str, steps: Optional[int], seeds: int, out: PathLike,
                 overrides: dict[str, Any], num: Optional[int], report: Optional[PathLike] = None,
                 notes: Optional[PathLike] = None) -> list[str]:
    """The `tfgan-zoo compare ...` argument list that reproduces a comparison."""
    argv = ["tfgan-zoo", "compare", "--presets", ",".join(presets), "--data", data]
    if steps is not None:
        argv += ["--steps", str(steps)]
    argv += ["--seeds", str(seeds)]
    for key, value in overrides.items():
        argv += ["--set", f"{key}={format_value(value)}"]
    if num is not None:
        argv += ["--num", str(num)]
    argv += ["--out", str(out)]
    argv += ["--report", str(report)] if report is not None else []
    return argv + (["--notes", str(notes)] if notes is not None else [])


def _validate_presets(presets: Sequence[str], data: str, steps: Optional[int], overrides: dict,
                      out: Path) -> tuple[Any, dict[str, int]]:
    """Plan and build every preset on `data` without writing anything; returns the DataInfo and
    each preset's number of steps. Bad input -> CompareError."""
    import keras

    from tfgan_zoo.training import runner

    info, total_steps = None, {}
    try:
        for preset in presets:
            plan = runner.plan_run(preset, data=data, steps=steps, overrides=overrides, seed=0,
                                   out=out / RUNS_DIR / preset / ".compare-check")
            runner.build_from_config(plan.config)
            info, total_steps[preset] = plan.data_info, plan.total_steps
    except runner.RunError as error:
        raise CompareError(f"{preset}: {error}") from None
    finally:
        keras.backend.clear_session()
    return info, total_steps


def _load_previous(out: Path, settings: dict) -> tuple[dict[tuple[str, int], dict], Optional[str]]:
    """The records of an earlier `compare` into `out` with the same settings, by (preset, seed),
    and when it was created."""
    path = out / RESULTS_FILE
    if not path.exists():
        return {}, None
    try:
        previous = json.loads(path.read_text())
        old = previous["settings"]
        records = previous["records"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CompareError(f"{str(path)!r} is not the results file of a `tfgan-zoo compare` ({error}); "
                         "choose another --out.") from None
    changed = [key for key in REUSE_KEYS
               if json.dumps(old.get(key), sort_keys=True) != json.dumps(settings[key], sort_keys=True)]
    if changed:
        details = ", ".join(f"{key} {old.get(key)!r} (now {settings[key]!r})" for key in changed)
        raise CompareError(f"{str(path)!r} holds a comparison with different settings: {details}; choose another "
                         f"--out (or delete {RESULTS_FILE} to start over).")
    return {(record["preset"], int(record["seed"])): record for record in records}, previous.get("created")


def _reusable(record: Optional[dict], out: Path, total_steps: int) -> bool:
    return (record is not None and record.get("status") == "ok" and record.get("steps") == total_steps
            and (out / record["run_dir"] / "config.json").is_file())


def _check_run_dir(run_dir: Path, preset: str, seed: int) -> None:
    """A run directory to (re)train must be absent, empty, or an earlier run of this (preset, seed)."""
    if not run_dir.exists() or (run_dir.is_dir() and not any(run_dir.iterdir())):
        return
    config_path = run_dir / "config.json"
    try:
        run = json.loads(config_path.read_text()).get("run", {})
    except (OSError, ValueError, AttributeError):
        run = {}
    if run.get("preset") != preset or run.get("seed") != seed:
        raise CompareError(f"{str(run_dir)!r} exists and is not a run of {preset} seed {seed}; choose another --out.")


# --- one run ---------------------------------------------------------------------------------

def _divergence_note(message: str) -> tuple[Optional[int], str]:
    """(step, "diverged at step N (d_adv=nan)") from a NonFiniteLossError message."""
    match = re.search(r"at step (\d+): (.*?); training stopped", message)
    if match:
        return int(match.group(1)), f"diverged at step {match.group(1)} ({match.group(2)})"
    return None, "diverged: " + message.split(". ")[0].rstrip(".")


def _headline_metrics(evaluation: dict, kind: DataKind) -> dict[str, float]:
    """The numeric metrics of an `evaluate_run` result that go into a record (KID: its mean over subsets)."""
    source = {**evaluation.get("classes", {}), **evaluation.get("modes", {}), **evaluation.get("pr", {}),
              "num_samples": evaluation["num_samples"]}
    for key in ("fid", "kid"):
        if key in evaluation:
            value = evaluation[key]
            source[key] = value["mean"] if isinstance(value, dict) else value
    return {key: source[key] for key in kind.metrics if key in source}


def _new_record(preset: str, seed: int, total_steps: int) -> dict:
    return {"preset": preset, "seed": seed, "run_dir": f"{RUNS_DIR}/{preset}/seed{seed}", "status": None,
            "steps": total_steps, "step": None, "seconds": None, "eval_seconds": None, "load_average": None, "metrics": None,
            "note": None, "error": None}


def _train_and_evaluate(record: dict, out: Path, data: str, overrides: dict, num: Optional[int], kind: DataKind,
                        progress: bool) -> dict:
    """Train one (preset, seed) into its run directory and evaluate it; fills and returns `record`."""
    import keras

    from tfgan_zoo.metrics.runs import evaluate_run
    from tfgan_zoo.metrics.evaluate import write_eval_json
    from tfgan_zoo.training import runner

    run_dir = out / record["run_dir"]
    if run_dir.exists():  # a partial run of this (preset, seed): checked by _check_run_dir
        shutil.rmtree(run_dir)
    started = time.perf_counter()
    try:
        result = runner.train(record["preset"], data=data, steps=record["steps"], out=run_dir,
                              overrides=overrides, seed=record["seed"], progress=progress)
    except runner.NonFiniteLossError as error:
        step, note = _divergence_note(str(error))
        record.update(status="diverged", step=step, note=note, error=str(error))
    except Exception as error:  # noqa: BLE001 -- a failed run is reported, not fatal
        record.update(status="failed", note=f"failed: {type(error).__name__}", error=f"{type(error).__name__}: {error}")
    else:
        record.update(status="ok", step=int(result.step))
    record["seconds"] = round(time.perf_counter() - started, 2)
    record["load_average"] = _load_average()
    if record["status"] == "ok":
        started = time.perf_counter()
        try:
            evaluation = evaluate_run(run_dir, metrics=kind.evaluate, num=num, gan=result.gan)
            write_eval_json(evaluation, run_dir)
            record["metrics"] = _headline_metrics(evaluation, kind)
        except Exception as error:  # noqa: BLE001
            record.update(status="failed", note="evaluation failed", error=f"{type(error).__name__}: {error}")
        record["eval_seconds"] = round(time.perf_counter() - started, 2)
    keras.backend.clear_session()
    return record


def _load_average() -> Optional[float]:
    """The 5-minute load average (None where the platform has none): how shared the machine was."""
    try:
        return round(os.getloadavg()[1], 2)
    except (AttributeError, OSError):
        return None


def _cell(column: Column, metrics: dict) -> str:
    """One run's value of a column ("7/8", "12.34", "18.5"), or "—"."""
    if column.key not in metrics:
        return "—"
    value = metrics[column.key]
    if column.out_of is not None and column.out_of in metrics:
        return f"{value}/{metrics[column.out_of]}"
    return f"{value * (100.0 if column.percent else 1.0):.{column.digits}f}"


def _header(column: Column, records: Sequence[dict]) -> str:
    """A column's header, its {fields} filled from the first evaluated record ('?' without one)."""
    metrics = next((record["metrics"] for record in records if record.get("metrics")), None)
    fields = {name: (metrics or {}).get(name, "?") for name in re.findall(r"{(\w+)}", column.header)}
    return column.header.format(**{name: f"{value:,}" if isinstance(value, int) else value
                                   for name, value in fields.items()})


def _result_line(record: dict, kind: DataKind) -> str:
    if record["status"] != "ok":
        return record["note"] or record["status"]
    metrics = record["metrics"]
    quality = ", ".join(f"{column.header.split(' (')[0]} {_cell(column, metrics)}"
                        for column in kind.columns if column.key in metrics)
    return f"ok, {quality} ({record['seconds']:.0f} s)"


# --- aggregates ------------------------------------------------------------------------------

def aggregate(records: Sequence[dict], presets: Sequence[str]) -> dict[str, dict]:
    """Per preset: run counts by status, mean training seconds (None without an ok run) and the
    mean / population std of each metric over the runs with status "ok" (counts such as
    num_modes left out)."""
    summary = {}
    for preset in presets:
        mine = [record for record in records if record["preset"] == preset]
        ok = [record for record in mine if record["status"] == "ok"]
        metrics: dict[str, dict[str, float]] = {}
        shared = [key for key in (ok[0]["metrics"] if ok else {}) if all(key in record["metrics"] for record in ok)]
        for key in (key for key in shared if not key.startswith("num_")):
            values = np.array([float(record["metrics"][key]) for record in ok])
            metrics[key] = {"mean": float(values.mean()), "std": float(values.std())}
        summary[preset] = {
            "runs": len(mine),
            **{status: sum(record["status"] == status for record in mine) for status in STATUSES},
            "seconds_mean": float(np.mean([record["seconds"] for record in ok])) if ok else None,
            "seconds_per_step_mean": float(np.mean([record["seconds"] / record["step"] for record in ok])) if ok else None,
            "metrics": metrics,
        }
    return summary


# --- plots -----------------------------------------------------------------------------------

def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _save_figure(figure: Any, path: Path) -> Path:
    with replacing(path) as temporary:
        figure.savefig(temporary, format="png")
    return path


def _read_metrics_csv(path: Path) -> dict[str, list[float]]:
    """metrics.csv -> {"step": [...], term: [...]} (non-finite and empty cells -> NaN)."""
    if not path.is_file():
        return {}
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    if len(rows) < 2:
        return {}
    columns: dict[str, list[float]] = {name: [] for name in rows[0]}
    for row in rows[1:]:
        for name, cell in zip(rows[0], row):
            try:
                value = float(cell)
            except ValueError:
                value = math.nan
            columns[name].append(value if math.isfinite(value) else math.nan)
    return columns


def plot_losses(preset: str, records: Sequence[dict], out: Path, path: Path) -> Optional[Path]:
    """One subplot per logged loss term over steps, every seed overlaid (diverged ones dashed)."""
    curves = [(record, _read_metrics_csv(out / record["run_dir"] / "metrics.csv")) for record in records]
    curves = [(record, columns) for record, columns in curves if columns.get("step")]
    terms = list(dict.fromkeys(name for _, columns in curves for name in columns if name not in ("step", "elapsed_s")))
    if not terms:
        return None
    cols = min(3, len(terms))
    rows = math.ceil(len(terms) / cols)
    figure = _figure(4.0 * cols, 2.8 * rows)
    for index, term in enumerate(terms):
        axes = figure.add_subplot(rows, cols, index + 1)
        for record, columns in curves:
            if term in columns:
                style = "-" if record["status"] == "ok" else "--"
                axes.plot(columns["step"], columns[term], style, marker=".", markersize=3, linewidth=1,
                          label=f"seed {record['seed']}" + ("" if record["status"] == "ok" else f" ({record['status']})"))
        axes.set_title(term, fontsize=9)
        axes.set_xlabel("step", fontsize=8)
        axes.tick_params(labelsize=7)
        if index == 0:
            axes.legend(fontsize=7)
    figure.suptitle(f"{preset}: losses", fontsize=10)
    figure.tight_layout()
    return _save_figure(figure, path)


def _final_sample_picture(record: dict, out: Path) -> Optional[Path]:
    pictures = sorted((out / record["run_dir"] / "samples").glob("step_*.png"))
    return pictures[-1] if pictures else None


def copy_samples(records: Sequence[dict], out: Path, path: Path) -> Optional[tuple[Path, dict, Path]]:
    """Copy the final sample picture of the first ok seed (else of the first seed with one) to
    `path`; returns (path, record, source) or None."""
    ordered = [record for record in records if record["status"] == "ok"] + \
              [record for record in records if record["status"] != "ok"]
    for record in ordered:
        source = _final_sample_picture(record, out)
        if source is not None:
            with replacing(path) as temporary:
                shutil.copyfile(source, temporary)
            return path, record, source
    return None


def _headline(kind: DataKind, records: Sequence[dict]) -> list[tuple[str, str]]:
    """(metric key, label) of the summary plot: the kind's first two columns."""
    return [(column.key, _header(column, records) + (" (lower is better)" if column.lower_is_better else ""))
            for column in kind.columns[:2]]


def plot_metrics(records: Sequence[dict], presets: Sequence[str], kind: DataKind, path: Path) -> Optional[Path]:
    """Bars of the mean final metric per preset, one dot per ok seed."""
    panels = [(key, label) for key, label in _headline(kind, records)
              if any(record["metrics"] and key in record["metrics"] for record in records)]
    if not panels:
        return None
    figure = _figure(max(4.0, 1.2 * len(presets) + 1.5) * len(panels), 3.6)
    positions = np.arange(len(presets))
    for index, (key, label) in enumerate(panels):
        axes = figure.add_subplot(1, len(panels), index + 1)
        means = []
        for position, preset in enumerate(presets):
            values = [record["metrics"][key] for record in records
                      if record["preset"] == preset and record["status"] == "ok" and key in record["metrics"]]
            means.append(float(np.mean(values)) if values else 0.0)
            axes.scatter(np.full(len(values), position), values, color="black", s=12, zorder=3)
        axes.bar(positions, means, color="tab:blue", alpha=0.6)
        axes.set_xticks(positions)
        axes.set_xticklabels(presets, rotation=30, ha="right", fontsize=8)
        axes.set_title(label, fontsize=9)
    figure.suptitle("final metrics: bars are means over ok seeds, dots are seeds", fontsize=9)
    figure.tight_layout()
    return _save_figure(figure, path)


# --- the report ------------------------------------------------------------------------------

def _mean_std(summary: dict, key: str, digits: int, percent: bool = False) -> str:
    metric = summary["metrics"].get(key)
    if metric is None:
        return "—"
    scale = 100.0 if percent else 1.0
    return f"{metric['mean'] * scale:.{digits}f} ± {metric['std'] * scale:.{digits}f}"


def _seconds(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:.1f}"


def results_kind(results: dict) -> DataKind:
    """The DataKind a results.json was evaluated by ("images", the MNIST kind's former name, too)."""
    name = results["settings"]["kind"]
    return DATA_KINDS["mnist" if name == "images" else name]


def summary_table(results: dict) -> list[str]:
    """The markdown table of mean ± std over seeds per preset (the report's, printed by the command)."""
    aggregates, records, kind = results["aggregates"], results["records"], results_kind(results)
    header = ["Preset", *(_header(column, records) for column in kind.columns), "Runs ok/diverged/failed",
              "Wall s per run", "Wall s per step"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for preset, summary in aggregates.items():
        counts = f"{summary['ok']}/{summary['diverged']}/{summary['failed']}"
        cells = [_mean_std(summary, column.key, column.digits, column.percent) for column in kind.columns]
        per_step = summary.get("seconds_per_step_mean")  # results.json files of older versions lack it
        lines.append("| " + " | ".join([f"`{preset}`", *cells, counts, _seconds(summary["seconds_mean"]),
                                        "—" if per_step is None else f"{per_step:.3f}"]) + " |")
    return lines


def _runs_table(results: dict) -> list[str]:
    records, kind = results["records"], results_kind(results)
    header = ["Preset", "Seed", "Status", "Step", *(_header(column, records) for column in kind.columns),
              "Wall s", "Eval s"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for record in records:
        metrics = record["metrics"] or {}
        status = "ok" if record["status"] == "ok" else (record["note"] or record["status"]).replace("|", "/")
        step = "—" if record["step"] is None else f"{record['step']}/{record['steps']}"
        cells = [f"`{record['preset']}`", str(record["seed"]), status, step,
                 *(_cell(column, metrics) for column in kind.columns),
                 _seconds(record["seconds"]), _seconds(record.get("eval_seconds"))]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _published(data: str, kind: DataKind) -> list[str]:
    """The published figures for this data (toy mixtures, Stacked MNIST) as markdown tables; [] for other data."""
    if kind.name == "stacked_mnist":
        lines = ["Published figures (modes of 1,000 and KL to uniform on 26,000 samples, as here, but with each paper's "
                 "networks, all 70,000 MNIST digits and far longer training; PacGAN's ± are standard errors over its "
                 "10 or 50 trials, ours the std over seeds):", ""]
        for setting, source, rows in PUBLISHED_STACKED_MNIST:
            lines += [f"*{setting[0].upper()}{setting[1:]}* ({source}):", "", "| Method | Modes | KL |", "|---|---|---|",
                      *(f"| {method} | {modes} | {kl} |" for method, modes, kl in rows), ""]
        return lines
    name = data.partition(":")[2] if kind.name == "toy" else ""
    if name not in PUBLISHED_TOY:
        return []
    rows = [f"| {method} | {modes:g} | {quality:g} |" for method, modes, quality in PUBLISHED_TOY[name]]
    return ["Published figures on this mixture (each paper's own scale, networks and training length; "
            "VEEGAN: Srivastava et al. 2017, Table 1; PacGAN: Lin et al. 2018; GDPP: Elfeki et al. 2019):", "",
            "| Method | Modes | % high quality |", "|---|---|---|", *rows, ""]


def _protocol(kind: DataKind, num: Optional[int]) -> str:
    from tfgan_zoo.metrics.features import EMOJI_REAL_FLOORS

    floors = EMOJI_REAL_FLOORS["emoji32:heldout"]
    return kind.protocol.format(num=f"{num or kind.default_num:,}", fid_floor=floors["fid"], kid_floor=floors["kid"])


def _load_line(records: Sequence[dict], cpus: Optional[int]) -> list[str]:
    """How loaded the machine was while the runs trained (their 5-minute load averages), if known."""
    loads = [record["load_average"] for record in records if record.get("load_average") is not None]
    if not loads:
        return []
    return [f"Machine load: the 5-minute load average at the end of each run's training was {min(loads):.1f}-"
            f"{max(loads):.1f} (mean {np.mean(loads):.1f}) on {cpus} CPUs"
            + (": the machine was shared with other jobs, so the wall times are longer than on an idle machine."
               if cpus and max(loads) > cpus else "."), ""]


def _machine() -> dict[str, Any]:
    import tensorflow as tf

    import tfgan_zoo

    return {"cpus": os.cpu_count(), "gpus": len(tf.config.list_physical_devices("GPU")),
            "platform": f"{platform.system()} {platform.machine()}", "python": platform.python_version(),
            "tensorflow": tf.__version__, "tfgan_zoo": tfgan_zoo.__version__}


def render_report(results: dict, pictures: dict[str, dict[str, str]], notes: str = "") -> str:
    """report.md: the regenerating command, date and machine, the table, the published figures,
    `notes` (markdown), then per preset its pictures (paths relative to the report)."""
    settings, machine = results["settings"], results["machine"]
    kind = results_kind(results)
    presets = settings["presets"]
    steps = "the presets' own steps" if settings["steps"] is None else f"{settings['steps']} steps"
    lines = [
        f"# Stabilisation lab: {', '.join(presets)} on `{settings['data']}`", "",
        "Regenerate with:", "", "```", results["command"], "```", "",
        f"Date: {results['updated']}. Machine: {machine['cpus']} CPUs"
        + (f", {machine['gpus']} GPU(s)" if machine.get("gpus") else "")
        + f", {machine['platform']}, Python {machine['python']}, TensorFlow {machine['tensorflow']}, "
          f"tfgan_zoo {machine['tfgan_zoo']}.", "",
        f"{steps.capitalize()} per run, seeds 0..{settings['seeds'] - 1}"
        + (f", overrides {', '.join(f'`{k}={format_value(v)}`' for k, v in settings['overrides'].items())}"
           if settings["overrides"] else "") + f". Evaluation: {_protocol(kind, settings['num'])}.", "",
        *summary_table(results), "",
        "Mean ± std (population) over the runs with status ok; diverged (non-finite loss) and failed runs are "
        "counted but left out of the means. Wall time: training of one ok run (building, fitting, checkpoints and "
        "sample pictures; not the evaluation); per step: that time over the run's steps (the tracing included: "
        "`bench/` times the step alone).", "",
        *_load_line(results["records"], machine.get("cpus")),
        *_published(settings["data"], kind),
    ]
    if notes.strip():
        lines += [notes.strip(), ""]
    if "metrics" in pictures.get("", {}):
        lines += [f"![final metrics]({pictures['']['metrics']})", ""]
    lines += ["## Runs", "", *_runs_table(results), ""]
    from tfgan_zoo.presets import list_presets

    descriptions = list_presets()
    for preset in presets:
        lines += [f"## `{preset}`", "", descriptions.get(preset, ""), ""]
        mine = pictures.get(preset, {})
        if "samples" in mine:
            lines += [f"{mine['samples_caption']}:", "", f"![{preset} samples]({mine['samples']})", ""]
        if "losses" in mine:
            lines += ["Losses (one line per seed; dashed: diverged or failed):", "",
                      f"![{preset} losses]({mine['losses']})", ""]
        if not mine:
            lines += ["No pictures: no run of this preset wrote samples or losses.", ""]
    return "\n".join(lines)


def write_outputs(results: dict, out: Path, report: Optional[Path] = None, notes: str = "") -> Path:
    """The plots and the report (default out/report.md; written atomically, picture links relative
    to its folder, `notes` markdown after the tables); returns the report path."""
    report = Path(report) if report is not None else out / REPORT_FILE

    def link(path: Path) -> str:
        return Path(os.path.relpath(path, report.parent)).as_posix()

    kind = results_kind(results)
    plots = out / PLOTS_DIR
    plots.mkdir(parents=True, exist_ok=True)
    pictures: dict[str, dict[str, str]] = {}
    for preset in results["settings"]["presets"]:
        records = [record for record in results["records"] if record["preset"] == preset]
        mine: dict[str, str] = {}
        copied = copy_samples(records, out, plots / f"{preset}-samples.png")
        if copied is not None:
            path, record, source = copied
            step = int(source.stem.split("_")[-1])
            what = (f"Final samples of seed {record['seed']} (step {step})" if record["status"] == "ok" else
                    f"No run finished; the last samples of seed {record['seed']} before it {record['status']} "
                    f"(step {step})")
            mine["samples"] = link(path)
            mine["samples_caption"] = what + (", with the mode centres as red crosses" if kind.name == "toy" else "")
        losses = plot_losses(preset, records, out, plots / f"{preset}-losses.png")
        if losses is not None:
            mine["losses"] = link(losses)
        pictures[preset] = mine
    summary = plot_metrics(results["records"], results["settings"]["presets"], kind, plots / "metrics.png")
    if summary is not None:
        pictures[""] = {"metrics": link(summary)}
    report.parent.mkdir(parents=True, exist_ok=True)
    with replacing(report) as temporary:
        temporary.write_text(render_report(results, pictures, notes))
    return report


# --- the library entry point -----------------------------------------------------------------

def _now() -> str:
    return datetime.datetime.now().isoformat(timespec="seconds")


def date_and_machine() -> str:
    """A report's header line (the lab reports and scripts/*_report.py): "Date: <now>. Machine:
    <N> CPUs, <system> <architecture>, Python <version>" (no TensorFlow import)."""
    return (f"Date: {_now()}. Machine: {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}")


def _read_notes(notes: Optional[PathLike]) -> str:
    if notes is None:
        return ""
    path = Path(notes)
    if path.suffix.lower() != ".md":
        raise CompareError(f"--notes must name a markdown file ending in .md, got {str(notes)!r}.")
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise CompareError(f"Cannot read --notes {str(notes)!r}: {error.strerror if isinstance(error, OSError) else error}.") from None


def compare(presets: Union[str, Sequence[str]], data: str, steps: Optional[int], seeds: int, out: PathLike,
            overrides: Optional[dict[str, Any]] = None, num: Optional[int] = None, progress: bool = True,
            echo: Optional[Callable[[str], None]] = print, report: Optional[PathLike] = None,
            notes: Optional[PathLike] = None) -> dict:
    """Train every preset under seeds 0..seeds-1 on `data`, evaluate each run and write
    `out`/results.json, `out`/report.md and `out`/plots/ (see the module docstring).

    `steps` None keeps each preset's own; `overrides` ({"generator.width": 16}) apply to every
    preset; `num` is the evaluation's sample count (default by data kind: 2,500 toy points, 26,000
    Stacked MNIST images, 5,000 other images). `report` puts the markdown elsewhere than
    `out`/report.md (e.g. reports/ring8.md beside reports/ring8/); `notes` names a markdown file
    inserted after the tables (the setting, its sources and deviations). Bad input raises
    CompareError before anything is written; a diverged or failed run is recorded, not raised.
    Returns the results.json content.
    """
    from tfgan_zoo.training import runner

    say = echo or (lambda message: None)
    names = _preset_list(presets)
    if not isinstance(data, str) or not data.strip():
        raise CompareError("--data needs a data spec, e.g. toy:ring8, toy:grid25, mnist5k, stacked_mnist or emoji32.")
    steps = _check_count("--steps", steps, allow_none=True)
    seeds = _check_count("--seeds", seeds)
    num = _check_count("--num", num, allow_none=True)
    overrides = dict(overrides or {})
    out_path = Path(out)
    notes_text = _read_notes(notes)
    try:
        runner.check_writable(out_path)
        if report is not None:
            if Path(report).suffix.lower() != ".md":
                raise CompareError(f"--report must name a markdown file ending in .md, got {str(report)!r}.")
            runner.check_writable(Path(report).parent, "report folder")
    except runner.RunError as error:
        raise CompareError(str(error)) from None
    info, total_steps = _validate_presets(names, data, steps, overrides, out_path)
    kind = data_kind(data, info)
    argv = command_argv(names, data, steps, seeds, out, overrides, num, report, notes)
    settings = {"presets": names, "data": data, "steps": steps, "seeds": seeds, "overrides": overrides, "num": num,
                "kind": kind.name}
    previous, previous_created = _load_previous(out_path, settings)
    grid = [(preset, seed) for preset in names for seed in range(seeds)]
    for preset, seed in grid:
        if not _reusable(previous.get((preset, seed)), out_path, total_steps[preset]):
            _check_run_dir(out_path / RUNS_DIR / preset / f"seed{seed}", preset, seed)

    # Everything checked: from here on `out` is written.
    out_path.mkdir(parents=True, exist_ok=True)
    results = {"format": FORMAT, "argv": argv, "command": shlex.join(argv), "settings": settings,
               "created": previous_created or _now(), "updated": _now(), "machine": _machine(), "records": [], "aggregates": {}}
    for index, (preset, seed) in enumerate(grid, start=1):
        tag = f"[{index}/{len(grid)}] {preset} seed {seed}"
        record = previous.get((preset, seed))
        if _reusable(record, out_path, total_steps[preset]):
            say(f"{tag}: reused from {RESULTS_FILE}: {_result_line(record, kind)}")
        else:
            say(f"{tag}: training {total_steps[preset]} steps ...")
            record = _train_and_evaluate(_new_record(preset, seed, total_steps[preset]), out_path, data, overrides,
                                         num, kind, progress)
            say(f"{tag}: {_result_line(record, kind)}")
        results["records"].append(record)
        results["aggregates"] = aggregate(results["records"], names)
        results["updated"] = _now()
        runner.write_json_atomic(out_path / RESULTS_FILE, results)
    write_outputs(results, out_path, None if report is None else Path(report), notes_text)
    return results


__all__ = ["DATA_KINDS", "Column", "CompareError", "DataKind", "aggregate", "command_argv", "compare", "data_kind",
           "render_report", "results_kind", "summary_table", "write_outputs"]
