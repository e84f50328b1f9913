"""Stacked MNIST (1,000 modes; Metz et al. 2016, sec. 3.3; Srivastava et al. 2017, VEEGAN, sec. 5.2;
Lin et al. 2018, PacGAN, sec. 5): the stabilisation lab of reports/stacked_mnist.md.

The lab presets keep the zoo's DCGAN networks of `dcgan_mnist5k` in colour (G z 64 -> 7x7x64 ->
14x14x32 -> 28x28x3; D 32-64 filters; Adam 2e-4, beta1 0.5; batch 64) on the 128,000 fixed images of
`stacked_mnist` (VEEGAN's and PacGAN's training-set size, here built from the embedded 4,000 train
digits), no EMA generator (the papers have none), 1,000 steps. At that budget the plain DCGAN is
partly collapsed, as in the published VEEGAN setting (DCGAN 99 modes; here 185 of 1,000 on 5,000
samples, one mode 14% of them), so the techniques have something to fix.

`dcgan_small_d_stacked_mnist` is the published small-discriminator setting of Metz et al. 2016,
Table 2, as PacGAN's code reproduces it (`unrolled_GAN_experiment/D=0.25G`): G projects z (256-d) to
4x4x64, then 3x3 transposed convolutions to 7x7x32, 14x14x16, 28x28x8 and a 3x3 convolution to 3
channels; D is three 3x3 stride-2 convolutions of 2, 4 and 8 filters with batch norm and
LeakyReLU(0.3), and a linear output; Adam D 2e-4 / G 1e-4, betas (0.5, 0.99), batch 128, 500,000
steps. The zoo's builders give G width 16 (z 256 -> 7x7x32 -> 14x14x16 -> 28x28x3, 4x4 kernels) and
D width 2 (two 4x4 stride-2 convolutions of 2 and 4 filters, batch norm on the second only): 435
trainable D weights against the published 585. In 1,500 steps here its generator had not learned
digits (noise, read as 1 mode); the published runs are 300 times longer.
"""
from __future__ import annotations

from tfgan_zoo.presets._registry import register
from tfgan_zoo.presets.classic import DCGAN_MNIST5K, WASSERSTEIN_GP
from tfgan_zoo.presets.optimizers import adam
from tfgan_zoo.presets.overrides import derive

STACKED = {"data": "stacked_mnist", "generator.channels": 3, "discriminator.channels": 3, "compile.ema_decay": None,
           "training.steps": 1000, "training.sample_every": 250}
DCGAN_STACKED = derive(DCGAN_MNIST5K, "DCGAN on Stacked MNIST", STACKED)
METZ_SMALL_D = {
    "model.latent_dim": 256, "generator.latent_dim": 256, "generator.width": 16, "discriminator.width": 2,
    "g_optimizer": adam(1e-4, 0.5, 0.99), "d_optimizer": adam(2e-4, 0.5, 0.99), "training.batch_size": 128,
}

register("dcgan_stacked_mnist", derive(
    DCGAN_STACKED, "DCGAN (Radford 2015) on Stacked MNIST, 1000 steps: the partly collapsed baseline"))
register("dcgan_small_d_stacked_mnist", derive(
    DCGAN_STACKED, "DCGAN on Stacked MNIST with Metz et al.'s small discriminator (D 1/4 the size of G, "
    "Metz 2016 Table 2)", METZ_SMALL_D))
UNROLLED_5 = {"model.class": "UnrolledGAN", "+model.unrolling_steps": 5, "+model.unroll_optimizer": "adam",
              "+model.first_order": False, "+model.unroll_learning_rate": None,
              "+model.unrolled_objective": "generator_loss"}
register("unrolled_stacked_mnist", derive(
    DCGAN_STACKED, "unrolled GAN, K=5 Adam-unrolled D steps through which G's gradient flows (Metz 2016), "
    "on Stacked MNIST", UNROLLED_5))
# The second-order preset above lost to its discriminator within 100 steps here (D loss 1e-4, noise);
# the first-order variant (Metz 2016, eq. 7 without its second term) is what unrolled_mnist5k uses.
register("unrolled_first_order_stacked_mnist", derive(
    DCGAN_STACKED, "unrolled GAN, K=5 Adam-unrolled D steps, first order (the unrolled D's weights held "
    "constant for G's gradient; Metz 2016), on Stacked MNIST", {**UNROLLED_5, "+model.first_order": True}))
# No batch norm in D, as in minibatch_disc_mnist5k: it would normalise each all-real / all-fake
# batch and hide the within-batch similarity the layer measures.
register("minibatch_disc_stacked_mnist", derive(
    DCGAN_STACKED, "minibatch discrimination, 50 kernels of 5 (Salimans 2016), in D without batch norm, on Stacked MNIST",
    {"discriminator.normalization_kind": None,
     "+discriminator.minibatch_discrimination": {"num_kernels": 50, "kernel_dim": 5}}))
register("minibatch_stddev_stacked_mnist", derive(
    DCGAN_STACKED, "minibatch standard deviation, group 4 (Karras 2018), in D, on Stacked MNIST: "
    "D sees a statistic of several samples, like PacGAN's packing",
    {"+discriminator.minibatch_stddev": {"group_size": 4}}))
register("wgangp_stacked_mnist", derive(
    DCGAN_STACKED, "WGAN-GP: gradient penalty 10, Adam(1e-4, 0, 0.9), 5 critic steps, layer-norm critic "
    "(Gulrajani 2017), on Stacked MNIST",
    WASSERSTEIN_GP))
