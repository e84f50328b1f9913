"""The generators shipped in tfgan_zoo/saved_models/ load by name and are as good as their model
cards say: MNIST-domain FID recomputed from the SavedModel, all ten classes, label L draws digit L
for the conditional one, and the toy generator covers the ring by the DESIGN.md protocol."""
import json

import numpy as np
import pytest

import tfgan_zoo as tz
from tfgan_zoo.metrics import MnistFeatures, class_coverage, fid_from_features, mode_coverage
from tfgan_zoo.metrics.features import mnist5k_images
from tfgan_zoo.pretrained import read_index, saved_models_dir

IMAGE_MODELS = ("dcgan_mnist5k", "wgangp_mnist5k", "cdcgan_mnist5k")
REQUIRED = (*IMAGE_MODELS, "toy_stable_ring8")


def card(name):
    return json.loads((saved_models_dir() / read_index()[name]["path"] / "model_card.json").read_text())


@pytest.fixture(scope="module")
def mnist():
    extractor = MnistFeatures()
    return extractor, extractor.features(mnist5k_images("heldout"))


def test_every_required_name_is_shipped_with_a_reproducible_card():
    listed = tz.pretrained.list_pretrained()
    for name in REQUIRED:
        assert name in listed and listed[name]
        found = card(name)
        assert found["reproduce"][0].startswith("tfgan-zoo train --preset ")
        assert found["reproduce"][-1].endswith(f"tfgan_zoo/saved_models/{name}/1")
        assert "CC BY-SA 3.0" in found["data_license"] or found["data"].startswith("toy:")
    size = sum(p.stat().st_size for p in saved_models_dir().rglob("*") if p.is_file())
    assert size < 10 * 2**20, f"saved_models/ holds {size / 2**20:.1f} MB"


@pytest.mark.parametrize("name", IMAGE_MODELS)
def test_image_generator_matches_its_card(name, mnist):
    extractor, real = mnist
    generator = tz.load_generator(name)
    images = generator.generate(5000, seed=0)
    assert images.shape == (5000, 28, 28, 1) and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    metrics = card(name)["metrics"]
    fid = fid_from_features(real, extractor.features(images))
    # Other latents than at evaluation time: the same FID up to sampling noise.
    assert fid == pytest.approx(metrics["fid"], rel=0.15)
    coverage = class_coverage(extractor.predict_labels(images), 10)
    assert coverage["classes_covered"] == 10 == metrics["classes"]["classes_covered"]
    assert coverage["max_class_fraction"] < 0.25


def test_conditional_generator_draws_the_digit_it_is_asked_for(mnist):
    extractor, _ = mnist
    generator = tz.load_generator("cdcgan_mnist5k")
    assert generator.num_classes == 10
    labels = np.repeat(np.arange(10), 50)
    images = generator.generate(500, seed=1, labels=labels)
    accuracy = float(np.mean(extractor.predict_labels(images) == labels))
    assert accuracy > 0.9, accuracy


def test_toy_generator_covers_the_ring():
    generator = tz.load_generator("toy_stable_ring8")
    points = generator.generate(2500, seed=0)
    assert points.shape == (2500, 2)
    coverage = mode_coverage(points, "ring8")
    assert coverage["modes_covered"] == 8 and coverage["high_quality_percent"] >= 95.0
