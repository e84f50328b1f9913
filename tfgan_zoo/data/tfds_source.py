"""tensorflow-datasets sources (`tfds:NAME[:SPLIT]`): find the image and label features,
prepare (or explain how to prepare) the data, and read a split as (image, label) elements."""
from __future__ import annotations

import dataclasses
import difflib
import os
import re
from typing import Any

import numpy as np
import tensorflow as tf

from tfgan_zoo.data.spec import DataInfo, DataUnavailableError

DEFAULT_SPLIT = "train"


def _tfds():
    import tensorflow_datasets as tfds  # imported lazily: slow, and only this source needs it

    return tfds


def default_data_dir(data_dir: str | None) -> str:
    """The tfds data directory in use: `data_dir`, else $TFDS_DATA_DIR, else tfds' default."""
    if data_dir:
        return data_dir
    return os.environ.get("TFDS_DATA_DIR") or os.path.join("~", "tensorflow_datasets")


def get_builder(name: str, data_dir: str | None = None):
    """The tfds builder for `name` (e.g. 'mnist', 'celeb_a', 'imagenet_resized/32x32')."""
    tfds = _tfds()
    try:
        return tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError as error:
        known = tfds.list_builders()
        close = difflib.get_close_matches(name.split("/")[0], known, n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"Unknown tensorflow-datasets dataset {name!r} (spec 'tfds:{name}'); expected a name "
            "from https://www.tensorflow.org/datasets/catalog/overview such as mnist, "
            f"fashion_mnist, cifar10 or celeb_a.{hint}"
        ) from error


def find_keys(builder) -> tuple[str, str | None]:
    """(image key, label key or None): the first Image feature and the first ClassLabel."""
    tfds = _tfds()
    features = builder.info.features
    items = list(features.items()) if hasattr(features, "items") else []
    image_key = next((k for k, f in items if isinstance(f, tfds.features.Image)), None)
    if image_key is None:
        found = ", ".join(f"{k}: {type(f).__name__}" for k, f in items) or repr(features)
        raise ValueError(
            f"tfds dataset {builder.name!r} has no image feature; expected a top-level "
            f"tfds.features.Image, found {{{found}}}."
        )
    label_key = next((k for k, f in items if isinstance(f, tfds.features.ClassLabel)), None)
    return image_key, label_key


def split_names(split: str) -> list[str]:
    """The base split names of a tfds split expression ('train[:80%]+test' -> train, test)."""
    return [m.group(0) for part in split.split("+") if (m := re.match(r"\s*[\w-]+", part))]


def check_split(name: str, split: str, available: list[str]) -> None:
    """Raise ValueError when `split` names a split not in `available` (skipped if unknown)."""
    if not available:
        return
    for base in split_names(split) or [split]:
        if base.strip() not in available:
            raise ValueError(
                f"Unknown split {split!r} for tfds dataset {name!r}; expected one of: "
                f"{', '.join(sorted(available))} (tfds slicing such as 'train[:90%]' works too)."
            )


def describe_tfds(name: str, split: str | None, data_dir: str | None, builder=None) -> DataInfo:
    """DataInfo from the builder's metadata (no data needed; num_examples only if prepared)."""
    builder = builder if builder is not None else get_builder(name, data_dir)
    split = split or DEFAULT_SPLIT
    image_key, label_key = find_keys(builder)
    image_feature = builder.info.features[image_key]
    splits = builder.info.splits
    available = list(splits.keys()) if splits else []
    check_split(name, split, available)
    num_examples = None
    if available:
        try:
            num_examples = int(splits[split].num_examples)
        except Exception:  # noqa: BLE001 - complex split expressions: leave unknown
            num_examples = None
    label = builder.info.features[label_key] if label_key else None
    return DataInfo(
        name=f"tfds:{name}:{split}",
        kind="images",
        shape=tuple(image_feature.shape),
        num_classes=None if label is None else int(label.num_classes),
        num_examples=num_examples,
        class_names=None if label is None else tuple(label.names),
    )


def unavailable_message(name: str, data_dir: str | None, builder: Any, reason: str) -> str:
    """Say which dataset is missing, why, and how to prepare it offline."""
    where = default_data_dir(data_dir)
    message = (
        f"tfds dataset {name!r} is not prepared in data_dir '{where}' and {reason}. "
        "Prepare it once: run with internet access (tfds downloads "
        f"and prepares it into the data_dir), or run `tfds build {name} --data_dir DIR` on a "
        "machine with internet and copy DIR here; datasets that need a manual download take "
        f"their files in DIR/downloads/manual before `tfds build {name} --data_dir DIR "
        f"--manual_dir DIR/downloads/manual`. Then pass data_dir=DIR (Python), --data-dir DIR "
        "(CLI) or set TFDS_DATA_DIR=DIR."
    )
    instructions = getattr(builder, "MANUAL_DOWNLOAD_INSTRUCTIONS", None)
    if instructions:
        message += f" Manual download instructions for {name}: {instructions.strip()}"
    return message


def prepare(builder, name: str, data_dir: str | None, download: bool) -> None:
    """Make sure the builder's data is prepared; raise DataUnavailableError if it cannot be."""
    if builder.is_prepared():
        return
    if not download:
        raise DataUnavailableError(
            unavailable_message(
                name, data_dir, builder, "downloading is disabled (download=False)"
            )
        )
    try:
        builder.download_and_prepare()
    except Exception as error:  # noqa: BLE001 - offline failures come in many types
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        raise DataUnavailableError(
            unavailable_message(
                name, data_dir, builder, f"could not be downloaded ({reason.strip()})"
            )
        ) from error


def tfds_elements(
    name: str,
    split: str | None,
    data_dir: str | None,
    *,
    shuffle: bool,
    seed: int | None,
    download: bool,
) -> tuple[tf.data.Dataset, DataInfo, bool]:
    """(dataset of (image uint8 (H, W, C), label int32) or image elements, its DataInfo,
    whether elements carry labels)."""
    tfds = _tfds()
    builder = get_builder(name, data_dir)
    info = describe_tfds(name, split, data_dir, builder)
    split = split or DEFAULT_SPLIT
    image_key, label_key = find_keys(builder)
    prepare(builder, name, data_dir, download)
    read_config = tfds.ReadConfig(shuffle_seed=seed)
    dataset = builder.as_dataset(split=split, shuffle_files=shuffle, read_config=read_config)
    if info.num_examples is None:
        cardinality = int(dataset.cardinality())
        if cardinality >= 0:
            info = dataclasses.replace(info, num_examples=cardinality)
    is_uint8 = np.dtype(builder.info.features[image_key].np_dtype) == np.uint8

    def pick_image(example):
        image = example[image_key]
        if not is_uint8:  # e.g. uint16 / float images -> [-1, 1] float
            image = tf.image.convert_image_dtype(image, tf.float32) * 2.0 - 1.0
        return image

    if label_key is not None:
        dataset = dataset.map(
            lambda ex: (pick_image(ex), tf.cast(ex[label_key], tf.int32)),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    else:
        dataset = dataset.map(pick_image, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset, info, label_key is not None
