"""The `sample` serving signature: images from seeds, with the truncation trick in the graph.

    sample   seed        int64   (batch,)   one seed per image
             truncation  float32 (batch,)   the |z_i| threshold T of that image; <= 0: none
                                            (the prior as trained); else T >= 0.01
             label       int32   (batch,)   conditional generators only, in [0, num_classes)
             psi         float32 (batch,)   style-based generators only: the truncation in W
                                            (tfgan_zoo.export_style), with fixed noise
             -> images uint8 (batch, H, W, C)

Each row's latent is drawn in the graph from TensorFlow's stateless RNG keyed by its seed alone:
round r draws latent_dim values with `tf.random.stateless_normal` (or `stateless_uniform` in
[-1, 1) for a uniform prior) at the key (seed, r), and the coordinates with |z_i| > T are replaced
by round r + 1's values until none is left -- the resampling rule of tfgan_zoo.latent.LatentPrior
(Brock et al. 2019, sec. 3.1), so z_i follows the prior conditioned on |z_i| <= T. The image of a
seed depends on nothing else in the request (not on its row, the batch or the other seeds), so a
client in any language gets the same image for the same (seed, truncation, label) from this
SavedModel. The values are TensorFlow's (Philox), not numpy's: `sample` and
`GAN.generate(seed=...)` give different images for the same seed.
"""
from __future__ import annotations

from typing import Any, Optional

import tensorflow as tf

from tfgan_zoo.serving_graph import checked_batch, forward, to_uint8_tensor
from tfgan_zoo.latent import MIN_TRUNCATION, LatentPrior

SAMPLE_SIGNATURE = "sample"
TRUNCATION_RULE = f"<= 0: none (the prior as trained), else the |z_i| threshold, >= {MIN_TRUNCATION:g}"


def checked_truncation(truncation: tf.Tensor, batch: tf.Tensor) -> tf.Tensor:
    """`truncation` of shape (batch,), each entry <= 0 or >= MIN_TRUNCATION (NaN fails), checked at run time."""
    truncation = checked_batch(truncation, batch, "truncation", "seed")
    valid = (truncation <= 0.0) | (truncation >= MIN_TRUNCATION)  # False for NaN
    check = tf.debugging.Assert(tf.reduce_all(valid), [f"truncation must be {TRUNCATION_RULE}, got", truncation],
                                summarize=16)
    with tf.control_dependencies([check]):
        return tf.identity(truncation)


def seeded_latents(seed: tf.Tensor, truncation: tf.Tensor, latent_dim: int, prior: LatentPrior) -> tf.Tensor:
    """(batch, latent_dim) float32 latents, row i drawn from the stateless RNG keyed by seed[i] and
    resampled until every |z_ij| <= truncation[i] (truncation <= 0: the prior's own truncation,
    None for an untruncated prior). See the module docstring."""

    def draw(key: tf.Tensor) -> tf.Tensor:
        if prior.distribution in ("normal", "categorical_code"):  # the code's slots are overwritten below
            return tf.random.stateless_normal([latent_dim], seed=key)
        return tf.random.stateless_uniform([latent_dim], seed=key, minval=-1.0, maxval=1.0)

    default = tf.constant(prior.truncation if prior.truncation is not None else float("inf"), tf.float32)

    def one_row(row: tuple) -> tf.Tensor:
        row_seed, threshold = row
        threshold = tf.where(threshold > 0.0, threshold, default)
        key = lambda round_: tf.stack([row_seed, round_])  # noqa: E731

        def outside(z: tf.Tensor) -> tf.Tensor:
            return tf.abs(z) > threshold

        def resample(round_: tf.Tensor, z: tf.Tensor) -> tuple:
            return round_ + 1, tf.where(outside(z), draw(key(round_ + 1)), z)

        _, z = tf.while_loop(lambda round_, z: tf.reduce_any(outside(z)), resample,
                             (tf.constant(0, tf.int64), draw(key(tf.constant(0, tf.int64)))))
        if prior.distribution == "categorical_code":  # InfoGAN: (scale * one_hot(c), eps), c from key (seed, -1)
            code_key = key(tf.constant(-1, tf.int64))
            if prior.probabilities is None:
                code = tf.random.stateless_uniform([], seed=code_key, minval=0, maxval=prior.categories,
                                                   dtype=tf.int64)
            else:  # ClusteredGAN: the code drawn with the clusters' frequencies
                log_shares = tf.math.log(tf.constant([prior.probabilities], tf.float32))
                code = tf.random.stateless_categorical(log_shares, 1, seed=code_key)[0, 0]
            hot = tf.one_hot(code, prior.categories, on_value=float(prior.scale), off_value=0.0)
            z = tf.concat([hot, z[prior.categories:]], 0)
        return z

    return tf.map_fn(one_row, (seed, truncation), fn_output_signature=tf.TensorSpec([latent_dim], tf.float32))


def checked_seeded_latents(seed: tf.Tensor, truncation: tf.Tensor, latent_dim: int, prior: LatentPrior) -> tf.Tensor:
    """`seeded_latents` after checking seed and truncation at run time (the `sample` signatures)."""
    seed = checked_batch(seed, tf.gather(tf.concat([tf.shape(seed), [-1]], 0), 0), "seed", "seed")
    truncation = checked_truncation(truncation, tf.shape(seed)[0])
    return seeded_latents(seed, truncation, latent_dim, prior)


def seed_signature() -> list:
    """The seed and truncation inputs every `sample` signature starts with."""
    return [tf.TensorSpec([None], tf.int64, name="seed"), tf.TensorSpec([None], tf.float32, name="truncation")]


def seeded_images(generator: Any, spec: "GeneratorSpec", prior: LatentPrior, seed: tf.Tensor,
                  truncation: tf.Tensor, label: Optional[tf.Tensor]) -> tf.Tensor:
    """Images in [-1, 1] from seeds (the `sample` signature's graph; inputs checked at run time)."""
    z = checked_seeded_latents(seed, truncation, spec.latent_dim, prior)
    return forward(generator, spec, z, label)  # checks label: its range, the batch of seed


def sample_endpoint(generator: Any, spec: "GeneratorSpec", prior: LatentPrior) -> tuple:
    """(function, input signature) of the `sample` signature."""
    signature = seed_signature()
    if spec.conditional:
        signature.append(tf.TensorSpec([None], tf.int32, name="label"))

        def sample(seed, truncation, label):
            return {"images": to_uint8_tensor(seeded_images(generator, spec, prior, seed, truncation, label))}
    else:
        def sample(seed, truncation):
            return {"images": to_uint8_tensor(seeded_images(generator, spec, prior, seed, truncation, None))}
    return sample, signature


def sample_signature(spec: "GeneratorSpec", inputs: dict, outputs: dict) -> dict:
    """The model card's description of `sample` (`inputs`: the z [, label] entries, and psi for a
    style-based generator; `outputs`: serving_default's uint8 images)."""
    described = {
        "seed": {"dtype": "int64", "shape": [None], "description": "one seed per image: the same seed, "
                 "truncation and label give the same image"},
        "truncation": {"dtype": "float32", "shape": [None], "description": f"per image, {TRUNCATION_RULE} "
                       "(|z_i| above it are resampled)"},
        **{name: value for name, value in inputs.items() if name != "z"},
    }
    return {"inputs": described, "outputs": outputs}
