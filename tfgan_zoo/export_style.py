"""Serving signatures of a style-based generator (StyleGAN, Karras et al. 2019): the truncation
trick in W per sample (`psi`) and style mixing (`mix`), with fixed noise.

    serving_default  z (batch, latent_dim) float32 [, label (batch,) int32], psi (batch,) float32
                     -> images uint8 (batch, H, W, C)
    float_images     the same inputs -> images float32 in [-1, 1] (the linear toRGB output,
                     clipped at inference as the official conversion to images)
    mix              z_coarse, z_fine (batch, latent_dim) float32, crossover (batch,) int32
                     [, label], psi -> images uint8: the styles of z_coarse on the layers below
                     the crossover, of z_fine from it on (crossover 0: z_fine only; the number of
                     style layers: z_coarse only), then truncated by psi
    sample           seed (batch,) int64, truncation (batch,) float32 [, label], psi -> images
                     uint8: z drawn in the graph from each seed (tfgan_zoo.export_seeded), then
                     as serving_default

psi is per sample, in [0, 1]: 1 is the untruncated generator (a SavedModel signature has no
optional inputs, so a client sends 1 for untruncated samples), 0 gives w_avg on the truncated
layers (the generator's truncation_cutoff). The noise inputs read the generator's stored
buffers ("fixed"), so an output depends on the request only. Inputs are checked in the graph
("psi must be in [0, 1]", "crossover must be in [0, L]", batch sizes), as tfgan_zoo.export does.

`style_endpoints(generator, spec)` returns {name: (function, input signature)}, so other
signatures (a seed-based one) can be added beside these.
"""
from __future__ import annotations

from typing import Optional

import keras
import tensorflow as tf

from tfgan_zoo.export_seeded import SAMPLE_SIGNATURE, checked_seeded_latents, sample_signature, seed_signature
from tfgan_zoo.serving_graph import FLOAT_SIGNATURE, SERVING_SIGNATURE, checked_batch, checked_inputs, to_uint8_tensor
from tfgan_zoo.models.stylegan import style_parts

MIX_SIGNATURE = "mix"


def _checked_per_sample(value: tf.Tensor, batch: tf.Tensor, name: str, low: float, high: float,
                        what: str) -> tf.Tensor:
    """`value` of shape (batch,) with every entry in [low, high] (NaN fails), checked at run time."""
    value = checked_batch(value, batch, name)
    inside = tf.reduce_all((value >= tf.cast(low, value.dtype)) & (value <= tf.cast(high, value.dtype)))
    check = tf.debugging.Assert(inside, [f"{name} must be in [{low:g}, {high:g}] ({what}), got", value])
    with tf.control_dependencies([check]):
        return tf.identity(value)


def _style_images(generator: keras.Model, spec: "GeneratorSpec", z: tf.Tensor, label: Optional[tf.Tensor],
                  psi: tf.Tensor, z_mix: Optional[tf.Tensor] = None, crossover: Optional[tf.Tensor] = None,
                  z_name: str = "z") -> tf.Tensor:
    parts = style_parts(generator)
    z, label = checked_inputs(spec, z, label, name=z_name)
    batch = tf.shape(z)[0]
    psi = _checked_per_sample(psi, batch, "psi", 0.0, 1.0, "the truncation in W, 1: untruncated")
    w = parts.map(z, label)
    w_mix = None
    if z_mix is not None:
        z_mix, _ = checked_inputs(spec, z_mix, None, name="z_fine")
        tf.debugging.assert_equal(tf.shape(z_mix)[0], batch, message="z_fine must have the batch size of z_coarse")
        crossover = _checked_per_sample(crossover, batch, "crossover", 0, parts.num_layers,
                                        f"a layer of the {parts.num_layers} style layers")
        w_mix = parts.map(z_mix, label)
    styles = parts.styles(w, w_mix, crossover, psi)
    return tf.cast(parts.synthesize(styles, noise="fixed"), tf.float32)


