"""Presets: every config is JSON and builds; dotted overrides; clear errors with suggestions."""
import json

import numpy as np
import pytest

from tfgan_zoo import presets
from tfgan_zoo.config import TRAINING_COUNTS
from tfgan_zoo.data import parse_spec
from tfgan_zoo.training.build import make_optimizer

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
    assert set(TRAINING_COUNTS) <= set(config["training"])  # what the runner needs
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


def test_cosine_learning_rate_schedule_decays_to_alpha_times_initial():
    optimizer = make_optimizer(presets.adam(presets.cosine(1e-3, 100, alpha=0.01)))
    schedule = optimizer._learning_rate
    assert float(schedule(0)) == pytest.approx(1e-3)
    assert float(schedule(50)) == pytest.approx(1e-3 * (0.01 + 0.99 * 0.5), rel=1e-5)  # half-way: cos = 0
    assert float(schedule(100)) == pytest.approx(1e-5)
    with pytest.raises(ValueError, match="Unknown learning-rate schedule 'step'; expected one of \\['cosine', 'linear'\\]"):
        make_optimizer(presets.adam({"schedule": "step", "initial": 1e-3}))
    with pytest.raises(ValueError, match="Bad 'cosine' learning-rate schedule"):
        make_optimizer(presets.adam({"schedule": "cosine", "initial": 1e-3}))


def test_linear_learning_rate_schedule_decays_to_final_then_stays():
    schedule = make_optimizer(presets.adam(presets.linear(2e-4, 100)))._learning_rate  # SNGAN's decay
    assert [float(schedule(s)) for s in (0, 25, 100, 150)] == pytest.approx([2e-4, 1.5e-4, 0.0, 0.0])


def test_derive_copies_the_base_and_rejects_unknown_keys():
    base = presets.get_config("dcgan_mnist5k")
    derived = presets.derive(base, "hinge variant", {"compile.loss": "hinge"})
    assert derived["description"] == "hinge variant" and derived["compile"]["loss"] == "hinge"
    assert base["compile"]["loss"] == "nonsaturating"
    with pytest.raises(ValueError, match="Unknown config key 'compile.los'"):
        presets.derive(base, "typo", {"compile.los": "hinge"})


def test_reading_presets_imports_no_keras():
    import subprocess
    import sys

    code = ("import sys; from tfgan_zoo.presets import list_presets, get_config; list_presets(); "
            "get_config('dcgan_mnist5k'); print('keras' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr[-2000:]
