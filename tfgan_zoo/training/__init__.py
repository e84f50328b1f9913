"""Training: the generic GAN model, its variants and callbacks."""
from tfgan_zoo.training.gan import GAN

__all__ = ["GAN"]
