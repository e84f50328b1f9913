"""evaluate_generator: the library side of `tfgan-zoo evaluate`."""
from __future__ import annotations

import json

import numpy as np
import pytest

from tfgan_zoo.data.toy import sample_toy, toy_means
from tfgan_zoo.metrics import (
    MNIST5K_REAL_FID_FLOOR,
    evaluate_generator,
    parse_metrics,
    write_eval_json,
)
from tfgan_zoo.metrics.features import mnist5k_images, mnist5k_labels

TRAIN = mnist5k_images("train").astype("float32") / 127.5 - 1.0
TRAIN_LABELS = mnist5k_labels("train")


def real_digits(n, seed=0):
    """A 'generator' that returns real train-split digits (a perfect MNIST generator)."""
    rng = np.random.default_rng(seed)
    return TRAIN[rng.choice(len(TRAIN), n, replace=False)][..., None]


def test_parse_metrics_validates_and_lists_the_valid_names():
    assert parse_metrics("fid, KID,fid") == ("fid", "kid")
    assert parse_metrics(["is", "pr"]) == ("is", "pr")
    valid = "valid metrics are fid, kid, is, pr, modes, classes"
    with pytest.raises(ValueError, match=f"'fdi'.*{valid}"):
        parse_metrics("fid,fdi")


def test_toy_generator_coverage_and_distances():
    result = evaluate_generator(
        lambda n, seed: sample_toy("ring8", n, seed=seed + 100),
        metrics="fid,kid,pr,modes", toy_dataset="ring8", kid_subsets=5,
    )
    assert result["num_samples"] == 2500
    assert result["modes"]["modes_covered"] == 8
    assert result["fid"] < 0.01
    assert result["pr"]["precision"] > 0.9 and result["pr"]["recall"] > 0.9

    with pytest.warns(RuntimeWarning, match="singular"):  # a point mass: zero covariance
        collapsed = evaluate_generator(
            lambda n, seed: np.repeat(toy_means("ring8")[:1], n, axis=0),
            num=500, metrics=["modes", "fid"], toy_dataset="ring8",
        )
    assert collapsed["modes"] == {
        "modes_covered": 1, "num_modes": 8, "high_quality_percent": 100.0, "num_samples": 500,
    }
    assert collapsed["fid"] > 0.5
    with pytest.raises(ValueError, match="'is'.*need images"):
        evaluate_generator(lambda n, seed: np.zeros((n, 2)), metrics="is", toy_dataset="ring8")


def test_mnist_evaluation_of_real_digits_against_noise(tmp_path):
    real = evaluate_generator(
        real_digits, num=1000, metrics="fid,kid,is,pr,classes", batch_size=400, kid_subsets=10,
    )
    assert real["num_real"] == 1000 and real["real"] == "mnist5k:heldout"
    assert real["fid_real_floor"] == MNIST5K_REAL_FID_FLOOR
    assert real["fid"] < 4 * MNIST5K_REAL_FID_FLOOR
    assert abs(real["kid"]["mean"]) < 0.2  # about -0.05 +- 0.03; uniform noise scores ~2400
    assert real["is"]["mean"] > 8.5  # confident, balanced digits
    assert real["pr"]["precision"] > 0.6 and real["pr"]["recall"] > 0.6
    assert real["classes"]["classes_covered"] == 10
    assert real["classes"]["max_class_fraction"] < 0.15 and real["classes"]["min_class_fraction"] > 0.05
    # Real train digits: the classifier is sure of nearly all of them (held-out digits: 98.3%).
    assert real["classes"]["confident_fraction"] > 0.95
    assert real["classes"]["confidence_threshold"] == 0.9

    def noise(n, seed):
        return np.random.default_rng(seed).uniform(-1, 1, size=(n, 28, 28, 1)).astype("float32")

    bad = evaluate_generator(noise, num=500, metrics=("fid", "kid", "is", "classes"), kid_subsets=5)
    # Uniform noise is read, confidently, as one digit: confidence needs the class shares beside it.
    assert bad["classes"]["max_class_fraction"] > 0.9 and bad["classes"]["classes_covered"] <= 3
    assert bad["fid"] > 100 * real["fid"]
    assert bad["kid"]["mean"] > 1000 * abs(real["kid"]["mean"])
    assert bad["is"]["mean"] < real["is"]["mean"]

    path = write_eval_json(real, tmp_path)
    assert path.name == "eval.json"
    assert json.loads(path.read_text())["fid"] == real["fid"]


def test_evaluate_errors():
    with pytest.raises(ValueError, match="'modes' needs toy data"):
        evaluate_generator(real_digits, num=10, metrics="modes")
    with pytest.raises(ValueError, match="returned shape"):
        evaluate_generator(lambda n, seed: real_digits(n + 1, seed), num=10, metrics="classes")
    with pytest.raises(ValueError, match="Unknown features 'vgg'"):
        evaluate_generator(real_digits, num=10, features="vgg")


def digits_of(labels, seed):
    """Real train digits of the given labels: a conditional 'generator' that draws what it is asked."""
    rng = np.random.default_rng(seed)
    return np.stack([TRAIN[rng.choice(np.flatnonzero(TRAIN_LABELS == label))] for label in labels])[..., None]


def test_conditional_evaluation_reports_label_accuracy():
    asked = []

    def conditional(n, seed, labels):
        asked.append(np.asarray(labels))
        return digits_of(labels, seed)

    # chunks of 70 do not line up with the 10 classes: sample i still gets label i % 10
    right = evaluate_generator(conditional, num=300, metrics="classes", batch_size=70, num_classes=10)
    np.testing.assert_array_equal(np.concatenate(asked), np.arange(300) % 10)
    assert right["classes"]["label_accuracy"] > 0.95  # the classifier reads train digits at ~99%
    wrong = evaluate_generator(lambda n, seed, labels: digits_of((labels + 1) % 10, seed), num=300,
                               metrics="classes", num_classes=10)
    assert wrong["classes"]["label_accuracy"] < 0.05
    assert wrong["classes"]["classes_covered"] == 10  # coverage alone cannot see it
    assert "label_accuracy" not in evaluate_generator(real_digits, num=100, metrics="classes")["classes"]
