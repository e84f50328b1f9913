"""`tfgan-zoo compare`: every preset under every seed into ordinary run directories, results.json
(records, aggregates = means over ok seeds), report.md (the regenerating command, the table, PNG
links that exist); diverged and failed runs are reported, not dropped; bad input gives exit 2 and
writes nothing; a second invocation reuses the finished runs. Tiny widths and steps throughout."""
import json
import os
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from tfgan_zoo import cli, compare as compare_lib, presets
from tfgan_zoo.training import runner

TINY = ["--set", "training.batch_size=64", "--set", "generator.width=16", "--set", "discriminator.width=16",
        "--set", "training.log_every=10", "--no-progress"]
TINY_OVERRIDES = {"training.batch_size": 64, "generator.width": 16, "discriminator.width": 16,
                  "training.log_every": 10}


def run_main(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def toy_args(out):
    return ["compare", "--presets", "gan_toy,hinge_sn_toy", "--data", "toy:ring8", "--steps", "30",
            "--seeds", "2", *TINY, "--out", str(out)]


def png_links(report):
    return re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report)


@pytest.fixture(scope="module")
def toy_lab(tmp_path_factory):
    out = tmp_path_factory.mktemp("lab") / "ring8"
    code = cli.main(toy_args(out))
    assert code == 0
    return out


def test_results_hold_one_record_per_preset_and_seed(toy_lab):
    results = json.loads((toy_lab / "results.json").read_text())
    assert [(r["preset"], r["seed"]) for r in results["records"]] == [
        ("gan_toy", 0), ("gan_toy", 1), ("hinge_sn_toy", 0), ("hinge_sn_toy", 1)]
    assert results["settings"] == {"presets": ["gan_toy", "hinge_sn_toy"], "data": "toy:ring8", "steps": 30,
                                   "seeds": 2, "overrides": TINY_OVERRIDES, "num": None, "kind": "toy"}
    assert results["argv"][:2] == ["tfgan-zoo", "compare"] and results["command"] == shlex.join(results["argv"])
    for record in results["records"]:
        assert record["status"] == "ok" and record["error"] is None
        assert record["steps"] == record["step"] == 30 and record["seconds"] > 0
        metrics = record["metrics"]
        assert set(metrics) == {"modes_covered", "num_modes", "high_quality_percent", "num_samples"}
        assert isinstance(metrics["modes_covered"], int) and 0 <= metrics["modes_covered"] <= 8
        assert metrics["num_modes"] == 8 and metrics["num_samples"] == 2500
        assert 0.0 <= metrics["high_quality_percent"] <= 100.0
        # An ordinary run directory: its own config (seed) and eval.json with the same numbers.
        run_dir = toy_lab / record["run_dir"]
        assert record["run_dir"] == f"runs/{record['preset']}/seed{record['seed']}"
        assert runner.read_run_config(run_dir)["run"]["seed"] == record["seed"]
        evaluation = json.loads((run_dir / "eval.json").read_text())
        assert evaluation["modes"]["modes_covered"] == metrics["modes_covered"]


def test_aggregates_are_the_mean_and_std_over_seeds(toy_lab):
    results = json.loads((toy_lab / "results.json").read_text())
    for preset in ("gan_toy", "hinge_sn_toy"):
        mine = [r for r in results["records"] if r["preset"] == preset]
        summary = results["aggregates"][preset]
        assert (summary["runs"], summary["ok"], summary["diverged"], summary["failed"]) == (2, 2, 0, 0)
        assert summary["seconds_mean"] == pytest.approx(np.mean([r["seconds"] for r in mine]))
        assert set(summary["metrics"]) == {"modes_covered", "high_quality_percent"}
        for key, value in summary["metrics"].items():
            values = [r["metrics"][key] for r in mine]
            assert value["mean"] == pytest.approx(np.mean(values))
            assert value["std"] == pytest.approx(np.std(values))


