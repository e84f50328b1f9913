"""Data: toy mixtures, the embedded mnist5k and emoji sets, Stacked MNIST, tfds, folders and npz
files -> tf.data.

    tfgan_zoo.data.load("mnist5k", batch_size=64)            # images in [-1, 1], labels
    tfgan_zoo.data.load("emoji32", batch_size=64)            # colour, 9 emoji groups as labels
    tfgan_zoo.data.load("stacked_mnist:26000", 64)           # 3 digits as R, G, B: 1,000 modes
    tfgan_zoo.data.load("tfds:cifar10", 64, resolution=32)
    tfgan_zoo.data.load("mnist5k", 64, resolution=32, fit="pad")  # 28x28 digits on a 32x32 black canvas
    tfgan_zoo.data.describe("folder:~/faces").shape           # (H, W, C) for presets / CLI
"""
from tfgan_zoo.data.emoji import EMOJI_GROUPS, emoji_names, load_emoji
from tfgan_zoo.data.mnist5k import load_mnist5k
from tfgan_zoo.data.pipeline import CACHE_LIMIT_BYTES, as_numpy_images, describe, load
from tfgan_zoo.data.spec import (
    EMOJI_RESOLUTIONS,
    SPEC_FORMS,
    DataInfo,
    DataSpec,
    DataUnavailableError,
    parse_spec,
)
from tfgan_zoo.data.stacked_mnist import (
    STACKED_MNIST_NUM_MODES,
    load_stacked_mnist,
    mode_of_digits,
)
from tfgan_zoo.data.toy import TOY_DATASETS, sample_toy, toy_means, toy_std
from tfgan_zoo.data.transforms import (
    FITS,
    centre_crop,
    centre_crop_resize,
    centre_pad,
    convert_channels,
    to_signed_unit,
)

__all__ = [
    "CACHE_LIMIT_BYTES",
    "EMOJI_GROUPS",
    "EMOJI_RESOLUTIONS",
    "FITS",
    "SPEC_FORMS",
    "STACKED_MNIST_NUM_MODES",
    "TOY_DATASETS",
    "DataInfo",
    "DataSpec",
    "DataUnavailableError",
    "as_numpy_images",
    "centre_crop",
    "centre_crop_resize",
    "centre_pad",
    "convert_channels",
    "describe",
    "emoji_names",
    "load",
    "load_emoji",
    "load_mnist5k",
    "load_stacked_mnist",
    "mode_of_digits",
    "parse_spec",
    "sample_toy",
    "to_signed_unit",
    "toy_means",
    "toy_std",
]
