"""StyleGAN runs through the runner and the command line: a grown run tracks w_avg (also in the
EMA copy), `sample --psi` truncates in W, export serves psi and mix; bad --psi is one line; the
conditional preset takes the data's classes and exports labels, a bad --label is one line."""
import json

import numpy as np
import pytest

from tfgan_zoo import cli
from tfgan_zoo.models.stylegan import style_parts
from tfgan_zoo.training import runner

pytestmark = pytest.mark.filterwarnings("ignore:Gradients do not exist for variables")

# 4x4 -> 8x8 on 8x8 grey images, 4 per batch: 8 images per phase, so 6 steps end grown.
TINY = {
    "data_fit": "exact",
    "model.latent_dim": 4, "generator.latent_dim": 4, "generator.w_dim": 4, "generator.mapping_width": 4,
    "generator.mapping_layers": 2,
    "model.schedule": {"start_resolution": 4, "final_resolution": 8, "stable_images": 8, "fade_images": 8},
    "generator.resolution": 8, "discriminator.resolution": 8,
    "generator.fmap_base": 8, "generator.fmap_max": 4, "discriminator.fmap_base": 8, "discriminator.fmap_max": 4,
    "training.log_every": 1, "training.sample_every": 3, "training.checkpoint_every": 3, "training.num_samples": 4,
    "+compile.run_eagerly": True,  # a few steps: faster than tracing the step
}


@pytest.fixture(scope="module")
def style_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("style")
    np.savez(folder / "grey8.npz", images=np.random.default_rng(0).integers(0, 256, (32, 8, 8, 1), dtype=np.uint8))
    run_dir = folder / "run"
    runner.train("stylegan_mnist5k", data=f"npz:{folder / 'grey8.npz'}", steps=6, batch_size=4, out=run_dir,
                 overrides=TINY, progress=False)
    return run_dir


def test_a_grown_run_tracks_w_avg_and_samples_truncated_in_w(style_run, tmp_path, capsys):
    gan, config = runner.load_run(style_run)
    assert config.model_class == "StyleGAN" and gan.fully_grown and gan.trained_steps == 6
    w_avg = style_parts(gan.generator).w_average.w_avg.numpy()
    assert np.abs(w_avg).max() > 0
    np.testing.assert_array_equal(style_parts(gan.ema_generator).w_average.w_avg.numpy(), w_avg)
    assert cli.main(["sample", "--run", str(style_run), "--num", "3", "--psi", "0", "--out", str(tmp_path / "s.npy")]) == 0
    assert "(psi 0 in W)" in capsys.readouterr().out
    z = np.random.default_rng(0).standard_normal((3, 4)).astype("float32")  # the CLI's seed 0
    expected = gan.generate(z, psi=0.0, noise="fixed", stage="final")
    # psi 0: w_avg on every layer; only the (fresh) noise differs from the fixed-noise images
    assert np.load(tmp_path / "s.npy").shape == (3, 8, 8, 1)
    np.testing.assert_allclose(expected, np.repeat(expected[:1], 3, axis=0), atol=1e-5)


def test_export_of_a_run_serves_psi_and_mix(style_run, tmp_path):
    assert cli.main(["export", "--run", str(style_run), "--out", str(tmp_path / "1")]) == 0
    card = json.loads((tmp_path / "1" / "model_card.json").read_text())
    assert sorted(card["interface"]["signatures"]) == ["float_images", "mix", "sample", "serving_default"]
    assert card["stage"]["exported"] == "final"


