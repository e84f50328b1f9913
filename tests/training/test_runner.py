"""The training runner: exact resume, the run directory, sampling a run, the non-finite guard,
damaged checkpoints, the run-directory lock, runs failing before their first checkpoint, values
that can only be mistakes."""
import csv
import json
import math
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tfgan_zoo import presets
from tfgan_zoo.training import callbacks as cb
from tfgan_zoo.training import checkpoint as ck
from tfgan_zoo.training import runner

SCHEDULE = {"training.log_every": 2, "training.sample_every": 3, "training.checkpoint_every": 6,
            "training.keep_checkpoints": 2, "training.num_samples": 9}
TINY_DCGAN = {"generator.width": 4, "discriminator.width": 4, **SCHEDULE}
TINY_TOY = {"generator.width": 8, "discriminator.width": 8, "training.num_samples": 200,
            **{k: v for k, v in SCHEDULE.items() if k != "training.num_samples"}}


def train(out, preset="dcgan_mnist5k", steps=12, batch_size=8, overrides=None, **kwargs):
    tiny = TINY_TOY if preset.endswith("toy") else TINY_DCGAN
    return runner.train(preset, steps=steps, batch_size=batch_size, out=out,
                        overrides={**tiny, **(overrides or {})}, progress=False, **kwargs)


def final_state(run_dir, step):
    arrays, _ = ck.read_checkpoint(run_dir / "checkpoints" / f"step_{step:06d}.npz")
    return arrays


def assert_same_state(a, b):
    assert sorted(a) == sorted(b)
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-5, atol=1e-6, err_msg=key)


def max_difference(a, b):
    return max(float(np.max(np.abs(a[k].astype(np.float64) - b[k].astype(np.float64)))) for k in a if a[k].size)


@pytest.fixture(scope="module")
def dcgan_run(tmp_path_factory):
    """An uninterrupted tiny DCGAN run of 2N = 12 steps."""
    out = tmp_path_factory.mktemp("dcgan") / "run"
    result = train(out)
    return out, result


# --- exact resume ----------------------------------------------------------------------------

def test_2n_steps_equal_n_steps_stopped_then_resumed_for_n_more(dcgan_run, tmp_path):
    full, _ = dcgan_run
    out = tmp_path / "resumed"
    first = train(out, steps=6)
    assert first.step == 6 and (out / "checkpoints" / "step_000006.npz").is_file()
    resumed = runner.train(out=out, resume=True, steps=12, progress=False)
    assert (resumed.start_step, resumed.step) == (6, 12)
    # Generator, discriminator, EMA copy, BN statistics, seed state and both optimisers' moments.
    assert_same_state(final_state(full, 12), final_state(out, 12))


def test_resume_from_an_unaligned_step_with_critic_steps_and_gradient_penalty(tmp_path):
    # wgangp_toy with 2 critic steps (the preset's 5 only lengthen the tracing) and random GP
    # interpolation per step; resumed from step 7, which is neither a logging nor a checkpoint
    # boundary (the final checkpoint of a 7-step run).
    critic = {"compile.d_steps": 2}
    full = train(tmp_path / "full", preset="wgangp_toy", steps=12, batch_size=16, overrides=critic)
    train(tmp_path / "part", preset="wgangp_toy", steps=7, batch_size=16, overrides=critic)
    runner.train(out=tmp_path / "part", resume=True, steps=12, progress=False)
    assert_same_state(final_state(full.run_dir, 12), final_state(tmp_path / "part", 12))


def test_the_resume_test_detects_a_data_pipeline_that_restarts(dcgan_run, tmp_path, monkeypatch):
    """Control: resuming without skipping the consumed batches gives other weights, so the equality
    above is evidence of exact resume and not of a test that cannot fail."""
    full, _ = dcgan_run
    train(tmp_path / "run", steps=6)
    make_dataset = runner.make_dataset
    monkeypatch.setattr(runner, "make_dataset", lambda config, info, skip=0, strategy=None:
                        make_dataset(config, info, skip=0, strategy=strategy))
    runner.train(out=tmp_path / "run", resume=True, steps=12, progress=False)
    assert max_difference(final_state(full, 12), final_state(tmp_path / "run", 12)) > 1e-3


