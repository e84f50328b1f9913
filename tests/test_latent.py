"""The latent prior (tfgan_zoo/latent.py): its JSON form; numpy and in-graph draws; truncation by
resampling (Brock et al. 2019, sec. 3.1) checked against the truncated normal's closed forms; the
GAN, BEGAN, the model card and load_generator all drawing from it; one clear line for a bad
threshold."""
import copy
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo as tz
from tfgan_zoo.export import export_generator
from tfgan_zoo.latent import LatentPrior, as_prior, check_truncation, prior_of_card, prior_of_model_config
from tfgan_zoo.models import mlp_discriminator, mlp_generator
from tfgan_zoo.training.distribute import mirrored_strategy

LATENT = 8


def toy_gan(prior=None, seed=3):
    keras.utils.set_random_seed(0)
    gan = tz.GAN(mlp_generator(LATENT, 2, 8), mlp_discriminator(2, 8), latent_dim=LATENT, seed=seed, prior=prior)
    gan.compile()
    return gan


def truncated_normal_moments(t):
    """E|z| and E z^2 of N(0, 1) conditioned on |z| <= t (closed forms)."""
    mass = math.erf(t / math.sqrt(2.0))
    density = math.exp(-t * t / 2.0) / math.sqrt(2.0 * math.pi)
    return (math.sqrt(2.0 / math.pi) * (1.0 - math.exp(-t * t / 2.0)) / mass, 1.0 - 2.0 * t * density / mass)


def spy_latents(gan, monkeypatch):
    """Record the latents `generate` actually feeds the generator."""
    seen = []
    original = gan.generate_from

    def recording(z, labels, training, use_ema=False):
        seen.append(np.array(z))
        return original(z, labels, training, use_ema)

    monkeypatch.setattr(gan, "generate_from", recording)
    return seen


def test_json_form_and_specs():
    prior = LatentPrior("normal", truncation=0.5)
    assert prior.get_config() == {"distribution": "normal", "truncation": 0.5}
    assert LatentPrior.from_config(prior.get_config()) == prior
    assert as_prior(None) == LatentPrior() and as_prior("uniform") == LatentPrior("uniform")
    assert as_prior({"distribution": "uniform"}) == LatentPrior("uniform")
    assert LatentPrior().truncated(None) == LatentPrior() and LatentPrior().truncated(2) == LatentPrior("normal", 2.0)
    assert prior.describe() == "z ~ N(0, I), truncated to |z_i| <= 0.5 by resampling"
    with pytest.raises(ValueError, match=r"must be one of \['normal', 'uniform', 'categorical_code'\], got 'gaussian'"):
        LatentPrior("gaussian")
    with pytest.raises(ValueError, match=r"Unknown latent prior key\(s\) \['sigma'\]"):
        as_prior({"distribution": "normal", "sigma": 2})
    # configs: the prior, the older BEGAN name, else the class default
    assert prior_of_model_config({"prior": "uniform"}) == LatentPrior("uniform")
    assert prior_of_model_config({"latent_distribution": "normal"}, default="uniform") == LatentPrior()
    assert prior_of_model_config({"class": "BEGAN"}, default="uniform") == LatentPrior("uniform")
    # model cards: the recorded prior; a card from before the field (the shipped ones) is N(0, I)
    assert prior_of_card({"interface": {"prior": {"distribution": "uniform", "truncation": None}}}) == LatentPrior("uniform")
    assert prior_of_card({"interface": {"latent_distribution": "standard normal N(0, I)"}}) == LatentPrior()


def test_untruncated_draws_are_numpys_seeded_streams():
    """So runs, exports and the pretrained loader draw the same z for a seed, as before the prior."""
    np.testing.assert_array_equal(LatentPrior().sample(5, LATENT, seed=7),
                                  np.random.default_rng(7).standard_normal((5, LATENT)).astype(np.float32))
    np.testing.assert_array_equal(LatentPrior("uniform").sample(5, LATENT, seed=7),
                                  np.random.default_rng(7).uniform(-1, 1, (5, LATENT)).astype(np.float32))


