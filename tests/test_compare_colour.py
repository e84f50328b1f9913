"""`tfgan-zoo compare` on colour data: stacked_mnist runs are tabulated by modes (of 1,000) and
KL to uniform beside the published Stacked MNIST tables, emoji runs by emoji FID / KID, precision / recall, groups and (conditional) label accuracy;
`--notes FILE.md` goes into the report after the tables. Two training steps at tiny widths."""
import json

import pytest

from tfgan_zoo import cli, compare as compare_lib

TINY = ["--steps", "2", "--seeds", "1", "--set", "generator.width=4", "--set", "discriminator.width=4",
        "--set", "training.batch_size=16", "--set", "training.num_samples=16", "--set", "training.log_every=2",
        "--no-progress"]


def run_compare(capsys, *argv):
    code = cli.main(["compare", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_stacked_mnist_lab_shows_modes_and_kl_beside_the_published_tables_and_the_notes(tmp_path, capsys):
    notes = tmp_path / "notes.md"
    notes.write_text("## Setting\n\nOur networks are smaller than the published ones.\n")
    out = tmp_path / "lab"
    code, stdout, _ = run_compare(capsys, "--presets", "dcgan_stacked_mnist", "--data", "stacked_mnist:256",
                                  *TINY, "--num", "300", "--out", str(out), "--notes", str(notes))
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    (record,) = results["records"]
    assert results["settings"]["kind"] == "stacked_mnist" and record["status"] == "ok"
    # the record holds what `evaluate` wrote into the run directory, on 300 samples
    evaluation = json.loads((out / record["run_dir"] / "eval.json").read_text())["modes"]
    metrics = record["metrics"]
    for key in ("modes_covered", "num_modes", "kl_to_uniform", "max_mode_fraction", "num_samples"):
        assert metrics[key] == evaluation[key]
    assert metrics["num_modes"] == 1000 and metrics["num_samples"] == 300
    report = (out / "report.md").read_text()
    header = "| Preset | Modes (of 1,000) | KL to uniform | Max mode share % |"
    row = (f"| `dcgan_stacked_mnist` | {metrics['modes_covered']:.1f} ± 0.0 | {metrics['kl_to_uniform']:.2f} ± 0.00 "
           f"| {100 * metrics['max_mode_fraction']:.1f} ± 0.0 |")
    assert header in report and row in report and header in stdout
    assert f"| {metrics['modes_covered']}/1000 |" in report  # the per-run table
    # the published tables follow ours, then the notes, then the runs
    for _, source, rows in compare_lib.PUBLISHED_STACKED_MNIST:
        assert source in report
        for method, modes, kl in rows:
            assert f"| {method} | {modes} | {kl} |" in report
    assert report.index(header) < report.index("| DCGAN | 99.0 | 3.40 |") < report.index("## Setting") < \
        report.index("## Runs")
    assert f"--notes {notes}" in results["command"] and results["command"] in report


def test_emoji_lab_shows_fid_kid_precision_recall_groups_and_the_label_accuracy_of_conditional_presets(
        tmp_path, capsys):
    out = tmp_path / "lab"
    code, _, _ = run_compare(capsys, "--presets", "dcgan_emoji32,cdcgan_emoji32", "--data", "emoji32", *TINY,
                             "--num", "200", "--out", str(out))
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    unconditional, conditional = results["records"]
    report = (out / "report.md").read_text()
    assert ("| Preset | Emoji FID | Emoji KID | Precision | Recall | Groups covered (of 9) | Max group share % "
            "| Label accuracy % | Runs ok/diverged/failed | Wall s per run | Wall s per step |") in report
    for record in (unconditional, conditional):
        evaluation = json.loads((out / record["run_dir"] / "eval.json").read_text())
        metrics = record["metrics"]
        assert results["settings"]["kind"] == "emoji" and evaluation["features"] == "emoji"
        assert metrics["fid"] == evaluation["fid"] and metrics["kid"] == evaluation["kid"]["mean"]
        assert (metrics["precision"], metrics["recall"]) == (evaluation["pr"]["precision"], evaluation["pr"]["recall"])
        assert metrics["num_classes"] == 9 and 1 <= metrics["classes_covered"] <= 9
        summary = results["aggregates"][record["preset"]]
        assert summary["seconds_per_step_mean"] == pytest.approx(record["seconds"] / 2)
        row = (f"| `{record['preset']}` | {metrics['fid']:.2f} ± 0.00 | {metrics['kid']:.3f} ± 0.000 "
               f"| {metrics['precision']:.3f} ± 0.000 | {metrics['recall']:.3f} ± 0.000 |")
        assert row in report
    assert "label_accuracy" not in unconditional["metrics"]
    assert conditional["metrics"]["label_accuracy"] == evaluation["classes"]["label_accuracy"]
    accuracy = 100 * conditional["metrics"]["label_accuracy"]
    assert f"| {accuracy:.1f} ± 0.0 | 1/0/0 |" in report
    assert "| — | 1/0/0 |" in report  # the unconditional preset has no label accuracy
    assert "FID 0.94, KID -0.022" in report  # the real-data floors in the protocol sentence


@pytest.mark.parametrize("name, message", [("notes.txt", "must name a markdown file ending in .md"),
                                           ("missing.md", "Cannot read --notes")])
def test_bad_notes_exit_2_and_write_nothing(tmp_path, capsys, name, message):
    (tmp_path / "notes.txt").write_text("not markdown")
    code, _, err = run_compare(capsys, "--presets", "dcgan_stacked_mnist", "--data", "stacked_mnist:256", *TINY,
                               "--out", str(tmp_path / "lab"), "--notes", str(tmp_path / name))
    assert code == 2 and message in err and name in err
    assert not (tmp_path / "lab").exists()
