"""One line where one line is promised (issue 12, items 6 and 8): each broken case gives its exit
code, a single stderr line naming the flag or value, and leaves nothing on disk; an unfinished run
exports its latest checkpoint; `generate` returns numpy from the GAN and from load_generator."""
import json
import os
import shutil
import socket
from pathlib import Path

import keras
import numpy as np
import pytest

import tfgan_zoo as tz
from tfgan_zoo import cli
from tfgan_zoo.training import runner

TINY = {"training.log_every": 2, "training.sample_every": 2, "training.checkpoint_every": 2,
        "training.num_samples": 16, "generator.width": 4, "discriminator.width": 4}


def run_main(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, [line for line in err.splitlines() if line.strip()]


def snapshot(folder):
    return sorted((str(p.relative_to(folder)), p.stat().st_mtime_ns) for p in Path(folder).rglob("*"))


@pytest.fixture(scope="module")
def image_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("img") / "run"
    runner.train("dcgan_mnist5k", steps=4, batch_size=8, out=out, progress=False, overrides=TINY)
    return out


def unfinished_copy(run, folder, total_steps=None, drop_final=True, drop_latest=False):
    """A copy of `run` as an interrupted (or resumed-for-more-steps) run would leave it."""
    copy = folder / "unfinished"
    shutil.copytree(run, copy)
    if drop_final:
        for name in (runner.GENERATOR_FILE, runner.WEIGHTS_FILE):
            (copy / name).unlink()
    if drop_latest:
        sorted((copy / "checkpoints").glob("step_*.npz"))[-1].unlink()
    if total_steps is not None:
        config = json.loads((copy / "config.json").read_text())
        config["training"]["steps"] = total_steps
        (copy / "config.json").write_text(json.dumps(config))
    return copy


# --- export ---------------------------------------------------------------------------------------

def test_export_to_an_unwritable_place_is_one_line_exit_2_nothing_written(image_run, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    targets = [(blocker / "m" / "1", "is not a directory"), (blocker, "exists and is not a directory")]
    if Path("/proc/self").is_dir():  # refuses mkdir even for root
        targets.append((Path("/proc/tfgan-zoo-test/m/1"), "Cannot write to the export's folder"))
    if os.geteuid() != 0:  # root ignores permission bits
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        targets.append((locked / "m" / "1", "Cannot write to the export's folder"))
    before = snapshot(tmp_path)
    for target, message in targets:
        code, out, err = run_main(capsys, "export", "--run", image_run, "--out", target)
        assert code == 2 and len(err) == 1 and err[0].startswith("tfgan-zoo: error: ") and message in err[0], err
        assert out == ""
    assert snapshot(tmp_path) == before and blocker.read_text() == "not a directory"


def test_an_unfinished_run_exports_its_latest_checkpoint_saying_which_step(image_run, tmp_path, capsys):
    run = unfinished_copy(image_run, tmp_path, total_steps=10, drop_latest=True)  # stopped after step 2 of 10
    out = tmp_path / "serving" / "m" / "1"
    code, stdout, err = run_main(capsys, "export", "--run", run, "--out", out)
    assert code == 0 and err == []
    assert "Note: the run did not finish; this is its latest checkpoint, step 2 of 10." in stdout
    card = json.loads((out / "model_card.json").read_text())
    assert card["training_steps"] == 2 and "step 2" in card["note"]
    gan, _ = runner.load_run(run)
    np.testing.assert_allclose(tz.load_generator(out).generate(6, seed=1), gan.generate(6, seed=1), atol=1e-5)


def test_a_run_resumed_for_more_steps_exports_its_newer_checkpoint(image_run, tmp_path, capsys):
    # generator.keras of step 4 stays when `train --resume --steps 6` stops early: the checkpoint is newer
    run = unfinished_copy(image_run, tmp_path, total_steps=6, drop_final=False)
    code, stdout, _ = run_main(capsys, "export", "--run", run, "--out", tmp_path / "m" / "1")
    assert code == 0 and "step 4 of 6" in stdout


def test_a_damaged_keras_file_is_one_line(image_run, tmp_path, capsys):
    run = unfinished_copy(image_run, tmp_path, drop_final=False)
    (run / runner.GENERATOR_FILE).write_bytes(b"")
    code, _, err = run_main(capsys, "export", "--run", run, "--out", tmp_path / "m" / "1")
    assert code == 2 and len(err) == 1 and "generator.keras' is damaged: a .keras file is a zip archive" in err[0]
    code, _, err = run_main(capsys, "sample", "--model", run / runner.GENERATOR_FILE, "--out", tmp_path / "x.png")
    assert code == 2 and len(err) == 1 and "is damaged" in err[0]
    assert not (tmp_path / "m").exists() and not (tmp_path / "x.png").exists()


# --- evaluate -------------------------------------------------------------------------------------

def test_offline_inception_weights_name_the_flag_and_the_place(image_run, capsys, monkeypatch):
    def offline(fname, origin, **kwargs):  # what keras.utils.get_file raises without a network
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as error:
            raise Exception(f"URL fetch failure on {origin}: None -- {error}") from error

    monkeypatch.setattr(keras.utils, "get_file", offline)
    before = snapshot(image_run)
    code, out, err = run_main(capsys, "evaluate", "--run", image_run, "--features", "inception", "--num", "10")
    assert code == 2 and out == "" and len(err) == 1, err
    line = err[0]
    assert line.startswith("tfgan-zoo: error: --features inception needs the Inception-v3 weights "
                           "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
    assert "(Name or service not known)" in line and "or pass --inception-weights FILE." in line
    assert "Put the file at " in line and "models/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5" in line
    assert "weights=" not in line  # the Python argument is the library's wording
    assert snapshot(image_run) == before  # no eval.json
    code, _, err = run_main(capsys, "evaluate", "--run", image_run, "--features", "inception",
                            "--inception-weights", image_run / "missing.h5")
    assert code == 2 and len(err) == 1 and "--inception-weights" in err[0] and "no such file" in err[0]


def test_evaluate_modes_on_images_names_the_metric_for_images(image_run, capsys):
    code, _, err = run_main(capsys, "evaluate", "--run", image_run, "--metrics", "modes", "--num", "10")
    assert code == 2 and len(err) == 1 and "toy mode-coverage protocol" in err[0] and "use 'classes'" in err[0]
    assert "toy_dataset" not in err[0]


# --- data -----------------------------------------------------------------------------------------

def test_a_text_file_named_npz_is_not_an_npz_archive(tmp_path, capsys):
    fake = tmp_path / "x.npz"
    fake.write_text("just text\n")
    before = snapshot(tmp_path)
    code, _, err = run_main(capsys, "train", "--data", f"npz:{fake}", "--steps", "2", "--out", tmp_path / "run")
    assert code == 2 and len(err) == 1
    assert err[0] == (f"tfgan-zoo: error: '{fake}' is not an .npz archive (a zip of arrays, as np.savez writes); "
                      "save the images with np.savez(path, images=...).")
    assert "pickled" not in err[0] and snapshot(tmp_path) == before
    np.save(tmp_path / "one.npy", np.zeros((2, 28, 28, 1)))  # a single array renamed .npz: told apart
    os.replace(tmp_path / "one.npy", tmp_path / "one.npz")
    code, _, err = run_main(capsys, "train", "--data", f"npz:{tmp_path / 'one.npz'}", "--steps", "2",
                            "--out", tmp_path / "run")
    assert code == 2 and len(err) == 1 and "got a single array of shape (2, 28, 28, 1)" in err[0]
    assert not (tmp_path / "run").exists()


# --- sample ---------------------------------------------------------------------------------------

def test_a_url_without_sha256_names_the_flag(tmp_path, capsys):
    model = tmp_path / "g.keras"
    tz.models.mlp_generator(4, width=8).save(model)
    code, _, err = run_main(capsys, "sample", "--model", model.resolve().as_uri(), "--out", tmp_path / "x.png")
    assert code == 2 and len(err) == 1 and "pass --sha256 HEX" in err[0] and "sha256=" not in err[0]
    with pytest.raises(tz.pretrained.GeneratorLoadError, match="pass sha256="):  # the library's wording
        tz.load_generator(model.resolve().as_uri(), cache_dir=tmp_path / "cache")
    code, _, err = run_main(capsys, "sample", "--model", model.resolve().as_uri(), "--sha256", "abc",
                            "--out", tmp_path / "x.png")
    assert code == 2 and err == ["tfgan-zoo sample: error: argument --sha256: expected 64 hexadecimal digits "
                                 "(`sha256sum FILE` prints them), got 'abc' (`tfgan-zoo sample --help` lists the "
                                 "arguments)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.keras"]


@pytest.mark.parametrize("value", ["nan", "0", "-1", "inf", "half"])
def test_a_bad_truncation_flag_is_one_line(image_run, tmp_path, capsys, value):
    code, _, err = run_main(capsys, "sample", "--run", image_run, "--truncation", value, "--out", tmp_path / "x.png")
    assert code == 2 and err == [f"tfgan-zoo sample: error: argument --truncation: expected a finite number >= 0.01 "
                                 f"(the |z_i| threshold, e.g. 0.5), got '{value}' (`tfgan-zoo sample --help` lists "
                                 "the arguments)"]
    assert list(tmp_path.iterdir()) == []


def test_sample_truncation_from_a_run_and_a_model(image_run, tmp_path, capsys):
    code, out, _ = run_main(capsys, "sample", "--run", image_run, "--num", "5", "--truncation", "0.5",
                            "--out", tmp_path / "run.npy")
    assert code == 0 and "(z truncated at 0.5)" in out
    gan, _ = runner.load_run(image_run)
    np.testing.assert_allclose(np.load(tmp_path / "run.npy"), gan.generate(5, seed=0, truncation=0.5), atol=1e-6)
    assert not np.allclose(np.load(tmp_path / "run.npy"), gan.generate(5, seed=0), atol=1e-3)
    code, _, _ = run_main(capsys, "sample", "--model", image_run, "--num", "5", "--truncation", "0.5",
                          "--out", tmp_path / "model.npy")
    assert code == 0
    np.testing.assert_allclose(np.load(tmp_path / "model.npy"), np.load(tmp_path / "run.npy"), atol=1e-5)


# --- generate returns numpy from both ----------------------------------------------------------------

def test_generate_returns_numpy_from_the_gan_and_from_load_generator(image_run):
    gan, _ = runner.load_run(image_run)
    from_gan = gan.generate(3, seed=2)
    from_loader = tz.load_generator(image_run).generate(3, seed=2)
    assert type(from_gan) is np.ndarray and type(from_loader) is np.ndarray
    assert from_gan.dtype == from_loader.dtype == np.float32
    np.testing.assert_allclose(from_gan, from_loader, atol=1e-5)