def test_generate_with_truncation_feeds_only_latents_within_the_threshold(monkeypatch):
    gan = toy_gan()
    seen = spy_latents(gan, monkeypatch)
    samples = gan.generate(600, seed=1, truncation=0.5, batch_size=256)
    assert isinstance(samples, np.ndarray) and samples.dtype == np.float32 and samples.shape == (600, 2)
    z = np.concatenate(seen)
    assert z.shape == (600, LATENT) and np.abs(z).max() <= 0.5
    np.testing.assert_array_equal(z, LatentPrior("normal", 0.5).sample(600, LATENT, seed=1))
    # untruncated, the same seed draws values beyond 0.5 (about 62% of them)
    seen.clear()
    gan.generate(600, seed=1)
    assert np.mean(np.abs(np.concatenate(seen)) > 0.5) == pytest.approx(1 - math.erf(0.5 / math.sqrt(2)), abs=0.02)


@pytest.mark.parametrize("threshold", [0.5, 1.5])
def test_truncated_draws_follow_the_truncated_normal(threshold):
    z = LatentPrior("normal", threshold).sample(20000, 10, seed=0).astype(np.float64).ravel()
    mean_abs, second_moment = truncated_normal_moments(threshold)
    n = z.size
    assert np.abs(z).max() <= threshold
    # within 4 standard errors of the closed forms (seen: 0.6 to 1.4 standard errors)
    assert abs(np.abs(z).mean() - mean_abs) < 4 * np.abs(z).std() / math.sqrt(n)
    assert abs(np.mean(z ** 2) - second_moment) < 4 * np.std(z ** 2) / math.sqrt(n)
    # the shape is the normal's, not flat: the central half of [-T, T] holds more than half the mass
    # (T 0.5: 51.55%, uniform 50%; standard error 0.11%)
    central = math.erf(threshold / 2 / math.sqrt(2)) / math.erf(threshold / math.sqrt(2))
    assert np.mean(np.abs(z) <= threshold / 2) == pytest.approx(central, abs=0.004)


def test_truncated_uniform_is_uniform_on_the_smaller_interval():
    z = LatentPrior("uniform", 0.25).sample(5000, 8, seed=2)
    assert np.abs(z).max() <= 0.25 and np.abs(z).mean() == pytest.approx(0.125, abs=0.003)
    assert LatentPrior("uniform", 2.0).sample(3, 8, seed=2).tolist() == LatentPrior("uniform").sample(3, 8, seed=2).tolist()


def test_in_graph_draws_of_a_truncated_prior_in_training():
    gan = toy_gan(prior={"distribution": "normal", "truncation": 1.0})
    z = tf.function(lambda: gan.sample_latents(4000))().numpy().astype(np.float64)
    mean_abs, _ = truncated_normal_moments(1.0)
    assert np.abs(z).max() <= 1.0 and abs(np.abs(z).mean() - mean_abs) < 4 * np.abs(z).std() / math.sqrt(z.size)
    history = gan.fit(tz.data.sample_toy("ring8", 64, seed=0), batch_size=16, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][-1])
    assert gan.get_config()["prior"] == {"distribution": "normal", "truncation": 1.0}


def test_two_replicas_slice_one_truncated_global_draw():
    devices = tf.config.list_logical_devices("CPU")
    if len(devices) < 2:
        pytest.skip("needs two logical CPU devices (set up in conftest.py)")
    prior = {"distribution": "normal", "truncation": 0.3}
    single = toy_gan(prior)
    expected = single.sample_latents(8).numpy()
    strategy = mirrored_strategy([d.name for d in devices[:2]])
    with strategy.scope():
        mirrored = toy_gan(prior)
    per_replica = strategy.experimental_local_results(tf.function(lambda: strategy.run(
        lambda: mirrored.sample_latents(4)))())
    np.testing.assert_array_equal(np.concatenate([v.numpy() for v in per_replica]), expected)
    assert np.abs(expected).max() <= 0.3


