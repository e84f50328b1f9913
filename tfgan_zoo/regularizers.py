"""Regularisers: pure penalty functions, and small objects that plug them into the GAN step.

A regulariser object has a `name` (its tracker, e.g. `d_gp`), the network it `applies_to`
("discriminator" or "generator"), a `weight` and an `interval`: with interval k it is applied on
every k-th update of that network only, multiplied by k (lazy regularisation, Karras et al. 2020,
"Analyzing and Improving the Image Quality of StyleGAN", sec. 3.1). Hooks that act on weights
rather than on the loss (weight clipping) implement `after_step`.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable, Optional

import keras
import tensorflow as tf

from tfgan_zoo.augmentation import shifts_from_uniform, translate

Tensor = tf.Tensor


def _per_sample_norm(gradients: Tensor) -> Tensor:
    """Euclidean norm of each sample's gradient, over all non-batch axes."""
    squared = tf.reduce_sum(tf.square(tf.reshape(gradients, (tf.shape(gradients)[0], -1))), axis=1)
    return tf.sqrt(squared + 1e-12)


def _input_gradients(discriminator: Callable[[Tensor], Tensor], inputs: Tensor,
                     loss_scale: Optional[Tensor] = None) -> Tensor:
    """d sum(D(x)) / dx for each sample (D's logits are per-sample, so this is per-sample grad),
    in float32. Under float16 the sum is multiplied by `loss_scale` before differentiating and the
    gradient divided by it after the cast, so small input gradients do not underflow (as the
    official PGGAN / StyleGAN code does with its loss scaling)."""
    with tf.GradientTape() as tape:
        # A fresh tensor made under this tape: a discriminator that reuses logits by input
        # (ProgressiveGAN shares D(real) within an update) computes them here, differentiably.
        inputs = tf.identity(inputs)
        tape.watch(inputs)
        total = tf.reduce_sum(tf.cast(discriminator(inputs), tf.float32))
        if loss_scale is not None:
            total = total * tf.cast(loss_scale, tf.float32)
    gradients = tf.cast(tape.gradient(total, inputs), tf.float32)
    return gradients if loss_scale is None else gradients / tf.cast(loss_scale, tf.float32)


def gradient_penalty(
    discriminator: Callable[[Tensor], Tensor],
    real: Tensor,
    fake: Tensor,
    target: float = 1.0,
    epsilon: Optional[Tensor] = None,
    seed: Any = None,
    loss_scale: Optional[Tensor] = None,
) -> Tensor:
    """E[(||grad_x D(x_hat)||_2 - target)^2] at x_hat = eps real + (1 - eps) fake, unweighted.

    Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", eq. 3 (target 1; lambda = 10
    lives in the regulariser object). One eps ~ U[0, 1] per sample (not per pixel); pass
    `epsilon` of shape (batch,) to fix it. The penalty is taken on the logits, in float32
    (`loss_scale`: see `_input_gradients`).
    """
    real = tf.convert_to_tensor(real)
    fake = tf.cast(tf.convert_to_tensor(fake), real.dtype)
    if real.shape.rank is not None and fake.shape.rank is not None and real.shape.rank != fake.shape.rank:
        raise ValueError(f"real and fake must have the same shape, got {real.shape} and {fake.shape}.")
    batch = tf.shape(real)[0]
    if epsilon is None:
        epsilon = keras.random.uniform((batch,), seed=seed)
    epsilon = tf.reshape(tf.cast(epsilon, real.dtype), [-1] + [1] * (real.shape.rank - 1))
    interpolated = epsilon * real + (1.0 - epsilon) * fake
    norms = _per_sample_norm(_input_gradients(discriminator, interpolated, loss_scale))
    return tf.reduce_mean(tf.square(norms - target))


def r1_penalty(discriminator: Callable[[Tensor], Tensor], real: Tensor, loss_scale: Optional[Tensor] = None) -> Tensor:
    """E_real ||grad_x D(x)||_2^2, unweighted (Mescheder et al. 2018, "Which Training Methods for
    GANs do actually Converge?", eq. 9; their gamma/2 is the regulariser's weight)."""
    gradients = _input_gradients(discriminator, tf.convert_to_tensor(real), loss_scale)
    return tf.reduce_mean(tf.square(_per_sample_norm(gradients)))


