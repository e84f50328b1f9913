"""The colour presets train on their data: the emoji32 baselines (DCGAN, WGAN-GP, SNGAN and the
conditional DCGAN over the 9 emoji groups) and the Stacked MNIST lab presets resolve against
their data (3 channels, 32 / 28 px, 9 classes for the conditional one), take a few steps at tiny
width with finite losses, and move both networks' weights."""
import json

import keras
import numpy as np
import pytest

from tfgan_zoo import presets
from tfgan_zoo.training import runner

EMOJI = ["dcgan_emoji32", "wgangp_emoji32", "sngan_emoji32", "cdcgan_emoji32"]
# The lab's cheap ones (the unrolled and WGAN-GP presets cost 5 discriminator passes a step; every
# preset builds in test_presets.py).
STACKED = ["dcgan_stacked_mnist", "dcgan_small_d_stacked_mnist", "minibatch_stddev_stacked_mnist"]
TINY = {"training.log_every": 3, "training.sample_every": 3, "training.checkpoint_every": 3,
        "training.num_samples": 9}


class WeightsAtStart(keras.callbacks.Callback):
    """The generator's and discriminator's trainable weights before the first step."""

    def on_train_begin(self, logs=None):
        self.weights = {name: [np.array(w) for w in getattr(self.model, name).trainable_weights]
                        for name in ("generator", "discriminator")}


def train_tiny(preset, data, tmp_path, overrides):
    start = WeightsAtStart()
    result = runner.train(preset, data=data, steps=3, batch_size=8, out=tmp_path / "run", progress=False,
                          overrides={**TINY, **overrides}, callbacks=[start])
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert result.step == 3
    assert result.logs and all(np.isfinite(value) for value in result.logs.values()), result.logs
    for name, before in start.weights.items():
        after = getattr(result.gan, name).trainable_weights
        moved = max(float(np.max(np.abs(np.array(w) - b))) for w, b in zip(after, before))
        assert moved > 0.0, f"the {name} did not move"
    return config, result.gan


@pytest.mark.parametrize("preset", EMOJI)
def test_emoji_presets_resolve_to_32_px_colour_and_train(preset, tmp_path):
    assert presets.get_config(preset)["data"] == "emoji32"
    config, gan = train_tiny(preset, None, tmp_path, {"generator.width": 4, "discriminator.width": 4})
    for network in ("generator", "discriminator"):
        assert (config[network]["resolution"], config[network]["channels"]) == (32, 3)
    images = np.asarray(gan.generate(4, seed=0))
    assert images.shape == (4, 32, 32, 3) and np.all(np.abs(images) <= 1.0)
    if preset == "cdcgan_emoji32":
        assert config["model"]["num_classes"] == 9 == config["discriminator"]["num_classes"]
        labels = np.arange(9, dtype="int32")
        z = np.zeros((9, gan.latent_dim), "float32")
        by_group = np.asarray(gan.generator([z, labels]))
        # the label changes the picture: nine groups, nine different images from one z
        assert min(np.abs(by_group[i] - by_group[j]).max() for i in range(9) for j in range(i)) > 0.0
    else:
        assert config["model"]["num_classes"] is None


@pytest.mark.parametrize("preset", STACKED)
def test_stacked_mnist_presets_train_on_the_stacked_digits(preset, tmp_path):
    assert presets.get_config(preset)["data"] == "stacked_mnist"
    config, _ = train_tiny(preset, "stacked_mnist:256", tmp_path, {"generator.width": 4})
    for network in ("generator", "discriminator"):
        assert (config[network]["resolution"], config[network]["channels"]) == (28, 3)
    assert config["compile"]["ema_decay"] is None  # the published runs have no EMA generator


def test_the_small_discriminator_preset_has_metz_sizes():
    """D width 2: two 4x4 stride-2 convolutions of 2 and 4 filters, batch norm on the second, a
    linear output on the 7x7x4 map: 98 + 132 + 8 + 197 = 435 trainable weights (Metz et al.'s
    1/4-size D has about 585), against G's 410,563 (theirs about 288,000)."""
    gan = presets.from_preset("dcgan_small_d_stacked_mnist")
    trainable = sum(int(np.prod(w.shape)) for w in gan.discriminator.trainable_weights)
    assert trainable == (4 * 4 * 3 * 2 + 2) + (4 * 4 * 2 * 4 + 4) + 2 * 4 + (7 * 7 * 4 + 1) == 435
    assert sum(int(np.prod(w.shape)) for w in gan.generator.trainable_weights) > 500 * trainable
