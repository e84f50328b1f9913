"""`tfgan-zoo evaluate --run DIR`: prints the metrics as JSON and writes DIR/eval.json, with the
defaults chosen by the run's data (modes for toys, MNIST-domain FID and classes for mnist5k)."""
import json

import numpy as np
import pytest

from tfgan_zoo import cli
from tfgan_zoo.metrics import MnistFeatures, mode_coverage
from tfgan_zoo.training import runner

TINY = {"training.log_every": 2, "training.sample_every": 2, "training.checkpoint_every": 2,
        "training.num_samples": 16}


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("toy") / "run"
    runner.train("gan_toy", steps=2, batch_size=16, out=out, progress=False,
                 overrides={**TINY, "generator.width": 8, "discriminator.width": 8})
    return out


@pytest.fixture(scope="module")
def image_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("img") / "run"
    runner.train("dcgan_mnist5k", steps=2, batch_size=16, out=out, progress=False,
                 overrides={**TINY, "generator.width": 8, "discriminator.width": 8})
    return out


def evaluate(capsys, *argv):
    code = cli.main(["evaluate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_toy_run_reports_the_mode_protocol_of_its_own_samples(toy_run, capsys):
    code, out, _ = evaluate(capsys, "--run", str(toy_run), "--num", "300", "--seed", "4")
    assert code == 0
    printed = json.loads(out)
    assert printed == json.loads((toy_run / "eval.json").read_text())
    assert printed["step"] == 2
    gan, _ = runner.load_run(toy_run)
    samples = np.concatenate([gan.generate(300, seed=4)])
    expected = mode_coverage(samples, "ring8")
    assert printed["modes"]["modes_covered"] == expected["modes_covered"]
    assert printed["modes"]["high_quality_percent"] == pytest.approx(expected["high_quality_percent"])


def test_image_run_defaults_to_mnist_fid_and_classes(image_run, capsys):
    code, out, _ = evaluate(capsys, "--run", str(image_run), "--num", "200")
    assert code == 0
    result = json.loads((image_run / "eval.json").read_text())
    assert result == json.loads(out)
    # An untrained generator is far from real digits: FID well above the real-data floor (0.25).
    assert np.isfinite(result["fid"]) and result["fid"] > 5.0
    assert 1 <= result["classes"]["classes_covered"] <= 10
    # The confidence figure is the share of the run's samples the MNIST classifier reads with p > 0.9.
    gan, _ = runner.load_run(image_run)
    probabilities = MnistFeatures().predict_probabilities(np.asarray(gan.generate(200, seed=0)))
    assert result["classes"]["confident_fraction"] == pytest.approx(np.mean(probabilities.max(axis=1) > 0.9))
    assert '"confident_fraction"' in out


def test_bad_metric_and_missing_run_exit_2(image_run, tmp_path, capsys):
    code, _, err = evaluate(capsys, "--run", str(image_run), "--metrics", "fid,bogus")
    assert code == 2 and "bogus" in err
    code, _, err = evaluate(capsys, "--run", str(tmp_path / "nope"))
    assert code == 2 and "does not exist" in err
    assert not (tmp_path / "nope").exists()
