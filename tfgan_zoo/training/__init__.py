"""Training: the generic GAN model and its variants (hooks only, one train_step)."""
from tfgan_zoo.training.began import BEGAN
from tfgan_zoo.training.clustered import ClusteredGAN
from tfgan_zoo.training.gan import GAN
from tfgan_zoo.training.infogan import InfoGAN
from tfgan_zoo.training.progressive import GrowthSchedule, ProgressiveGAN
from tfgan_zoo.training.unrolled import UnrolledGAN

__all__ = ["BEGAN", "ClusteredGAN", "GAN", "GrowthSchedule", "InfoGAN", "ProgressiveGAN", "UnrolledGAN"]