@pytest.mark.parametrize("value", ["1.5", "nan", "-0.1", "x"])
def test_a_bad_psi_flag_is_one_line(style_run, tmp_path, capsys, value):
    assert cli.main(["sample", "--run", str(style_run), "--psi", value, "--out", str(tmp_path / "s.png")]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and f"expected a number in [0, 1] (1: untruncated, 0: w_avg), got {value!r}" in error
    assert not (tmp_path / "s.png").exists()


def test_psi_on_a_run_that_is_not_stylegan_is_one_line(tmp_path, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    np.savez(folder / "grey8.npz", images=np.zeros((8, 8, 8, 1), np.uint8))
    run_dir = tmp_path / "pggan"
    runner.train("pggan_mnist5k", data=f"npz:{folder / 'grey8.npz'}", steps=1, batch_size=4, out=run_dir,
                 overrides={k: v for k, v in TINY.items() if not k.startswith("generator.") or k in (
                     "generator.latent_dim", "generator.resolution", "generator.fmap_base", "generator.fmap_max")},
                 progress=False)
    assert cli.main(["sample", "--run", str(run_dir), "--psi", "0.7", "--out", str(tmp_path / "s.png")]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "--psi 0.7 is the truncation in W of a style-based generator" in error
    assert "is a ProgressiveGAN" in error and not (tmp_path / "s.png").exists()


@pytest.mark.parametrize("preset, resolution, style_layers, cutoff", [
    ("stylegan_emoji32", 32, 8, 8), ("stylegan_emoji64", 64, 10, 8)])
def test_the_emoji_presets_train_on_the_colour_emoji(tmp_path, preset, resolution, style_layers, cutoff):
    """The emoji presets at tiny widths, one doubling to the final resolution on the embedded emoji:
    finite losses, w_avg tracked, the cutoff the official 8 (all 8 layers at 32 px, 4x4-32x32 of 10 at 64)."""
    tiny = {**TINY, "data_fit": "exact", "generator.resolution": resolution, "discriminator.resolution": resolution,
            "model.schedule": {"start_resolution": resolution // 2, "final_resolution": resolution,
                               "stable_images": 4, "fade_images": 4}}
    steps = 3  # stable, fade, final (4 images a phase, 4 a batch)
    result = runner.train(preset, steps=steps, batch_size=4, out=tmp_path / "run", overrides=tiny, progress=False)
    gan, config = runner.load_run(tmp_path / "run")
    assert config.data == f"emoji{resolution}" and gan.fully_grown and gan.trained_steps == steps
    parts = style_parts(gan.sampling_generator)
    assert (parts.num_layers, parts.w_average.truncation_cutoff) == (style_layers, cutoff)
    assert np.abs(parts.w_average.w_avg.numpy()).max() > 0
    assert result.step == steps and all(np.isfinite(float(result.logs[key])) for key in ("d_loss", "g_loss"))
    samples = gan.generate(4, seed=0, psi=0.7, stage="final")
    assert samples.shape == (4, resolution, resolution, 3) and np.all(np.abs(samples) <= 1.0)
    assert samples.std(axis=0).mean() > 0  # different z, different pictures


@pytest.mark.parametrize("setting, message", [
    ("generator.truncation_cutoff=9", "truncation_cutoff must be an integer in [1, 8] (the generator has 8 style layers), got 9"),
    ("generator.truncation_cutoff=0", "truncation_cutoff must be an integer in [1, 8] (the generator has 8 style layers), got 0"),
    ("model.style_mixing_prob=1.5", "style_mixing_prob must be in [0, 1], got 1.5"),
])
def test_a_bad_cutoff_or_mixing_probability_is_one_line_and_writes_nothing(tmp_path, capsys, setting, message):
    code = cli.main(["train", "--preset", "stylegan_mnist5k", "--set", setting, "--steps", "1",
                     "--out", str(tmp_path / "run"), "--no-progress"])
    error = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(error) == 1 and message in error[0], error
    assert not (tmp_path / "run").exists()


@pytest.fixture(scope="module")
def conditional_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("conditional")
    rng = np.random.default_rng(0)
    np.savez(folder / "grey8.npz", images=rng.integers(0, 256, (30, 8, 8, 1), dtype=np.uint8),
             labels=np.arange(30) % 3)
    run_dir = folder / "run"
    runner.train("stylegan_mnist5k_conditional", data=f"npz:{folder / 'grey8.npz'}", steps=6, batch_size=4,
                 out=run_dir, overrides=TINY, progress=False)
    return run_dir


def test_the_conditional_preset_takes_the_data_classes_and_exports_labels(conditional_run, tmp_path):
    gan, config = runner.load_run(conditional_run)
    assert config.model_class == "StyleGAN" and gan.num_classes == 3 and gan.fully_grown
    assert style_parts(gan.sampling_generator).conditional and len(gan.discriminator.inputs) == 2
    assert cli.main(["export", "--run", str(conditional_run), "--out", str(tmp_path / "1")]) == 0
    signatures = json.loads((tmp_path / "1" / "model_card.json").read_text())["interface"]["signatures"]
    assert sorted(signatures) == ["float_images", "mix", "sample", "serving_default"]
    assert all("label" in signatures[name]["inputs"] and "psi" in signatures[name]["inputs"] for name in signatures)


def test_a_label_outside_the_classes_is_one_line(conditional_run, tmp_path, capsys):
    code = cli.main(["sample", "--run", str(conditional_run), "--label", "3", "--out", str(tmp_path / "s.png")])
    error = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in error and "--label 3 is out of range" in error and "classes 0..2" in error
    assert not (tmp_path / "s.png").exists()