def r2_penalty(discriminator: Callable[[Tensor], Tensor], fake: Tensor, loss_scale: Optional[Tensor] = None) -> Tensor:
    """E_fake ||grad_x D(x)||_2^2, unweighted (Mescheder et al. 2018, eq. 10)."""
    return r1_penalty(discriminator, fake, loss_scale)


def drift_penalty(real_logits: Tensor) -> Tensor:
    """E_real[D(x)^2], unweighted: keeps a Wasserstein critic's output near zero (Karras et al. 2018,
    "Progressive Growing of GANs", appendix A.1, epsilon_drift = 0.001 in the regulariser object;
    the official loss.py's EpsilonPenalty on the real scores)."""
    return tf.reduce_mean(tf.square(tf.cast(real_logits, tf.float32)))


def consistency_penalty(logits: Tensor, augmented_logits: Tensor) -> Tensor:
    """E ||D(x) - D(T(x))||^2 on the logits, unweighted (Zhang et al. 2019, "Consistency
    Regularization for Generative Adversarial Networks", eq. 1; D is the layer before the
    activation)."""
    difference = tf.cast(logits, tf.float32) - tf.cast(augmented_logits, tf.float32)
    return tf.reduce_mean(tf.reduce_sum(tf.reshape(tf.square(difference), (tf.shape(difference)[0], -1)), axis=1))


def orthogonal_penalty(kernels: list[Tensor]) -> Tensor:
    """sum over kernels of ||W^T W * (1 - I)||_F^2, W the kernel reshaped to (fan_in, units).

    Brock et al. 2019, "Large Scale GAN Training" (BigGAN), sec. 3.1, eq. 3 without its beta:
    penalises the off-diagonal of the Gram matrix of the output filters, leaving their norms free.
    Its gradient is 4 W (W^T W * (1 - I)), twice the released code's (see OrthogonalRegularization).
    """
    total = tf.constant(0.0)
    for kernel in kernels:
        matrix = tf.reshape(tf.cast(kernel, tf.float32), (-1, kernel.shape[-1]))
        gram = tf.matmul(matrix, matrix, transpose_a=True)
        off_diagonal = gram * (1.0 - tf.eye(kernel.shape[-1]))
        total += tf.reduce_sum(tf.square(off_diagonal))
    return total


# --- objects the GAN step composes -----------------------------------------------------------

@dataclass
class StepContext:
    """What a regulariser can look at during one update (built by the GAN step)."""

    gan: Any
    real: Tensor
    fake: Tensor
    labels: Optional[Tensor] = None

    def discriminator_fn(self) -> Callable[[Tensor], Tensor]:
        """x -> D logits (conditioned on this batch's labels), in training mode."""
        return lambda images: self.gan.discriminate(images, self.labels, training=True)

    def loss_scale(self) -> Optional[Tensor]:
        """The discriminator optimizer's dynamic loss scale under float16 (else None)."""
        return getattr(self.gan.d_optimizer, "dynamic_scale", None)

    def features(self) -> tuple[Tensor, Tensor]:
        """(real, fake) activations of the discriminator layer the feature terms read."""
        _, real_features = self.gan.discriminate_with_features(self.real, self.labels, training=True)
        _, fake_features = self.gan.discriminate_with_features(self.fake, self.labels, training=True)
        return real_features, fake_features


