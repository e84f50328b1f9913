"""The `tfgan-zoo` command: list, train, sample; bad input gives exit 2, one error line and nothing
written; a non-finite loss gives exit 1. Most tests call `main` in-process; a few run the installed
console script (each costs a TensorFlow import)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tfgan_zoo import cli, presets
from tfgan_zoo.cli import registry

TINY_TOY = ["--preset", "gan_toy", "--batch-size", "16", "--no-progress",
            "--set", "generator.width=8", "--set", "discriminator.width=8",
            "--set", "training.log_every=2", "--set", "training.sample_every=2",
            "--set", "training.checkpoint_every=2", "--set", "training.num_samples=100"]
SCRIPT = Path(sys.executable).with_name("tfgan-zoo")


def run_main(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def error_line(err):
    lines = [line for line in err.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def snapshot(folder):
    return sorted((str(p.relative_to(folder)), p.stat().st_mtime_ns) for p in Path(folder).rglob("*"))


def test_list_prints_every_preset_with_what_it_demonstrates(capsys):
    code, out, _ = run_main(capsys, "list")
    assert code == 0
    lines = out.strip().splitlines()
    described = presets.list_presets()
    assert len(lines) == len(described)
    for line, (name, description) in zip(lines, described.items()):
        assert line.startswith(name + " ") and description in line


def test_no_command_prints_help_and_fails(capsys):
    code, _, err = run_main(capsys)
    assert code == 2 and "train" in err and "sample" in err


def test_train_then_sample_in_process(capsys, tmp_path):
    out = tmp_path / "run"
    code, stdout, _ = run_main(capsys, "train", *TINY_TOY, "--steps", "4", "--out", str(out), "--seed", "3")
    assert code == 0 and f"Run directory: {out}" in stdout
    config = json.loads((out / "config.json").read_text())
    assert config["run"]["seed"] == 3 and config["model"]["seed"] == 3 and config["training"]["steps"] == 4
    assert config["generator"]["width"] == 8
    for name in ("checkpoints/step_000004.npz", "samples/step_000004.png", "metrics.csv", "generator.keras"):
        assert (out / name).exists(), name
    code, stdout, _ = run_main(capsys, "sample", "--run", str(out), "--num", "30", "--out", str(tmp_path / "p.npy"))
    assert code == 0 and "Wrote 30 samples" in stdout
    assert np.load(tmp_path / "p.npy").shape == (30, 2)
    code, _, _ = run_main(capsys, "train", "--out", str(out), "--resume", "--steps", "6", "--no-progress")
    assert code == 0 and (out / "checkpoints" / "step_000006.npz").exists()


# --- bad input: exit 2, one clear line, nothing written --------------------------------------

def make_folder(root, modes):
    root.mkdir()
    for i, mode in enumerate(modes):
        Image.new(mode, (28, 28)).save(root / f"{i}.png")
    return root


@pytest.mark.parametrize("args, message", [
    (["--preset", "dcgan_mnist"], r"Unknown preset 'dcgan_mnist' .* Did you mean 'dcgan_mnist5k'"),
    (["--data", "cifar10"], r"Unknown data spec 'cifar10'.* write 'tfds:cifar10'"),
    (["--data", "folder:{tmp}/empty"], r"No images found in folder"),
    (["--data", "folder:{tmp}/mixed"], r"mixed channel counts: .*0.png' has 1 channel\(s\) but .*1.png' has 3"),
    (["--data", "folder:{tmp}/missing"], r"does not exist"),
    (["--set", "d_optimizer.learnin_rate=1e-3"], r"Unknown config key 'd_optimizer.learnin_rate'. "
                                                 r"Nearest valid keys: d_optimizer.learning_rate"),
    (["--set", "learning_rate"], r"--set expects key=value"),
    (["--set", "generator.width=-2"], r"Cannot build the GAN from this config: .*width"),
    (["--preset", "gan_toy", "--data", "mnist5k"], r"holds images .* use an image preset"),
    (["--preset", "cdcgan_mnist5k", "--data", "folder:{tmp}/gray"], r"conditional .* has no labels"),
    (["--set", "training.log_every=0"], r"training.log_every must be an integer >= 1, got 0"),
    # Values that can only be mistakes: one line naming the key, the value and the expected range.
    (["--set", "g_optimizer.learning_rate=-2e-4"], r"g_optimizer.learning_rate must be a finite learning rate > 0, got -0.0002\.$"),
    (["--set", "d_optimizer.learning_rate=NaN"], r"d_optimizer.learning_rate must be a finite number, got nan\.$"),
    (["--set", "d_optimizer.beta_2=1"], r"d_optimizer.beta_2 must be a number in \[0, 1\), got 1\.$"),
    (["--set", "compile.d_steps=0"], r"d_steps must be an integer >= 1, got 0\.$"),
    (["--set", "compile.ema_decay=1.0"], r"ema_decay must be None or in \(0, 1\), got 1.0\.$"),
    (["--set", "training.keep_checkpoints=0"], r"training.keep_checkpoints must be an integer >= 1, got 0\.$"),
    (["--set", "compile.generator_adversarial_weight=-1"],
     r"compile.generator_adversarial_weight must be a finite number >= 0, got -1\.$"),
])
def test_bad_input_is_refused_before_anything_is_written(capsys, tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    make_folder(tmp_path / "mixed", ["L", "RGB"])
    make_folder(tmp_path / "gray", ["L", "L"])
    before = snapshot(tmp_path)
    out = tmp_path / "run"
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = run_main(capsys, "train", *args, "--steps", "2", "--out", str(out), "--no-progress")
    assert code == 2
    assert error_line(err).startswith("tfgan-zoo: error: ")
    import re
    assert re.search(message, error_line(err)), error_line(err)
    assert "Traceback" not in err
    assert snapshot(tmp_path) == before and not out.exists()


def test_channels_converts_a_folder_of_mixed_images(capsys, tmp_path):
    folder = make_folder(tmp_path / "mixed", ["L", "RGB", "RGB", "L"])
    out = tmp_path / "run"
    code, _, err = run_main(capsys, "train", "--data", f"folder:{folder}", "--channels", "3", "--steps", "2",
                            "--batch-size", "2", "--out", str(out), "--no-progress",
                            "--set", "generator.width=4", "--set", "discriminator.width=4")
    assert code == 0, err
    config = json.loads((out / "config.json").read_text())
    assert config["generator"]["channels"] == config["discriminator"]["channels"] == 3
    assert config["run"]["channels"] == 3
    assert Image.open(out / "samples" / "step_000002.png").mode == "RGB"


@pytest.mark.parametrize("steps", ["0", "-3", "many"])
def test_steps_must_be_a_positive_integer(capsys, tmp_path, steps):
    code, _, err = run_main(capsys, "train", "--steps", steps, "--out", str(tmp_path / "run"))
    assert code == 2 and f"argument --steps: expected an integer >= 1, got '{steps}'" in error_line(err)
    assert not (tmp_path / "run").exists()


def test_an_existing_run_is_not_overwritten_without_resume(capsys, tmp_path):
    out = tmp_path / "run"
    assert run_main(capsys, "train", *TINY_TOY, "--steps", "2", "--out", str(out))[0] == 0
    before = snapshot(out)
    code, _, err = run_main(capsys, "train", *TINY_TOY, "--steps", "2", "--out", str(out))
    assert code == 2 and "already holds a run (config.json); pass --resume" in error_line(err)
    assert snapshot(out) == before


def test_resume_needs_a_checkpoint(capsys, tmp_path):
    code, _, err = run_main(capsys, "train", "--resume", "--out", str(tmp_path / "nothing"))
    assert code == 2 and "run directory" in error_line(err) and "does not exist" in error_line(err)
    assert not (tmp_path / "nothing").exists()
    run = tmp_path / "started"
    run.mkdir()
    (run / "config.json").write_text(json.dumps(presets.get_config("gan_toy")))  # not written by `train`
    before = snapshot(run)
    code, _, err = run_main(capsys, "train", "--resume", "--out", str(run))
    assert code == 2 and "has no checkpoint, and its config.json was not written by `tfgan-zoo train`" in error_line(err)
    assert snapshot(run) == before


def test_unwritable_output_path(capsys, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    code, _, err = run_main(capsys, "train", "--steps", "2", "--out", str(blocker / "run"))
    assert code == 2 and "Cannot create output directory" in error_line(err) and "is not a directory" in error_line(err)
    code, _, err = run_main(capsys, "train", "--steps", "2", "--out", str(blocker))
    assert code == 2 and "exists and is not a directory" in error_line(err)
    if os.geteuid() != 0:  # root ignores permission bits
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        code, _, err = run_main(capsys, "train", "--steps", "2", "--out", str(locked / "run"))
        assert code == 2 and "Cannot write to output directory" in error_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) in (["a_file"], ["a_file", "locked"])


def test_sample_bad_input(capsys, tmp_path):
    code, _, err = run_main(capsys, "sample", "--run", str(tmp_path / "none"), "--out", str(tmp_path / "x.png"))
    assert code == 2 and "does not exist" in error_line(err)
    code, _, err = run_main(capsys, "sample", "--run", str(tmp_path), "--num", "0", "--out", str(tmp_path / "x.png"))
    assert code == 2 and "argument --num: expected an integer >= 1" in error_line(err)
    assert list(tmp_path.iterdir()) == []


# --- failures while running: exit 1 ----------------------------------------------------------

def test_non_finite_loss_exits_1_naming_the_step_and_term(capsys, tmp_path):
    import re

    out = tmp_path / "run"
    code, _, err = run_main(capsys, "train", *TINY_TOY, "--steps", "20", "--out", str(out),
                            "--set", "d_optimizer.learning_rate=1e30", "--set", "g_optimizer.learning_rate=1e30",
                            "--set", "training.checkpoint_every=1")
    line = error_line(err)
    assert code == 1 and "Traceback" not in err
    match = re.match(r"tfgan-zoo: error: Non-finite loss at step (\d+): [dg]_(adv|loss)=(nan|inf|-inf)", line)
    assert match, line
    step = int(match.group(1))
    assert step < 20 and not (out / "generator.keras").exists()
    # Checkpoints are written every step up to the failure, never for the failing step itself.
    assert sorted(p.name for p in (out / "checkpoints").glob("*.npz"))[-1:] == (
        [f"step_{step - 1:06d}.npz"] if step > 1 else [])


def test_a_nan_at_step_2_exits_1_and_leaves_nothing_behind(capsys, tmp_path):
    out = tmp_path / "run"
    code, _, err = run_main(capsys, "train", *TINY_TOY, "--steps", "50", "--out", str(out),
                            "--set", "d_optimizer.learning_rate=1e30", "--set", "g_optimizer.learning_rate=1e30",
                            "--set", "training.checkpoint_every=50")
    assert code == 1 and "Traceback" not in err
    assert error_line(err).endswith(f"No checkpoint had been written yet. With nothing to resume from, what the run had "
                                    f"written to {out} was removed.")
    assert list(tmp_path.iterdir()) == []
    assert run_main(capsys, "train", *TINY_TOY, "--steps", "2", "--out", str(out))[0] == 0  # a new run there works


def test_evaluate_uses_the_newest_intact_checkpoint(capsys, caplog, tmp_path):
    run = tmp_path / "run"
    assert run_main(capsys, "train", *TINY_TOY, "--steps", "4", "--out", str(run))[0] == 0
    (run / "checkpoints" / "step_000004.npz").write_bytes(b"")
    code, out, _ = run_main(capsys, "evaluate", "--run", str(run), "--num", "200")
    assert code == 0 and json.loads(out)["step"] == 2  # evaluated at step 2, not at the damaged step 4
    assert [r.getMessage() for r in caplog.records if "damaged" in r.getMessage()] == [
        f"warning: damaged checkpoint '{run}/checkpoints/step_000004.npz' (it is empty (0 bytes)); using the newest "
        "intact one, step_000002.npz (step 2), instead (left in place)."]


# --- the registry ----------------------------------------------------------------------------

def test_other_modules_can_register_sub_commands(capsys, monkeypatch):
    monkeypatch.setattr(registry, "_COMMANDS", dict(registry._COMMANDS))

    def configure(parser):
        parser.add_argument("--mode", default="ok")

    def run(args):
        if args.mode == "bad":
            raise cli.UsageError("bad mode")
        if args.mode == "fail":
            raise cli.CommandFailure("it failed")
        print("evaluated")
        return 0

    cli.register_command("evaluate-test", help="a test command", configure=configure, run=run)
    with pytest.raises(ValueError, match="already registered"):
        cli.register_command("evaluate-test", help="again", configure=configure, run=run)
    assert run_main(capsys, "evaluate-test")[:2] == (0, "evaluated\n")
    code, _, err = run_main(capsys, "evaluate-test", "--mode", "bad")
    assert (code, error_line(err)) == (2, "tfgan-zoo: error: bad mode")
    code, _, err = run_main(capsys, "evaluate-test", "--mode", "fail")
    assert (code, error_line(err)) == (1, "tfgan-zoo: error: it failed")


# --- the installed console script ------------------------------------------------------------

def script(*args, cwd):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not SCRIPT.exists(), reason="the tfgan-zoo console script is not installed")
def test_console_script_trains_with_a_progress_bar_and_samples(tmp_path):
    args = [a for a in TINY_TOY if a != "--no-progress"]
    done = script("train", *args, "--steps", "6", "--out", "run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "step 6/6" in done.stderr  # the progress bar
    assert "Done: step 6" in done.stdout
    sampled = script("sample", "--run", "run", "--num", "16", "--out", "grid.png", cwd=tmp_path)
    assert sampled.returncode == 0, sampled.stderr
    assert Image.open(tmp_path / "grid.png").mode == "RGB"  # toy points: a scatter plot


@pytest.mark.skipif(not SCRIPT.exists(), reason="the tfgan-zoo console script is not installed")
@pytest.mark.parametrize("args, message", [
    (["train", "--steps", "0", "--out", "run"], "tfgan-zoo train: error: argument --steps: expected an integer >= 1, got '0'"),
    (["train", "--preset", "nope", "--out", "run"], "tfgan-zoo: error: Unknown preset 'nope'"),
])
def test_console_script_bad_input_exit_code_and_message(tmp_path, args, message):
    done = script(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert error_line(done.stderr).startswith(message)
    assert "Traceback" not in done.stderr and list(tmp_path.iterdir()) == []


def tool_lines(stderr):
    """The lines tfgan-zoo itself printed on stderr (not TensorFlow's C++ start-up logging)."""
    return [line for line in stderr.splitlines() if line.startswith(("tfgan-zoo", "warning: ", "Traceback"))]


@pytest.mark.skipif(not SCRIPT.exists(), reason="the tfgan-zoo console script is not installed")
def test_two_train_processes_started_together_on_one_directory(tmp_path):
    # Long enough (150 steps, some seconds) that the winner still trains when the loser has imported
    # TensorFlow; the loser's check comes before it plans or writes anything.
    args = [*TINY_TOY, "--steps", "150", "--out", "run", "--set", "training.log_every=25",
            "--set", "training.sample_every=1000", "--set", "training.checkpoint_every=50"]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    processes = {seed: subprocess.Popen([str(SCRIPT), "train", *args, "--seed", str(seed)], cwd=tmp_path, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for seed in (1, 2)}
    results = {seed: (process, *process.communicate(timeout=300)) for seed, process in processes.items()}
    codes = {seed: process.returncode for seed, (process, _, _) in results.items()}
    assert sorted(codes.values()) == [0, 2], results
    winner = next(seed for seed, code in codes.items() if code == 0)
    loser = 3 - winner
    holder = results[winner][0].pid
    [line] = tool_lines(results[loser][2])
    assert line.startswith(f"tfgan-zoo: error: Run directory 'run' is in use by another training process (PID {holder} ")
    assert "Traceback" not in results[loser][2]
    # One consistent run: the winner's seed everywhere, each metrics row once.
    run = tmp_path / "run"
    assert json.loads((run / "config.json").read_text())["run"]["seed"] == winner
    from tfgan_zoo.training import checkpoint as ck

    assert [meta["extra"]["seed"] for meta in (ck.read_checkpoint(path)[1] for _, path in ck.list_checkpoints(run / "checkpoints"))] == [winner] * 3
    steps = [line.split(",")[0] for line in (run / "metrics.csv").read_text().splitlines()[1:]]
    assert steps == [str(step) for step in range(25, 151, 25)]
    assert sorted(p.name for p in (run / "samples").iterdir()) == ["step_000000.png", "step_000150.png"]
    assert not (run / ".lock").exists()


@pytest.mark.skipif(not SCRIPT.exists(), reason="the tfgan-zoo console script is not installed")
def test_console_script_falls_back_past_a_damaged_checkpoint_and_refuses_when_none_is_intact(capsys, tmp_path):
    assert run_main(capsys, "train", *TINY_TOY, "--steps", "4", "--out", str(tmp_path / "run"))[0] == 0
    checkpoints = tmp_path / "run" / "checkpoints"
    newest = checkpoints / "step_000004.npz"
    newest.write_bytes(newest.read_bytes()[:500])  # truncated
    done = script("sample", "--run", "run", "--num", "8", "--out", "points.npy", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert tool_lines(done.stderr) == [
        "warning: damaged checkpoint 'run/checkpoints/step_000004.npz' (not a readable .npz file (BadZipFile: File is "
        "not a zip file)); using the newest intact one, step_000002.npz (step 2), instead (left in place)."]
    assert newest.stat().st_size == 500 and np.load(tmp_path / "points.npy").shape == (8, 2)
    (checkpoints / "step_000002.npz").write_bytes(b"")
    done = script("train", "--resume", "--out", "run", "--steps", "6", "--no-progress", cwd=tmp_path)
    assert done.returncode == 2
    assert tool_lines(done.stderr) == [
        "tfgan-zoo: error: --resume: No intact checkpoint in 'run/checkpoints': every one is damaged: "
        "'run/checkpoints/step_000004.npz' (not a readable .npz file (BadZipFile: File is not a zip file)), "
        "'run/checkpoints/step_000002.npz' (it is empty (0 bytes))."]
    assert sorted(p.name for p in checkpoints.iterdir()) == ["step_000002.npz", "step_000004.npz"]


@pytest.mark.skipif(not SCRIPT.exists(), reason="the tfgan-zoo console script is not installed")
def test_console_script_interrupted_before_its_first_checkpoint_leaves_nothing(tmp_path):
    import signal
    import time

    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    process = subprocess.Popen([str(SCRIPT), "train", *TINY_TOY, "--steps", "100000", "--out", "run",
                                "--set", "training.checkpoint_every=100000", "--set", "training.sample_every=100000"],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while not (tmp_path / "run" / "samples" / "step_000000.png").exists():  # training has started
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)  # Ctrl-C
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130 and tool_lines(stderr)[-1].startswith("tfgan-zoo: error: interrupted")
    assert list(tmp_path.iterdir()) == []
