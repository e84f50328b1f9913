"""The classic techniques on colour: DCGAN networks at 32 px on the embedded emoji (1,489 train
pictures, 9 emoji groups), the baselines later techniques are compared against.

The same recipes as the mnist5k presets of `tfgan_zoo.presets.classic` (DCGAN, WGAN-GP, SNGAN's
hinge + spectral norm on the standard CNN, the projection-conditional DCGAN), widened to 3
channels and 32 px (G 4x4x128 -> 8x8x64 -> 16x16x32 -> 32x32x3; D 32-64-128 filters) and trained
4,000 steps of batch 64 (about 170 passes over the train split). Evaluate against the 372
held-out emoji in the emoji classifier's features (`tfgan-zoo evaluate` does by default).
"""
from __future__ import annotations

from tfgan_zoo.presets._registry import register
from tfgan_zoo.presets.classic import DCGAN_MNIST5K, LONG, SNGAN_ADAM, SNGAN_CNN, WASSERSTEIN_GP
from tfgan_zoo.presets.overrides import derive

EMOJI_GROUPS = 9
COLOUR_32 = {
    "data": "emoji32",
    "generator.resolution": 32, "generator.channels": 3,
    "discriminator.resolution": 32, "discriminator.channels": 3,
    **LONG,
}
DCGAN_EMOJI32 = derive(DCGAN_MNIST5K, "DCGAN on the embedded emoji at 32 px", COLOUR_32)

register("dcgan_emoji32", derive(
    DCGAN_EMOJI32, "DCGAN (Radford 2015), non-saturating loss, EMA generator, on the emoji at 32 px, 4000 steps"))
register("wgangp_emoji32", derive(
    DCGAN_EMOJI32, "WGAN-GP: gradient penalty 10, Adam(1e-4, 0, 0.9), 5 critic steps, layer-norm critic "
    "(Gulrajani 2017), on the emoji at 32 px", WASSERSTEIN_GP))
register("sngan_emoji32", derive(
    DCGAN_EMOJI32, "hinge loss + spectral norm on the SNGAN standard CNN discriminator (Miyato 2018), on the emoji "
    "at 32 px", {**SNGAN_CNN, "g_optimizer": SNGAN_ADAM, "d_optimizer": SNGAN_ADAM}))
register("cdcgan_emoji32", derive(
    DCGAN_EMOJI32, "conditional DCGAN on the 9 emoji groups: label embedding in G, projection D (Miyato & Koyama "
    "2018), 32 px",
    {"model.num_classes": EMOJI_GROUPS, "generator.num_classes": EMOJI_GROUPS,
     "discriminator.num_classes": EMOJI_GROUPS}))
