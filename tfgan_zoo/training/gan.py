"""The one generic GAN: a keras.Model whose `train_step` every loss, regulariser and variant plugs into.

    gan = GAN(generator, discriminator, latent_dim=64)
    gan.compile(g_optimizer, d_optimizer, loss="hinge", regularizers=[GradientPenalty()], d_steps=5)
    gan.fit(dataset)          # yields images, or (images, labels) when num_classes is set

One `train_step` (Goodfellow et al. 2014, Algorithm 1, with n_critic discriminator updates as in
Arjovsky et al. 2017): `d_steps` discriminator updates, then one generator update, then the EMA
of the generator weights (Karras et al. 2018; Yazici et al. 2019). Variants override hooks --
never the step itself, nor the bookkeeping around it:

    preprocess_reals(real)                          the real batch as the discriminator sees it
    discriminator_adversarial(real, fake, labels)   D's adversarial loss (+ extra reported terms)
    generator_adversarial(real, fake, labels)       G's adversarial loss (+ extra reported terms)
    discriminator_latent_term / generator_latent_term(z, fake, labels)
                                                    a term that reads the latents z (InfoGAN's L_I)
    discriminator_variables / generator_variables   what each update trains (+ InfoGAN's Q head)
    after_discriminator_step / after_generator_step / extra_tracker_names

The GAN itself adds the regularisers to each adversarial loss, keeps the totals (`d_loss`,
`g_loss`) and one tracker per reported term.

Distribution (tf.distribute.MirroredStrategy): each replica's objective is divided by the number
of replicas inside the tape, so the summed gradients equal the single-device gradient of the
global-batch mean; the trackers record the unscaled values. Random draws (latents, GP
interpolation) are made for the global batch from one seed and sliced per replica, so two
replicas see different latents, and a two-replica step reproduces a one-device step exactly.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Optional, Sequence, Union

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import losses as losses_lib
from tfgan_zoo import regularizers as regularizers_lib
from tfgan_zoo.latent import LatentPrior, PriorSpec, as_prior
from tfgan_zoo.regularizers import StepContext
from tfgan_zoo.value_checks import check_num_classes

Tensor = tf.Tensor
LossSpec = Union[str, tuple]


def _replica_context() -> tuple[int, Any]:
    """(num_replicas_in_sync, replica_id) of the current replica; (1, 0) outside a strategy."""
    context = tf.distribute.get_replica_context()
    if context is None:  # cross-replica context: behave as one device
        return 1, 0
    return context.num_replicas_in_sync, context.replica_id_in_sync_group


def _loss_scaled(optimizer: keras.optimizers.Optimizer) -> keras.optimizers.Optimizer:
    """`optimizer` wrapped in a dynamic LossScaleOptimizer (unless it is one already)."""
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)


def _ensure_built(model: keras.Model, role: str) -> None:
    if not model.built:
        raise ValueError(
            f"The {role} must be built (a functional model, or call it once on a batch) before it "
            f"is given to GAN; {model.name!r} is not built."
        )


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class GAN(keras.Model):
    """A generator and a discriminator trained adversarially by `fit` (Goodfellow et al. 2014).

    Args:
        generator: keras.Model mapping z (batch, latent_dim) -- or [z, labels] when conditional --
            to samples (images in [-1, 1], or points).
        discriminator: keras.Model mapping samples -- or [samples, labels] -- to logits (batch, 1).
        latent_dim: width of z.
        num_classes: set for conditional training; the dataset then yields (images, labels).
        seed: seed of the model's random stream (latents, GP interpolation).
        prior: the latent prior p(z) (tfgan_zoo.latent.LatentPrior, "normal", "uniform" or a config
            dict); default `default_prior`, N(0, I). Training, `generate` and export draw from it.
    """

    default_prior: PriorSpec = "normal"

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int,
        num_classes: Optional[int] = None,
        seed: Optional[int] = None,
        prior: PriorSpec = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if int(latent_dim) != latent_dim or latent_dim < 1:
            raise ValueError(f"latent_dim must be a positive integer, got {latent_dim!r}.")
        num_classes = check_num_classes(num_classes)
        _ensure_built(generator, "generator")
        _ensure_built(discriminator, "discriminator")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.num_classes = num_classes
        self.seed = seed
        self.prior: LatentPrior = as_prior(prior, self.default_prior)
        self.prior.check_latent_dim(latent_dim)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.ema_generator: Optional[keras.Model] = None
        self._feature_model: Optional[keras.Model] = None
        self._trackers: dict = {}
        self._gan_compile_config: Optional[dict] = None
        # Sub-models are built; Keras must not try to build the GAN by calling it on a batch of
        # images (under a strategy it would), since `call` takes latents.
        self.built = True

    # --- configuration ------------------------------------------------------------------------

    def compile(
        self,
        g_optimizer: Any = None,
        d_optimizer: Any = None,
        loss: LossSpec = "nonsaturating",
        loss_params: Optional[dict] = None,
        regularizers: Iterable[Any] = (),
        d_steps: int = 1,
        d_batches: str = "reuse",
        ema_decay: Optional[float] = None,
        ema_start: int = 0,
        ema_warmup: bool = True,
        generator_adversarial_weight: float = 1.0,
        jit_compile: bool = False,
        steps_per_execution: int = 1,
        **kwargs: Any,
    ) -> None:
        """Configure training.

        Args:
            g_optimizer, d_optimizer: keras optimizers (or names/configs); separate optimizers and
                learning rates are TTUR (Heusel et al. 2017). Default: Adam(2e-4, beta_1=0.5)
                for both (Radford et al. 2015).
            loss: a name from `tfgan_zoo.losses.names()` or a `(generator_loss, discriminator_loss)`
                pair of callables `(real_logits, fake_logits) -> scalar`.
            loss_params: constants of the loss family, e.g. {"alpha": 0.9}.
            regularizers: Regularizer objects, kind names or config dicts.
            d_steps: discriminator updates per generator update (n_critic; WGAN uses 5).
            d_batches: which real images each of the d_steps updates sees. "reuse": the whole
                dataset batch for every update (fresh latents each time). "split": the dataset batch
                holds d_steps * B images, cut into d_steps chunks of B, one fresh real batch per
                critic update as in WGAN's Algorithm 1; the generator update uses the last chunk.
            ema_decay: if set (e.g. 0.999), keep an exponential moving average of the generator
                weights in `ema_generator`, used by `generate` and export.
            ema_start: generator steps before the average starts; until then the EMA copy
                follows the weights exactly (BigGAN's ema_start, Brock et al. 2019).
            ema_warmup: use the decay min(ema_decay, (1 + t) / (10 + t)) at the t-th averaged
                step (the num_updates convention of tf.train.ExponentialMovingAverage), so the
                random initial weights are forgotten early; False: ema_decay from the start.
            generator_adversarial_weight: weight of the adversarial generator loss; 0 leaves only
                the generator regularisers (feature matching replaces the objective this way).
            jit_compile: XLA-compile the step (single device only with MirroredStrategy on CPU).
        """
        if int(d_steps) != d_steps or d_steps < 1:
            raise ValueError(f"d_steps must be an integer >= 1, got {d_steps!r}.")
        if d_batches not in ("reuse", "split"):
            raise ValueError(f"d_batches must be 'reuse' or 'split', got {d_batches!r}.")
        if ema_decay is not None and not 0.0 < float(ema_decay) < 1.0:
            raise ValueError(f"ema_decay must be None or in (0, 1), got {ema_decay!r}.")
        if isinstance(ema_start, bool) or int(ema_start) != ema_start or ema_start < 0:
            raise ValueError(f"ema_start must be an integer >= 0, got {ema_start!r}.")
        if not isinstance(ema_warmup, bool):
            raise ValueError(f"ema_warmup must be True or False, got {ema_warmup!r}.")
        super().compile(jit_compile=jit_compile, steps_per_execution=steps_per_execution, **kwargs)

        self.g_optimizer = self._make_optimizer(g_optimizer)
        self.d_optimizer = self._make_optimizer(d_optimizer)
        if self.g_optimizer is self.d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two optimizer objects, got the same one twice.")
        if self.uses_float16:
            # Keras's compile wraps only `self.optimizer`; a GAN has two (docs/architecture.md, mixed precision).
            self.g_optimizer = _loss_scaled(self.g_optimizer)
            self.d_optimizer = _loss_scaled(self.d_optimizer)
        # Build optimizer state now, inside any strategy scope: a lazily built optimizer fails on
        # the first distributed step ("You must feed a value for placeholder tensor").
        self.g_optimizer.build(self.generator_variables())
        self.d_optimizer.build(self.discriminator_variables())

        if isinstance(loss, str):
            self.loss_name = loss
            self.generator_loss, self.discriminator_loss = losses_lib.get(loss, **(loss_params or {}))
        else:
            if len(loss) != 2 or not all(callable(f) for f in loss):
                raise ValueError(f"loss must be a name or a (generator_loss, discriminator_loss) pair, got {loss!r}.")
            self.loss_name = None
            self.generator_loss, self.discriminator_loss = loss
        self.loss_params = dict(loss_params or {})
        self.gan_regularizers = [regularizers_lib.get(r) for r in regularizers]
        names = [r.name for r in self.gan_regularizers]
        if len(set(names)) != len(names):
            raise ValueError(f"Regularizer names must be unique, got {names}.")
        self.d_steps = int(d_steps)
        self.d_batches = d_batches
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.ema_start = int(ema_start)
        self.ema_warmup = ema_warmup
        self.generator_adversarial_weight = float(generator_adversarial_weight)

        if self.ema_decay is not None and self.ema_generator is None:
            self.ema_generator = keras.models.clone_model(self.generator)
            self.ema_generator.set_weights(self.generator.get_weights())
        if any(r.needs_features for r in self.gan_regularizers):
            layers = {r.layer for r in self.gan_regularizers if r.needs_features}
            if len(layers) != 1:
                raise ValueError(f"All feature terms must read the same discriminator layer, got {sorted(layers)}.")
            self._feature_model = self._make_feature_model(layers.pop())

        self._trackers = {
            name: keras.metrics.Mean(name=name) for name in self.tracker_names()
        }
        self._gan_compile_config = {
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "loss": self.loss_name,
            "loss_params": self.loss_params,
            "regularizers": [r.get_config() for r in self.gan_regularizers],
            "d_steps": self.d_steps,
            "d_batches": self.d_batches,
            "ema_decay": self.ema_decay,
            "ema_start": self.ema_start,
            "ema_warmup": self.ema_warmup,
            "generator_adversarial_weight": self.generator_adversarial_weight,
            "jit_compile": jit_compile,
            "steps_per_execution": steps_per_execution,
        }

    @property
    def uses_float16(self) -> bool:
        """Whether a network computes in float16 (a mixed_float16 policy): losses are then scaled."""
        return any(model.dtype_policy.compute_dtype == "float16" for model in (self.generator, self.discriminator))

    @staticmethod
    def _make_optimizer(spec: Any) -> keras.optimizers.Optimizer:
        if spec is None:
            return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)
        if isinstance(spec, keras.optimizers.Optimizer):
            return spec
        if isinstance(spec, (str, dict)):
            return keras.optimizers.get(spec)
        raise ValueError(f"Expected a keras optimizer, a name or a config dict, got {spec!r}.")

    def _make_feature_model(self, layer_name: str) -> keras.Model:
        try:
            layer = self.discriminator.get_layer(layer_name)
        except ValueError:
            names = [layer.name for layer in self.discriminator.layers]
            raise ValueError(
                f"The discriminator has no layer {layer_name!r} for feature terms; its layers are {names}."
            ) from None
        return keras.Model(self.discriminator.inputs, [self.discriminator.outputs[0], layer.output])

    def tracker_names(self) -> list[str]:
        """Names of the logged terms: totals, adversarial parts, each regulariser, hook extras."""
        names = ["d_loss", "d_adv"]
        names += [r.name for r in self.gan_regularizers if r.applies_to == "discriminator" and r.adds_loss]
        names += ["g_loss", "g_adv"]
        names += [r.name for r in self.gan_regularizers if r.applies_to == "generator" and r.adds_loss]
        extra = [name for name in self.extra_tracker_names() if name not in names]
        return names + extra

    def extra_tracker_names(self) -> Sequence[str]:
        """Hook: names of extra terms a variant reports (e.g. BEGAN's k_t)."""
        return ()

    @property
    def metrics(self) -> list:
        return list(self._trackers.values())

    def get_config(self) -> dict:
        return {
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "seed": self.seed,
            "prior": self.prior.get_config(),
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: Optional[dict] = None) -> "GAN":
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key], custom_objects=custom_objects)
        return cls(**config)

    def get_compile_config(self) -> Optional[dict]:
        if self._gan_compile_config is None:
            return None
        if self.loss_name is None:
            raise ValueError("A GAN compiled with loss callables cannot save its compile config; use a loss name.")
        return dict(self._gan_compile_config)

    def compile_from_config(self, config: dict) -> None:
        config = dict(config)
        for key in ("g_optimizer", "d_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        self.compile(**config)

    # --- networks -------------------------------------------------------------------------------

    def call(self, inputs: Any, training: bool = False) -> Tensor:
        """Generator forward pass: z, or (z, labels) when conditional."""
        if self.num_classes is None:
            return self.generator(inputs, training=training)
        z, labels = inputs
        return self.generator([z, labels], training=training)

    def generate_from(self, z: Tensor, labels: Optional[Tensor], training: bool, use_ema: bool = False) -> Tensor:
        """G(z) or G(z, labels), with the EMA generator when `use_ema` and it exists."""
        generator = self.ema_generator if (use_ema and self.ema_generator is not None) else self.generator
        inputs = z if self.num_classes is None else [z, labels]
        return generator(inputs, training=training)

    def discriminate(self, samples: Tensor, labels: Optional[Tensor], training: bool = True) -> Tensor:
        """D(x) or D(x, labels): logits (batch, 1)."""
        inputs = samples if self.num_classes is None else [samples, labels]
        return self.discriminator(inputs, training=training)

    def discriminate_with_features(self, samples: Tensor, labels: Optional[Tensor], training: bool = True):
        """(logits, features) through the feature layer named by the feature terms."""
        inputs = samples if self.num_classes is None else [samples, labels]
        return self._feature_model(inputs, training=training)

    # --- randomness -----------------------------------------------------------------------------

    def _replica_draw(self, sampler: Callable, local_shape: Tensor) -> Tensor:
        """Draw for the global batch from the model's seed stream and keep this replica's slice."""
        replicas, replica_id = _replica_context()
        local_shape = tf.convert_to_tensor(local_shape, tf.int32)
        if replicas == 1:
            return sampler(local_shape, seed=self.seed_generator)
        global_shape = tf.concat([local_shape[:1] * replicas, local_shape[1:]], axis=0)
        values = sampler(global_shape, seed=self.seed_generator)
        start = tf.cast(replica_id, tf.int32) * local_shape[0]
        return values[start : start + local_shape[0]]

    def sample_latents(self, batch_size: Tensor) -> Tensor:
        """z ~ the prior, of shape (batch_size, latent_dim), for this replica."""
        return self._replica_draw(self.prior.draw, tf.stack([batch_size, self.latent_dim]))

    def replica_uniform(self, shape: Tensor) -> Tensor:
        """U[0, 1) draws of `shape` (leading axis = this replica's batch), e.g. GP coefficients."""
        return self._replica_draw(keras.random.uniform, shape)

    # --- the step -------------------------------------------------------------------------------

    def _unpack(self, data: Any) -> tuple[Tensor, Optional[Tensor]]:
        """(samples, labels) of a batch; an unconditional GAN trains on the samples of a labelled one."""
        if isinstance(data, (tuple, list)):
            if len(data) == 1:
                data = data[0]
            elif len(data) == 2:
                real, labels = data
                if self.num_classes is None:  # labelled data, unconditional model: use the images
                    return self._check_samples(real), None
                return self._check_samples(real), tf.cast(tf.reshape(labels, (-1,)), tf.int32)
            else:
                raise ValueError(f"Expected batches of samples or (samples, labels), got a tuple of {len(data)}.")
        if self.num_classes is not None:
            raise ValueError(
                f"This GAN is conditional (num_classes={self.num_classes}) but the dataset yields no labels; "
                "expected (samples, labels) batches."
            )
        return self._check_samples(data), None

    def _check_samples(self, samples: Tensor) -> Tensor:
        expected = self.discriminator.inputs[0].shape
        got = samples.shape
        if got.rank != len(expected):
            if len(expected) == 4:
                what = "images of rank 4 (batch, height, width, channels)"
            else:
                what = f"samples of rank {len(expected)} {tuple(expected)}"
            raise ValueError(f"Expected {what}, got shape {tuple(got)}.")
        for have, want in zip(got[1:], expected[1:]):
            if have is not None and want is not None and have != want:
                raise ValueError(
                    f"Expected samples of shape (batch, {', '.join(map(str, expected[1:]))}) to match the "
                    f"discriminator input, got shape {tuple(got)}."
                )
        return tf.cast(samples, self.compute_dtype)

    def _regularization(self, applies_to: str, context: StepContext, step: Tensor, report: dict) -> Tensor:
        """Weighted sum of the enabled regularisers of one network; raw values go to `report`."""
        total = tf.constant(0.0)
        for regularizer in self.gan_regularizers:
            if regularizer.applies_to != applies_to or not regularizer.adds_loss:
                continue
            if regularizer.interval == 1:
                value = tf.cast(regularizer.penalty(context), tf.float32)
                report[regularizer.name] = (value, 1.0)
                total += regularizer.weight * value
            else:
                active = tf.equal(step % regularizer.interval, 0)
                value = tf.cond(
                    active,
                    lambda r=regularizer: tf.cast(r.penalty(context), tf.float32),
                    lambda: tf.constant(0.0),
                )
                report[regularizer.name] = (value, tf.cast(active, tf.float32))
                total += regularizer.weight * regularizer.interval * value
        return total

    # --- hooks ----------------------------------------------------------------------------------

    def preprocess_reals(self, real: Tensor) -> Tensor:
        """Hook: the real batch as the discriminator sees it (progressive growing blends it)."""
        return real

    def discriminator_adversarial(self, real: Tensor, fake: Tensor, labels: Optional[Tensor]) -> tuple[Tensor, dict]:
        """Hook: the discriminator's adversarial loss and extra reported terms {name: (value, weight)}."""
        real_logits = self.discriminate(real, labels, training=True)
        fake_logits = self.discriminate(fake, labels, training=True)
        return tf.cast(self.discriminator_loss(real_logits, fake_logits), tf.float32), {}

    def generator_adversarial(self, real: Tensor, fake: Tensor, labels: Optional[Tensor]) -> tuple[Tensor, dict]:
        """Hook: the generator's adversarial loss on G's samples `fake` and extra reported terms."""
        fake_logits = self.discriminate(fake, labels, training=True)
        real_logits = None
        if getattr(self.generator_loss, "needs_real_logits", False):
            real_logits = self.discriminate(real, labels, training=True)
        return tf.cast(self.generator_loss(real_logits, fake_logits), tf.float32), {}

    def discriminator_latent_term(self, z: Tensor, fake: Tensor, labels: Optional[Tensor]) -> tuple[Tensor, dict]:
        """Hook: a discriminator term that reads the latents z of `fake` (InfoGAN's information
        term), added to the discriminator's total, and its reported terms; none in the plain GAN."""
        return tf.constant(0.0), {}

    def generator_latent_term(self, z: Tensor, fake: Tensor, labels: Optional[Tensor]) -> tuple[Tensor, dict]:
        """Hook: the same for the generator's total."""
        return tf.constant(0.0), {}

    def discriminator_variables(self) -> list:
        """Hook: the variables the discriminator update trains (InfoGAN adds its Q head)."""
        return self.discriminator.trainable_variables

    def generator_variables(self) -> list:
        """Hook: the variables the generator update trains."""
        return self.generator.trainable_variables

    def after_discriminator_step(self, report: dict) -> None:
        """Hook: after each discriminator update (weight clipping; BEGAN's k_t in BEGAN)."""
        for regularizer in self.gan_regularizers:
            if regularizer.applies_to == "discriminator":
                regularizer.after_step(self)

    def after_generator_step(self, report: dict) -> None:
        """Hook: after each generator update (EMA of the generator weights)."""
        for regularizer in self.gan_regularizers:
            if regularizer.applies_to == "generator":
                regularizer.after_step(self)
        if self.ema_generator is not None:
            self.update_ema()

    # --- objectives: adversarial term + regularisers (the GAN's bookkeeping) --------------------

    def discriminator_objective(self, real: Tensor, fake: Tensor, labels: Optional[Tensor],
                                z: Optional[Tensor] = None) -> tuple[Tensor, dict]:
        """The discriminator's total loss and its reported terms (inside the tape); `z`, the
        latents of `fake`, goes to `discriminator_latent_term` (none: no latent term)."""
        adversarial, extra = self.discriminator_adversarial(real, fake, labels)
        report = {"d_adv": (adversarial, 1.0), **extra}
        if z is not None:
            latent_term, latent_extra = self.discriminator_latent_term(z, fake, labels)
            adversarial = adversarial + latent_term
            report.update(latent_extra)
        context = StepContext(self, real, fake, labels)
        total = adversarial + self._regularization("discriminator", context, self.d_optimizer.iterations, report)
        report["d_loss"] = (total, 1.0)
        return total, report

    def generator_objective(self, real: Tensor, z: Tensor, labels: Optional[Tensor]) -> tuple[Tensor, dict]:
        """The generator's total loss and its reported terms (inside the tape)."""
        fake = self.generate_from(z, labels, training=True)
        adversarial, extra = self.generator_adversarial(real, fake, labels)
        latent_term, latent_extra = self.generator_latent_term(z, fake, labels)
        report = {"g_adv": (adversarial, 1.0), **extra, **latent_extra}
        context = StepContext(self, real, fake, labels)
        regularization = self._regularization("generator", context, self.g_optimizer.iterations, report)
        total = self.generator_adversarial_weight * adversarial + latent_term + regularization
        report["g_loss"] = (total, 1.0)
        return total, report

    # --- EMA ------------------------------------------------------------------------------------

    def ema_decay_at(self, step: Tensor) -> Tensor:
        """The decay used after generator step `step` (1-based): 0 before `ema_start` (a copy),
        then min(ema_decay, (1 + t) / (10 + t)) with t = step - ema_start - 1 when warming up."""
        step = tf.cast(step, tf.float32)
        t = step - float(self.ema_start) - 1.0
        decay = tf.constant(self.ema_decay, tf.float32)
        if self.ema_warmup:
            decay = tf.minimum(decay, (1.0 + t) / (10.0 + t))
        return tf.where(t < 0.0, 0.0, decay)

    def update_ema(self) -> None:
        """ema <- d * ema + (1 - d) * w for trainable weights, d = `ema_decay_at` the generator's
        step; other weights (batch-norm statistics, spectral-norm vectors) are copied."""
        decay = self.ema_decay_at(self.g_optimizer.iterations)
        for ema_weight, weight in zip(self.ema_generator.weights, self.generator.weights):
            if weight.trainable:
                d = tf.cast(decay, ema_weight.dtype)
                ema_weight.assign(d * ema_weight + (1.0 - d) * weight)
            else:
                ema_weight.assign(weight)

    # --- the step -------------------------------------------------------------------------------

    def _update(self, objective: Callable, variables: list, optimizer, *args) -> dict:
        replicas, _ = _replica_context()
        with tf.GradientTape() as tape:
            total, report = objective(*args)
            # Scale inside the tape: the strategy sums replica gradients (docs/architecture.md, fact 1).
            scaled = optimizer.scale_loss(total / replicas if replicas > 1 else total)
        gradients = tape.gradient(scaled, variables)
        optimizer.apply_gradients(zip(gradients, variables))
        return report

    def _real_batches(self, real: Tensor, labels: Optional[Tensor]) -> list:
        if self.d_batches == "reuse" or self.d_steps == 1:
            return [(real, labels)] * self.d_steps
        chunks = tf.split(real, self.d_steps, axis=0)
        label_chunks = tf.split(labels, self.d_steps, axis=0) if labels is not None else [None] * self.d_steps
        return list(zip(chunks, label_chunks))

    def train_step(self, data: Any) -> dict:
        real, labels = self._unpack(data)
        real = self.preprocess_reals(real)
        d_vars = self.discriminator_variables()
        g_vars = self.generator_variables()
        for real_chunk, label_chunk in self._real_batches(real, labels):
            z = self.sample_latents(tf.shape(real_chunk)[0])
            fake = tf.stop_gradient(self.generate_from(z, label_chunk, training=True))
            report = self._update(self.discriminator_objective, d_vars, self.d_optimizer, real_chunk, fake, label_chunk,
                                  z)
            self.after_discriminator_step(report)
            self._track(report)
        z = self.sample_latents(tf.shape(real_chunk)[0])
        report = self._update(self.generator_objective, g_vars, self.g_optimizer, real_chunk, z, label_chunk)
        self.after_generator_step(report)
        self._track(report)
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    def _track(self, report: dict) -> None:
        for name, (value, weight) in report.items():
            if name in self._trackers:
                # A constant weight of 1 is the plain mean, without the weighting ops.
                sample_weight = None if isinstance(weight, float) and weight == 1.0 else weight
                self._trackers[name].update_state(value, sample_weight=sample_weight)

    def test_step(self, data: Any) -> dict:
        """Evaluate the adversarial terms on a batch without updating anything."""
        real, labels = self._unpack(data)
        real = self.preprocess_reals(real)
        z = self.sample_latents(tf.shape(real)[0])
        fake = self.generate_from(z, labels, training=False)
        real_logits = self.discriminate(real, labels, training=False)
        fake_logits = self.discriminate(fake, labels, training=False)
        self._track({
            "d_adv": (self.discriminator_loss(real_logits, fake_logits), 1.0),
            "g_adv": (self.generator_loss(real_logits, fake_logits), 1.0),
        })
        return {name: self._trackers[name].result() for name in ("d_adv", "g_adv")}

    # --- sampling -------------------------------------------------------------------------------

    def generate(
        self,
        num_or_z: Union[int, np.ndarray, Tensor],
        labels: Optional[Union[int, Sequence[int], np.ndarray]] = None,
        seed: Optional[int] = None,
        use_ema: bool = True,
        batch_size: int = 256,
        truncation: Optional[float] = None,
        **options: Any,
    ) -> np.ndarray:
        """Samples from the generator (the EMA copy when there is one and `use_ema`), as numpy.

        `num_or_z` is a count (latents drawn from the prior with numpy's generator seeded by
        `seed`: `self.prior.sample`) or an array of latents (n, latent_dim). `truncation` T draws
        from the prior truncated at T: every |z_i| <= T (Brock et al. 2019, sec. 3.1; see
        tfgan_zoo.latent). For a conditional GAN, `labels` is one class for all, or one per sample;
        by default class i % num_classes for sample i. `options` go to a variant's
        `generate_from` (StyleGAN: psi, truncation_cutoff, noise). Returns a float32 numpy array:
        images in [-1, 1] (tanh output) or points.
        """
        if isinstance(num_or_z, (int, np.integer)) and not isinstance(num_or_z, bool):
            z = self.prior.truncated(truncation).sample(num_or_z, self.latent_dim, seed)
        elif truncation is not None:
            raise ValueError("truncation applies to latents drawn from the prior (pass a count), "
                             "but explicit latents were given.")
        else:
            z = np.asarray(num_or_z, dtype="float32")
            if z.ndim != 2 or z.shape[1] != self.latent_dim:
                raise ValueError(f"Expected latents of shape (n, {self.latent_dim}), got shape {z.shape}.")
            if z.shape[0] == 0:
                raise ValueError(f"Expected at least one latent vector, got shape {z.shape}.")
        num = z.shape[0]
        label_array = self._labels_for(labels, num)
        outputs = []
        for start in range(0, num, batch_size):
            stop = start + batch_size
            batch_labels = None if label_array is None else label_array[start:stop]
            outputs.append(np.asarray(self.generate_from(z[start:stop], batch_labels, training=False,
                                                         use_ema=use_ema, **options), dtype=np.float32))
        return np.concatenate(outputs, axis=0)

    def _labels_for(self, labels: Any, num: int) -> Optional[np.ndarray]:
        if self.num_classes is None:
            if labels is not None:
                raise ValueError("labels were given but this GAN is unconditional (num_classes=None).")
            return None
        if labels is None:
            return (np.arange(num) % self.num_classes).astype("int32")
        array = np.asarray(labels)
        if array.ndim == 0:
            array = np.full((num,), int(array))
        if array.shape != (num,):
            raise ValueError(f"Expected one label or {num} labels, got shape {array.shape}.")
        if array.size and (array.min() < 0 or array.max() >= self.num_classes):
            bad = array[(array < 0) | (array >= self.num_classes)][0]
            raise ValueError(f"Labels must be in [0, {self.num_classes - 1}], got {int(bad)}.")
        return array.astype("int32")

    @property
    def sampling_generator(self) -> keras.Model:
        """The generator used for sampling and export: the EMA copy when there is one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    @property
    def trained_steps(self) -> int:
        """Training steps run so far (generator updates; a variant that resets its optimizers'
        step counters, like ProgressiveGAN, counts them its own way)."""
        return int(self.g_optimizer.iterations.numpy())
