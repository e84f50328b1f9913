"""The ResNet-family presets (tfgan_zoo/presets/resnet.py): each carries its paper's recipe and a
tiny-width copy of each trains a couple of steps."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import presets

SNGAN = ("sngan_resnet_emoji32", "sngan_resnet_cifar10", "sngan_resnet_stacked_mnist")
SAGAN = ("sagan_emoji32", "sagan_cifar10")
BIGGAN = ("biggan_emoji32", "biggan_mnist5k", "biggan_cifar10")
CONDITIONAL = {"sagan_emoji32": 9, "sagan_cifar10": 10, "biggan_emoji32": 9, "biggan_mnist5k": 10,
               "biggan_cifar10": 10}


def adam_of(optimizer: dict) -> tuple:
    """(initial learning rate, beta_1, beta_2) of an Adam optimizer config."""
    assert optimizer["name"] == "adam"
    rate = optimizer["learning_rate"]
    return (rate["initial"] if isinstance(rate, dict) else rate), optimizer["beta_1"], optimizer["beta_2"]


@pytest.mark.parametrize("name", SNGAN + SAGAN + BIGGAN)
def test_each_preset_carries_its_papers_recipe(name):
    config = presets.get_config(name)
    assert config["compile"]["loss"] == "hinge"
    assert config["model"]["num_classes"] == CONDITIONAL.get(name)
    assert config["generator"]["num_classes"] == config["discriminator"]["num_classes"] == CONDITIONAL.get(name)
    g, d = adam_of(config["g_optimizer"]), adam_of(config["d_optimizer"])
    if name in SNGAN:  # Miyato 2018: Adam(2e-4, 0, 0.9), 5 D steps, linear decay to 0 over the run
        assert g == d == (2e-4, 0.0, 0.9) and config["compile"]["d_steps"] == 5
        for optimizer in (config["g_optimizer"], config["d_optimizer"]):
            rate = optimizer["learning_rate"]
            assert rate["schedule"] == "linear" and rate["final"] == 0.0
            assert rate["decay_steps"] == config["training"]["steps"] * (5 if optimizer is config["d_optimizer"] else 1)
        assert config["discriminator"]["spectral_norm"] is True
    elif name in SAGAN:  # Zhang 2019: TTUR G 1e-4 / D 4e-4, beta1 0, 1:1
        assert g == (1e-4, 0.0, 0.9) and d == (4e-4, 0.0, 0.9) and config["compile"]["d_steps"] == 1
    else:  # Brock 2019: 2 D steps, orthogonal regularisation 1e-4 on G, G EMA from ema_start
        digits = name == "biggan_mnist5k"  # 1 D step, G 2e-4 for issue 14's CPU budget (its comment)
        assert config["compile"]["d_steps"] == (1 if digits else 2)
        assert config["compile"]["regularizers"] == [{"kind": "orthogonal", "weight": 1e-4, "applies_to": "generator"}]
        assert config["compile"]["ema_decay"] and config["compile"]["ema_start"] > 0
        assert config["compile"]["ema_start"] < config["training"]["steps"]
        paper = name == "biggan_cifar10"  # the paper's G 5e-5 / D 2e-4; the CPU presets use SAGAN's rates
        assert (g[0], d[0]) == ((5e-5, 2e-4) if paper else (2e-4, 4e-4) if digits else (1e-4, 4e-4))
        generator = config["generator"]
        assert generator["embedding_gain"] == (4.0 if digits else 1.0)  # 1: the released orthogonal init
        assert generator["embedding_at_input"] is digits
        assert g[1] == d[1] == 0.0 and g[2] == d[2] == 0.999
    if name.endswith("_cifar10"):
        assert config["data"] == "tfds:cifar10"


def random_batches(config: dict, batch: int = 4, count: int = 2) -> tf.data.Dataset:
    d = config["discriminator"]
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (batch * count, d["resolution"], d["resolution"], d["channels"])).astype("float32")
    classes = config["model"]["num_classes"]
    data = (images, rng.integers(0, classes, batch * count).astype("int32")) if classes else images
    return tf.data.Dataset.from_tensor_slices(data).batch(batch)


# The *_cifar10 presets build the same networks as their emoji32 siblings (32 px RGB); only the
# data and widths differ, and the recipe test above checks those.
@pytest.mark.parametrize("name", [name for name in SNGAN + SAGAN + BIGGAN if not name.endswith("_cifar10")])
def test_a_tiny_width_copy_of_each_preset_trains(name):
    keras.utils.set_random_seed(0)
    width = 2 if name in SNGAN else 8  # attention needs channels divisible by 8
    config = presets.apply_overrides(presets.get_config(name), {"generator.width": width, "discriminator.width": width})
    steps = 1 if name in SNGAN else 2  # one SNGAN step is already 5 D updates
    gan = presets.build_gan(config)
    gan.run_eagerly = True  # two steps run faster eagerly than tracing the step
    g, d = gan.generator.trainable_weights, gan.discriminator.trainable_weights
    before = [w.numpy().copy() for w in g + d]
    history = gan.fit(random_batches(config, count=steps), epochs=1, verbose=0).history
    for key, values in history.items():
        assert np.all(np.isfinite(values)), key
    moved = [not np.allclose(a, w.numpy()) for a, w in zip(before, g + d)]
    assert sum(moved[:len(g)]) > len(g) // 2 and sum(moved[len(g):]) > len(d) // 2
    assert int(gan.d_optimizer.iterations.numpy()) == steps * config["compile"]["d_steps"]
    assert int(gan.g_optimizer.iterations.numpy()) == steps
    if name in BIGGAN:
        assert history["g_orth"][-1] > 0
