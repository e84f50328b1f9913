"""The latent prior p(z): the one place that says how z is drawn.

    prior = LatentPrior()                          # z ~ N(0, I), the default
    prior = LatentPrior("uniform")                 # z ~ U[-1, 1]^d (BEGAN: Berthelot et al. 2017, sec. 4)
    prior = LatentPrior("normal", truncation=0.5)  # N(0, I) truncated to |z_i| <= 0.5
    prior = LatentPrior("categorical_code", categories=10)   # z = (one-hot c, N(0, I)), c ~ U{0..9}
    prior = LatentPrior("categorical_code", categories=3, probabilities=(0.5, 0.3, 0.2))  # c ~ those shares
    z = prior.sample(16, latent_dim=64, seed=0)    # numpy, float32 (GAN.generate, PretrainedGenerator)
    z = prior.draw((batch, 64), seed_generator)    # in-graph, from a keras SeedGenerator (training)

The GAN is built with a prior (`GAN(..., prior=...)`: a LatentPrior, a name or its config dict);
training, `generate`, export, the model card and `tfgan_zoo.load_generator` all read it.

Truncation (the "truncation trick", Brock et al. 2019, sec. 3.1): a coordinate z_i whose magnitude
exceeds the threshold T is resampled until it does not, so each z_i follows the prior conditioned on
|z_i| <= T -- for the normal prior the truncated normal on [-T, T], for the uniform prior U[-T, T]
(T >= 1 changes nothing). T is the threshold itself. TF-Hub's BigGAN modules (and their colab)
read "truncation" differently: z = T * truncnorm(-2, 2), a truncated normal scaled by T, which
keeps values within 2T and has standard deviation 0.88 T; BigGAN-PyTorch's truncation curves lower
the normal's variance instead. Those give other distributions than the paper's resampling.

The categorical code ("categorical_code", InfoGAN's latent code: Chen et al. 2016, sec. 5) is
z = (scale * one_hot(c), eps): its first K coordinates hold a code c drawn uniformly from K
categories, the other latent_dim - K hold eps ~ N(0, I). `tfgan_zoo.training.InfoGAN` reads c back
from z (`code_of`) and asks the discriminator's Q head to recover it. Truncation applies to eps.
With `probabilities` the code is drawn with those shares instead of uniformly (the clusters'
frequencies in `tfgan_zoo.training.ClusteredGAN`).

Seeded numpy draws are fixed by (seed, num, latent_dim): without truncation they are the first
num * latent_dim values of `numpy.random.default_rng(seed)` (`standard_normal`, or `uniform(-1, 1)`),
so a run, its export and its pretrained loader draw the same latents for the same seed.

This module imports neither TensorFlow nor Keras at import time (the model-card and pretrained
code read priors without them); `draw` imports Keras when it is called.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Mapping, Optional, Union

import numpy as np

DISTRIBUTIONS = ("normal", "uniform", "categorical_code")
#: Thresholds below this are refused: the resampling would need more than ~125 draws per value
#: (acceptance erf(T / sqrt 2) < 0.008 for the normal), and z is then ~0 anyway.
MIN_TRUNCATION = 0.01


def check_truncation(truncation: Any, what: str = "truncation") -> float:
    """`truncation` as a float in [MIN_TRUNCATION, inf); ValueError naming the value otherwise."""
    if isinstance(truncation, (bool, np.bool_)) or not isinstance(truncation, (int, float, np.integer, np.floating)):
        raise ValueError(f"{what} must be a number (the |z_i| threshold, e.g. 0.5), got {truncation!r} "
                         f"of type {type(truncation).__name__}.")
    value = float(truncation)
    if not math.isfinite(value) or value < MIN_TRUNCATION:
        raise ValueError(f"{what} must be a finite number >= {MIN_TRUNCATION} (the |z_i| threshold, e.g. 0.5), "
                         f"got {truncation!r}.")
    return value


def _check_probabilities(probabilities: Any, categories: int) -> tuple:
    """The code's shares as a tuple of floats: `categories` finite values >= 0 summing to 1 (1e-6)."""
    try:
        values = np.asarray(probabilities, np.float64)
    except (TypeError, ValueError):
        values = None
    if (values is None or values.shape != (categories,) or not np.all(np.isfinite(values)) or np.any(values < 0)
            or abs(values.sum() - 1.0) > 1e-6):
        raise ValueError(f"The categorical code's probabilities must be {categories} finite shares >= 0 summing "
                         f"to 1, got {probabilities!r}.")
    return tuple(float(v) for v in values / values.sum())