def test_resume_after_a_crash_drops_metric_rows_past_the_checkpoint(dcgan_run, tmp_path):
    full, _ = dcgan_run
    out = tmp_path / "run"
    train(out, steps=12)
    # Simulate a crash after step 12 was logged but before its checkpoint was written.
    (out / "checkpoints" / "step_000012.npz").unlink()
    runner.train(out=out, resume=True, progress=False)
    with open(out / "metrics.csv") as handle:
        steps = [int(row["step"]) for row in csv.DictReader(handle)]
    assert steps == [2, 4, 6, 8, 10, 12]
    assert_same_state(final_state(full, 12), final_state(out, 12))


def test_resume_of_a_finished_run_does_nothing_until_steps_grow(dcgan_run, tmp_path):
    full, _ = dcgan_run
    messages = []
    result = runner.train(out=full, resume=True, progress=False, echo=messages.append)
    assert result.step == 12 and "already at step 12 of 12" in messages[0]
    with pytest.raises(runner.RunError, match="below the step of the latest checkpoint"):
        runner.train(out=full, resume=True, steps=5, progress=False)


def test_resume_refuses_options_that_change_the_run(dcgan_run):
    full, _ = dcgan_run
    with pytest.raises(runner.RunError, match=r"--batch-size 8, not 16"):
        runner.train(out=full, resume=True, batch_size=16, steps=14, progress=False)
    with pytest.raises(runner.RunError, match=r"--set"):
        runner.train(out=full, resume=True, overrides={"generator.width": 8}, steps=14, progress=False)


# --- the run directory -----------------------------------------------------------------------

