"""Per-pixel noise inputs scaled per channel (StyleGAN, Karras et al., 2019)."""
from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf
from keras import ops

from tfgan_zoo.layers._validation import check_known_channels, check_rank, shape_tuple


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class NoiseInjection(keras.layers.Layer):
    """Add single-channel Gaussian noise, scaled by a learned per-channel weight.

    Karras, Laine, Aila, "A Style-Based Generator Architecture for Generative Adversarial
    Networks", CVPR 2019, section 2 ("B" in figure 1):

        out[n, h, w, c] = x[n, h, w, c] + weight[c] * noise[n, h, w],  noise ~ N(0, 1)

    one noise image per sample, broadcast over channels; ``weight`` is initialised to 0.

    Noise is added when the layer runs in training mode (fresh noise from the layer's own
    ``keras.random.SeedGenerator``, so it works inside tf.function) or when ``noise`` is
    passed explicitly (shape (batch, ..., 1) or the input's shape). In inference without
    explicit noise the input is returned unchanged, unless ``apply_at_inference=True``
    (StyleGAN samples noise at inference too; turn it on for such sampling). Under a
    tf.distribute strategy each replica draws different noise.

    Args:
        seed: seed of the layer's SeedGenerator (None: random).
        apply_at_inference: draw noise also when training is False / None.
        weight_initializer: initializer of the per-channel weight (default zeros).
    """

    def __init__(
        self,
        seed: int | None = None,
        apply_at_inference: bool = False,
        weight_initializer: Any = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        self.apply_at_inference = bool(apply_at_inference)
        self.weight_initializer = keras.initializers.get(weight_initializer)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape: Any) -> None:
        shape = check_rank(
            "NoiseInjection", input_shape, min_rank=2, description="(batch, ..., channels)"
        )
        channels = check_known_channels("NoiseInjection", shape)
        self.weight = self.add_weight(
            name="weight", shape=(channels,), initializer=self.weight_initializer, trainable=True
        )

    def call(self, inputs: Any, noise: Any = None, training: Any = None) -> Any:
        shape = check_rank(
            "NoiseInjection", inputs.shape, min_rank=2, description="(batch, ..., channels)"
        )
        if noise is None:
            if not (training or self.apply_at_inference):
                return inputs
            noise_shape = tuple(ops.shape(inputs)[:-1]) + (1,)
            noise = self._sample_noise(noise_shape, inputs.dtype)
        else:
            noise_shape = shape_tuple(noise.shape)
            if len(noise_shape) != len(shape) or noise_shape[-1] not in (1, shape[-1], None):
                raise ValueError(
                    f"NoiseInjection expects noise of shape {shape[:-1] + (1,)} (or {shape}), "
                    f"got shape {noise_shape}"
                )
        return inputs + ops.cast(self.weight, inputs.dtype) * ops.cast(noise, inputs.dtype)

    def _sample_noise(self, shape: tuple, dtype: Any) -> Any:
        """N(0, 1) noise from the layer's SeedGenerator, different on every replica.

        ``keras.random.normal(shape, seed=self.seed_generator)`` would draw the same noise
        on every replica of a tf.distribute strategy (the generator state is mirrored), so
        the replica id is folded into the drawn seed before the stateless draw.
        """
        seed = self.seed_generator.next()
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            replica = ops.cast(context.replica_id_in_sync_group, seed.dtype)
            seed = seed + replica * ops.convert_to_tensor([0, 1], dtype=seed.dtype)
        return tf.random.stateless_normal(shape, seed=seed, dtype=dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "seed": self.seed,
                "apply_at_inference": self.apply_at_inference,
                "weight_initializer": keras.initializers.serialize(self.weight_initializer),
            }
        )
        return config
