"""BEGAN (Berthelot et al. 2017): an autoencoder discriminator balanced by k_t."""
from __future__ import annotations

from tfgan_zoo.presets._registry import register
from tfgan_zoo.presets.classic import DCGAN_MNIST5K
from tfgan_zoo.presets.optimizers import adam

register("began_mnist5k", {
    "description": "BEGAN: autoencoder D, L1 reconstruction, k_t control, gamma 0.7 (Berthelot 2017)",
    "data": "mnist5k",
    "model": {"class": "BEGAN", "latent_dim": 64, "num_classes": None, "seed": 0, "gamma": 0.7, "lambda_k": 0.001},
    "generator": {"builder": "began_generator", "latent_dim": 64, "resolution": 28, "channels": 1, "width": 32,
                  "output_activation": "tanh"},
    # A linear autoencoder output: a tanh one settles on the all-background digit and stops learning.
    "discriminator": {"builder": "began_autoencoder", "resolution": 28, "channels": 1, "hidden": 64, "width": 32,
                      "output_activation": "linear"},
    "compile": {"loss": "began", "loss_params": {}, "regularizers": [], "d_steps": 1, "d_batches": "reuse",
                "ema_decay": 0.999, "generator_adversarial_weight": 1.0},
    "g_optimizer": adam(4e-4, 0.5),
    "d_optimizer": adam(4e-4, 0.5),
    "training": dict(DCGAN_MNIST5K["training"]),
})