def style_endpoints(generator: keras.Model, spec: "GeneratorSpec") -> dict:
    """serving_default, float_images (z [, label], psi) and mix (z_coarse, z_fine, crossover
    [, label], psi), as {name: (function, input signature)}."""
    z_spec = lambda name: tf.TensorSpec([None, spec.latent_dim], tf.float32, name=name)  # noqa: E731
    label_spec = [tf.TensorSpec([None], tf.int32, name="label")] if spec.conditional else []
    psi_spec = [tf.TensorSpec([None], tf.float32, name="psi")]
    crossover_spec = [tf.TensorSpec([None], tf.int32, name="crossover")]

    if spec.conditional:
        def images_uint8(z, label, psi):
            return {"images": to_uint8_tensor(_style_images(generator, spec, z, label, psi))}

        def images_float(z, label, psi):
            return {"images": _style_images(generator, spec, z, label, psi)}

        def mixed(z_coarse, z_fine, crossover, label, psi):
            return {"images": to_uint8_tensor(_style_images(generator, spec, z_coarse, label, psi, z_fine, crossover,
                                                            z_name="z_coarse"))}
    else:
        def images_uint8(z, psi):
            return {"images": to_uint8_tensor(_style_images(generator, spec, z, None, psi))}

        def images_float(z, psi):
            return {"images": _style_images(generator, spec, z, None, psi)}

        def mixed(z_coarse, z_fine, crossover, psi):
            return {"images": to_uint8_tensor(_style_images(generator, spec, z_coarse, None, psi, z_fine, crossover,
                                                            z_name="z_coarse"))}

    signature = [z_spec("z"), *label_spec, *psi_spec]
    mix_signature = [z_spec("z_coarse"), z_spec("z_fine"), *crossover_spec, *label_spec, *psi_spec]
    endpoints = {
        SERVING_SIGNATURE: (images_uint8, signature),
        FLOAT_SIGNATURE: (images_float, signature),
        MIX_SIGNATURE: (mixed, mix_signature),
    }
    if spec.prior is not None:
        endpoints[SAMPLE_SIGNATURE] = (seeded_sample(generator, spec), [*seed_signature(), *label_spec, *psi_spec])
    return endpoints


def seeded_sample(generator: keras.Model, spec: "GeneratorSpec"):
    """The `sample` signature's function (seed, truncation [, label], psi): the latents of the
    seeds drawn in the graph (tfgan_zoo.export_seeded), then styled as serving_default."""

    def sample(seed, truncation, *label_and_psi):
        label, psi = label_and_psi if spec.conditional else (None, *label_and_psi)
        z = checked_seeded_latents(seed, truncation, spec.latent_dim, spec.prior)
        return {"images": to_uint8_tensor(_style_images(generator, spec, z, label, psi))}

    return sample


def style_signatures(spec: "GeneratorSpec", inputs: dict, shape: list) -> dict:
    """The model card's description of `style_endpoints` (`inputs`: the z [, label] entries)."""
    psi = {"psi": {"dtype": "float32", "shape": [None],
                   "description": "truncation in W per sample, in [0, 1]: 1 untruncated, 0 w_avg"}}
    uint8 = {"images": {"dtype": "uint8", "shape": shape, "range": [0, 255],
                        "description": "round((x + 1) * 127.5) clipped to [0, 255]"}}
    z = inputs["z"]
    mix_inputs = {
        "z_coarse": {**z, "description": "latents styling the layers below the crossover"},
        "z_fine": {**z, "description": "latents styling the layers from the crossover on"},
        "crossover": {"dtype": "int32", "shape": [None],
                      "description": f"first layer styled by z_fine, in [0, {spec.style_layers}]"},
        **{k: v for k, v in inputs.items() if k != "z"},
        **psi,
    }
    described = {
        SERVING_SIGNATURE: {"inputs": {**inputs, **psi}, "outputs": uint8},
        FLOAT_SIGNATURE: {"inputs": {**inputs, **psi}, "outputs": {
            "images": {"dtype": "float32", "shape": shape, "range": [-1.0, 1.0],
                       "description": "the generator's linear toRGB output clipped to [-1, 1]"}}},
        MIX_SIGNATURE: {"inputs": mix_inputs, "outputs": uint8},
    }
    if spec.prior is not None:
        described[SAMPLE_SIGNATURE] = sample_signature(spec, {**inputs, **psi}, uint8)
    return described
