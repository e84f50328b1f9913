"""Data: toy mixtures, the embedded mnist5k subset, tfds, folders and npz files -> tf.data."""
from tfgan_zoo.data.toy import TOY_DATASETS, sample_toy, toy_means, toy_std

__all__ = ["TOY_DATASETS", "sample_toy", "toy_means", "toy_std"]
