"""Unrolled GAN (Metz et al. 2016, "Unrolled Generative Adversarial Networks").

The generator is trained against the discriminator as it will be after K more updates of its own
objective f(theta_G, theta_D) (paper eqs. 4-6, written here for the discriminator *loss* L_D, which
the discriminator descends):

    theta_D^0     = theta_D
    theta_D^{k+1} = theta_D^k - eta * dL_D(theta_G, theta_D^k) / dtheta_D^k      k = 0 .. K-1
    L_G^K(theta_G) = L_G(theta_G, theta_D^K(theta_G, theta_D))

Every theta_D^k depends on theta_G through the fake batch G(z) inside L_D, so dL_G^K/dtheta_G has
a second-order part: it back-propagates through the K updates (paper eq. 7, both terms). With
`first_order=True` the updates are treated as constants (paper eq. 7 without its second term):
the gradient flows only through the final evaluation D_{theta_D^K}(G(z)); K = 0 is the plain GAN.

The unrolled weights are never written to the discriminator: it is evaluated with them by Keras 3
`stateless_call`, and the discriminator keeps its normal update in the generic step. The unrolling
uses the same real batch and the same fake batch G(z) as the generator loss, and only the
adversarial discriminator loss (no regularisers).

Unroll optimizer: eq. 4 of the paper is plain gradient descent with a step eta^k ("sgd" here); the
authors' reference code unrolls through the discriminator's own optimizer, Adam, moments included
("adam" here: the update of keras.optimizers.Adam written functionally, starting from the
d_optimizer's current moments and step count, none of which is modified).

Second order through Adam is ill-conditioned where the second moment v is tiny: the step
alpha * m / (sqrt(v) + eps) changes by about alpha * (1 - beta_1) / (sqrt(v) + eps) per unit of
gradient, up to alpha / eps = 2000 for alpha 2e-4, eps 1e-7. On the 2-D toys (authors' setup) it
trains; on the convolutional MNIST discriminator it does not (FID 1806 after 1,000 steps against
68 first order), so `unrolled_mnist5k` unrolls first order.
"""
from __future__ import annotations

from typing import Any, Optional

import keras
import tensorflow as tf

from tfgan_zoo.training.gan import GAN, _replica_context

