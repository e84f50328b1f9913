"""StyleGAN v1 (Karras, Laine, Aila 2019): the style-based generator with the PGGAN discriminator.

The recipe of the official code (train.py, training/loss.py, training/networks_stylegan.py):
non-saturating logistic loss with R1 on the reals (gamma 10, i.e. weight gamma / 2 = 5) on every
step, Adam(1e-3, 0, 0.99, eps 1e-8) for both networks, style mixing with probability 0.9, w_avg
decay 0.995, the [1, 2, 1] blur in G and D, minibatch stddev (group 4) in D, a generator EMA with
the official half-life of 10k images (beta = 0.5 ** (batch / 10000)), progressive growing from 8x8
(lod_initial_resolution 8) with the optimizer state reset at each phase change. The EMA decay is
constant from the first step (`ema_warmup` off), as the official Gs. (The PGGAN presets keep the
warm-up, which counts optimizer steps and so restarts with each phase-change reset: see
tfgan_zoo/presets/pggan.py.)

Truncation is a sampling choice (`generate(psi=0.7)`, `tfgan-zoo sample --psi 0.7`); its cutoff
is the official 8 capped at the generator's style layers (`truncation_cutoff` None): every layer
at 32 px (8 of them), the 4x4-32x32 layers of a 64 px generator (8 of 10).

The small presets are sized for two CPU cores: narrow networks (fmap_base 256: 64 maps up to
8x8, 16 at 32x32), w and z of 64, and phases of 16k images instead of 600k.

Cost of `stylegan_mnist5k` (5,000 steps of 32), measured on a shared two-core machine (load
average 5-30, so CPU time, not wall time, is the figure): about 0.3 CPU-s per step at 8x8 and the
16x16 fade, 0.4 at 16x16, 0.6-0.8 at the 32x32 fade, 0.47 at 32x32; 3,200 steps took 23 CPU
minutes, the last 1,500 (at 32x32) 17.1, about 42 in all. It misses the issue's bar (all ten
digits, >= 80% read with p > 0.9, in 20 minutes on 2 cores): at step 5,000 (seed 0,
reports/stylegan.md) 43.2% of 5,000 EMA samples read with p > 0.9, 7 classes among them, FID
152.8 -- the samples collapsed toward 8s and 3s from step ~3,000, so the recipe needs tuning.
"""
from __future__ import annotations

from pathlib import Path

from tfgan_zoo.presets._registry import register
from tfgan_zoo.presets.optimizers import adam
from tfgan_zoo.presets.overrides import derive
from tfgan_zoo.presets.pggan import steps_for

STYLEGAN_ADAM = adam(1e-3, 0.0, 0.99, epsilon=1e-8)   # official train.py G_opt / D_opt, lrate 0.001
R1 = {"kind": "r1", "weight": 5.0}                     # official D_logistic_simplegp r1_gamma 10: gamma / 2


def ema_decay_for(batch_size: int, half_life_images: int = 10_000) -> float:
    """The official Gs beta = 0.5 ** (minibatch / (G_smoothing_kimg * 1000)), G_smoothing_kimg 10."""
    return round(0.5 ** (batch_size / half_life_images), 6)


MNIST_SCHEDULE = {"start_resolution": 8, "final_resolution": 32, "stable_images": 16_000, "fade_images": 16_000}
STYLEGAN_MNIST5K = {
    "description": "StyleGAN (Karras 2019): mapping network, AdaIN, noise, style mixing 0.9, R1 10; grown 8 -> 32 on mnist5k padded to 32",
    "data": "mnist5k",
    "data_fit": "pad",
    "model": {"class": "StyleGAN", "latent_dim": 64, "num_classes": None, "seed": 0, "schedule": MNIST_SCHEDULE,
              "reset_optimizers": True, "style_mixing_prob": 0.9},
    "generator": {"builder": "stylegan_generator", "latent_dim": 64, "resolution": 32, "channels": 1, "w_dim": 64,
                  "mapping_layers": 8, "mapping_width": 64, "mapping_lr_multiplier": 0.01, "fmap_base": 256,
                  "fmap_max": 64, "num_classes": None, "w_avg_beta": 0.995, "truncation_cutoff": None, "blur": True,
                  "noise_seed": 0},
    "discriminator": {"builder": "pggan_discriminator", "resolution": 32, "channels": 1, "fmap_base": 256,
                      "fmap_max": 64, "fmap_decay": 1.0, "minibatch_group_size": 4, "num_classes": None,
                      "blur": True},
    "compile": {"loss": "nonsaturating", "loss_params": {}, "regularizers": [R1], "d_steps": 1,
                "d_batches": "reuse", "ema_decay": ema_decay_for(32), "ema_start": 0, "ema_warmup": False,
                "generator_adversarial_weight": 1.0},
    "g_optimizer": STYLEGAN_ADAM,
    "d_optimizer": STYLEGAN_ADAM,
    "training": {"batch_size": 32, "steps": steps_for(MNIST_SCHEDULE, 96_000, 32), "log_every": 50,
                 "sample_every": 500, "checkpoint_every": 500, "keep_checkpoints": 3, "num_samples": 64,
                 "fid_every": 0},
}
register("stylegan_mnist5k", STYLEGAN_MNIST5K)
# Class-conditional (the option; the official code's label_size): the digit's embedding
# (width latent_dim, N(0, 1)) concatenated to z before the mapping network's pixel norm, the
# projection discriminator psi(phi) + <embed(y), phi> in the 4x4 block; otherwise the recipe above.
# Measured (5,000 steps, seed 0, 37.9 CPU minutes on one core; 5,000 samples, labels 0-9 in turn,
# cropped to 28x28): MNIST FID 16.7, 93.6% read with p > 0.9, all ten classes (5.0-16.3%), 85.3%
# read as the asked label -- where the unconditional preset above reads 43.2% with 7 classes.
register("stylegan_mnist5k_conditional", derive(
    STYLEGAN_MNIST5K, "class-conditional StyleGAN (Karras 2019): digit embedding concatenated to z in the mapping "
    "network, projection D (Miyato & Koyama 2018); grown 8 -> 32 on mnist5k padded to 32",
    {"model.num_classes": 10, "generator.num_classes": 10, "discriminator.num_classes": 10}))

