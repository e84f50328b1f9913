"""`tfgan-zoo evaluate` on colour runs: emoji runs get FID / KID against the held-out emoji in
the emoji feature space with the real-data floors beside them; stacked_mnist runs get the
1,000-mode count and KL to uniform. Plus bad data specs through `tfgan-zoo train` (exit 2)."""
import json

import numpy as np
import pytest

from tfgan_zoo import cli, data
from tfgan_zoo.metrics import evaluate_generator, fid_from_features, kernel_inception_distance
from tfgan_zoo.metrics.evaluate import generate_samples
from tfgan_zoo.metrics.features import EMOJI_REAL_FLOORS, EmojiFeatures
from tfgan_zoo.metrics.stacked_mnist import stacked_mnist_modes
from tfgan_zoo.training import runner

TINY = {"training.log_every": 2, "training.sample_every": 2, "training.checkpoint_every": 2,
        "training.num_samples": 16, "generator.width": 8, "discriminator.width": 8}


def evaluated_tiny_run(tmp_path_factory, capsys, spec, num, seed):
    """Train dcgan_mnist5k on `spec` for 2 steps, run `tfgan-zoo evaluate` on it; returns the
    run's config, the printed result (also in eval.json) and the generator's `num` samples the
    evaluation drew (regenerated from the run)."""
    run = tmp_path_factory.mktemp(spec.partition(":")[0]) / "run"
    runner.train("dcgan_mnist5k", data=spec, steps=2, batch_size=16, out=run, progress=False, overrides=TINY)
    code = cli.main(["evaluate", "--run", str(run), "--num", str(num), "--seed", str(seed)])
    out, _ = capsys.readouterr()
    assert code == 0
    result = json.loads(out)
    assert result == json.loads((run / "eval.json").read_text())
    gan, _ = runner.load_run(run)
    fakes = generate_samples(lambda n, seed: np.asarray(gan.generate(n, seed=seed)), num, seed=seed)
    return json.loads((run / "config.json").read_text()), result, fakes


def test_emoji_run_reports_fid_and_kid_in_emoji_features_with_the_floors(tmp_path_factory, capsys):
    config, result, fakes = evaluated_tiny_run(tmp_path_factory, capsys, "emoji32", num=400, seed=3)
    assert (config["generator"]["resolution"], config["generator"]["channels"]) == (32, 3)
    assert (result["features"], result["real"], result["num_real"]) == ("emoji", "emoji32:heldout", 372)
    assert result["fid_real_floor"] == EMOJI_REAL_FLOORS["emoji32:heldout"]["fid"]
    assert result["kid_real_floor"] == EMOJI_REAL_FLOORS["emoji32:heldout"]["kid"]
    # the same numbers from the run's generator, the held-out emoji and the shipped classifier
    emoji = EmojiFeatures()
    real, fake = emoji.features(data.load_emoji(32, "heldout")[0]), emoji.features(fakes)
    assert result["fid"] == pytest.approx(fid_from_features(real, fake), rel=1e-6)
    assert result["kid"]["mean"] == pytest.approx(kernel_inception_distance(real, fake, seed=3).mean, rel=1e-6)
    # an untrained generator is far above the floor; the groups of its samples are counted
    assert result["fid"] > 20 * result["fid_real_floor"]
    assert result["classes"]["num_classes"] == 9


def test_real_emoji_score_the_stated_floor():
    """A 'generator' drawing the train-split emoji scores the floor the constants state."""
    train = data.load_emoji(32, "train")[0]
    result = evaluate_generator(lambda n, seed: train[:n], num=len(train), metrics="fid", features="emoji",
                                batch_size=len(train))
    assert result["real"] == "emoji32:heldout" and result["num_real"] == 372
    assert result["fid"] == pytest.approx(EMOJI_REAL_FLOORS["emoji32:heldout"]["fid"], abs=1e-3)
    assert result["fid_real_floor"] == EMOJI_REAL_FLOORS["emoji32:heldout"]["fid"]
    # 64-px samples are compared with the 64-px held-out emoji, and get that floor
    big = data.load_emoji(64, "train")[0][:100]
    result = evaluate_generator(lambda n, seed: big[:n], num=100, metrics="kid", features="emoji", kid_subsets=5)
    assert result["real"] == "emoji64:heldout"
    assert result["kid_real_floor"] == EMOJI_REAL_FLOORS["emoji64:heldout"]["kid"]
    with pytest.raises(ValueError, match=r"held-out emoji at 32 or 64 px, but the generated images are 28 px"):
        evaluate_generator(lambda n, seed: np.zeros((n, 28, 28, 3)), num=4, features="emoji")


def test_stacked_mnist_run_reports_modes_and_kl(tmp_path_factory, capsys):
    config, result, fakes = evaluated_tiny_run(tmp_path_factory, capsys, "stacked_mnist:1000", num=600, seed=1)
    assert (config["generator"]["resolution"], config["generator"]["channels"]) == (28, 3)
    assert set(result) >= {"modes", "num_samples", "features"} and "fid" not in result
    assert result["modes"] == stacked_mnist_modes(fakes)
    assert result["modes"]["num_modes"] == 1000 and result["modes"]["num_samples"] == 600


def test_stacked_mnist_protocol_defaults_to_26000_samples():
    class Asked(Exception):
        pass

    def generator(n, seed):
        raise Asked(n)

    with pytest.raises(Asked) as asked:
        evaluate_generator(generator, metrics="modes", stacked_mnist=True, batch_size=50_000)
    assert asked.value.args == (26_000,)
    with pytest.raises(ValueError, match=r"Metric 'modes' needs toy data .* or Stacked MNIST images"):
        evaluate_generator(generator, metrics="modes")


@pytest.mark.parametrize("spec, message", [
    ("emoji48", "Unknown emoji data set 'emoji48'"),
    ("emoji32:validation", "Unknown split 'validation' in data spec 'emoji32:validation'"),
    ("stacked_mnist:0", "Expected the number of stacked images N in data spec 'stacked_mnist:0'"),
])
def test_train_with_a_bad_colour_spec_exits_2_with_one_line(spec, message, tmp_path, capsys):
    code = cli.main(["train", "--data", spec, "--steps", "1", "--out", str(tmp_path / "run")])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("tfgan-zoo: error: ") and message in err
    assert not (tmp_path / "run").exists()