@dataclasses.dataclass(frozen=True)
class LatentPrior:
    """The distribution of the generator's input z, optionally truncated (see the module docstring).

    Args:
        distribution: "normal" (z ~ N(0, I)), "uniform" (z ~ U[-1, 1]^d) or "categorical_code"
            (z = (scale * one_hot(c), eps ~ N(0, I)), c uniform over `categories`).
        truncation: None, or a threshold T >= MIN_TRUNCATION: coordinates with |z_i| > T are
            resampled (Brock et al. 2019, sec. 3.1); for the categorical code, those of eps.
        categories: the code's K >= 2 (only with "categorical_code").
        scale: the value of the code's hot coordinate, > 0 (only with "categorical_code"; InfoGAN: 1).
        probabilities: None (c uniform), or one share >= 0 per category, summing to 1 (only with
            "categorical_code").
    """

    distribution: str = "normal"
    truncation: Optional[float] = None
    categories: Optional[int] = None
    scale: Optional[float] = None
    probabilities: Optional[tuple] = None

    def __post_init__(self) -> None:
        if self.distribution not in DISTRIBUTIONS:
            raise ValueError(f"The latent distribution must be one of {list(DISTRIBUTIONS)}, got {self.distribution!r}.")
        if self.truncation is not None:
            object.__setattr__(self, "truncation", check_truncation(self.truncation))
        if self.distribution != "categorical_code":
            if self.categories is not None or self.scale is not None or self.probabilities is not None:
                raise ValueError(f"categories, scale and probabilities belong to the 'categorical_code' prior, got "
                                 f"them with {self.distribution!r} (categories={self.categories!r}, "
                                 f"scale={self.scale!r}, probabilities={self.probabilities!r}).")
            return
        categories, scale = self.categories, 1.0 if self.scale is None else self.scale
        if isinstance(categories, bool) or not isinstance(categories, (int, np.integer)) or categories < 2:
            raise ValueError(f"The categorical code needs categories, an integer >= 2, got {categories!r}.")
        if (isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating))
                or not math.isfinite(scale) or scale <= 0):
            raise ValueError(f"The categorical code's scale must be a finite number > 0, got {scale!r}.")
        object.__setattr__(self, "categories", int(categories))
        object.__setattr__(self, "scale", float(scale))
        if self.probabilities is not None:
            object.__setattr__(self, "probabilities", _check_probabilities(self.probabilities, int(categories)))

    # --- forms --------------------------------------------------------------------------------

    def get_config(self) -> dict:
        """The JSON form: {"distribution": ..., "truncation": ...} (+ "categories", "scale" for the
        categorical code)."""
        config = {"distribution": self.distribution, "truncation": self.truncation}
        if self.distribution == "categorical_code":
            config.update(categories=self.categories, scale=self.scale)
            if self.probabilities is not None:
                config["probabilities"] = list(self.probabilities)
        return config

    @classmethod
    def from_config(cls, config: Mapping) -> "LatentPrior":
        unknown = sorted(set(config) - {"distribution", "truncation", "categories", "scale", "probabilities"})
        if unknown:
            raise ValueError(f"Unknown latent prior key(s) {unknown}; expected 'distribution' and 'truncation' "
                             "(and 'categories', 'scale', 'probabilities' for the categorical code).")
        probabilities = config.get("probabilities")
        return cls(config.get("distribution", "normal"), config.get("truncation"), config.get("categories"),
                   config.get("scale"), None if probabilities is None else tuple(probabilities))

    def truncated(self, truncation: Optional[float]) -> "LatentPrior":
        """This prior truncated at `truncation` (None: unchanged)."""
        if truncation is None:
            return self
        return dataclasses.replace(self, truncation=check_truncation(truncation))

    def describe(self) -> str:
        """One line for model cards and signatures, e.g. "z ~ N(0, I)"."""
        if self.distribution == "categorical_code":
            hot = "one_hot(c)" if self.scale == 1.0 else f"{self.scale:g} * one_hot(c)"
            drawn = "uniform over" if self.probabilities is None else "drawn with fixed shares from"
            base = f"z = ({hot}, eps): a code c {drawn} {self.categories} categories, eps ~ N(0, I)"
            what = "eps_i"
        else:
            base = "z ~ N(0, I)" if self.distribution == "normal" else "z ~ U[-1, 1] per coordinate"
            what = "z_i"
        if self.truncation is None:
            return base
        return f"{base}, truncated to |{what}| <= {self.truncation:g} by resampling"

    def check_latent_dim(self, latent_dim: int) -> None:
        """ValueError unless z of `latent_dim` coordinates holds this prior (a code and some noise)."""
        if self.distribution == "categorical_code" and int(latent_dim) <= self.categories:
            raise ValueError(f"The categorical code of {self.categories} categories needs latent_dim > "
                             f"{self.categories} (the code, then the noise), got {latent_dim!r}.")

    def code_of(self, z: Any) -> Any:
        """The categorical code c (int32, one per row) of latents drawn from this prior (tf)."""
        import tensorflow as tf

        if self.distribution != "categorical_code":
            raise ValueError(f"Only the 'categorical_code' prior has a code, this one is {self.distribution!r}.")
        return tf.argmax(z[:, : self.categories], axis=1, output_type=tf.int32)

    # --- numbers ------------------------------------------------------------------------------

    def acceptance(self) -> float:
        """P(|z_i| <= truncation) under the untruncated prior (1 without truncation)."""
        if self.truncation is None:
            return 1.0
        if self.distribution == "uniform":
            return min(self.truncation, 1.0)
        return math.erf(self.truncation / math.sqrt(2.0))

    def sample(self, num: int, latent_dim: int, seed: Optional[int] = None) -> np.ndarray:
        """`num` latents (num, latent_dim) float32 from numpy's default_rng(seed)."""
        if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
            raise ValueError(f"Expected a positive number of samples, got {num!r}.")
        rng = np.random.default_rng(seed)
        shape = (int(num), int(latent_dim))
        self.check_latent_dim(latent_dim)
        z = self._numpy_draw(rng, shape)
        if self.truncation is not None:
            outside = np.abs(z.astype(np.float64)) > self.truncation  # compare the float32 values exactly
            while outside.any():
                z[outside] = self._numpy_draw(rng, (int(outside.sum()),))
                outside = np.abs(z.astype(np.float64)) > self.truncation
        if self.distribution == "categorical_code":  # the code after the noise: eps keeps numpy's stream
            z[:, : self.categories] = 0.0
            if self.probabilities is None:
                code = rng.integers(0, self.categories, shape[0])
            else:
                code = rng.choice(self.categories, shape[0], p=np.asarray(self.probabilities))
            z[np.arange(shape[0]), code] = np.float32(self.scale)
        return z

    def _numpy_draw(self, rng: np.random.Generator, shape: tuple) -> np.ndarray:
        if self.distribution == "uniform":
            return rng.uniform(-1.0, 1.0, shape).astype(np.float32)
        return rng.standard_normal(shape).astype(np.float32)

    def draw(self, shape: Any, seed: Any) -> Any:
        """In-graph draws of `shape` from a keras SeedGenerator `seed` (tf.function-safe); a
        truncated prior redraws the coordinates outside the threshold in a while loop."""
        import keras
        import tensorflow as tf

        def once() -> Any:
            if self.distribution == "uniform":
                return keras.random.uniform(shape, minval=-1.0, maxval=1.0, seed=seed)
            return keras.random.normal(shape, seed=seed)

        z = once()
        if self.truncation is not None:
            threshold = tf.constant(self.truncation, z.dtype)

            def outside(values: Any) -> Any:
                return tf.abs(values) > threshold

            def resample(values: Any) -> tuple:
                return (tf.where(outside(values), once(), values),)

            z = tf.while_loop(lambda values: tf.reduce_any(outside(values)), resample, (z,))[0]
        if self.distribution == "categorical_code":
            shape = tf.convert_to_tensor(shape, tf.int32)
            if self.probabilities is None:
                code = keras.random.randint(shape[:1], 0, self.categories, seed=seed)
            else:
                log_shares = tf.math.log(tf.constant([self.probabilities], tf.float32))
                code = tf.cast(keras.random.categorical(log_shares, shape[0], seed=seed)[0], tf.int32)
            hot = self.scale * tf.one_hot(code, self.categories, dtype=z.dtype)
            z = tf.concat([hot, z[:, self.categories :]], axis=1)
        return z