# CelebA (tfds, for users with internet and a GPU): 64x64 faces, the paper's widths (512 maps,
# z = w = 512), phases of 600k images from 8x8, batch 32; mirror augmentation is not in the
# pipeline (the official FFHQ / CelebA-HQ configs use it).
CELEBA_SCHEDULE = {"start_resolution": 8, "final_resolution": 64, "stable_images": 600_000, "fade_images": 600_000}
register("stylegan_celeba", derive(
    STYLEGAN_MNIST5K, "StyleGAN (Karras 2019) on CelebA 64x64 (tfds): paper widths, grown 8 -> 64 over 600k-image phases",
    {"data": "tfds:celeb_a", "data_fit": "resize", "model.latent_dim": 512, "model.schedule": CELEBA_SCHEDULE,
     "generator.latent_dim": 512, "generator.w_dim": 512, "generator.mapping_width": 512, "generator.resolution": 64,
     "generator.channels": 3, "generator.fmap_base": 8192, "generator.fmap_max": 512,
     "discriminator.resolution": 64, "discriminator.channels": 3, "discriminator.fmap_base": 8192,
     "discriminator.fmap_max": 512, "training.steps": steps_for(CELEBA_SCHEDULE, 600_000, 32),
     "training.sample_every": 2000, "training.checkpoint_every": 2000, "training.log_every": 200}))

# Colour emoji (the embedded Noto Color Emoji sets); registered once their data specs are in the
# package (branch `emoji`).
if (Path(__file__).resolve().parent.parent / "data" / "emoji.py").is_file():
    EMOJI_SCHEDULE = {"start_resolution": 8, "final_resolution": 32, "stable_images": 32_000, "fade_images": 32_000}
    register("stylegan_emoji32", derive(
        STYLEGAN_MNIST5K, "StyleGAN (Karras 2019) on the embedded colour emoji (unconditional) at 32x32, grown 8 -> 32; "
        "truncation cutoff 8 = all 8 style layers",
        {"data": "emoji32", "data_fit": "exact", "model.schedule": EMOJI_SCHEDULE, "generator.channels": 3,
         "generator.fmap_base": 512, "generator.fmap_max": 128, "discriminator.channels": 3,
         "discriminator.fmap_base": 512, "discriminator.fmap_max": 128,
         "training.steps": steps_for(EMOJI_SCHEDULE, 192_000, 32)}))
    EMOJI64_SCHEDULE = {**EMOJI_SCHEDULE, "final_resolution": 64}
    register("stylegan_emoji64", derive(
        STYLEGAN_MNIST5K, "StyleGAN (Karras 2019) on the embedded colour emoji (unconditional) at 64x64, grown 8 -> 64; "
        "truncation cutoff 8 = the 4x4-32x32 layers of 10",
        {"data": "emoji64", "data_fit": "exact", "model.schedule": EMOJI64_SCHEDULE, "generator.channels": 3,
         "generator.resolution": 64, "generator.fmap_base": 1024, "generator.fmap_max": 128,
         "discriminator.resolution": 64, "discriminator.channels": 3, "discriminator.fmap_base": 1024,
         "discriminator.fmap_max": 128, "training.steps": steps_for(EMOJI64_SCHEDULE, 192_000, 32)}))