Tensor = tf.Tensor
UNROLL_OPTIMIZERS = ("sgd", "adam")
UNROLLED_OBJECTIVES = ("generator_loss", "value")


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class UnrolledGAN(GAN):
    """GAN whose generator loss is taken through K differentiable discriminator updates (Metz 2016).

    Args (besides GAN's):
        unrolling_steps: K >= 0 (0 is the plain GAN; the cost of a generator step grows ~K-fold).
        first_order: treat the unrolled weights as constants with respect to the generator: the
            gradient is that of L_G at theta_D^K, without back-propagating through the updates.
        unroll_learning_rate: eta of the simulated updates; None uses the discriminator
            optimizer's current learning rate.
        unroll_optimizer: "sgd" (theta <- theta - eta g, paper eq. 4) or "adam" (the Adam update of
            the d_optimizer, which must then be keras Adam, from its current moments, as in the
            authors' reference code).
        unrolled_objective: what the generator descends at theta_D^K. "generator_loss": the
            compiled generator loss on the fake batch. "value": the game's value f = -L_D, real
            and fake terms (paper eq. 5, and the reference code's `-unrolled_loss`): the real-data
            term depends on theta_G through theta_D^K, so with K > 0 it adds gradient that the
            fake-only loss drops. With the minimax loss and K = 0 both are the same objective.

    Under tf.distribute the simulated gradients are all-reduced (mean) across replicas, so every
    replica unrolls the same global-batch update as the real discriminator step.
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int, *,
                 unrolling_steps: int = 5, first_order: bool = False, unroll_learning_rate: Optional[float] = None,
                 unroll_optimizer: str = "sgd", unrolled_objective: str = "generator_loss", **kwargs: Any):
        if isinstance(unrolling_steps, bool) or int(unrolling_steps) != unrolling_steps or unrolling_steps < 0:
            raise ValueError(f"unrolling_steps must be an integer >= 0, got {unrolling_steps!r}.")
        if unroll_learning_rate is not None and not float(unroll_learning_rate) > 0.0:
            raise ValueError(f"unroll_learning_rate must be None or > 0, got {unroll_learning_rate!r}.")
        if unroll_optimizer not in UNROLL_OPTIMIZERS:
            raise ValueError(f"unroll_optimizer must be one of {list(UNROLL_OPTIMIZERS)}, got {unroll_optimizer!r}.")
        if unrolled_objective not in UNROLLED_OBJECTIVES:
            raise ValueError(
                f"unrolled_objective must be one of {list(UNROLLED_OBJECTIVES)}, got {unrolled_objective!r}."
            )
        if not isinstance(first_order, bool):
            raise ValueError(f"first_order must be True or False, got {first_order!r}.")
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.unrolling_steps = int(unrolling_steps)
        self.first_order = first_order
        self.unroll_learning_rate = None if unroll_learning_rate is None else float(unroll_learning_rate)
        self.unroll_optimizer = unroll_optimizer
        self.unrolled_objective = unrolled_objective

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """GAN.compile; with unroll_optimizer="adam" the d_optimizer must be a keras Adam."""
        super().compile(*args, **kwargs)
        if self.unroll_optimizer == "adam":
            inner = self._adam()
            if not isinstance(inner, keras.optimizers.Adam):
                raise ValueError(
                    "unroll_optimizer='adam' unrolls with the d_optimizer's Adam moments; expected a "
                    f"keras.optimizers.Adam d_optimizer, got {type(inner).__name__}. Use unroll_optimizer='sgd'."
                )
            # Keras keeps the moments in private lists; fail here, not in the first step, if that changes.
            if not all(hasattr(inner, name) for name in ("_momentums", "_velocities", "_get_variable_index")):
                raise ValueError(
                    f"unroll_optimizer='adam' cannot read the moments of this Keras version's Adam "
                    f"(keras {keras.__version__}); use unroll_optimizer='sgd'."
                )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "unrolling_steps": self.unrolling_steps,
            "first_order": self.first_order,
            "unroll_learning_rate": self.unroll_learning_rate,
            "unroll_optimizer": self.unroll_optimizer,
            "unrolled_objective": self.unrolled_objective,
        }

    # --- the unrolled discriminator -------------------------------------------------------------

    def _adam(self) -> keras.optimizers.Optimizer:
        # A LossScaleOptimizer (mixed precision) wraps the real one.
        return getattr(self.d_optimizer, "inner_optimizer", self.d_optimizer)

    def _learning_rate(self) -> Tensor:
        if self.unroll_learning_rate is not None:
            return tf.constant(self.unroll_learning_rate, tf.float32)
        return tf.cast(self._adam().learning_rate, tf.float32)

    def stateless_discriminate(
        self, trainable: list, non_trainable: list, samples: Tensor, labels: Optional[Tensor]
    ) -> tuple[Tensor, list]:
        """D logits with the given weights (no side effects): (logits, updated non-trainable state)."""
        inputs = samples if self.num_classes is None else [samples, labels]
        logits, non_trainable = self.discriminator.stateless_call(trainable, non_trainable, inputs, training=True)
        return tf.cast(logits, tf.float32), non_trainable

    def unroll_discriminator(
        self, real: Tensor, fake: Tensor, labels: Optional[Tensor] = None
    ) -> tuple[list, list]:
        """theta_D^K and the discriminator's non-trainable state after K simulated updates.

        Differentiable with respect to `fake` (and so the generator) unless `first_order`.
        """
        variables = self.discriminator.trainable_variables
        weights = [tf.convert_to_tensor(v) for v in variables]
        state = [tf.convert_to_tensor(v) for v in self.discriminator.non_trainable_variables]
        if self.unrolling_steps == 0:
            return weights, state
        if self.first_order:
            fake = tf.stop_gradient(fake)
        learning_rate = self._learning_rate()
        replicas, _ = _replica_context()
        if self.unroll_optimizer == "adam":
            adam = self._adam()
            moments = [tf.convert_to_tensor(adam._momentums[adam._get_variable_index(v)]) for v in variables]
            velocities = [tf.convert_to_tensor(adam._velocities[adam._get_variable_index(v)]) for v in variables]
            hats = None
            if adam.amsgrad:
                hats = [tf.convert_to_tensor(adam._velocity_hats[adam._get_variable_index(v)]) for v in variables]
            step = tf.cast(adam.iterations, tf.float32)
        for k in range(self.unrolling_steps):
            with tf.GradientTape() as tape:
                tape.watch(weights)
                real_logits, state = self.stateless_discriminate(weights, state, real, labels)
                fake_logits, state = self.stateless_discriminate(weights, state, fake, labels)
                loss = tf.cast(self.discriminator_loss(real_logits, fake_logits), tf.float32)
            gradients = tape.gradient(loss, weights)
            gradients = [tf.zeros_like(w) if g is None else g for g, w in zip(gradients, weights)]
            if replicas > 1:  # the real D step follows the global-batch gradient: so does the unroll
                gradients = tf.distribute.get_replica_context().all_reduce("mean", gradients)
            if self.first_order:
                gradients = [tf.stop_gradient(g) for g in gradients]
            if self.unroll_optimizer == "sgd":
                weights = [w - tf.cast(learning_rate, w.dtype) * g for w, g in zip(weights, gradients)]
                continue
            # keras.optimizers.Adam.update_step, functionally (Kingma & Ba 2015, Algorithm 1).
            local_step = step + float(k + 1)
            alpha = learning_rate * tf.sqrt(1.0 - adam.beta_2 ** local_step) / (1.0 - adam.beta_1 ** local_step)
            moments = [m + (g - m) * (1.0 - adam.beta_1) for m, g in zip(moments, gradients)]
            velocities = [v + (tf.square(g) - v) * (1.0 - adam.beta_2) for v, g in zip(velocities, gradients)]
            denominators = velocities
            if hats is not None:
                hats = [tf.maximum(h, v) for h, v in zip(hats, velocities)]
                denominators = hats
            weights = [
                w - m * tf.cast(alpha, w.dtype) / (tf.sqrt(v) + adam.epsilon)
                for w, m, v in zip(weights, moments, denominators)
            ]
        return weights, state

    # --- hooks ----------------------------------------------------------------------------------

    def generator_adversarial(self, real: Tensor, fake: Tensor, labels: Optional[Tensor]) -> tuple[Tensor, dict]:
        """L_G (or -L_D, see `unrolled_objective`) at the K-step unrolled discriminator.

        The GAN adds the generator regularisers; feature-matching features are read from the
        current (not unrolled) discriminator.
        """
        weights, state = self.unroll_discriminator(real, fake, labels)
        fake_logits, state = self.stateless_discriminate(weights, state, fake, labels)
        real_logits = None
        if self.unrolled_objective == "value" or getattr(self.generator_loss, "needs_real_logits", False):
            real_logits, _ = self.stateless_discriminate(weights, state, real, labels)
        if self.unrolled_objective == "value":
            return -tf.cast(self.discriminator_loss(real_logits, fake_logits), tf.float32), {}
        return tf.cast(self.generator_loss(real_logits, fake_logits), tf.float32), {}
