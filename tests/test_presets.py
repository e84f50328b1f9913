"""Presets: every config is JSON and builds; dotted overrides; clear errors with suggestions."""
import json

import numpy as np
import pytest

from tfgan_zoo import presets
from tfgan_zoo.optimizers import make_optimizer
from tfgan_zoo.data import DataInfo, parse_spec
from tfgan_zoo.training.runner import TRAINING_KEYS

ALL = sorted(presets.list_presets())


def test_there_are_presets_each_with_a_one_line_description():
    assert presets.DEFAULT_PRESET in ALL and len(ALL) >= 20
    for name, description in presets.list_presets().items():
        assert description and "\n" not in description, name


@pytest.mark.parametrize("name", ALL)
def test_every_preset_round_trips_through_json_and_builds(name):
    config = presets.get_config(name)
    assert json.loads(json.dumps(config)) == config
    parse_spec(config["data"])  # a valid data spec
    assert set(TRAINING_KEYS) <= set(config["training"])  # what the runner needs
    gan = presets.build_gan(json.loads(json.dumps(config)))  # built from the JSON form
    assert gan.latent_dim == config["model"]["latent_dim"]
    assert gan.num_classes == config["model"]["num_classes"]
    learning_rate = config["g_optimizer"]["learning_rate"]
    initial = learning_rate["initial"] if isinstance(learning_rate, dict) else learning_rate
    assert gan.g_optimizer.learning_rate.numpy() == pytest.approx(initial)  # at step 0
    assert gan.d_steps == config["compile"]["d_steps"]
    samples = gan.generate(2, seed=0)
    assert samples.shape[0] == 2 and np.all(np.isfinite(samples))


def test_get_config_returns_a_copy():
    config = presets.get_config("gan_toy")
    config["training"]["steps"] = 1
    assert presets.get_config("gan_toy")["training"]["steps"] != 1


def test_dotted_overrides_reach_any_leaf_and_do_not_touch_the_original():
    base = presets.get_config("dcgan_mnist5k")
    config = presets.apply_overrides(base, {"d_optimizer.learning_rate": 4e-4, "training.steps": 7,
                                            "compile.loss": "hinge", "+generator.kernel_size": 5})
    assert config["d_optimizer"]["learning_rate"] == 4e-4 and config["training"]["steps"] == 7
    assert config["compile"]["loss"] == "hinge" and config["generator"]["kernel_size"] == 5
    assert base["d_optimizer"]["learning_rate"] == 2e-4 and "kernel_size" not in base["generator"]


def test_from_preset_takes_overrides_as_dict_or_keywords():
    gan = presets.from_preset("gan_toy", {"generator.width": 8}, discriminator__width=8,
                              d_optimizer__learning_rate=4e-4)
    assert gan.d_optimizer.learning_rate.numpy() == pytest.approx(4e-4)
    assert gan.preset_config["generator"]["width"] == 8 and gan.preset_config["discriminator"]["width"] == 8


def test_unknown_override_key_names_the_nearest_valid_keys():
    with pytest.raises(ValueError, match=r"Unknown config key 'd_optimizer.learnin_rate'\. "
                                         r"Nearest valid keys: d_optimizer.learning_rate"):
        presets.apply_overrides(presets.get_config("dcgan_mnist5k"), {"d_optimizer.learnin_rate": 1e-3})
    with pytest.raises(ValueError, match=r"Unknown config key 'generator.widht.x'"):
        presets.apply_overrides(presets.get_config("dcgan_mnist5k"), {"generator.widht.x": 1})


def test_unknown_preset_suggests_close_names():
    with pytest.raises(ValueError, match=r"Unknown preset 'dcgan_mnist'.*Did you mean 'dcgan_mnist5k'"):
        presets.get_config("dcgan_mnist")
    with pytest.raises(ValueError, match=r"Unknown preset 'zzz'.*tfgan-zoo list"):
        presets.get_config("zzz")


def test_a_folder_without_config_is_not_a_preset(tmp_path):
    with pytest.raises(FileNotFoundError, match="has no config.json"):
        presets.get_config(str(tmp_path))


@pytest.mark.parametrize("text, value", [("4e-4", 4e-4), ("3", 3), ("true", True), ("null", None),
                                         ("hinge", "hinge"), ("[1, 2]", [1, 2]), ('{"a": 1}', {"a": 1})])
def test_parse_value(text, value):
    assert presets.parse_value(text) == value


def test_adapt_to_data_sets_resolution_channels_and_classes():
    config = presets.get_config("dcgan_mnist5k")
    rgb = presets.adapt_to_data(config, DataInfo("tfds:cifar10", "images", (32, 32, 3), num_classes=10))
    assert presets.resolution_and_channels(rgb) == (32, 3) and rgb["generator"]["channels"] == 3
    large = presets.adapt_to_data(config, DataInfo("folder:x", "images", (100, 80, 1)))
    assert presets.resolution_and_channels(large) == (64, 1)  # the largest supported side
    varying = presets.adapt_to_data(config, DataInfo("folder:x", "images", (None, None, 3)))
    assert presets.resolution_and_channels(varying) == (28, 3)  # the pipeline resizes to the preset's
    conditional = presets.adapt_to_data(presets.get_config("cdcgan_mnist5k"),
                                        DataInfo("folder:x", "images", (28, 28, 1), num_classes=3))
    assert conditional["model"]["num_classes"] == conditional["generator"]["num_classes"] == 3
    toy = presets.adapt_to_data(presets.get_config("gan_toy"), DataInfo("toy:grid25", "points", point_dim=2))
    assert toy["generator"]["output_dim"] == toy["discriminator"]["input_dim"] == 2


@pytest.mark.parametrize("preset, info, message", [
    ("dcgan_mnist5k", DataInfo("toy:ring8", "points", point_dim=2), "holds 2-D points .* use a \\*_toy preset"),
    ("gan_toy", DataInfo("mnist5k", "images", (28, 28, 1)), "holds images .* use an image preset"),
    ("dcgan_mnist5k", DataInfo("folder:x", "images", (28, 28, None)), "mixed channel counts"),
    ("cdcgan_mnist5k", DataInfo("folder:x", "images", (28, 28, 1)), "conditional \\(num_classes=10\\) .* no labels"),
])
def test_adapt_to_data_rejects_data_the_preset_cannot_use(preset, info, message):
    with pytest.raises(ValueError, match=message):
        presets.adapt_to_data(presets.get_config(preset), info)


def test_cosine_learning_rate_schedule_decays_to_alpha_times_initial():
    optimizer = make_optimizer(presets.adam(presets.cosine(1e-3, 100, alpha=0.01)))
    schedule = optimizer._learning_rate
    assert float(schedule(0)) == pytest.approx(1e-3)
    assert float(schedule(50)) == pytest.approx(1e-3 * (0.01 + 0.99 * 0.5), rel=1e-5)  # half-way: cos = 0
    assert float(schedule(100)) == pytest.approx(1e-5)
    with pytest.raises(ValueError, match="Unknown learning-rate schedule 'linear'; expected one of \\['cosine'\\]"):
        make_optimizer(presets.adam({"schedule": "linear", "initial": 1e-3}))
    with pytest.raises(ValueError, match="Bad 'cosine' learning-rate schedule"):
        make_optimizer(presets.adam({"schedule": "cosine", "initial": 1e-3}))