def test_report_opens_with_the_command_and_shows_table_and_pictures(toy_lab):
    results = json.loads((toy_lab / "results.json").read_text())
    report = (toy_lab / "report.md").read_text()
    command = ("tfgan-zoo compare --presets gan_toy,hinge_sn_toy --data toy:ring8 --steps 30 --seeds 2 "
               "--set training.batch_size=64 --set generator.width=16 --set discriminator.width=16 "
               f"--set training.log_every=10 --out {shlex.quote(str(toy_lab))}")
    assert results["command"] == command
    assert report.index(command) < report.index("| Preset |")
    assert f"Machine: {os.cpu_count()} CPUs" in report
    assert "| Preset | Modes (max 8) | % high quality | Runs ok/diverged/failed |" in report
    for preset in ("gan_toy", "hinge_sn_toy"):
        metrics = results["aggregates"][preset]["metrics"]
        modes = metrics["modes_covered"]
        row = f"| `{preset}` | {modes['mean']:.1f} ± {modes['std']:.1f} |"
        assert row in report and "| 2/0/0 |" in report
    links = png_links(report)
    for name in ("gan_toy-samples", "gan_toy-losses", "hinge_sn_toy-samples", "hinge_sn_toy-losses", "metrics"):
        assert f"plots/{name}.png" in links
    for link in links:
        assert not Path(link).is_absolute() and (toy_lab / link).is_file(), link


def test_a_second_invocation_reuses_finished_runs(toy_lab, capsys, monkeypatch):
    before = json.loads((toy_lab / "results.json").read_text())

    def no_training(*args, **kwargs):
        raise AssertionError("a finished run was trained again")

    monkeypatch.setattr(runner, "train", no_training)
    code, out, err = run_main(capsys, *toy_args(toy_lab))
    assert code == 0 and err.count("reused from results.json") == 4
    after = json.loads((toy_lab / "results.json").read_text())
    assert after["records"] == before["records"] and after["aggregates"] == before["aggregates"]
    assert "| `gan_toy` |" in out
    # Other settings into the same directory are refused before anything is trained.
    code, _, err = run_main(capsys, *toy_args(toy_lab)[:-2], "--set", "generator.width=8", "--out", str(toy_lab))
    assert code == 2 and "different settings" in err
    assert json.loads((toy_lab / "results.json").read_text()) == after
    # --report writes the markdown elsewhere, its picture links relative to it.
    elsewhere = toy_lab.parent / "reports" / "toy.md"
    code, _, _ = run_main(capsys, *toy_args(toy_lab), "--report", str(elsewhere))
    report = elsewhere.read_text()
    assert code == 0 and f"--report {elsewhere}" in report
    for link in png_links(report):
        assert link.startswith("../") and (elsewhere.parent / link).is_file(), link
    code, _, err = run_main(capsys, *toy_args(toy_lab), "--report", str(toy_lab.parent / "r.txt"))
    assert code == 2 and "must name a markdown file" in err


def test_diverged_and_failed_runs_are_reported_not_dropped(tmp_path, monkeypatch):
    diverging = presets.get_config("gan_toy")
    diverging["description"] = "gan_toy with learning rates of 1e30"
    diverging["d_optimizer"]["learning_rate"] = diverging["g_optimizer"]["learning_rate"] = 1e30
    monkeypatch.setitem(presets._registry._PRESETS, "diverging_toy", diverging)
    train = runner.train

    def fail_seed_1(preset, **kwargs):
        if preset == "gan_toy" and kwargs["seed"] == 1:
            raise RuntimeError("out of memory (simulated)")
        return train(preset, **kwargs)

    monkeypatch.setattr(runner, "train", fail_seed_1)
    messages = []
    results = compare_lib.compare("gan_toy,diverging_toy", "toy:ring8", 20, 2, tmp_path / "lab",
                                  overrides=TINY_OVERRIDES, num=500, progress=False, echo=messages.append)
    assert "[1/4] gan_toy seed 0: training 20 steps ..." in messages
    statuses = [(r["preset"], r["seed"], r["status"]) for r in results["records"]]
    assert statuses == [("gan_toy", 0, "ok"), ("gan_toy", 1, "failed"),
                        ("diverging_toy", 0, "diverged"), ("diverging_toy", 1, "diverged")]
    failed = results["records"][1]
    assert failed["error"] == "RuntimeError: out of memory (simulated)" and failed["metrics"] is None
    for record in results["records"][2:]:
        assert record["metrics"] is None and 1 <= record["step"] < 20
        assert re.fullmatch(r"diverged at step \d+ \([dg]_(adv|loss)=(nan|inf|-inf).*\)", record["note"])
    assert results == json.loads((tmp_path / "lab" / "results.json").read_text())
    ok, bad = results["aggregates"]["gan_toy"], results["aggregates"]["diverging_toy"]
    assert (ok["ok"], ok["diverged"], ok["failed"]) == (1, 0, 1)
    assert ok["metrics"]["modes_covered"] == {"mean": results["records"][0]["metrics"]["modes_covered"], "std": 0.0}
    assert (bad["ok"], bad["diverged"], bad["failed"], bad["metrics"], bad["seconds_mean"]) == (0, 2, 0, {}, None)
    report = (tmp_path / "lab" / "report.md").read_text()
    assert "| `diverging_toy` | — | — | 0/2/0 | — |" in report and "| 1/0/1 |" in report
    assert results["records"][2]["note"] in report and "failed: RuntimeError" in report
    for link in png_links(report):
        assert (tmp_path / "lab" / link).is_file(), link