def test_began_draws_uniform_latents_and_reads_older_configs(monkeypatch):
    from tfgan_zoo.models.began import began_autoencoder, began_generator
    from tfgan_zoo.training.began import BEGAN

    keras.utils.set_random_seed(0)
    gan = BEGAN(began_generator(4, 28, 1, 2), began_autoencoder(28, 1, 4, 2), latent_dim=4, seed=0)
    assert gan.prior == LatentPrior("uniform")
    seen = spy_latents(gan, monkeypatch)
    gan.generate(6, seed=5)
    np.testing.assert_array_equal(seen[0], np.random.default_rng(5).uniform(-1, 1, (6, 4)).astype(np.float32))
    config = gan.get_config()
    older = {key: value for key, value in config.items() if key != "prior"}  # .keras files of before

    def rebuilt(**changes):  # from_config consumes the nested model configs: a fresh copy each time
        return BEGAN.from_config(copy.deepcopy({**older, **changes}))

    assert rebuilt(latent_distribution="normal").prior == LatentPrior("normal")
    assert rebuilt().prior == LatentPrior("uniform")
    with pytest.raises(ValueError, match="give one"):
        rebuilt(prior="uniform", latent_distribution="normal")


@pytest.mark.parametrize("bad, message", [
    (float("nan"), r"finite number >= 0.01 .*got nan"),
    (0.0, r"finite number >= 0.01 .*got 0.0"),
    (-1, r"finite number >= 0.01 .*got -1"),
    ("0.5", r"must be a number .*got '0.5' of type str"),
    (True, r"must be a number .*got True of type bool"),
])
def test_a_bad_truncation_is_one_clear_line(bad, message):
    gan = toy_gan()
    for call in (lambda: gan.generate(4, truncation=bad), lambda: check_truncation(bad),
                 lambda: LatentPrior("normal", bad)):
        with pytest.raises(ValueError, match=message) as info:
            call()
        assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="explicit latents"):
        gan.generate(np.zeros((2, LATENT), np.float32), truncation=0.5)


def test_export_card_and_loader_carry_the_prior(tmp_path, monkeypatch):
    gan = toy_gan(prior="uniform")
    path = export_generator(gan, tmp_path / "m" / "1")
    g = tz.load_generator(path)
    assert g.prior == LatentPrior("uniform") and g.card["interface"]["prior"]["distribution"] == "uniform"
    assert "z ~ U[-1, 1] per coordinate" in (path / "README.md").read_text()
    z = g.latents(50, seed=4, truncation=0.5)
    assert np.abs(z).max() <= 0.5 and np.array_equal(z, LatentPrior("uniform", 0.5).sample(50, LATENT, seed=4))
    np.testing.assert_allclose(g.generate(50, seed=4, truncation=0.5), g(z), atol=1e-6)
    np.testing.assert_allclose(g.generate(50, seed=4, truncation=0.5), gan.generate(50, seed=4, truncation=0.5),
                               atol=1e-5)
    with pytest.raises(ValueError, match="finite number"):
        g.generate(2, truncation=float("inf"))



CODE = {"distribution": "categorical_code", "truncation": None, "categories": 4, "scale": 1.0}


def test_categorical_code_json_form_description_and_bad_values():
    prior = as_prior(CODE)
    assert prior == LatentPrior("categorical_code", categories=4) and prior.get_config() == CODE
    assert prior.describe() == "z = (one_hot(c), eps): a code c uniform over 4 categories, eps ~ N(0, I)"
    assert LatentPrior("categorical_code", 1.0, 4, 2.0).describe().endswith(
        "z = (2 * one_hot(c), eps): a code c uniform over 4 categories, eps ~ N(0, I), truncated to |eps_i| <= 1 "
        "by resampling")
    with pytest.raises(ValueError, match=r"needs categories, an integer >= 2, got 1\.5"):
        LatentPrior("categorical_code", categories=1.5)
    with pytest.raises(ValueError, match=r"scale must be a finite number > 0, got -1"):
        LatentPrior("categorical_code", categories=10, scale=-1)
    with pytest.raises(ValueError, match=r"belong to the 'categorical_code' prior, got them with 'normal'"):
        LatentPrior("normal", categories=10)
    with pytest.raises(ValueError, match=r"of 8 categories needs latent_dim > 8 \(the code, then the noise\), got 8"):
        toy_gan(prior={"distribution": "categorical_code", "categories": 8})
    with pytest.raises(ValueError, match="Only the 'categorical_code' prior has a code"):
        LatentPrior().code_of(np.zeros((2, 8), np.float32))


