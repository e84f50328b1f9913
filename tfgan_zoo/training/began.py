"""BEGAN (Berthelot et al. 2017, "BEGAN: Boundary Equilibrium Generative Adversarial Networks").

The discriminator D is an autoencoder; L(v) = |v - D(v)| is its pixel-wise L1 reconstruction loss
(eta = 1 in the paper's L(v) = |v - D(v)|^eta), taken here as the mean over pixels of each sample,
then the mean over the batch. With the control variable k_t (paper eq. 4 and sec. 3.4):

    L_D     = L(x) - k_t L(G(z_D))
    L_G     = L(G(z_G))
    k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z))), 0, 1),   k_0 = 0, lambda_k = 0.001
    M       = L(x) + |gamma L(x) - L(G(z))|                         (convergence measure, sec. 3.4.1)

gamma = E[L(G(z))] / E[L(x)] in (0, 1] is the diversity ratio (paper: 0.3 to 0.7; 0.5 here).

k_t is a non-trainable variable of the model (saved with it) updated after each discriminator
update, from that update's L(x) and L(G(z_D)) -- both evaluated before the update, as in the
usual single-graph implementations where z_D = z_G; the paper writes L(G(z_G)) in the k update.
Under tf.distribute L(x) and L(G(z)) are per-replica means; the k update and M use their mean over
replicas (an all-reduce in the replica context), so every replica holds the same k_t.

BEGAN has its own objective: `compile` accepts only loss="began" (or None) and no loss_params,
and rejects regularisers that need discriminator logits (gradient penalties, R1/R2, feature
matching): there are none, D returns reconstructions. Latents are z ~ U[-1, 1]^N_z as in the paper
(sec. 4): BEGAN's default prior is LatentPrior("uniform"), used in training and in `generate`
(`prior="normal"` for N(0, I)).
"""
from __future__ import annotations

from typing import Any, Optional

import keras
import tensorflow as tf

from tfgan_zoo import regularizers as regularizers_lib
from tfgan_zoo.latent import PriorSpec, as_prior
from tfgan_zoo.training.gan import GAN, _replica_context

Tensor = tf.Tensor
# Regulariser kinds that make sense without logits: they act on weights only.
SUPPORTED_REGULARIZERS = ("orthogonal", "weight_clipping")


def reconstruction_loss(images: Tensor, reconstructions: Tensor) -> Tensor:
    """L(v) = mean over samples of (mean over pixels of |v - D(v)|) (Berthelot 2017, eq. 1, eta = 1)."""
    difference = tf.abs(tf.cast(images, tf.float32) - tf.cast(reconstructions, tf.float32))
    per_sample = tf.reduce_mean(tf.reshape(difference, (tf.shape(difference)[0], -1)), axis=1)
    return tf.reduce_mean(per_sample)


def k_update(k: Tensor, real_loss: Tensor, fake_loss: Tensor, gamma: float, lambda_k: float) -> Tensor:
    """k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z))), 0, 1) (Berthelot 2017, eq. 4)."""
    k = tf.cast(k, tf.float32)
    return tf.clip_by_value(k + lambda_k * (gamma * real_loss - fake_loss), 0.0, 1.0)


def convergence_measure(real_loss: Tensor, fake_loss: Tensor, gamma: float) -> Tensor:
    """M_global = L(x) + |gamma L(x) - L(G(z))| (Berthelot 2017, sec. 3.4.1)."""
    return real_loss + tf.abs(gamma * real_loss - fake_loss)