def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "lab"
    code, _, err = run_main(capsys, "compare", "--presets", "gan_toy,gan_toyy", "--data", "toy:ring8",
                            "--out", str(out))
    assert code == 2 and "Unknown preset(s) 'gan_toyy'" in err and "Did you mean 'gan_toy'" in err
    assert "Valid presets: " in err and "wgangp_toy" in err
    code, _, err = run_main(capsys, "compare", "--presets", "gan_toy", "--data", "toy:ring8", "--steps", "0",
                            "--out", str(out))
    assert code == 2 and "--steps" in err
    code, _, err = run_main(capsys, "compare", "--presets", "gan_toy,dcgan_mnist5k", "--data", "toy:ring8",
                            "--steps", "5", "--out", str(out))
    assert code == 2 and "dcgan_mnist5k" in err
    code, _, err = run_main(capsys, "compare", "--presets", "gan_toy", "--data", "toy:ring8", "--steps", "5",
                            "--set", "generator.widht=3", "--out", str(out))
    assert code == 2 and "generator.widht" in err
    assert list(tmp_path.iterdir()) == []


def test_images_report_mnist_fid_and_class_coverage(tmp_path, capsys):
    out = tmp_path / "mnist"
    code, stdout, _ = run_main(capsys, "compare", "--presets", "dcgan_mnist5k", "--data", "mnist5k", "--steps", "10",
                               "--seeds", "1", "--set", "generator.width=8", "--set", "discriminator.width=8",
                               "--set", "training.batch_size=16", "--set", "training.num_samples=16",
                               "--num", "200", "--no-progress", "--out", str(out))
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    (record,) = results["records"]
    metrics = record["metrics"]
    assert record["status"] == "ok" and results["settings"]["kind"] == "mnist"
    assert np.isfinite(metrics["fid"]) and metrics["fid"] > 0
    assert 1 <= metrics["classes_covered"] <= metrics["num_classes"] == 10
    assert 0.1 <= metrics["max_class_fraction"] <= 1.0 and metrics["num_samples"] == 200
    report = (out / "report.md").read_text()
    assert 0.0 <= metrics["confident_fraction"] <= 1.0
    assert "| Preset | MNIST FID | Classes covered (of 10) | Max class share % | Read with p > 0.9 % |" in report
    assert f"| {100 * metrics['confident_fraction']:.1f} ± 0.0 |" in report
    assert f"| `dcgan_mnist5k` | {metrics['fid']:.2f} ± 0.00 |" in report and "MNIST FID" in stdout
    assert "plots/dcgan_mnist5k-samples.png" in png_links(report)
    for link in png_links(report):
        assert (out / link).is_file(), link


def test_toy_reports_show_the_published_figures_beside_ours(toy_lab):
    from tfgan_zoo.compare import PUBLISHED_TOY

    report = (toy_lab / "report.md").read_text()
    assert report.index("| Preset | Modes (max 8)") < report.index("| Method | Modes | % high quality |")
    for method, modes, quality in PUBLISHED_TOY["ring8"]:
        assert f"| {method} | {modes:g} | {quality:g} |" in report
