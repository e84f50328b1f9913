"""Per-pixel noise inputs scaled per channel (StyleGAN, Karras et al., 2019)."""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

import keras
import tensorflow as tf
from keras import ops

from tfgan_zoo.layers._validation import check_known_channels, check_rank, shape_tuple

INFERENCE_NOISE = ("none", "random", "fixed")


def _check_mode(mode: Any) -> str:
    if mode not in INFERENCE_NOISE:
        raise ValueError(f"inference_noise must be one of {list(INFERENCE_NOISE)}, got {mode!r}")
    return mode


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class NoiseInjection(keras.layers.Layer):
    """Add single-channel Gaussian noise, scaled by a learned per-channel weight.

    Karras, Laine, Aila, "A Style-Based Generator Architecture for Generative Adversarial
    Networks", CVPR 2019, section 2 ("B" in figure 1); the official `apply_noise`:

        out[n, h, w, c] = x[n, h, w, c] + weight[c] * noise[n, h, w],  noise ~ N(0, 1)

    one noise image per sample, broadcast over channels; ``weight`` is initialised to 0, so
    at initialisation the layer is the identity whatever the noise.

    In training the noise is fresh on every call (from the layer's own
    ``keras.random.SeedGenerator``, so it works inside tf.function; under a tf.distribute
    strategy each replica takes its rows of one draw for the global batch: different noise per
    replica, the same noise as one device). At inference (``training`` False / None)
    ``inference_noise`` decides:

        "none"    nothing is added (the layer is the identity)
        "random"  fresh noise, as StyleGAN samples (the official randomize_noise=True)
        "fixed"   the layer's noise buffer: one (1, H, W, 1) N(0, 1) map drawn once when the
                  layer is built, stored as a non-trainable weight (the official `noise%d`
                  variables with randomize_noise=False), so outputs depend on the inputs only

    ``with inference_noise(model, "fixed"):`` switches every NoiseInjection in a model for a
    block of code (functions traced inside the block keep the mode they were traced with).
    Explicit ``noise`` (shape (batch, ..., 1) or the input's shape) overrides all of this.

    Args:
        seed: seed of the layer's SeedGenerator and of its noise buffer (None: random).
        inference_noise: "none" (default), "random" or "fixed", as above.
        weight_initializer: initializer of the per-channel weight (default zeros).
    """

    def __init__(
        self,
        seed: int | None = None,
        inference_noise: str = "none",
        weight_initializer: Any = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        self.inference_noise = _check_mode(inference_noise)
        self.weight_initializer = keras.initializers.get(weight_initializer)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.noise_buffer = None

    def build(self, input_shape: Any) -> None:
        shape = check_rank(
            "NoiseInjection", input_shape, min_rank=2, description="(batch, ..., channels)"
        )
        channels = check_known_channels("NoiseInjection", shape)
        self.weight = self.add_weight(
            name="weight", shape=(channels,), initializer=self.weight_initializer, trainable=True
        )
        spatial = shape[1:-1]
        if all(size is not None for size in spatial):
            self.noise_buffer = self.add_weight(
                name="noise_buffer",
                shape=(1, *spatial, 1),
                initializer=keras.initializers.RandomNormal(stddev=1.0, seed=self.seed),
                trainable=False,
            )

    def call(self, inputs: Any, noise: Any = None, training: Any = None) -> Any:
        shape = check_rank(
            "NoiseInjection", inputs.shape, min_rank=2, description="(batch, ..., channels)"
        )
        if noise is None:
            mode = "random" if training else self.inference_noise
            if mode == "none":
                return inputs
            if mode == "fixed":
                if self.noise_buffer is None:
                    raise ValueError(
                        "NoiseInjection has no noise buffer for inference_noise='fixed': its input "
                        f"had unknown spatial dimensions {shape} when it was built"
                    )
                noise = self.noise_buffer
            else:
                noise = self._sample_noise(tuple(ops.shape(inputs)[:-1]) + (1,), inputs.dtype)
        else:
            noise_shape = shape_tuple(noise.shape)
            if len(noise_shape) != len(shape) or noise_shape[-1] not in (1, shape[-1], None):
                raise ValueError(
                    f"NoiseInjection expects noise of shape {shape[:-1] + (1,)} (or {shape}), "
                    f"got shape {noise_shape}"
                )
        return inputs + ops.cast(self.weight, inputs.dtype) * ops.cast(noise, inputs.dtype)

    def _sample_noise(self, shape: tuple, dtype: Any) -> Any:
        """N(0, 1) noise from the layer's SeedGenerator: this replica's slice of one draw for
        the global batch.

        ``keras.random.normal(shape, seed=self.seed_generator)`` would draw the same noise
        on every replica of a tf.distribute strategy (the generator state is mirrored). Each
        replica instead draws the noise of all replicas' samples from the shared seed and keeps
        the rows of its own samples, as the GAN's latents do: the replicas get different noise,
        and a two-replica step sees the noise of a one-device step on the same global batch.
        """
        seed = self.seed_generator.next()
        context = tf.distribute.get_replica_context()
        if context is None or context.num_replicas_in_sync == 1:
            return tf.random.stateless_normal(shape, seed=seed, dtype=dtype)
        batch = shape[0]
        global_shape = (batch * context.num_replicas_in_sync, *shape[1:])
        start = ops.cast(context.replica_id_in_sync_group, "int32") * ops.cast(batch, "int32")
        return tf.random.stateless_normal(global_shape, seed=seed, dtype=dtype)[start:start + batch]

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "seed": self.seed,
                "inference_noise": self.inference_noise,
                "weight_initializer": keras.initializers.serialize(self.weight_initializer),
            }
        )
        return config


def _noise_layers(layer: Any) -> Iterator[NoiseInjection]:
    if isinstance(layer, NoiseInjection):
        yield layer
    for child in getattr(layer, "layers", ()):
        yield from _noise_layers(child)


@contextlib.contextmanager
def inference_noise(model: keras.layers.Layer, mode: str) -> Iterator[keras.layers.Layer]:
    """Run a block with every NoiseInjection in `model` (nested models included) set to
    `mode` ("none", "random" or "fixed") at inference; the previous modes come back after."""
    _check_mode(mode)
    layers = list(_noise_layers(model))
    previous = [layer.inference_noise for layer in layers]
    for layer in layers:
        layer.inference_noise = mode
    try:
        yield model
    finally:
        for layer, old in zip(layers, previous):
            layer.inference_noise = old
