"""Conditional batch normalization (de Vries et al., 2017; Miyato & Koyama, 2018)."""
from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfgan_zoo.layers._modulation import modulate
from tfgan_zoo.layers._validation import check_known_channels, check_rank, shape_tuple


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ConditionalBatchNormalization(keras.layers.Layer):
    """Batch normalization whose scale and shift are looked up per class.

    de Vries, Strub, Mary, Larochelle, Pietquin, Courville, "Modulating early visual
    processing by language", NeurIPS 2017 (conditional BN); Miyato & Koyama, "cGANs with
    Projection Discriminator", ICLR 2018 (per-class BN in the generator); used by BigGAN.
    For features x (channels last) and an integer class label y:

        x_hat = (x - mu_B) / sqrt(sigma_B^2 + epsilon)   batch norm without affine
                                                          (moving statistics at inference)
        out   = gamma[y] * x_hat + beta[y]               gamma, beta: (num_classes, C)

    gamma is initialised to 1 and beta to 0, so at initialisation the layer is plain batch
    normalisation, as in the official SNGAN-projection (Chainer ``EmbedID`` tables initialised
    1 / 0) and SAGAN (TF ``ConditionalBatchNorm``) code. (BigGAN computes gamma, beta by linear
    maps of a conditioning vector: ``LinearConditionalBatchNormalization``.)

    Call as ``layer([x, labels])`` with ``labels`` integer class ids of shape (batch,) or
    (batch, 1), values in [0, num_classes).

    Args:
        num_classes: number of classes (rows of the gamma/beta tables).
        momentum, epsilon: as for ``keras.layers.BatchNormalization``.
        synchronized: batch statistics over all replicas of a ``tf.distribute`` strategy (so a
            multi-replica step equals a one-device step); off: each replica's own batch.
        gamma_initializer, beta_initializer: initializers of the per-class tables.
    """

    def __init__(
        self,
        num_classes: int,
        momentum: float = 0.99,
        epsilon: float = 1e-5,
        gamma_initializer: Any = "ones",
        beta_initializer: Any = "zeros",
        synchronized: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if int(num_classes) != num_classes or num_classes < 1:
            raise ValueError(
                "ConditionalBatchNormalization expects num_classes to be a positive integer, "
                f"got {num_classes!r}"
            )
        self.num_classes = int(num_classes)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.gamma_initializer = keras.initializers.get(gamma_initializer)
        self.beta_initializer = keras.initializers.get(beta_initializer)
        self.synchronized = bool(synchronized)
        self.batch_norm = keras.layers.BatchNormalization(
            axis=-1,
            momentum=self.momentum,
            epsilon=self.epsilon,
            center=False,
            scale=False,
            synchronized=self.synchronized,
            name="batch_norm",
            dtype=self.dtype_policy,
        )

    def _split_shapes(self, input_shape: Any) -> tuple[tuple, tuple]:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not all(
            isinstance(s, (list, tuple)) or hasattr(s, "as_list") for s in input_shape
        ):
            raise ValueError(
                "ConditionalBatchNormalization expects to be called on a list "
                f"[features, labels], got input shape {input_shape}"
            )
        x_shape = check_rank(
            "ConditionalBatchNormalization",
            input_shape[0],
            min_rank=2,
            description="(batch, ..., channels)",
            what="features",
        )
        check_known_channels("ConditionalBatchNormalization", x_shape, what="features")
        label_shape = shape_tuple(input_shape[1])
        if not (len(label_shape) == 1 or (len(label_shape) == 2 and label_shape[1] == 1)):
            raise ValueError(
                "ConditionalBatchNormalization expects integer labels of shape (batch,) or "
                f"(batch, 1), got shape {label_shape}"
            )
        return x_shape, label_shape

    def build(self, input_shape: Any) -> None:
        x_shape, _ = self._split_shapes(input_shape)
        channels = x_shape[-1]
        self.gamma = self.add_weight(
            name="gamma",
            shape=(self.num_classes, channels),
            initializer=self.gamma_initializer,
            trainable=True,
        )
        self.beta = self.add_weight(
            name="beta",
            shape=(self.num_classes, channels),
            initializer=self.beta_initializer,
            trainable=True,
        )
        self.batch_norm.build(x_shape)

    def call(self, inputs: Any, training: Any = None) -> Any:
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                "ConditionalBatchNormalization expects to be called on a list "
                f"[features, labels], got {type(inputs).__name__}"
            )
        x, labels = inputs
        self._split_shapes([x.shape, labels.shape])
        labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
        normalized = self.batch_norm(x, training=training)
        return modulate(normalized, ops.take(self.gamma, labels, axis=0), ops.take(self.beta, labels, axis=0))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        x_shape, _ = self._split_shapes(input_shape)
        return x_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "num_classes": self.num_classes,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "gamma_initializer": keras.initializers.serialize(self.gamma_initializer),
                "beta_initializer": keras.initializers.serialize(self.beta_initializer),
                "synchronized": self.synchronized,
            }
        )
        return config