def test_code_draws_are_one_hot_codes_beside_numpys_normal_stream():
    z = LatentPrior("categorical_code", categories=4).sample(8000, LATENT, seed=7)
    rng = np.random.default_rng(7)
    eps = rng.standard_normal((8000, LATENT)).astype(np.float32)
    codes = rng.integers(0, 4, 8000)
    np.testing.assert_array_equal(z[:, :4], np.eye(4, dtype=np.float32)[codes])
    np.testing.assert_array_equal(z[:, 4:], eps[:, 4:])
    np.testing.assert_array_equal(LatentPrior("categorical_code", categories=4).code_of(z).numpy(), codes)
    # each category holds a quarter (standard error 0.5%)
    np.testing.assert_allclose(np.bincount(codes, minlength=4) / 8000, 0.25, atol=0.02)
    truncated = LatentPrior("categorical_code", 0.5, 4, 3.0).sample(2000, LATENT, seed=1)
    assert np.abs(truncated[:, 4:]).max() <= 0.5 and set(np.unique(truncated[:, :4])) == {0.0, 3.0}


def test_in_graph_code_draws_in_training_and_the_exported_card(tmp_path):
    gan = toy_gan(prior=CODE)
    z = tf.function(lambda: gan.sample_latents(8000))().numpy().astype(np.float64)
    assert np.all(np.sort(z[:, :4], axis=1) == [0.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(np.bincount(z[:, :4].argmax(axis=1), minlength=4) / 8000, 0.25, atol=0.02)
    assert abs(z[:, 4:].mean()) < 0.02 and z[:, 4:].std() == pytest.approx(1.0, abs=0.02)
    history = gan.fit(tz.data.sample_toy("ring8", 64, seed=0), batch_size=16, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][-1]) and gan.get_config()["prior"] == CODE
    path = export_generator(gan, tmp_path / "m" / "1")
    g = tz.load_generator(path)
    assert g.prior == as_prior(CODE)
    assert ("z = tf.concat([1 * tf.one_hot(tf.random.uniform([16], 0, 4, tf.int32), 4), tf.random.normal([16, 4])], 1)"
            in (path / "README.md").read_text())
    np.testing.assert_allclose(g.generate(20, seed=3), gan.generate(20, seed=3), atol=1e-5)


SHARES = (0.5, 0.3, 0.2, 0.0)


def test_code_drawn_with_fixed_shares_numpy_in_graph_and_seeded():
    prior = LatentPrior("categorical_code", categories=4, probabilities=SHARES)
    assert prior.get_config() == {**CODE, "probabilities": list(SHARES)} and as_prior(prior.get_config()) == prior
    assert "a code c drawn with fixed shares from 4 categories" in prior.describe()
    z = prior.sample(8000, LATENT, seed=7)
    rng = np.random.default_rng(7)
    eps = rng.standard_normal((8000, LATENT)).astype(np.float32)
    np.testing.assert_array_equal(z[:, 4:], eps[:, 4:])  # the noise keeps numpy's stream
    np.testing.assert_array_equal(prior.code_of(z).numpy(), rng.choice(4, 8000, p=np.asarray(SHARES)))
    np.testing.assert_allclose(np.bincount(prior.code_of(z).numpy(), minlength=4) / 8000, SHARES, atol=0.02)
    drawn = prior.draw((8000, LATENT), keras.random.SeedGenerator(3)).numpy()
    np.testing.assert_allclose(np.bincount(drawn[:, :4].argmax(1), minlength=4) / 8000, SHARES, atol=0.02)
    from tfgan_zoo.export_seeded import seeded_latents
    seeded = seeded_latents(tf.range(8000, dtype=tf.int64), tf.zeros([8000]), LATENT, prior).numpy()
    np.testing.assert_allclose(np.bincount(seeded[:, :4].argmax(1), minlength=4) / 8000, SHARES, atol=0.02)


@pytest.mark.parametrize("shares", [(0.5, 0.5), (0.5, 0.6, -0.1, 0.0), (0.4, 0.4, 0.1, 0.0), (float("nan"),) * 4])
def test_bad_shares_are_one_clear_line(shares):
    with pytest.raises(ValueError, match=r"probabilities must be 4 finite shares >= 0 summing to 1, got"):
        LatentPrior("categorical_code", categories=4, probabilities=shares)
    with pytest.raises(ValueError, match=r"belong to the 'categorical_code' prior"):
        LatentPrior("normal", probabilities=(1.0,))