class Regularizer:
    """Base class: a weighted penalty applied every `interval` updates of one network."""

    kind: str = ""
    default_name: str = ""
    applies_to: str = "discriminator"
    needs_features: bool = False
    adds_loss: bool = True

    def __init__(self, weight: float = 1.0, interval: int = 1, name: Optional[str] = None):
        if not float(weight) >= 0.0:
            raise ValueError(f"{type(self).__name__}: expected weight >= 0, got {weight!r}.")
        if int(interval) != interval or interval < 1:
            raise ValueError(f"{type(self).__name__}: expected an integer interval >= 1, got {interval!r}.")
        self.weight = float(weight)
        self.interval = int(interval)
        self.name = name or self.default_name

    def penalty(self, context: StepContext) -> Tensor:
        """The unweighted penalty for this step."""
        raise NotImplementedError

    def after_step(self, gan: Any) -> None:
        """Called after each update of `applies_to` (weight clipping acts here)."""

    def get_config(self) -> dict:
        return {"kind": self.kind, "weight": self.weight, "interval": self.interval, "name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"


class GradientPenalty(Regularizer):
    """WGAN-GP penalty (Gulrajani et al. 2017), weight lambda = 10 by default; target 1."""

    kind, default_name = "gradient_penalty", "d_gp"

    def __init__(self, weight: float = 10.0, interval: int = 1, target: float = 1.0, name: Optional[str] = None):
        super().__init__(weight, interval, name)
        self.target = float(target)

    def penalty(self, context: StepContext) -> Tensor:
        epsilon = context.gan.replica_uniform(tf.shape(context.real)[:1])
        return gradient_penalty(
            context.discriminator_fn(), context.real, context.fake, self.target, epsilon=epsilon,
            loss_scale=context.loss_scale(),
        )

    def get_config(self) -> dict:
        return {**super().get_config(), "target": self.target}


class R1Penalty(Regularizer):
    """R1 on real data (Mescheder et al. 2018); weight = gamma / 2 (StyleGAN: gamma 10 -> 5)."""

    kind, default_name = "r1", "d_r1"

    def __init__(self, weight: float = 5.0, interval: int = 1, name: Optional[str] = None):
        super().__init__(weight, interval, name)

    def penalty(self, context: StepContext) -> Tensor:
        return r1_penalty(context.discriminator_fn(), context.real, context.loss_scale())


class R2Penalty(Regularizer):
    """R2 on generated data (Mescheder et al. 2018)."""

    kind, default_name = "r2", "d_r2"

    def __init__(self, weight: float = 5.0, interval: int = 1, name: Optional[str] = None):
        super().__init__(weight, interval, name)

    def penalty(self, context: StepContext) -> Tensor:
        return r2_penalty(context.discriminator_fn(), tf.stop_gradient(context.fake), context.loss_scale())


class Drift(Regularizer):
    """The drift term of progressive GANs, weight epsilon_drift = 0.001 times E[D(x)^2] on the real
    batch (Karras et al. 2018, appendix A.1), added to the WGAN-GP critic loss."""

    kind, default_name = "drift", "d_drift"

    def __init__(self, weight: float = 0.001, interval: int = 1, name: Optional[str] = None):
        super().__init__(weight, interval, name)

    def penalty(self, context: StepContext) -> Tensor:
        return drift_penalty(context.discriminator_fn()(context.real))


class ConsistencyRegularization(Regularizer):
    """CR-GAN (Zhang et al. 2019): weight lambda = 10 times E ||D(x) - D(T(x))||^2 on the real batch,
    T a random translation of each image by up to `max_shift` pixels (the paper's CIFAR-10 recipe
    is translation plus horizontal flips; digits are not mirror-symmetric, so no flips here). It
    penalises a discriminator that tells apart two placements of one real image: on a small
    dataset it keeps D from memorising the training images."""

    kind, default_name = "consistency", "d_cr"

    def __init__(self, weight: float = 10.0, interval: int = 1, max_shift: int = 2, name: Optional[str] = None):
        super().__init__(weight, interval, name)
        if int(max_shift) != max_shift or max_shift < 1:
            raise ValueError(f"ConsistencyRegularization: expected an integer max_shift >= 1, got {max_shift!r}.")
        self.max_shift = int(max_shift)

    def penalty(self, context: StepContext) -> Tensor:
        real = tf.convert_to_tensor(context.real)
        shifts = shifts_from_uniform(context.gan.replica_uniform(tf.stack([tf.shape(real)[0], 2])), self.max_shift)
        discriminator = context.discriminator_fn()
        return consistency_penalty(discriminator(real), discriminator(translate(real, shifts)))

    def get_config(self) -> dict:
        return {**super().get_config(), "max_shift": self.max_shift}


def _kernels(model: keras.Model) -> list:
    """Every trainable kernel (>= 2-D, named kernel): convolutions, linears (also inside spectral
    norm, attention and conditional batch norm), and embeddings made as linear maps of one-hot
    labels; not biases, norm gains or Embedding tables (BigGAN's shared class embedding)."""
    return [v for v in model.trainable_variables if len(v.shape) >= 2 and "kernel" in v.path]


class OrthogonalRegularization(Regularizer):
    """BigGAN's orthogonal regularisation on every kernel of one network (default: generator, 1e-4).

    Convention of the authors' released code (BigGAN-PyTorch `utils.ortho`, which adds
    strength * 2 (W W^T * (1 - I)) W to each weight's gradient): the penalty is HALF of eq. 3,
    1/2 sum ||W^T W * (1 - I)||_F^2, whose gradient is 2 W (W^T W * (1 - I)); so `weight` 1e-4
    is the released `--G_ortho 1e-4` (and the paper's beta 1e-4 with half its gradient). The
    released code skips 1-D parameters and G's shared embedding; so does `_kernels`.
    """

    kind = "orthogonal"

    def __init__(
        self, weight: float = 1e-4, interval: int = 1, applies_to: str = "generator", name: Optional[str] = None
    ):
        if applies_to not in ("generator", "discriminator"):
            raise ValueError(f"applies_to must be 'generator' or 'discriminator', got {applies_to!r}.")
        self.applies_to = applies_to
        self.default_name = "g_orth" if applies_to == "generator" else "d_orth"
        super().__init__(weight, interval, name)

    def penalty(self, context: StepContext) -> Tensor:
        network = context.gan.generator if self.applies_to == "generator" else context.gan.discriminator
        return 0.5 * orthogonal_penalty(_kernels(network))

    def get_config(self) -> dict:
        return {**super().get_config(), "applies_to": self.applies_to}


class WeightClipping(Regularizer):
    """Clip every discriminator weight to [-c, c] after each critic update (Arjovsky et al. 2017,
    Algorithm 1, c = 0.01). Adds nothing to the loss."""

    kind, default_name, adds_loss = "weight_clipping", "d_clip", False

    def __init__(self, clip: float = 0.01, name: Optional[str] = None):
        if not float(clip) > 0.0:
            raise ValueError(f"WeightClipping: expected clip > 0, got {clip!r}.")
        super().__init__(weight=0.0, interval=1, name=name)
        self.clip = float(clip)

    def penalty(self, context: StepContext) -> Tensor:
        return tf.constant(0.0)

    def after_step(self, gan: Any) -> None:
        for variable in gan.discriminator.trainable_variables:
            variable.assign(tf.clip_by_value(variable, -self.clip, self.clip))

    def get_config(self) -> dict:
        return {"kind": self.kind, "clip": self.clip, "name": self.name}


class FeatureMatching(Regularizer):
    """Generator term ||E f(x) - E f(G(z))||^2 on the discriminator feature layer named `layer`
    (Salimans et al. 2016, sec. 3.1). With the GAN's `generator_adversarial_weight=0` it replaces
    the generator objective, as in the paper."""

    kind, default_name, applies_to, needs_features = "feature_matching", "g_fm", "generator", True

    def __init__(self, weight: float = 1.0, interval: int = 1, layer: str = "features", name: Optional[str] = None):
        super().__init__(weight, interval, name)
        self.layer = layer

    def penalty(self, context: StepContext) -> Tensor:
        from tfgan_zoo.losses import feature_matching_loss

        real_features, fake_features = context.features()
        return feature_matching_loss(tf.stop_gradient(real_features), fake_features)

    def get_config(self) -> dict:
        return {**super().get_config(), "layer": self.layer}


_KINDS: dict[str, type[Regularizer]] = {
    cls.kind: cls
    for cls in (GradientPenalty, R1Penalty, R2Penalty, Drift, ConsistencyRegularization, OrthogonalRegularization,
                WeightClipping, FeatureMatching)
}


def get(spec: Any) -> Regularizer:
    """A Regularizer from an instance, a kind name, or a config dict {"kind": ..., **params}."""
    if isinstance(spec, Regularizer):
        return spec
    if isinstance(spec, str):
        spec = {"kind": spec}
    if not isinstance(spec, dict) or "kind" not in spec:
        raise ValueError(f"Expected a Regularizer, a kind name or a dict with 'kind', got {spec!r}.")
    params = dict(spec)
    kind = params.pop("kind")
    if kind not in _KINDS:
        close = difflib.get_close_matches(str(kind), _KINDS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"Unknown regularizer {kind!r}; expected one of {sorted(_KINDS)}.{hint}")
    try:
        return _KINDS[kind](**params)
    except TypeError as error:
        raise ValueError(f"Bad parameters {params} for regularizer {kind!r}: {error}") from None


def kinds() -> list[str]:
    """The registered regulariser kinds."""
    return sorted(_KINDS)
