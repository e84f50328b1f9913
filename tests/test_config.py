"""The run config: presets resolved once against the data through the builders' declarations."""
import json

import pytest

from tfgan_zoo import presets
from tfgan_zoo.config import ConfigError, RunConfig, adapt_to_data, resolve
from tfgan_zoo.data import DataInfo
from tfgan_zoo.models import BUILDERS, declare, get_builder

MNIST = DataInfo("mnist5k", "images", (28, 28, 1), num_classes=10, num_examples=4000)


def resolution_and_channels(config):
    return config["generator"]["resolution"], config["discriminator"]["channels"]


def test_adapt_to_data_sets_resolution_channels_and_classes():
    config = presets.get_config("dcgan_mnist5k")
    rgb = adapt_to_data(config, DataInfo("tfds:cifar10", "images", (32, 32, 3), num_classes=10))
    assert resolution_and_channels(rgb) == (32, 3) and rgb["generator"]["channels"] == 3
    large = adapt_to_data(config, DataInfo("folder:x", "images", (100, 80, 1)))
    assert resolution_and_channels(large) == (64, 1)  # the largest supported side
    varying = adapt_to_data(config, DataInfo("folder:x", "images", (None, None, 3)))
    assert resolution_and_channels(varying) == (28, 3)  # the pipeline resizes to the preset's
    conditional = adapt_to_data(presets.get_config("cdcgan_mnist5k"),
                                DataInfo("folder:x", "images", (28, 28, 1), num_classes=3))
    assert conditional["model"]["num_classes"] == conditional["generator"]["num_classes"] == 3
    toy = adapt_to_data(presets.get_config("gan_toy"), DataInfo("toy:grid25", "points", point_dim=2))
    assert toy["generator"]["output_dim"] == toy["discriminator"]["input_dim"] == 2
    began = adapt_to_data(presets.get_config("began_mnist5k"), DataInfo("folder:x", "images", (50, 50, 3)))
    assert resolution_and_channels(began) == (64, 3)  # BEGAN's own declared resolutions


@pytest.mark.parametrize("preset, info, message", [
    ("dcgan_mnist5k", DataInfo("toy:ring8", "points", point_dim=2),
     "holds points but the preset's generator 'dcgan_generator' works on images; use a \\*_toy preset"),
    ("gan_toy", DataInfo("mnist5k", "images", (28, 28, 1)), "holds images .* use an image preset"),
    ("dcgan_mnist5k", DataInfo("folder:x", "images", (28, 28, None)), "mixed channel counts"),
    ("cdcgan_mnist5k", DataInfo("folder:x", "images", (28, 28, 1)), "conditional \\(num_classes=10\\) .* no labels"),
])
def test_adapt_to_data_rejects_data_the_preset_cannot_use(preset, info, message):
    with pytest.raises(ConfigError, match=message):
        adapt_to_data(presets.get_config(preset), info)


@pytest.fixture
def declared():
    """Declare test-only generator builders (removed after the test)."""
    names = []

    def make(name, resolutions, channels=(1, 3)):
        declare("generator", makes="images", resolutions=resolutions, channels=channels, name=name)(lambda **kw: None)
        names.append(name)
        return name

    yield make
    for name in names:
        BUILDERS.pop(name)


def test_declarations_decide_resolution_and_channels(declared):
    base = presets.get_config("dcgan_mnist5k")  # its discriminator supports 28, 32, 64 and 1 or 3 channels
    grey = presets.apply_overrides(base, {"generator.builder": declared("test_grey", (16, 28, 48), channels=(1,))})
    assert resolution_and_channels(adapt_to_data(grey, DataInfo("folder:x", "images", (20, 20, 1)))) == (28, 1)
    with pytest.raises(ConfigError, match="Data 'folder:x': 'test_grey' supports images with 1 channels, got 3"):
        adapt_to_data(grey, DataInfo("folder:x", "images", (28, 28, 3)))
    disjoint = presets.apply_overrides(base, {"generator.builder": declared("test_odd", (16, 48))})
    with pytest.raises(ConfigError, match=r"'test_odd' \(\[16, 48\]\) and 'dcgan_discriminator' \(\[28, 32, 64\]\) "
                                          "support no common resolution"):
        adapt_to_data(disjoint, MNIST)
    assert get_builder("test_odd").resolution_for(20) == 48 and get_builder("test_odd").resolution_for(99) == 48


def test_unknown_builder_and_wrong_role_are_clear():
    config = presets.get_config("dcgan_mnist5k")
    with pytest.raises(ConfigError, match="Unknown model builder 'dcgan_generatr'. Did you mean 'dcgan_generator'"):
        RunConfig.from_dict(presets.apply_overrides(config, {"generator.builder": "dcgan_generatr"}))
    with pytest.raises(ConfigError, match="'dcgan_discriminator' makes a discriminator, but the config uses it as the generator"):
        RunConfig.from_dict(presets.apply_overrides(config, {"generator.builder": "dcgan_discriminator"}))


def test_resolve_gives_typed_answers_and_round_trips_through_json():
    config = resolve(presets.get_config("wgangp_mnist5k"), MNIST, data="mnist5k", steps=12, batch_size=8, seed=3,
                     run={"preset": "wgangp_mnist5k"})
    assert (config.kind, config.resolution, config.channels, config.num_classes) == ("images", 28, 1, None)
    assert (config.training.steps, config.training.batch_size, config.seed, config.preset) == (12, 8, 3, "wgangp_mnist5k")
    assert config.model["seed"] == 3 and config.model_class == "GAN" and config.latent_dim == 64
    again = RunConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config
    split = config.replace(compile={**config.compile, "d_batches": "split"})
    assert split.global_batch_size == 8 * 5  # one real batch per critic step
    toy = resolve(presets.get_config("gan_toy"), DataInfo("toy:ring8", "points", point_dim=2), data="toy:ring8")
    assert (toy.kind, toy.point_dim, toy.resolution, toy.seed) == ("points", 2, None, 0)


@pytest.mark.parametrize("overrides, message", [
    ({"training.steps": 0}, "training.steps must be an integer >= 1, got 0"),
    ({"training.log_every": 2.5}, "training.log_every must be an integer >= 1, got 2.5"),
    ({"training.fid_every": -1}, "training.fid_every must be an integer >= 0"),
    ({"+training.epochs": 3}, "Unknown training keys \\['epochs'\\]"),
    ({"d_optimizer.learning_rate": float("nan")}, "d_optimizer.learning_rate must be a finite number, got nan"),
])
def test_resolve_rejects_bad_values_with_one_line(overrides, message):
    config = presets.apply_overrides(presets.get_config("dcgan_mnist5k"), overrides)
    with pytest.raises(ConfigError, match=message):
        resolve(config, MNIST, data="mnist5k")


def test_fid_during_training_needs_images():
    config = presets.apply_overrides(presets.get_config("gan_toy"), {"+training.fid_every": 10})
    with pytest.raises(ConfigError, match="FID needs images"):
        resolve(config, DataInfo("toy:ring8", "points", point_dim=2), data="toy:ring8")
