"""The classic techniques (2014-2017) on DCGAN networks: the embedded mnist5k digits, and CIFAR-10.

Every preset is `derive(base, description, {dotted key: value})` from one DCGAN base.
"""
from __future__ import annotations

from tfgan_zoo.presets._registry import register
from tfgan_zoo.presets.optimizers import adam, rmsprop
from tfgan_zoo.presets.overrides import derive

GP = {"kind": "gradient_penalty", "weight": 10.0}
CLIP = {"kind": "weight_clipping", "clip": 0.01}
WGANGP_ADAM = adam(1e-4, 0.0, 0.9)  # Gulrajani et al. 2017, Algorithm 1
SNGAN_ADAM = adam(2e-4, 0.5, 0.999)  # Miyato et al. 2018, table 1 (setting B-C family)

DCGAN_MNIST5K = {
    "description": "DCGAN (Radford 2015) on the embedded mnist5k digits",
    "data": "mnist5k",
    "model": {"class": "GAN", "latent_dim": 64, "num_classes": None, "seed": 0},
    "generator": {"builder": "dcgan_generator", "latent_dim": 64, "resolution": 28, "channels": 1,
                  "width": 32, "normalization_kind": "batch", "num_classes": None},
    "discriminator": {"builder": "dcgan_discriminator", "resolution": 28, "channels": 1, "width": 32,
                      "normalization_kind": "batch", "spectral_norm": False, "architecture": "dcgan",
                      "num_classes": None},
    "compile": {"loss": "nonsaturating", "loss_params": {}, "regularizers": [], "d_steps": 1, "d_batches": "reuse",
                "ema_decay": 0.999, "generator_adversarial_weight": 1.0},
    "g_optimizer": adam(),
    "d_optimizer": adam(),
    "training": {"batch_size": 64, "steps": 2000, "log_every": 50, "sample_every": 250, "checkpoint_every": 500,
                 "keep_checkpoints": 3, "num_samples": 64, "fid_every": 0},
}

# The default demo (`tfgan-zoo train` with no arguments) and the shipped generators train 4000
# steps: 8 sample grids.
LONG = {"training.steps": 4000, "training.sample_every": 500, "training.checkpoint_every": 1000}
WASSERSTEIN_GP = {"compile.loss": "wasserstein", "compile.regularizers": [GP], "compile.d_steps": 5,
                  "g_optimizer": WGANGP_ADAM, "d_optimizer": WGANGP_ADAM, "discriminator.normalization_kind": "layer"}
SNGAN_CNN = {"compile.loss": "hinge", "discriminator.spectral_norm": True, "discriminator.normalization_kind": None,
             "discriminator.architecture": "sngan"}
CONDITIONAL = {"model.num_classes": 10, "generator.num_classes": 10, "discriminator.num_classes": 10}
# Lucic et al. 2019's "Clustering": D conditioned on 80 k-means clusters of the digits (PCA-50 of the
# pixels), the cluster a one-hot code at the head of z (80 code + 64 noise coordinates), so G takes z
# alone. Measured on issue 12's protocol (4000 steps, batch 64, seed 0, 1,000 EMA samples at seed 1):
# 20 clusters 91.8% read with p > 0.9 but shares 4.3-17.1% (clusters that mix 4s and 9s draw mostly 9s);
# 60 clusters on PCA-20 94.1%, shares 5.8-12.6%; 80 clusters on PCA-50 94.2%, shares 7.7-11.7% (92.8% at
# 2000 steps). Purer clusters leave fewer digits for the generator to drop within a cluster.
CLUSTERED = {"model.class": "ClusteredGAN", "+model.clusters": 80, "model.latent_dim": 144,
             "generator.latent_dim": 144, "discriminator.num_classes": 80}