def test_run_directory_layout(dcgan_run):
    out, result = dcgan_run
    assert result.step == 12 and set(result.logs) == {"d_loss", "d_adv", "g_loss", "g_adv"}
    config = json.loads((out / "config.json").read_text())
    assert config["data"] == "mnist5k"
    assert config["training"]["steps"] == 12 and config["training"]["batch_size"] == 8
    assert config["run"]["preset"] == "dcgan_mnist5k" and config["run"]["seed"] == 0
    assert config["run"]["overrides"]["generator.width"] == 4 and config["generator"]["width"] == 4
    # Last K=2 checkpoints of those at 6 and 12.
    assert [p.name for _, p in ck.list_checkpoints(out / "checkpoints")] == ["step_000006.npz", "step_000012.npz"]
    assert sorted(p.name for p in (out / "samples").iterdir()) == [
        f"step_{s:06d}.png" for s in (0, 3, 6, 9, 12)]
    grid = Image.open(out / "samples" / "step_000012.png")
    assert grid.size == (3 * 30 + 2, 3 * 30 + 2) and grid.mode == "L"  # 9 digits of 28 px, 2 px gaps
    with open(out / "metrics.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["step"]) for r in rows] == [2, 4, 6, 8, 10, 12]
    assert {"elapsed_s", "d_loss", "g_loss", "d_adv", "g_adv"} <= set(rows[0])
    assert math.isclose(float(rows[-1]["d_loss"]), result.logs["d_loss"], rel_tol=1e-5)
    assert not [p for p in out.rglob(".*") if p.is_file()]  # no temporary files left behind


def test_tensorboard_has_scalars_and_sample_images(dcgan_run):
    out, _ = dcgan_run
    scalars, images = {}, []
    for path in (out / "tensorboard").glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                plugin = value.metadata.plugin_data.plugin_name
                if plugin == "scalars":
                    scalars.setdefault(value.tag, []).append(event.step)
                elif plugin == "images":
                    images.append((value.tag, event.step, tf.make_ndarray(value.tensor)))
    assert scalars["d_loss"] == [2, 4, 6, 8, 10, 12] and "g_adv" in scalars
    assert [(tag, step) for tag, step, _ in images] == [("samples", s) for s in (0, 3, 6, 9, 12)]
    width, height, png = images[-1][2]
    assert (int(width), int(height)) == (92, 92) and png.startswith(b"\x89PNG")


def test_final_generator_and_weights_reload(dcgan_run):
    out, result = dcgan_run
    generator = keras.models.load_model(out / "generator.keras")
    z = np.random.default_rng(0).standard_normal((4, 64)).astype("float32")
    np.testing.assert_allclose(generator(z).numpy(), result.gan.ema_generator(z).numpy(), atol=1e-6)
    gan = presets.from_preset(str(out))  # a run directory is a preset folder with trained weights
    np.testing.assert_allclose(gan.generate(z), result.gan.generate(z), atol=1e-6)


def test_default_output_directory_and_resume_of_the_newest_run(tmp_path):
    runs = tmp_path / "runs"
    first = runner.train("gan_toy", steps=2, batch_size=16, overrides=TINY_TOY, runs_dir=runs, progress=False)
    assert first.run_dir.parent == runs and first.run_dir.name.startswith("gan_toy-")
    resumed = runner.train("gan_toy", resume=True, steps=4, runs_dir=runs, progress=False)
    assert resumed.run_dir == first.run_dir and (resumed.start_step, resumed.step) == (2, 4)


# --- sampling a run --------------------------------------------------------------------------

def test_sample_png_grid_and_raw_npy(dcgan_run, tmp_path):
    out, result = dcgan_run
    npy = runner.sample_run(out, 5, tmp_path / "s.npy", seed=3)
    samples = np.load(npy)
    assert samples.shape == (5, 28, 28, 1) and samples.dtype == np.float32
    assert samples.min() >= -1.0 and samples.max() <= 1.0
    np.testing.assert_allclose(samples, result.gan.generate(5, seed=3), atol=1e-6)  # EMA generator
    png = runner.sample_run(out, 5, tmp_path / "sub" / "s.png", seed=3)
    assert Image.open(png).size == (3 * 30 + 2, 2 * 30 + 2)  # ceil(sqrt(5)) = 3 per row, 2 rows
    with pytest.raises(runner.RunError, match=r"must end in .png .* or .npy"):
        runner.sample_run(out, 5, tmp_path / "s.jpg")
    with pytest.raises(runner.RunError, match="is unconditional"):
        runner.sample_run(out, 5, tmp_path / "s.png", label=1)


def test_toy_run_samples_are_points_and_scatter_plots(tmp_path):
    out = tmp_path / "toy"
    train(out, preset="gan_toy", steps=4, batch_size=16)
    picture = Image.open(out / "samples" / "step_000003.png")
    assert picture.mode == "RGB" and picture.size == (480, 480)
    points = np.load(runner.sample_run(out, 50, tmp_path / "points.npy"))
    assert points.shape == (50, 2) and points.dtype == np.float32


def test_conditional_run_samples_one_class(tmp_path):
    out = tmp_path / "cond"
    train(out, preset="cdcgan_mnist5k", steps=2, overrides={"training.num_samples": 20})
    assert Image.open(out / "samples" / "step_000002.png").size == (10 * 30 + 2, 2 * 30 + 2)  # a column per class
    one_class = np.load(runner.sample_run(out, 4, tmp_path / "three.npy", label=3))
    assert one_class.shape == (4, 28, 28, 1)
    with pytest.raises(runner.RunError, match=r"--label 10 is out of range; .* classes 0..9"):
        runner.sample_run(out, 4, tmp_path / "x.npy", label=10)


# --- non-finite guard ------------------------------------------------------------------------

class AtStep(keras.callbacks.Callback):
    """Call `act()` after global step `at` (steps counted from 1)."""

    def __init__(self, at):
        super().__init__()
        self.at, self.seen = at, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.at:
            self.act()


class PoisonDiscriminator(AtStep):
    """Set a discriminator kernel to NaN after global step `at`."""

    def act(self):
        kernel = self.model.discriminator.trainable_variables[0]
        kernel.assign(tf.fill(kernel.shape, float("nan")))


def test_non_finite_loss_stops_training_and_keeps_the_last_good_checkpoint(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(runner.NonFiniteLossError) as raised:
        train(out, steps=12, overrides={"training.checkpoint_every": 2, "training.keep_checkpoints": 5},
              callbacks=[PoisonDiscriminator(at=5)])
    message = str(raised.value)
    assert message.startswith("Non-finite loss at step 6: d_adv=nan")
    assert "checkpoints/step_000004.npz" in message
    assert [s for s, _ in ck.list_checkpoints(out / "checkpoints")] == [2, 4]
    arrays, meta = ck.read_checkpoint(out / "checkpoints" / "step_000004.npz")
    assert meta["step"] == 4 and all(np.all(np.isfinite(a)) for a in arrays.values() if a.dtype.kind == "f")
    assert not (out / "generator.keras").exists()
    # The run can be resumed from its last good state.
    resumed = runner.train(out=out, resume=True, progress=False)
    assert (resumed.start_step, resumed.step) == (4, 12)


def test_checkpoint_callback_refuses_non_finite_weights_even_with_finite_logs(tmp_path):
    from tfgan_zoo.data import sample_toy

    config = presets.apply_overrides(presets.get_config("gan_toy"), {"generator.width": 8, "discriminator.width": 8})
    gan = presets.build_gan(config)
    checkpoints = cb.CheckpointCallback(tmp_path, every=2)

    class PoisonBeforeSaving(cb.StepCallback):
        def on_step_end(self, step, logs):
            if step == 4:
                kernel = self.model.generator.trainable_variables[0]
                kernel.assign(tf.fill(kernel.shape, float("inf")))

    data = tf.data.Dataset.from_tensor_slices(sample_toy("ring8", 16 * 6, seed=0)).batch(16)
    gan.fit(data, epochs=1, verbose=0, callbacks=[PoisonBeforeSaving(), checkpoints])
    assert [s for s, _ in ck.list_checkpoints(tmp_path)] == [2]
    assert "Not saving the checkpoint of step 4: non-finite values in model:" in checkpoints.error
    assert gan.stop_training


def test_step_counting_across_epochs_and_initial_step():
    steps = []

    class Record(cb.StepCallback):
        def on_step_end(self, step, logs):
            steps.append(step)

    gan = presets.build_gan(presets.apply_overrides(presets.get_config("gan_toy"),
                                                    {"generator.width": 4, "discriminator.width": 4}))
    data = tf.data.Dataset.from_tensor_slices(np.zeros((64, 2), "float32")).batch(8).repeat()
    gan.fit(data, steps_per_epoch=3, epochs=3, verbose=0, callbacks=[Record(initial_step=10), cb.StopAtStep(17, 10)])
    assert steps == [11, 12, 13, 14, 15, 16, 17]


def test_resume_is_exact_under_a_two_replica_strategy(tmp_path):
    from tfgan_zoo.training.distribute import mirrored_strategy

    if len(tf.config.list_logical_devices("CPU")) < 2:
        pytest.skip("needs two logical CPU devices (tests/conftest.py)")
    full = train(tmp_path / "full", preset="gan_toy", steps=8, batch_size=16, strategy=mirrored_strategy())
    train(tmp_path / "part", preset="gan_toy", steps=4, batch_size=16, strategy=mirrored_strategy())
    runner.train(out=tmp_path / "part", resume=True, steps=8, progress=False, strategy=mirrored_strategy())
    assert_same_state(final_state(full.run_dir, 8), final_state(tmp_path / "part", 8))


def test_train_command_reproduces_the_run_config(tmp_path):
    from tfgan_zoo.training.runner import plan_run, train_command

    plan = plan_run("gan_toy", "toy:grid25", 7, 32, tmp_path / "a", {"generator.width": 8, "d_optimizer.name": "sgd"},
                    False, 5, tmp_path, None, None)
    argv = train_command(plan.config, tmp_path / "b")
    assert argv[:2] == ["tfgan-zoo", "train"]
    from tfgan_zoo import cli

    parsed = cli.build_parser().parse_args(argv[1:])
    again = plan_run(parsed.preset, parsed.data, parsed.steps, parsed.batch_size, parsed.out,
                     cli.parse_overrides(parsed.overrides), False, parsed.seed, tmp_path, None, None)
    assert again.config.replace(run={}) == plan.config.replace(run={})
    assert again.config.run["overrides"] == plan.config.run["overrides"]


def test_fid_every_adds_an_fid_column_to_metrics_csv(tmp_path):
    out = tmp_path / "run"
    runner.train("dcgan_mnist5k", steps=4, batch_size=16, out=out, progress=False,
          overrides={"generator.width": 8, "discriminator.width": 8, "training.log_every": 2,
                     "training.sample_every": 4, "training.checkpoint_every": 4, "training.fid_every": 2})
    rows = list(csv.DictReader((out / "metrics.csv").open()))
    assert [row["step"] for row in rows] == ["2", "4"]
    fids = [float(row["fid"]) for row in rows]
    # An untrained generator is far from the held-out digits (the real-data floor is 0.25).
    assert all(np.isfinite(fids)) and min(fids) > 5.0
    assert list((out / "tensorboard" / "fid").iterdir())
    with pytest.raises(runner.RunError, match=r"training.fid_every must be an integer >= 0 .* got -1"):
        runner.plan_run("dcgan_mnist5k", None, 2, 16, tmp_path / "neg", {"training.fid_every": -1}, False, 0, tmp_path,
                 None, None)
    assert not (tmp_path / "neg").exists()


# --- damaged checkpoints, the run-directory lock, runs that fail before their first checkpoint --

def warnings_in(caplog, text):
    return [record.getMessage() for record in caplog.records if text in record.getMessage()]


def test_resume_falls_back_past_a_damaged_checkpoint_with_one_warning(dcgan_run, tmp_path, caplog):
    full, _ = dcgan_run
    out = tmp_path / "run"
    train(out, steps=12)
    newest = out / "checkpoints" / "step_000012.npz"
    damaged = newest.read_bytes()[:1000]
    newest.write_bytes(damaged)  # truncated: a BadZipFile before
    messages = []
    resumed = runner.train(out=out, resume=True, progress=False, echo=messages.append)
    assert (resumed.start_step, resumed.step) == (6, 12) and "from step_000006.npz (step 6 of 12)" in messages[0]
    [warning] = warnings_in(caplog, "damaged checkpoint")
    assert warning.startswith(f"warning: damaged checkpoint '{newest}' (not a readable .npz file (BadZipFile")
    assert_same_state(final_state(full, 12), final_state(out, 12))  # resumed from step 6 exactly
    assert (out / "checkpoints" / "step_000012.npz.damaged").read_bytes() == damaged  # kept aside, not deleted


def test_load_run_uses_the_newest_intact_checkpoint_and_refuses_when_none_is(dcgan_run, tmp_path, caplog):
    import shutil

    run = tmp_path / "copy"
    shutil.copytree(dcgan_run[0], run)
    (run / "checkpoints" / "step_000012.npz").write_bytes(b"")
    gan, _ = runner.load_run(run)
    assert int(gan.g_optimizer.iterations.numpy()) == 6
    assert len(warnings_in(caplog, "step_000012.npz' (it is empty (0 bytes))")) == 1
    (run / "checkpoints" / "step_000006.npz").write_bytes(b"PK\x03\x04")
    with pytest.raises(runner.RunError, match=r"No intact checkpoint in .*every one is damaged: .*step_000012.npz.*"
                                              r"step_000006.npz' \(not a readable .npz file"):
        runner.load_run(run)


def test_the_run_directory_is_locked_while_training(tmp_path):
    from tfgan_zoo.training import run_lock

    out = tmp_path / "run"
    refusals = []

    class TrySecondRun(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if not refusals:
                with pytest.raises(runner.RunError) as raised:
                    runner.train("gan_toy", steps=2, out=out, overrides=TINY_TOY, progress=False)
                refusals.append(str(raised.value))

    train(out, preset="gan_toy", steps=2, batch_size=16, callbacks=[TrySecondRun()])
    [message] = refusals
    assert message.startswith(f"Run directory {str(out)!r} is in use by another training process (PID {os.getpid()} ")
    assert not (out / run_lock.LOCK_FILE).exists()  # released at the end
    assert json.loads((out / "config.json").read_text())["training"]["steps"] == 2


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    import socket
    import subprocess
    import sys

    from tfgan_zoo.training import run_lock

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    out = tmp_path / "run"
    out.mkdir()
    (out / run_lock.LOCK_FILE).write_text(json.dumps({"pid": gone.pid, "host": socket.gethostname()}))
    messages = []
    result = train(out, preset="gan_toy", steps=2, batch_size=16, echo=messages.append)
    assert result.step == 2
    assert messages[0] == f"Took over the stale lock of PID {gone.pid} on {socket.gethostname()} on {out} " \
                          "(that process no longer holds it)."
    assert not (out / run_lock.LOCK_FILE).exists()


class InterruptAt(AtStep):
    """Raise KeyboardInterrupt (what Ctrl-C does) after global step `at`."""

    def act(self):
        raise KeyboardInterrupt


def test_a_nan_at_step_2_before_the_first_checkpoint_leaves_nothing_behind(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(runner.NonFiniteLossError) as raised:
        train(out, steps=12, callbacks=[PoisonDiscriminator(at=1)])
    assert str(raised.value).startswith("Non-finite loss at step 2: d_adv=nan")
    assert str(raised.value).endswith(f"training stopped. No checkpoint had been written yet. With nothing to resume "
                                      f"from, what the run had written to {out} was removed.")
    assert not out.exists()
    assert train(out, steps=2).step == 2  # the directory takes a new run


def test_an_interrupted_run_removes_only_what_it_wrote(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("the user's own file")
    (out / "tensorboard").mkdir()  # not the run's: it existed before
    with pytest.raises(KeyboardInterrupt):
        train(out, steps=12, callbacks=[InterruptAt(3)])
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "tensorboard"]
    # Interrupted after its first checkpoint (step 6), the run is kept for --resume.
    with pytest.raises(KeyboardInterrupt):
        train(out / "later", steps=12, callbacks=[InterruptAt(8)])
    assert [s for s, _ in ck.list_checkpoints(out / "later" / "checkpoints")] == [6]
    assert runner.train(out=out / "later", resume=True, progress=False).step == 12


def test_resume_of_a_run_killed_before_its_first_checkpoint_starts_from_step_0(dcgan_run, tmp_path):
    full, _ = dcgan_run
    out = tmp_path / "run"
    # What a process killed (kill -9, the OOM killer) before its first checkpoint leaves behind.
    plan = runner.plan_run("dcgan_mnist5k", None, 12, 8, out, TINY_DCGAN)
    out.mkdir()
    runner.write_json_atomic(out / "config.json", plan.config.to_dict())
    (out / "samples").mkdir()
    Image.new("L", (8, 8)).save(out / "samples" / "step_000000.png")
    (out / "tensorboard").mkdir()
    with pytest.raises(runner.RunError, match=r"already holds a run \(config.json\) that stopped before its first "
                                              r"checkpoint; pass --resume to start it again from step 0"):
        train(out, steps=12)
    messages = []
    resumed = runner.train(out=out, resume=True, progress=False, echo=messages.append)
    assert messages[0] == (f"Resuming {out}: it has no checkpoint (its run stopped before the first), so training "
                           "starts from step 0 of 12.")
    assert (resumed.start_step, resumed.step) == (0, 12)
    assert_same_state(final_state(full, 12), final_state(out, 12))  # the same run as one never killed


# --- values that can only be mistakes, and ones that may be intended -------------------------

@pytest.mark.parametrize("overrides, message", [
    ({"g_optimizer.learning_rate": -2e-4}, "g_optimizer.learning_rate must be a finite learning rate > 0, got -0.0002."),
    ({"d_optimizer.learning_rate": 0}, "d_optimizer.learning_rate must be a finite learning rate > 0, got 0."),
    ({"d_optimizer.learning_rate": float("inf")}, "d_optimizer.learning_rate must be a finite number, got inf."),
    ({"g_optimizer.learning_rate": {"schedule": "cosine", "initial": float("nan"), "decay_steps": 10}},
     "g_optimizer.learning_rate.initial must be a finite number, got nan."),
    ({"g_optimizer.learning_rate": {"schedule": "cosine", "initial": 1e-3, "decay_steps": 0}},
     "g_optimizer.learning_rate.decay_steps must be an integer >= 1, got 0."),
    ({"g_optimizer.learning_rate": {"schedule": "cosine", "initial": 1e-3, "decay_steps": 9, "alpha": 2}},
     "g_optimizer.learning_rate.alpha must be a fraction in [0, 1], got 2."),
    ({"d_optimizer.beta_1": 1.0}, "d_optimizer.beta_1 must be a number in [0, 1), got 1.0."),
    ({"g_optimizer.beta_2": -0.1}, "g_optimizer.beta_2 must be a number in [0, 1), got -0.1."),
    ({"+g_optimizer.epsilon": 0.0}, "g_optimizer.epsilon must be a finite number > 0, got 0.0."),
    ({"compile.generator_adversarial_weight": -1.0},
     "compile.generator_adversarial_weight must be a finite number >= 0, got -1.0."),
    ({"compile.regularizers": [{"kind": "r1", "weight": -0.2}]},
     "compile.regularizers[0] (r1) weight must be a finite number >= 0, got -0.2."),
    ({"compile.loss": "one_sided_label_smoothing", "compile.loss_params": {"alpha": 1.5}},
     "compile.loss_params.alpha must be a real-label target in (0, 1], got 1.5."),
])
def test_values_that_can_only_be_mistakes_are_refused_before_anything_is_written(tmp_path, overrides, message):
    with pytest.raises(runner.RunError) as raised:
        train(tmp_path / "run", preset="gan_toy", steps=2, batch_size=16, overrides=overrides)
    assert str(raised.value) == message
    assert list(tmp_path.iterdir()) == []


def test_the_python_api_refuses_them_too():
    with pytest.raises(ValueError, match=r"^d_optimizer.beta_1 must be a number in \[0, 1\), got 1.5.$"):
        presets.from_preset("gan_toy", d_optimizer__beta_1=1.5)


def test_a_large_learning_rate_and_a_batch_larger_than_the_data_warn_once(tmp_path, caplog):
    from tfgan_zoo import data as data_lib

    images = (np.arange(5, dtype=np.uint8)[:, None, None, None] * 40 + np.zeros((5, 28, 28, 1), np.uint8))
    np.savez(tmp_path / "five.npz", images=images)
    spec = f"npz:{tmp_path / 'five.npz'}"
    result = runner.train("dcgan_mnist5k", data=spec, steps=2, batch_size=8, out=tmp_path / "run", progress=False,
                          overrides={**TINY_DCGAN, "g_optimizer.learning_rate": 0.5})
    assert result.step == 2
    [batch] = warnings_in(caplog, "is larger than")
    assert batch == (f"warning: batch 8 is larger than the 5 examples of {spec}: every batch repeats examples, "
                     "holding at most 5 distinct ones.")
    [rate] = warnings_in(caplog, "g_optimizer.learning_rate")
    assert rate == "warning: g_optimizer.learning_rate 0.5 is above 0.1; GANs usually train at 1e-5 .. 1e-3 and " \
                   "diverge far above."
    assert not warnings_in(caplog, "d_optimizer")
    # What the warning says: a batch of 8 from 5 images holds exactly 5 distinct ones.
    batch_images = next(iter(data_lib.load(spec, 8, seed=0)))
    assert len(np.unique(np.asarray(batch_images).reshape(8, -1)[:, 0])) == 5
