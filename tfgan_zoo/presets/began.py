"""BEGAN (Berthelot et al. 2017): an autoencoder discriminator balanced by k_t.

The paper's setting (v4, sec. 4.1; the carpedm20/BEGAN-tensorflow defaults agree): the decoder and
encoder of fig. 1 (3x3 ELU convolutions, no normalisation, nearest-neighbour upsampling), embedding
N_h = N_z = 64, z ~ U[-1, 1], Adam(beta_1 0.5) at 1e-4 or below halved when M stalls, batch 16,
gamma 0.5, lambda_k 0.001, trained for hundreds of thousands of steps. What `began_mnist5k` keeps and
changes for 3,000 steps on the digits, each measured on mnist5k (reports/began.md):

- batch 16, N_h = N_z = 64, z uniform, the paper's networks at n = 32 (the paper: 64 or 128);
- gamma 1.0 instead of 0.5-0.7: the L1 reconstruction error of a digit grows with its ink, so the
  thin "1" is the easiest real digit to reconstruct; gamma < 1 asks for samples easier to
  reconstruct than the data and the generator settles on 1s (gamma 0.5: FID 517 at step 500, grey
  blobs; gamma 0.7, the former preset: 99% one class at 1,000 steps);
- lambda_k 0.01 instead of 0.001: the k_t controller moves by lambda_k (gamma L(x) - L(G(z))) per
  step, about 1e-5 at 0.001 on this L1 scale, so k_t stayed below 0.06 for 1,500 steps while the
  generator sat on 1s (FID 273 at step 1,000); at 0.01 it reaches 0.28 by step 1,100 and the
  samples spread over the classes (FID 131 at step 1,000);
- Adam 2e-4 (the paper: 5e-5 to 1e-4 for far longer runs), no decay within 3,000 steps;
- a linear autoencoder output (a tanh one settles on the all-background digit and stops learning),
  a tanh generator output (samples stay in [-1, 1] for export); EMA generator with warm-up.
"""
from __future__ import annotations

from tfgan_zoo.presets._registry import register
from tfgan_zoo.presets.classic import DCGAN_MNIST5K
from tfgan_zoo.presets.optimizers import adam

register("began_mnist5k", {
    "description": "BEGAN (Berthelot 2017): autoencoder D, L1 reconstruction, k_t control; on the digits gamma 1.0, "
                   "lambda_k 0.01, Adam 2e-4, batch 16, 3000 steps",
    "data": "mnist5k",
    "model": {"class": "BEGAN", "latent_dim": 64, "num_classes": None, "seed": 0, "gamma": 1.0, "lambda_k": 0.01},
    "generator": {"builder": "began_generator", "latent_dim": 64, "resolution": 28, "channels": 1, "width": 32,
                  "output_activation": "tanh"},
    "discriminator": {"builder": "began_autoencoder", "resolution": 28, "channels": 1, "hidden": 64, "width": 32,
                      "output_activation": "linear"},
    "compile": {"loss": "began", "loss_params": {}, "regularizers": [], "d_steps": 1, "d_batches": "reuse",
                "ema_decay": 0.999, "generator_adversarial_weight": 1.0},
    "g_optimizer": adam(2e-4, 0.5),
    "d_optimizer": adam(2e-4, 0.5),
    "training": {**DCGAN_MNIST5K["training"], "batch_size": 16, "steps": 3000},
})
