"""Progressive runs through the runner and the command line: what a user sees (resolution and
alpha in metrics.csv, the final stage in `sample` and `export`, `--stage current`), the padded
mnist5k pipeline, and bad input caught before anything is written."""
import csv
import json

import numpy as np
import pytest

from tfgan_zoo import cli
from tfgan_zoo.training import runner

pytestmark = pytest.mark.filterwarnings("ignore:Gradients do not exist for variables")

# 4x4 -> 8x8 on 8x8 colour images, 4 per batch: steps at 0 and 4 images run 4x4, 8 starts the
# fade (alpha 0), 12 is mid-fade (alpha 0.5), 16 and on run 8x8 stable.
TINY = {
    "data_fit": "exact",
    "model.latent_dim": 4, "generator.latent_dim": 4,
    "model.schedule": {"start_resolution": 4, "final_resolution": 8, "stable_images": 8, "fade_images": 8},
    "generator.resolution": 8, "discriminator.resolution": 8,
    "generator.fmap_base": 8, "generator.fmap_max": 4, "discriminator.fmap_base": 8, "discriminator.fmap_max": 4,
    "training.log_every": 1, "training.sample_every": 2, "training.checkpoint_every": 2, "training.num_samples": 4,
    "+compile.run_eagerly": True,  # a few steps: faster than tracing the step
}


@pytest.fixture(scope="module")
def colour_npz(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    for side in (8, 16):
        np.savez(folder / f"colour{side}.npz", images=rng.integers(0, 256, (32, side, side, 3), dtype=np.uint8))
    return folder


def train(colour_npz, out, steps, **kwargs):
    return runner.train("pggan_mnist5k", data=f"npz:{colour_npz / 'colour8.npz'}", steps=steps, batch_size=4,
                        out=out, overrides=TINY, progress=False, **kwargs)


def test_a_run_logs_its_level_and_exports_only_the_grown_networks(colour_npz, tmp_path, capsys):
    run_dir = tmp_path / "run"
    train(colour_npz, run_dir, 4)  # stops mid-fade
    with open(run_dir / "metrics.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [float(row["resolution"]) for row in rows] == [4, 4, 4, 8]
    assert [float(row["alpha"]) for row in rows] == [1, 1, 1, 0.5]
    assert sorted(p.name for p in (run_dir / "samples").iterdir())[-1] == "step_000004.png"

    # export refuses the final networks before the last stage, in one line naming the stage
    assert cli.main(["export", "--run", str(run_dir), "--out", str(tmp_path / "final" / "1")]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "Training stopped at 8x8, fading in (alpha 0.5) of the 4 -> 8 schedule" in error
    assert not (tmp_path / "final").exists()
    # --stage current exports the stage reached, at the final size
    assert cli.main(["export", "--run", str(run_dir), "--out", str(tmp_path / "current" / "1"),
                     "--stage", "current"]) == 0
    card = json.loads((tmp_path / "current" / "1" / "model_card.json").read_text())
    assert card["stage"] == {"exported": "current", "resolution": 8, "alpha": 0.5, "final_resolution": 8}
    assert card["interface"]["output_shape"] == [8, 8, 3]
    import tensorflow as tf

    served = tf.saved_model.load(str(tmp_path / "current" / "1")).signatures["float_images"]
    gan, _ = runner.load_run(run_dir)
    z = np.random.default_rng(3).normal(size=(2, 4)).astype("float32")
    np.testing.assert_allclose(served(z=tf.constant(z))["images"].numpy(), gan.generate(z), atol=1e-5)

    # resumed past the fade: fully grown; sample and export use the final networks
    train(colour_npz, run_dir, 6, resume=True)
    gan, _ = runner.load_run(run_dir)
    assert gan.fully_grown and gan.trained_steps == 6
    runner.sample_run(run_dir, 2, tmp_path / "s.npy", seed=1)
    z = np.random.default_rng(1).standard_normal((2, 4)).astype("float32")
    np.testing.assert_allclose(np.load(tmp_path / "s.npy"), gan.sampling_generator(z), atol=1e-6)
    assert cli.main(["export", "--run", str(run_dir), "--out", str(tmp_path / "final" / "1")]) == 0
    assert json.loads((tmp_path / "final" / "1" / "model_card.json").read_text())["stage"]["exported"] == "final"


def test_data_without_the_final_resolution_is_one_clear_line(colour_npz, tmp_path):
    with pytest.raises(runner.RunError, match=r"^The networks work at 8x8 but data 'npz:.*colour16\.npz' has 16x16 "
                                              r"images; data_fit 'exact' needs images of exactly that size \(--set "
                                              r"data_fit=resize resizes them\)\.$"):
        runner.train("pggan_mnist5k", data=f"npz:{colour_npz / 'colour16.npz'}", steps=2, overrides=TINY,
                     out=tmp_path / "bad", progress=False)
    with pytest.raises(runner.RunError, match=r"schedule.final_resolution is 16 but the generator works at 8x8"):
        runner.train("pggan_mnist5k", data=f"npz:{colour_npz / 'colour8.npz'}", steps=2,
                     overrides={**TINY, "model.schedule": {**TINY["model.schedule"], "final_resolution": 16}},
                     out=tmp_path / "bad", progress=False)
    with pytest.raises(runner.RunError, match=r"schedule.stable_images must be an integer >= 1 .*got 0\."):
        runner.train("pggan_mnist5k", data=f"npz:{colour_npz / 'colour8.npz'}", steps=2,
                     overrides={**TINY, "model.schedule": {**TINY["model.schedule"], "stable_images": 0}},
                     out=tmp_path / "bad", progress=False)
    with pytest.raises(runner.RunError, match=r"resolution must be a power of two between 4 and 1024, got 12\."):
        runner.train("pggan_mnist5k", data=f"npz:{colour_npz / 'colour8.npz'}", steps=2,
                     overrides={**TINY, "generator.resolution": 12, "discriminator.resolution": 12,
                                "data_fit": "resize"}, out=tmp_path / "bad", progress=False)
    assert not (tmp_path / "bad").exists()


def test_pggan_mnist5k_pads_the_digits_to_32():
    plan = runner.plan_run("pggan_mnist5k", out="unused")
    assert (plan.config.resolution, plan.config.data_fit) == (32, "pad")
    batch = next(iter(runner.make_dataset(plan.config, plan.data_info))).numpy()
    assert batch.shape == (32, 32, 32, 1)
    assert np.all(batch[:, :2] == -1.0) and np.all(batch[:, 30:] == -1.0)  # a 2-pixel black frame
    assert batch[:, 2:30, 2:30].max() > 0.9  # the digits
