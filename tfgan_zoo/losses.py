"""Adversarial losses: pure functions of discriminator logits, one (generator, discriminator) pair
per family.

Every function takes `(real_logits, fake_logits)` positionally and returns the scalar mean over
the batch (the generator losses ignore `real_logits`). `get(name, **params)` returns the pair.
Notation: D(x) is the logit on a real sample, D(G(z)) the logit on a generated one, and
sigma the logistic sigmoid, so log sigma(l) = -softplus(-l) and log(1 - sigma(l)) = -softplus(l).
"""
from __future__ import annotations

import difflib
import functools
from typing import Callable

import tensorflow as tf

Tensor = tf.Tensor
LossFn = Callable[[Tensor, Tensor], Tensor]
LossPair = tuple[LossFn, LossFn]


def _float(logits) -> Tensor:
    return tf.cast(logits, tf.float32)


def _binary_cross_entropy(logits: Tensor, target: float) -> Tensor:
    """Mean of -[t log sigma(l) + (1 - t) log(1 - sigma(l))] for a constant target t."""
    logits = _float(logits)
    return tf.reduce_mean(target * tf.nn.softplus(-logits) + (1.0 - target) * tf.nn.softplus(logits))


# --- cross-entropy family (Goodfellow et al. 2014) ------------------------------------------

def cross_entropy_discriminator_loss(
    real_logits: Tensor, fake_logits: Tensor, real_target: float = 1.0, fake_target: float = 0.0
) -> Tensor:
    """-E[log D(x)] - E[log(1 - D(G(z)))] with optional smoothed targets.

    Goodfellow et al. 2014, "Generative Adversarial Nets", eq. 1. With `real_target=0.9` this is
    one-sided label smoothing, and with `fake_target=0.1` as well two-sided smoothing
    (Salimans et al. 2016, "Improved Techniques for Training GANs", sec. 3.4):
    L_D = BCE(real_target, D(x)) + BCE(fake_target, D(G(z))).
    """
    return _binary_cross_entropy(real_logits, real_target) + _binary_cross_entropy(
        fake_logits, fake_target
    )


def minimax_generator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Saturating generator loss E[log(1 - D(G(z)))] = -E[softplus(D(G(z)))] (Goodfellow 2014, eq. 1)."""
    del real_logits
    return -tf.reduce_mean(tf.nn.softplus(_float(fake_logits)))


def nonsaturating_generator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Non-saturating generator loss -E[log D(G(z))] = E[softplus(-D(G(z)))] (Goodfellow 2014, sec. 3)."""
    del real_logits
    return tf.reduce_mean(tf.nn.softplus(-_float(fake_logits)))


# --- least squares (Mao et al. 2017) --------------------------------------------------------

def least_squares_discriminator_loss(
    real_logits: Tensor, fake_logits: Tensor, a: float = -1.0, b: float = 1.0
) -> Tensor:
    """L_D = 1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2] (Mao et al. 2017, "Least Squares GANs", eq. 2)."""
    return 0.5 * tf.reduce_mean(tf.square(_float(real_logits) - b)) + 0.5 * tf.reduce_mean(
        tf.square(_float(fake_logits) - a)
    )


def least_squares_generator_loss(real_logits: Tensor, fake_logits: Tensor, c: float = 0.0) -> Tensor:
    """L_G = 1/2 E[(D(G(z)) - c)^2] (Mao et al. 2017, eq. 2; a=-1, b=1, c=0 satisfy b - c = 1, b - a = 2)."""
    del real_logits
    return 0.5 * tf.reduce_mean(tf.square(_float(fake_logits) - c))


# --- Wasserstein (Arjovsky et al. 2017) -----------------------------------------------------

def wasserstein_discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Critic loss E[D(G(z))] - E[D(x)] (Arjovsky et al. 2017, "Wasserstein GAN", Algorithm 1)."""
    return tf.reduce_mean(_float(fake_logits)) - tf.reduce_mean(_float(real_logits))


def wasserstein_generator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Generator loss -E[D(G(z))] (Arjovsky et al. 2017); also the hinge generator loss."""
    del real_logits
    return -tf.reduce_mean(_float(fake_logits))


