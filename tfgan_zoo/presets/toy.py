"""MLP GANs on the 2-D toy mixtures (ring8, grid25): the stabilisation lab's toys."""
from __future__ import annotations

from tfgan_zoo.presets._registry import register
from tfgan_zoo.presets.classic import CLIP, GP, WGANGP_ADAM
from tfgan_zoo.presets.optimizers import adam, cosine, rmsprop
from tfgan_zoo.presets.overrides import derive

TOY = {
    "description": "MLP GAN on a 2-D toy mixture",
    "data": "toy:ring8",
    "model": {"class": "GAN", "latent_dim": 16, "num_classes": None, "seed": 0},
    "generator": {"builder": "mlp_generator", "latent_dim": 16, "output_dim": 2, "width": 128, "depth": 2,
                  "activation": "relu", "kernel_initializer": "glorot_uniform"},
    "discriminator": {"builder": "mlp_discriminator", "input_dim": 2, "width": 128, "depth": 2, "activation": "relu",
                      "spectral_norm": False, "kernel_initializer": "glorot_uniform"},
    "compile": {"loss": "nonsaturating", "loss_params": {}, "regularizers": [], "d_steps": 1, "d_batches": "reuse",
                "ema_decay": None, "generator_adversarial_weight": 1.0},
    "g_optimizer": adam(1e-3),
    "d_optimizer": adam(1e-3),
    "training": {"batch_size": 256, "steps": 3000, "log_every": 100, "sample_every": 500, "checkpoint_every": 1000,
                 "keep_checkpoints": 3, "num_samples": 2500},
}
HINGE_SN = {"compile.loss": "hinge", "discriminator.spectral_norm": True}

# Metz et al. 2016, app. A, and the authors' reference notebook: 2x128 tanh MLPs with orthogonal
# initialisation (gain 1.4), z 256-d, batch 512, the saturating minimax objective, Adam D 1e-4 /
# G 1e-3, beta1 0.5, epsilon 1e-8, 25,000 steps.
ORTHOGONAL_1_4 = {"class_name": "Orthogonal", "config": {"gain": 1.4}}
METZ_TOY = {
    "compile.loss": "minimax", "generator.activation": "tanh", "discriminator.activation": "tanh",
    "model.latent_dim": 256, "generator.latent_dim": 256, "training.batch_size": 512, "training.steps": 25000,
    "generator.kernel_initializer": ORTHOGONAL_1_4, "discriminator.kernel_initializer": ORTHOGONAL_1_4,
    "g_optimizer": adam(1e-3, 0.5, epsilon=1e-8), "d_optimizer": adam(1e-4, 0.5, epsilon=1e-8),
}

register("gan_toy", derive(TOY, "MLP GAN, non-saturating loss, on ring8"))
register("minimax_toy", derive(TOY, "MLP GAN, saturating minimax loss", {"compile.loss": "minimax"}))
register("onesided_ls_toy", derive(TOY, "one-sided label smoothing 0.9",
                                   {"compile.loss": "one_sided_label_smoothing"}))
register("twosided_ls_toy", derive(TOY, "two-sided label smoothing 0.9 / 0.1",
                                   {"compile.loss": "two_sided_label_smoothing"}))
register("lsgan_toy", derive(TOY, "least squares GAN", {"compile.loss": "least_squares"}))
register("wgan_toy", derive(TOY, "WGAN with weight clipping, RMSprop 5e-5, 5 critic steps", {
    "compile.loss": "wasserstein", "compile.regularizers": [CLIP], "compile.d_steps": 5,
    "g_optimizer": rmsprop(5e-5), "d_optimizer": rmsprop(5e-5)}))
register("wgangp_toy", derive(TOY, "WGAN-GP, lambda 10, Adam(1e-4, 0, 0.9), 5 critic steps", {
    "compile.loss": "wasserstein", "compile.regularizers": [GP], "compile.d_steps": 5,
    "g_optimizer": WGANGP_ADAM, "d_optimizer": WGANGP_ADAM}))
register("hinge_sn_toy", derive(TOY, "hinge loss + spectral norm", HINGE_SN))
register("ttur_toy", derive(TOY, "TTUR: D 4e-4, G 1e-4, Adam(0, 0.9), hinge + spectral norm", {
    **HINGE_SN, "g_optimizer": adam(1e-4, 0.0, 0.9), "d_optimizer": adam(4e-4, 0.0, 0.9)}))
register("feature_matching_toy", derive(TOY, "feature matching generator objective (Salimans 2016)", {
    "compile.regularizers": [{"kind": "feature_matching", "weight": 1.0}],
    "compile.generator_adversarial_weight": 0.0}))
register("minibatch_disc_toy", derive(TOY, "minibatch discrimination in the MLP discriminator (Salimans 2016)", {
    "+discriminator.minibatch_discrimination": {"num_kernels": 50, "kernel_dim": 5}}))
register("toy_gan", derive(
    TOY, "vanilla GAN in the published unrolled-GAN toy setup (Metz 2016): the baseline", METZ_TOY))
register("toy_unrolled", derive(TOY, "unrolled GAN, K=5, in the published toy setup (Metz 2016)", {
    **METZ_TOY, "model.class": "UnrolledGAN", "+model.unrolling_steps": 5, "+model.unroll_optimizer": "adam",
    "+model.first_order": False, "+model.unroll_learning_rate": None, "+model.unrolled_objective": "value"}))
# The zoo's best toy recipe: wider/deeper ReLU MLPs, non-saturating loss with a light R1 penalty
# (Mescheder 2018), an EMA generator (Yazici 2019) and cosine-decayed Adam.
register("toy_stable", derive(
    TOY, "the zoo's stable toy recipe: 3x256 ReLU MLPs, R1 0.2, EMA 0.999, cosine-decayed Adam", {
        "model.latent_dim": 64, "generator.latent_dim": 64, "generator.width": 256, "discriminator.width": 256,
        "generator.depth": 3, "discriminator.depth": 3, "training.batch_size": 512, "training.steps": 20000,
        "compile.ema_decay": 0.999, "compile.regularizers": [{"kind": "r1", "weight": 0.2}],
        "g_optimizer": adam(cosine(1e-3, 20000, 0.01), 0.5, 0.9),
        "d_optimizer": adam(cosine(1e-3, 20000, 0.01), 0.5, 0.9)}))