# The plain DCGAN recipe (the default until clustered_dcgan_mnist5k). Measured on 1,000 samples with the
# MNIST classifier (share read with p > 0.9, FID against the held-out digits; real digits: 98.3%), each
# run 4000 steps: this preset with the EMA warm-up 65.4%, FID 34.8 (the raw generator alike, 66.1%; 65%
# before the warm-up too); batch 128 70.7%, FID 30.3 (larger batches help GANs: Brock et al. 2019,
# BigGAN, table 1), but a batch-128 step costs 2.8x a batch-64 one here (1.8 against 5.1 steps/s,
# measured side by side), past the 5-minute budget of the default, so the shipped generator was trained at
# batch 128 and this preset stays at 64. Tried and not kept: Adam decayed linearly to 0 (62.6%, FID 46),
# D width 64 with that decay (63.7%, FID 41), z truncated at 1.5 (69.6%, FID 36); stopped early, D near
# chance (loss about 1.3 of 1.39): R1 5 every 4 steps (Mescheder 2018; grainy samples at step 1,500) and
# no batch norm in D (step 650). None reaches issue 12's 90%. Tried against issue 12's bar as well (4000
# steps, batch 64, seed 0, the same 1,000 samples): a Gaussian-mixture latent, z = 4 e_c + N(0, I) with c
# uniform over 10 fixed means (DeLiGAN, Gurumurthy 2017; static GM-GAN, Ben-Yosef 2018; a probe, not
# kept): 66.8%, FID 30.1 (5,000 samples), shares 3.1-17.6%, each component drawing several digits; the
# InfoGAN code (`infogan_mnist5k` below): 64.6%, FID 35.1, shares 1.8-19.5%. Spectral norm + hinge
# (`sngan_mnist5k`) ran at 2.5 steps/s where the mixture probe ran at 11 (minutes apart on the shared
# machine): past the 5-minute budget at 4000 steps, so it was stopped at step 100. Longer training
# saturates: this preset run for 16,000 steps (batch 64, seed 0; EMA / raw generator, the same 1,000
# samples at each checkpoint) reads 61.4 / 58.5% at 2,000 steps, 67.4 / 65.4% at 4,000, 71.1 / 71.5% at
# 8,000, 72.6 / 70.9% at 10,000, 73.0 / 71.2% at 14,000 and 72.3 / 72.9% at 16,000, the smallest class
# 2.8-4.2% throughout: steps alone do not reach the bar. Consistency regularisation (Zhang 2019;
# weight 10, shifts up to 2 px) reads 65.8%, shares 4.2-21.1%; G width 64 69.5%, G and D width 64
# 70.8%. What reached the bar is clustered_dcgan_mnist5k below.
register("dcgan_mnist5k", derive(
    DCGAN_MNIST5K, "DCGAN (Radford 2015), non-saturating loss (Goodfellow 2014), EMA generator with warm-up, "
    "batch 64, 4000 steps", LONG))
register("clustered_dcgan_mnist5k", derive(
    DCGAN_MNIST5K, "DCGAN whose discriminator is conditioned on 80 k-means clusters of the digits, drawn as a "
    "one-hot code in z (Lucic 2019, 'Clustering'; projection D, Miyato & Koyama 2018), EMA with warm-up, "
    "batch 64, 4000 steps; the default", {**CLUSTERED, **LONG}))
register("minimax_mnist5k", derive(
    DCGAN_MNIST5K, "DCGAN with the original saturating minimax generator loss (Goodfellow 2014)",
    {"compile.loss": "minimax"}))
register("onesided_ls_mnist5k", derive(
    DCGAN_MNIST5K, "one-sided label smoothing, real target 0.9 (Salimans 2016)",
    {"compile.loss": "one_sided_label_smoothing", "compile.loss_params": {"alpha": 0.9}}))
register("twosided_ls_mnist5k", derive(
    DCGAN_MNIST5K, "two-sided label smoothing, targets 0.9 / 0.1 (Salimans 2016)",
    {"compile.loss": "two_sided_label_smoothing", "compile.loss_params": {"alpha": 0.9, "beta": 0.1}}))
register("lsgan_mnist5k", derive(
    DCGAN_MNIST5K, "least squares GAN, a=-1 b=1 c=0 (Mao 2017)", {"compile.loss": "least_squares"}))
register("wgan_mnist5k", derive(
    DCGAN_MNIST5K, "WGAN: weight clipping 0.01, RMSprop 5e-5, 5 critic steps (Arjovsky 2017)",
    {"compile.loss": "wasserstein", "compile.regularizers": [CLIP], "compile.d_steps": 5,
     "g_optimizer": rmsprop(5e-5), "d_optimizer": rmsprop(5e-5)}))
register("wgangp_mnist5k", derive(
    DCGAN_MNIST5K,
    "WGAN-GP: gradient penalty 10, Adam(1e-4, 0, 0.9), 5 critic steps, layer-norm critic (Gulrajani 2017)",
    {**WASSERSTEIN_GP, **LONG}))