# --- hinge (Lim & Ye 2017; Miyato et al. 2018) ----------------------------------------------

def hinge_discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """L_D = E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))] (Lim & Ye 2017; Miyato et al. 2018, eq. 16)."""
    return tf.reduce_mean(tf.nn.relu(1.0 - _float(real_logits))) + tf.reduce_mean(
        tf.nn.relu(1.0 + _float(fake_logits))
    )


hinge_generator_loss = wasserstein_generator_loss


# --- feature matching (Salimans et al. 2016) ------------------------------------------------

def feature_matching_loss(real_features: Tensor, fake_features: Tensor) -> Tensor:
    """||E f(x) - E f(G(z))||_2^2 on an intermediate discriminator feature (Salimans 2016, sec. 3.1).

    Features are flattened per sample; the expectation is the batch mean.
    """
    real = tf.reshape(_float(real_features), (tf.shape(real_features)[0], -1))
    fake = tf.reshape(_float(fake_features), (tf.shape(fake_features)[0], -1))
    return tf.reduce_sum(tf.square(tf.reduce_mean(real, axis=0) - tf.reduce_mean(fake, axis=0)))


def information_loss(codes: Tensor, code_logits: Tensor) -> Tensor:
    """-E log Q(c | G(z, c)) for a categorical code c (Chen et al. 2016, InfoGAN, eq. 4): the
    cross-entropy of Q's logits on the code drawn. H(c) minus it is the lower bound L_I on the
    mutual information I(c; G(z, c)); the generator and Q minimise it."""
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.cast(codes, tf.int32), logits=_float(code_logits)))


# --- registry -------------------------------------------------------------------------------

def _minimax(real_target: float = 1.0, fake_target: float = 0.0) -> LossPair:
    return minimax_generator_loss, functools.partial(
        cross_entropy_discriminator_loss, real_target=real_target, fake_target=fake_target
    )


def _nonsaturating(real_target: float = 1.0, fake_target: float = 0.0) -> LossPair:
    return nonsaturating_generator_loss, functools.partial(
        cross_entropy_discriminator_loss, real_target=real_target, fake_target=fake_target
    )


def _one_sided_label_smoothing(alpha: float = 0.9) -> LossPair:
    return _nonsaturating(real_target=alpha, fake_target=0.0)


def _two_sided_label_smoothing(alpha: float = 0.9, beta: float = 0.1) -> LossPair:
    return _nonsaturating(real_target=alpha, fake_target=beta)


def _least_squares(a: float = -1.0, b: float = 1.0, c: float = 0.0) -> LossPair:
    return (
        functools.partial(least_squares_generator_loss, c=c),
        functools.partial(least_squares_discriminator_loss, a=a, b=b),
    )


def _wasserstein() -> LossPair:
    return wasserstein_generator_loss, wasserstein_discriminator_loss


def _hinge() -> LossPair:
    return hinge_generator_loss, hinge_discriminator_loss


_REGISTRY: dict[str, Callable[..., LossPair]] = {
    "minimax": _minimax,
    "nonsaturating": _nonsaturating,
    "one_sided_label_smoothing": _one_sided_label_smoothing,
    "two_sided_label_smoothing": _two_sided_label_smoothing,
    "least_squares": _least_squares,
    "wasserstein": _wasserstein,
    "hinge": _hinge,
}


def names() -> list[str]:
    """The registered loss family names."""
    return sorted(_REGISTRY)


def get(name: str, **params: float) -> LossPair:
    """Return `(generator_loss, discriminator_loss)` for a loss family.

    Both callables take `(real_logits, fake_logits)` positionally and return a scalar mean.
    `params` are the family's constants, e.g. `get("least_squares", a=0, b=1, c=1)`,
    `get("one_sided_label_smoothing", alpha=0.9)`.
    """
    if name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), _REGISTRY, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"Unknown loss {name!r}; expected one of {names()}.{hint}")
    factory = _REGISTRY[name]
    try:
        return factory(**params)
    except TypeError as error:
        raise ValueError(f"Bad parameters {params} for loss {name!r}: {error}") from None