def _shape(tensor_shape: Any) -> tuple:
    return tuple(tensor_shape)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class BEGAN(GAN):
    """Boundary equilibrium GAN: an autoencoder discriminator balanced by k_t (Berthelot et al. 2017).

    Args (besides GAN's; BEGAN is unconditional):
        discriminator: an autoencoder, images -> reconstructions of the same shape
            (tfgan_zoo.models.began_autoencoder).
        gamma: diversity ratio in (0, 1]; default 0.5.
        lambda_k: proportional gain of the k update, > 0; default 0.001.
        prior: the latent prior; default "uniform" (z ~ U[-1, 1], the paper's), or "normal".
        latent_distribution: the older name of `prior` ("uniform" or "normal"), still read from
            configs, .keras files and run directories written before the prior existed.

    Trackers: d_loss, d_adv (= L(x) - k_t L(G(z_D))), g_loss, g_adv (= L(G(z_G))), and
    recon_real (L(x)), recon_fake (L(G(z_D))), k_t (after each update), convergence (M).
    """

    default_prior = "uniform"  # z ~ U[-1, 1] (Berthelot et al. 2017, sec. 4)

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int,
        num_classes: Optional[int] = None,
        seed: Optional[int] = None,
        gamma: float = 0.5,
        lambda_k: float = 0.001,
        prior: PriorSpec = None,
        latent_distribution: Optional[str] = None,
        **kwargs: Any,
    ):
        if num_classes is not None:
            raise ValueError(f"BEGAN is unconditional: expected num_classes=None, got {num_classes!r}.")
        if not 0.0 < float(gamma) <= 1.0:
            raise ValueError(f"gamma must be in (0, 1], got {gamma!r}.")
        if not float(lambda_k) > 0.0:
            raise ValueError(f"lambda_k must be > 0, got {lambda_k!r}.")
        if latent_distribution is not None:
            legacy = as_prior(latent_distribution)
            if prior is not None and as_prior(prior) != legacy:
                raise ValueError(f"Got prior={prior!r} and latent_distribution={latent_distribution!r}; "
                                 "give one (latent_distribution is the older name of prior).")
            prior = legacy
        super().__init__(generator, discriminator, latent_dim, num_classes=None, seed=seed, prior=prior, **kwargs)
        inputs, outputs = discriminator.inputs, discriminator.outputs
        if len(inputs) != 1 or len(outputs) != 1 or _shape(inputs[0].shape)[1:] != _shape(outputs[0].shape)[1:]:
            raise ValueError(
                "BEGAN needs an autoencoder discriminator mapping images to reconstructions of the same "
                f"shape, got inputs {[_shape(t.shape) for t in inputs]} and outputs {[_shape(t.shape) for t in outputs]}."
            )
        generated = _shape(generator.outputs[0].shape)[1:]
        if generated != _shape(inputs[0].shape)[1:]:
            raise ValueError(
                f"The generator makes samples of shape {generated} but the autoencoder takes "
                f"{_shape(inputs[0].shape)[1:]}."
            )
        self.gamma = float(gamma)
        self.lambda_k = float(lambda_k)
        # Tracked non-trainable variable: saved in .keras files and weight checkpoints. Every replica
        # assigns the same all-reduced value; ONLY_FIRST_REPLICA makes that a plain broadcast.
        self.k_t = keras.Variable(
            0.0, shape=(), dtype="float32", trainable=False, aggregation="only_first_replica", name="k_t"
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "gamma": self.gamma,
            "lambda_k": self.lambda_k,
        }

    def compile(
        self,
        g_optimizer: Any = None,
        d_optimizer: Any = None,
        loss: Optional[str] = "began",
        loss_params: Optional[dict] = None,
        regularizers: Any = (),
        **kwargs: Any,
    ) -> None:
        """GAN.compile with BEGAN's own objective: `loss` must be "began" (or None), no loss_params."""
        if loss not in ("began", None):
            raise ValueError(
                "BEGAN uses its own objective (L1 autoencoder reconstruction losses balanced by k_t, "
                f"Berthelot et al. 2017); the loss registry does not apply. Expected loss='began', got {loss!r}."
            )
        if loss_params:
            raise ValueError(f"BEGAN takes no loss_params, got {loss_params!r}.")
        regularizers = [regularizers_lib.get(r) for r in regularizers]
        for regularizer in regularizers:
            if regularizer.kind not in SUPPORTED_REGULARIZERS:
                raise ValueError(
                    f"Regularizer {regularizer.kind!r} needs discriminator logits, but BEGAN's discriminator "
                    f"returns reconstructions; supported with BEGAN: {list(SUPPORTED_REGULARIZERS)}."
                )
        super().compile(g_optimizer, d_optimizer, loss="nonsaturating", regularizers=regularizers, **kwargs)
        # The registry pair is never used; record "began" so compile_from_config comes back here.
        self.loss_name = "began"
        self.generator_loss = self.discriminator_loss = None
        self._gan_compile_config["loss"] = "began"

    def extra_tracker_names(self) -> tuple[str, ...]:
        return ("recon_real", "recon_fake", "k_t", "convergence")

    # --- hooks ----------------------------------------------------------------------------------

    def reconstruction_loss(self, images: Tensor, training: bool = True) -> Tensor:
        """L(v) = mean |v - D(v)| for a batch v, through this model's autoencoder."""
        return reconstruction_loss(images, self.discriminator(images, training=training))

    def discriminator_adversarial(self, real: Tensor, fake: Tensor, labels: Optional[Tensor]) -> tuple[Tensor, dict]:
        """L(x) - k_t L(G(z_D)), reporting L(x) and L(G(z_D))."""
        real_loss = self.reconstruction_loss(real)
        fake_loss = self.reconstruction_loss(fake)
        adversarial = real_loss - tf.convert_to_tensor(self.k_t) * fake_loss
        return adversarial, {"recon_real": (real_loss, 1.0), "recon_fake": (fake_loss, 1.0)}

    def generator_adversarial(self, real: Tensor, fake: Tensor, labels: Optional[Tensor]) -> tuple[Tensor, dict]:
        """L_G = L(G(z_G))."""
        return self.reconstruction_loss(fake), {}

    def after_discriminator_step(self, report: dict) -> None:
        """k_t update (eq. 4) from the replica-mean L(x), L(G(z_D)); adds k_t and M to the report."""
        super().after_discriminator_step(report)
        real_loss, fake_loss = report["recon_real"][0], report["recon_fake"][0]
        replicas, _ = _replica_context()
        if replicas > 1:
            real_loss, fake_loss = tf.distribute.get_replica_context().all_reduce("mean", [real_loss, fake_loss])
        k = k_update(self.k_t, real_loss, fake_loss, self.gamma, self.lambda_k)
        self.k_t.assign(k)
        report["k_t"] = (k, 1.0)
        report["convergence"] = (convergence_measure(real_loss, fake_loss, self.gamma), 1.0)

    def test_step(self, data: Any) -> dict:
        """L(x), L(G(z)), d_adv at the current k_t, and M, without updating anything."""
        real, _ = self._unpack(data)
        z = self.sample_latents(tf.shape(real)[0])
        fake = self.generate_from(z, None, training=False)
        real_loss = self.reconstruction_loss(real, training=False)
        fake_loss = self.reconstruction_loss(fake, training=False)
        values = {
            "d_adv": real_loss - tf.convert_to_tensor(self.k_t) * fake_loss,
            "g_adv": fake_loss,
            "recon_real": real_loss,
            "recon_fake": fake_loss,
            "convergence": convergence_measure(real_loss, fake_loss, self.gamma),
        }
        self._track({name: (value, 1.0) for name, value in values.items()})
        return {name: self._trackers[name].result() for name in values}
