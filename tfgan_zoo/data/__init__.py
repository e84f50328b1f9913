"""Data: toy mixtures, the embedded mnist5k subset, tfds, folders and npz files -> tf.data.

    tfgan_zoo.data.load("mnist5k", batch_size=64)            # images in [-1, 1], labels
    tfgan_zoo.data.load("tfds:cifar10", 64, resolution=32)
    tfgan_zoo.data.load("mnist5k", 64, resolution=32, fit="pad")  # 28x28 digits on a 32x32 black canvas
    tfgan_zoo.data.describe("folder:~/faces").shape           # (H, W, C) for presets / CLI
"""
from tfgan_zoo.data.mnist5k import load_mnist5k
from tfgan_zoo.data.pipeline import CACHE_LIMIT_BYTES, as_numpy_images, describe, load
from tfgan_zoo.data.spec import (
    SPEC_FORMS,
    DataInfo,
    DataSpec,
    DataUnavailableError,
    parse_spec,
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
    "FITS",
    "SPEC_FORMS",
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
    "load",
    "load_mnist5k",
    "parse_spec",
    "sample_toy",
    "to_signed_unit",
    "toy_means",
    "toy_std",
]
