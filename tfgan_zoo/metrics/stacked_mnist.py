"""The Stacked MNIST mode metric (Metz et al. 2016; Srivastava et al. 2017, VEEGAN, Table 2;
Lin et al. 2018, PacGAN, Table 2).

Each channel of a generated image is classified by the shipped MNIST classifier; the three
digits (R, G, B) name one of the 1,000 modes (100 a + 10 b + c). Reported: the number of modes
that receive at least one sample, and KL(p || uniform) in nats, p the histogram of the
generated modes -- the "reverse KL" of PacGAN's Table 2, as its released code computes it
(`KLD(p, q)` with q = 1/1000; 0 when every mode is equally frequent, log 1000 = 6.91 when one
mode takes all) -- on 26,000 samples, the number in VEEGAN's and PacGAN's tables (PacGAN's
stacked_MNIST_experiments/VEEGAN_experiment: num_test_sample 26000).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from tfgan_zoo.data.stacked_mnist import STACKED_MNIST_NUM_MODES, mode_of_digits
from tfgan_zoo.metrics.coverage import class_coverage
from tfgan_zoo.metrics.features import MnistFeatures, check_images

#: Generated samples of the published Stacked MNIST tables (VEEGAN, PacGAN).
STACKED_MNIST_PROTOCOL_SAMPLES = 26_000


def classify_stacked_digits(images: Any, classifier: MnistFeatures | None = None) -> np.ndarray:
    """The digit (int64) of each channel of 3-channel images (N, H, W, 3) in [-1, 1] (or
    uint8): (N, 3), columns R, G, B. ``classifier`` defaults to the shipped MNIST classifier."""
    array = check_images(images)
    if array.shape[-1] != 3:
        raise ValueError(
            f"Expected Stacked MNIST images with 3 channels (one digit each), got shape {array.shape}."
        )
    classifier = classifier if classifier is not None else MnistFeatures()
    return np.stack([classifier.predict_labels(array[..., c : c + 1]) for c in range(3)], axis=1)


def stacked_mnist_modes(images: Any, classifier: MnistFeatures | None = None) -> dict[str, Any]:
    """Modes covered (of 1,000) and KL(generated mode distribution || uniform) of Stacked
    MNIST images (N, H, W, 3); see the module docstring for the protocol.

    Returns {"modes_covered": int, "num_modes": 1000, "kl_to_uniform": float (nats),
    "max_mode_fraction": float, "num_samples": int}.
    """
    modes = mode_of_digits(classify_stacked_digits(images, classifier))
    coverage = class_coverage(modes, STACKED_MNIST_NUM_MODES)
    return {
        "modes_covered": coverage["classes_covered"],
        "num_modes": STACKED_MNIST_NUM_MODES,
        "kl_to_uniform": coverage["kl_to_uniform"],
        "max_mode_fraction": coverage["max_class_fraction"],
        "num_samples": int(modes.shape[0]),
    }
