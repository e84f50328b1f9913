"""Small pieces the architecture builders share: normalisation, spectral norm, conditioning."""
from __future__ import annotations

from typing import Optional

import keras

NORMALIZATIONS = (None, "batch", "sync_batch", "layer")


def check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}.")


def check_positive(**values: int) -> None:
    """Each keyword value must be a positive integer (widths, channels, sizes)."""
    for key, value in values.items():
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{key} must be a positive integer, got {value!r}.")


def resolution_plan(plans: dict, resolution: int) -> tuple:
    """The builder's plan for a supported resolution (its RESOLUTIONS table entry)."""
    if resolution not in plans:
        raise ValueError(f"resolution must be one of {sorted(plans)}, got {resolution!r}.")
    return plans[resolution]


def normalization(kind: Optional[str], name: str) -> Optional[keras.layers.Layer]:
    """A normalisation layer: batch (Ioffe & Szegedy 2015), sync_batch (batch statistics over all
    replicas, so a multi-replica step equals a one-device step), layer (Ba et al. 2016; the WGAN-GP
    critic's choice) or None. Plain batch normalisation under MirroredStrategy uses each replica's
    own batch statistics."""
    check_choice("normalization", kind, NORMALIZATIONS)
    if kind == "batch":
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)
    if kind == "sync_batch":
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=True, name=name)
    if kind == "layer":
        return keras.layers.LayerNormalization(epsilon=1e-5, name=name)
    return None


def maybe_spectral(layer: keras.layers.Layer, spectral_norm: bool) -> keras.layers.Layer:
    """Wrap in Keras's SpectralNormalization (Miyato et al. 2018): one power iteration per call in
    training, one u vector per layer."""
    if not spectral_norm:
        return layer
    return keras.layers.SpectralNormalization(layer, power_iterations=1, name=f"sn_{layer.name}")


def label_embedding(labels, num_classes: int, dim: int, name: str):
    """Embed int labels (batch,) -> (batch, dim)."""
    embedded = keras.layers.Embedding(num_classes, dim, name=name)(labels)
    return keras.layers.Flatten(name=f"{name}_flat")(embedded)


def projection_logits(
    features, labels, num_classes: Optional[int], spectral_norm: bool, name: str = "projection",
    spectral_embedding: bool = False, use_bias: bool = True, kernel_initializer="glorot_uniform",
):
    """Projection discriminator output: psi(h) + <embed(y), h> (Miyato & Koyama 2018, eq. 3).

    `spectral_embedding` spectrally normalises the class embedding too, as the official
    SNGAN-projection (SNEmbedID), SAGAN (sn_embedding) and BigGAN (SNEmbedding) code do: the
    embedding is then the linear map of the one-hot label (same table, same sigma), since Keras's
    wrapper casts an Embedding's output to the int32 label dtype and cuts its gradient.
    Without it, a plain Embedding (Keras default initialiser) as the DCGAN builders use.
    The logits and the inner product are float32 under a mixed-precision policy.
    """
    logits = maybe_spectral(
        keras.layers.Dense(1, use_bias=use_bias, kernel_initializer=kernel_initializer, dtype="float32",
                           name="logits"), spectral_norm
    )(features)
    if num_classes is None:
        return logits
    width = features.shape[-1]
    if spectral_embedding:
        table = keras.layers.Dense(width, use_bias=False, kernel_initializer=kernel_initializer, name=f"{name}_embedding")
        embedded = maybe_spectral(table, spectral_norm)(keras.ops.one_hot(labels, num_classes))
    else:
        embedding = keras.layers.Embedding(num_classes, width, name=f"{name}_embedding")
        embedded = keras.layers.Flatten(name=f"{name}_flat")(embedding(labels))
    inner = keras.layers.Dot(axes=1, dtype="float32", name=f"{name}_inner")([embedded, features])
    return keras.layers.Add(dtype="float32", name="conditional_logits")([logits, inner])
