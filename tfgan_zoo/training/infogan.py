"""InfoGAN (Chen et al. 2016, "InfoGAN: Interpretable Representation Learning by Information
Maximizing Generative Adversarial Nets").

z = (one_hot(c), eps): a categorical code c ~ U{0..K-1} beside the noise (the prior
`LatentPrior("categorical_code", categories=K)`). A head Q on the discriminator's feature layer
predicts c from G(z), and the generator and Q minimise

    L_G + lambda * CE(c, Q(G(z)))                 (eq. 5: min_{G,Q} V(D, G) - lambda L_I(G, Q))

where CE is `losses.information_loss`, H(c) - L_I. For K digit classes the code is pushed to
select one legible, recognisable kind of sample per value: a sample between two classes is one
that Q cannot read.

As in the paper, Q shares the discriminator's layers: its head reads the flattened last feature
map (the layer named "features") through FC 128 - batch norm - LeakyReLU 0.1 - FC K (the paper's
MNIST Q, appendix C.1), lambda = 1 for a discrete code. As in the authors' code, the term is added
to both losses: the discriminator update trains Q's head and the shared layers on it (on the fake
batch of its step), the generator update trains G.
"""
from __future__ import annotations

from typing import Any, Optional

import keras
import tensorflow as tf

from tfgan_zoo.losses import information_loss
from tfgan_zoo.training.gan import GAN

Tensor = tf.Tensor


def q_head(categories: int, width: int = 128, name: str = "q_head") -> keras.Sequential:
    """FC width - batch norm - LeakyReLU 0.1 - FC categories: code logits (InfoGAN, appendix C.1).
    The batch norm is synchronized, so two replicas normalise as one device would."""
    return keras.Sequential([
        keras.layers.Dense(width, use_bias=False, name="q_dense"),
        keras.layers.BatchNormalization(synchronized=True, name="q_norm"),  # global-batch statistics under a strategy
        keras.layers.LeakyReLU(negative_slope=0.1, name="q_lrelu"),
        keras.layers.Dense(categories, name="q_logits", dtype="float32"),
    ], name=name)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class InfoGAN(GAN):
    """GAN whose generator also makes its categorical code readable by a Q head (Chen et al. 2016).

    Args (besides GAN's):
        prior: must be a "categorical_code" LatentPrior (or its config dict).
        information_weight: lambda > 0 on the information term (paper: 1 for discrete codes).
        q_width: width of Q's hidden layer (paper: 128).
        feature_layer: the discriminator layer Q reads (the builders' flattened "features").
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int, *,
                 information_weight: float = 1.0, q_width: int = 128, feature_layer: str = "features",
                 **kwargs: Any):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        if self.prior.distribution != "categorical_code":
            raise ValueError(f"InfoGAN needs the 'categorical_code' prior (model.prior = {{'distribution': "
                             f"'categorical_code', 'categories': K}}), got {self.prior.get_config()!r}.")
        if isinstance(information_weight, bool) or not float(information_weight) > 0.0:
            raise ValueError(f"information_weight must be a number > 0, got {information_weight!r}.")
        if isinstance(q_width, bool) or int(q_width) != q_width or q_width < 1:
            raise ValueError(f"q_width must be an integer >= 1, got {q_width!r}.")
        self.information_weight = float(information_weight)
        self.q_width = int(q_width)
        self.feature_layer = feature_layer
        self._code_features = self._make_feature_model(feature_layer)
        self.q_head = q_head(self.prior.categories, self.q_width)
        self.q_head.build(self._code_features.outputs[1].shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "information_weight": self.information_weight, "q_width": self.q_width,
                "feature_layer": self.feature_layer}

    def extra_tracker_names(self) -> tuple:
        return ("d_info", "g_info", "q_accuracy")

    def code_logits(self, samples: Tensor, labels: Optional[Tensor] = None, training: bool = True) -> Tensor:
        """Q's logits of the code behind each sample (batch, K)."""
        inputs = samples if self.num_classes is None else [samples, labels]
        _, features = self._code_features(inputs, training=training)
        return self.q_head(features, training=training)

    def information_term(self, z: Tensor, fake: Tensor, labels: Optional[Tensor]) -> tuple[Tensor, Tensor]:
        """(CE(c, Q(fake)), Q's accuracy on c) for the codes c of the latents z of `fake`."""
        codes = self.prior.code_of(z)
        logits = self.code_logits(fake, labels, training=True)
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, axis=1, output_type=tf.int32), codes), tf.float32))
        return tf.cast(information_loss(codes, logits), tf.float32), accuracy

    def discriminator_latent_term(self, z: Tensor, fake: Tensor, labels: Optional[Tensor]) -> tuple[Tensor, dict]:
        loss, accuracy = self.information_term(z, fake, labels)
        return self.information_weight * loss, {"d_info": (loss, 1.0), "q_accuracy": (accuracy, 1.0)}

    def generator_latent_term(self, z: Tensor, fake: Tensor, labels: Optional[Tensor]) -> tuple[Tensor, dict]:
        loss, _ = self.information_term(z, fake, labels)
        return self.information_weight * loss, {"g_info": (loss, 1.0)}

    def discriminator_variables(self) -> list:
        return self.discriminator.trainable_variables + self.q_head.trainable_variables


__all__ = ["InfoGAN", "q_head"]