PriorSpec = Union[LatentPrior, str, Mapping, None]


def as_prior(spec: PriorSpec, default: PriorSpec = "normal") -> LatentPrior:
    """A LatentPrior from a LatentPrior, a distribution name, its config dict, or None (`default`)."""
    if spec is None:
        spec = default
    if isinstance(spec, LatentPrior):
        return spec
    if isinstance(spec, str):
        return LatentPrior(spec)
    if isinstance(spec, Mapping):
        return LatentPrior.from_config(spec)
    raise ValueError(f"Expected a latent prior (a LatentPrior, 'normal', 'uniform' or a config dict), got {spec!r}.")


def prior_of_model_config(model: Mapping, default: PriorSpec = "normal") -> LatentPrior:
    """The prior a config's "model" section declares: its "prior", else the older BEGAN key
    "latent_distribution" (configs and run directories written before the prior existed), else
    `default` (the model class's `default_prior`)."""
    if model.get("prior") is not None:
        return as_prior(model["prior"])
    if model.get("latent_distribution") is not None:
        return as_prior(model["latent_distribution"])
    return as_prior(default)


def prior_of_card(card: Mapping) -> LatentPrior:
    """The prior a model card records (interface.prior); a card written before the field existed
    stated N(0, I), so it reads as the normal prior."""
    recorded = (card.get("interface") or {}).get("prior")
    return as_prior(recorded) if recorded is not None else LatentPrior()


__all__ = ["DISTRIBUTIONS", "LatentPrior", "MIN_TRUNCATION", "as_prior", "check_truncation", "prior_of_card",
           "prior_of_model_config"]