# WGAN-GP with the same 80 clusters, 4000 steps, seed 0 (35.7 CPU minutes pinned to one core): 86.3% of
# issue 12's 1,000 samples read with p > 0.9 (raw generator 88.3%), shares 7.3-13.0%; 80.1% at 2000 steps.
# The plain wgangp_mnist5k reads 64.4%. Short of the 90% bar, so it is not shipped.
register("clustered_wgangp_mnist5k", derive(
    DCGAN_MNIST5K, "WGAN-GP (Gulrajani 2017) whose critic is conditioned on 80 k-means clusters of the digits, "
    "drawn as a one-hot code in z (Lucic 2019, 'Clustering'; projection critic), layer norm, EMA with warm-up, "
    "4000 steps", {**WASSERSTEIN_GP, **CLUSTERED, **LONG}))
register("sngan_mnist5k", derive(
    DCGAN_MNIST5K, "hinge loss + spectral norm on the SNGAN standard CNN discriminator (Miyato 2018)",
    {**SNGAN_CNN, "g_optimizer": SNGAN_ADAM, "d_optimizer": SNGAN_ADAM}))
register("ttur_mnist5k", derive(
    DCGAN_MNIST5K, "TTUR: D lr 4e-4, G lr 1e-4, Adam(0, 0.9), hinge + spectral norm (Heusel 2017; Zhang 2019)",
    {**SNGAN_CNN, "g_optimizer": adam(1e-4, 0.0, 0.9), "d_optimizer": adam(4e-4, 0.0, 0.9)}))
register("cdcgan_mnist5k", derive(
    DCGAN_MNIST5K, "conditional DCGAN: label embedding in G, projection D (Miyato & Koyama 2018)",
    {**CONDITIONAL, **LONG}))
# InfoGAN on the digits, 4000 steps, batch 64, seed 0, 1,000 samples (issue 12's measure): Q
# reads the code back at 99% from step ~300, but the ten codes do not become the ten digits at this
# length: each code draws 7-10 classes, 64.6% read with p > 0.9, FID 35.1 on 5,000 samples, shares
# 1.8-19.5% (dcgan_mnist5k: 65.4%, FID 34.8). With Q's head trained by the generator alone on D's
# frozen features: 67.5%, FID 33.8. A step costs about 1.35x dcgan_mnist5k's (the Q head and D's
# feature pass; 501 s against 370 s for the mixture probe, minutes apart on the shared machine).
register("infogan_mnist5k", derive(
    DCGAN_MNIST5K, "InfoGAN: a 10-way categorical code in z, Q head on D's features, information weight 1 "
    "(Chen 2016), 4000 steps",
    {"model.class": "InfoGAN", "+model.prior": {"distribution": "categorical_code", "categories": 10},
     "+model.information_weight": 1.0, **LONG}))
register("feature_matching_mnist5k", derive(
    DCGAN_MNIST5K, "feature matching replaces the generator objective (Salimans 2016)",
    {"compile.regularizers": [{"kind": "feature_matching", "weight": 1.0}],
     "compile.generator_adversarial_weight": 0.0}))
# No batch norm in D: it normalises each all-real / all-fake batch, which hides the within-batch
# similarity the layer measures (Salimans et al. used weight norm, no batch norm).
register("minibatch_disc_mnist5k", derive(
    DCGAN_MNIST5K, "minibatch discrimination layer in a D without batch norm (Salimans 2016)",
    {"discriminator.normalization_kind": None,
     "+discriminator.minibatch_discrimination": {"num_kernels": 50, "kernel_dim": 5}}))
register("minibatch_stddev_mnist5k", derive(
    DCGAN_MNIST5K, "minibatch standard deviation layer in D (Karras 2018)",
    {"+discriminator.minibatch_stddev": {"group_size": 4}}))
register("unrolled_mnist5k", derive(
    DCGAN_MNIST5K, "unrolled GAN, K=3 Adam-unrolled D steps, first order (Metz 2016)",
    {"model.class": "UnrolledGAN", "+model.unrolling_steps": 3, "+model.unroll_optimizer": "adam",
     "+model.first_order": True, "+model.unroll_learning_rate": None,
     "+model.unrolled_objective": "generator_loss", "training.steps": 1000}))
register("sngan_cifar10", derive(
    DCGAN_MNIST5K, "SNGAN on CIFAR-10 (Miyato 2018): hinge, spectral norm, standard CNN D",
    {**SNGAN_CNN, "g_optimizer": SNGAN_ADAM, "d_optimizer": SNGAN_ADAM, "data": "tfds:cifar10",
     "training.steps": 50000, "generator.resolution": 32, "generator.channels": 3, "generator.width": 64,
     "discriminator.resolution": 32, "discriminator.channels": 3, "discriminator.width": 64}))
