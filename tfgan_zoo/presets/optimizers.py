"""Optimizer and learning-rate specs as JSON data (built by tfgan_zoo.training.build)."""
from __future__ import annotations


def adam(learning_rate: "float | dict" = 2e-4, beta_1: float = 0.5, beta_2: float = 0.999,
         epsilon: float = 1e-7) -> dict:
    """Adam (Kingma & Ba 2015); Keras's default epsilon 1e-7 is left out of the spec."""
    spec = {"name": "adam", "learning_rate": learning_rate, "beta_1": beta_1, "beta_2": beta_2}
    return spec if epsilon == 1e-7 else {**spec, "epsilon": epsilon}


def rmsprop(learning_rate: float = 5e-5) -> dict:
    """RMSprop, the WGAN optimizer (Arjovsky et al. 2017)."""
    return {"name": "rmsprop", "learning_rate": learning_rate}


def cosine(initial: float, decay_steps: int, alpha: float = 0.0) -> dict:
    """A cosine learning-rate decay (Loshchilov & Hutter 2017) from `initial` to `alpha * initial`."""
    return {"schedule": "cosine", "initial": initial, "decay_steps": decay_steps, "alpha": alpha}


def linear(initial: float, decay_steps: int, final: float = 0.0) -> dict:
    """A linear learning-rate decay from `initial` to `final` over `decay_steps` (SNGAN, Miyato 2018)."""
    return {"schedule": "linear", "initial": initial, "decay_steps": decay_steps, "final": final}
