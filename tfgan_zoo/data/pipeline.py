"""`load`, `describe` and `as_numpy_images`: data specs -> tf.data pipelines of images in [-1, 1].

Two pipeline shapes:
- in-memory sources (mnist5k, emoji, npz, toy, stacked_mnist): a dataset of indices is shuffled,
  repeated and batched, then one vectorised gather (+ transform) per batch. With `cache`, the
  transformed images are computed once up front when they fit in memory. stacked_mnist gathers
  digit-index triples and stacks the digits per batch, so any N costs 12 bytes an image.
- streaming sources (tfds, folder): decode (+ per-image centre crop / resize or pad when
  `resolution` is given) -> cache in memory when small -> shuffle -> repeat -> batch -> vectorised
  scale / channel conversion.
Both end with prefetch(AUTOTUNE).
"""
from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from tfgan_zoo.data import files as files_lib
from tfgan_zoo.data import tfds_source
from tfgan_zoo.data.emoji import EMOJI_GROUPS, load_emoji
from tfgan_zoo.data.mnist5k import MNIST5K_CLASS_NAMES, load_mnist5k
from tfgan_zoo.data.spec import EMBEDDED_SPLITS, DataInfo, DataSpec, parse_spec, resolve_split
from tfgan_zoo.data.stacked_mnist import (
    STACKED_MNIST_NUM_MODES,
    stacked_mnist_indices,
    stacked_mnist_labels,
)
from tfgan_zoo.data.toy import sample_toy
from tfgan_zoo.data.transforms import (
    FITS,
    convert_channels_dynamic,
    fit_to_resolution,
    preprocess_batch,
)

CACHE_LIMIT_BYTES = 1 << 30  # cache in memory only when the cached data stays under 1 GiB
SHUFFLE_BUFFER = 10_000  # shuffle buffer of streaming sources (in-memory ones shuffle fully)
_PRECOMPUTE_CHUNK = 1024


# ------------------------------------------------------------------------------ describe
def describe(spec: str, split: str | None = None, data_dir: str | None = None) -> DataInfo:
    """What `spec` yields (shape, classes, size) without building a pipeline.

    tfds specs read only the builder's metadata (num_examples is None until prepared).
    """
    parsed = parse_spec(spec)
    split = resolve_split(parsed, split, spec)
    if parsed.kind == "toy":
        _check_no_split(parsed, split, spec)
        return DataInfo(name=f"toy:{parsed.name}", kind="points", point_dim=2)
    if parsed.kind in ("mnist5k", "emoji"):
        split = split or "train"
        images, labels = _embedded_arrays(parsed, split)
        return DataInfo(
            name=f"{parsed.name}:{split}",
            kind="images",
            shape=tuple(int(d) for d in images.shape[1:]),
            num_classes=10 if parsed.kind == "mnist5k" else len(EMOJI_GROUPS),
            num_examples=len(labels),
            class_names=MNIST5K_CLASS_NAMES if parsed.kind == "mnist5k" else EMOJI_GROUPS,
        )
    if parsed.kind == "stacked_mnist":
        _check_stacked_split(split, spec)
        return DataInfo(
            name=f"stacked_mnist:{parsed.size}",
            kind="images",
            shape=(28, 28, 3),
            num_classes=STACKED_MNIST_NUM_MODES,
            num_examples=parsed.size,
        )
    if parsed.kind == "npz":
        images, labels, info = _npz_arrays(parsed, split, spec)
        return info
    if parsed.kind == "folder":
        _check_folder_split(parsed, split, spec)
        return _folder_info(files_lib.scan_folder(parsed.name), parsed.name)
    return tfds_source.describe_tfds(parsed.name, split, data_dir)


def _embedded_arrays(parsed: DataSpec, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8, labels int32) of an embedded set: mnist5k, emoji32 or emoji64."""
    if parsed.kind == "mnist5k":
        return load_mnist5k(split)
    return load_emoji(int(parsed.name.removeprefix("emoji")), split)


def _check_stacked_split(split: str | None, spec: str) -> None:
    if split is not None and split not in EMBEDDED_SPLITS:
        raise ValueError(
            f"Unknown split {split!r} for {spec!r}: stacked_mnist stacks the digits of one mnist5k "
            f"split; expected one of {', '.join(EMBEDDED_SPLITS)} (default train)."
        )


def _check_no_split(parsed: DataSpec, split: str | None, spec: str) -> None:
    if split is not None:
        raise ValueError(
            f"Unknown split {split!r} for {spec!r}; toy data has no splits (expected None)."
        )


def _check_folder_split(parsed: DataSpec, split: str | None, spec: str) -> None:
    if split is not None and split not in files_lib.FOLDER_SPLITS:
        raise ValueError(
            f"Unknown split {split!r} for {spec!r}; expected one of: "
            f"{', '.join(files_lib.FOLDER_SPLITS)} (a folder is a single split)."
        )


def _folder_info(scan: files_lib.FolderScan, path: str) -> DataInfo:
    size = scan.common_size() or (None, None)
    return DataInfo(
        name=f"folder:{path}",
        kind="images",
        shape=(size[0], size[1], scan.common_channels()),
        num_classes=None if scan.class_names is None else len(scan.class_names),
        num_examples=len(scan.paths),
        class_names=scan.class_names,
    )


def _npz_arrays(
    parsed: DataSpec, split: str | None, spec: str
) -> tuple[np.ndarray, np.ndarray | None, DataInfo]:
    images, labels, heldout = files_lib.read_npz(parsed.name)
    valid = files_lib.NPZ_SPLITS if heldout is not None else files_lib.FOLDER_SPLITS
    if split is not None and split not in valid:
        extra = "" if heldout is not None else " (the file has no 'heldout' array)"
        raise ValueError(
            f"Unknown split {split!r} for {spec!r}; expected one of: {', '.join(valid)}{extra}."
        )
    num_classes = None if labels is None else int(labels.max()) + 1
    if heldout is not None and split in (None, "train", "heldout"):
        keep = heldout if split == "heldout" else ~heldout
        images = images[keep]
        labels = None if labels is None else labels[keep]
        if len(images) == 0:
            raise ValueError(f"Empty dataset: split {split or 'train'!r} of {spec!r} is empty.")
    info = DataInfo(
        name=f"npz:{parsed.name}" + (f":{split}" if split else ""),
        kind="images",
        shape=tuple(int(d) for d in images.shape[1:]),
        num_classes=num_classes,
        num_examples=len(images),
    )
    return images, labels, info


# ---------------------------------------------------------------------------------- load
def load(
    spec: str,
    batch_size: int,
    *,
    split: str | None = None,
    resolution: int | None = None,
    fit: str = "resize",
    channels: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    repeat: bool = True,
    with_labels: bool | None = None,
    drop_remainder: bool = True,
    strategy: tf.distribute.Strategy | None = None,
    data_dir: str | None = None,
    cache: bool = True,
    toy_size: int = 100_000,
    download: bool = True,
) -> tf.data.Dataset:
    """A batched tf.data pipeline for a data spec.

    Elements are float32 images in [-1, 1] of shape (batch, H, W, C), or (images, labels) with
    int32 labels (batch,) when the source is labelled and `with_labels` is not False (None: use
    labels when present). Toy specs yield float32 points (batch, 2), unscaled, without labels.

    spec: mnist5k[:train|heldout|all] (default train), emoji32 / emoji64[:train|heldout|all]
        (default train), stacked_mnist[:N] (N images, default 128,000; `split` names the mnist5k
        digits it stacks, default train), tfds:NAME[:SPLIT], folder:PATH, npz:PATH, toy:ring8,
        toy:grid25.
    batch_size: the GLOBAL batch. Under a `tf.distribute` strategy (passed, or the one whose
        scope is active) the dataset is returned un-distributed with the global batch, which
        is what Keras `model.fit` expects (it splits each batch across the replicas); call
        `strategy.experimental_distribute_dataset` yourself for a custom loop. The batch must
        divide evenly over the replicas, and auto-sharding is set to DATA.
    resolution: centre-crop non-square images to a square, then resize to this side
        (area averaging down, bilinear up).
    fit: "resize" (above), or "pad": centre-pad with black (-1) to `resolution` instead, keeping
        the images' scale (28x28 MNIST -> 32x32 for progressive growing); larger images fail.
    channels: 1 or 3; converts 1 -> 3 by tiling and 3 -> 1 by BT.601 luminance (alpha dropped).
    seed: seeds the shuffle (and toy sampling), so two pipelines with one seed are identical.
    repeat: repeat forever (pass steps_per_epoch to fit) or stop after one pass.
    cache: keep decoded (and resized) data in memory when it fits in CACHE_LIMIT_BYTES.
    data_dir, download: tfds data directory, and whether tfds may download missing data;
        missing data that cannot be prepared raises DataUnavailableError.
    toy_size: how many toy points are drawn (then shuffled / repeated).
    """
    strategy = strategy if strategy is not None else _active_strategy()
    return _build(
        spec,
        batch_size,
        split=split,
        resolution=resolution,
        fit=fit,
        channels=channels,
        shuffle=shuffle,
        seed=seed,
        repeat=repeat,
        with_labels=with_labels,
        drop_remainder=drop_remainder,
        strategy=strategy,
        data_dir=data_dir,
        cache=cache,
        toy_size=toy_size,
        download=download,
    )


def _build(
    spec: str,
    batch_size: int,
    *,
    split: str | None,
    resolution: int | None,
    channels: int | None,
    shuffle: bool,
    fit: str = "resize",
    seed: int | None,
    repeat: bool,
    with_labels: bool | None,
    drop_remainder: bool,
    strategy: tf.distribute.Strategy | None,
    data_dir: str | None,
    cache: bool,
    toy_size: int,
    download: bool,
) -> tf.data.Dataset:
    """`load` with the strategy already resolved (None: no replica checks)."""
    _check_positive("batch_size", batch_size)
    _check_positive("toy_size", toy_size)
    if resolution is not None:
        _check_positive("resolution", resolution)
    if fit not in FITS:
        raise ValueError(f"Expected fit to be one of {', '.join(map(repr, FITS))}, got fit={fit!r}.")
    if channels is not None and channels not in (1, 3):
        raise ValueError(
            f"Expected channels to be None, 1 (grayscale) or 3 (RGB), got channels={channels!r}."
        )
    parsed = parse_spec(spec)
    split = resolve_split(parsed, split, spec)
    if strategy is not None:
        replicas = strategy.num_replicas_in_sync
        if batch_size % replicas:
            raise ValueError(
                f"batch_size={batch_size} is the global batch and must divide evenly over the "
                f"{replicas} replicas of {type(strategy).__name__}; expected a multiple of "
                f"{replicas}, e.g. {replicas * max(1, batch_size // replicas)}."
            )
    common = dict(
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        repeat=repeat,
        drop_remainder=drop_remainder,
        spec=spec,
    )

    if parsed.kind == "toy":
        _check_no_split(parsed, split, spec)
        if resolution is not None or channels is not None:
            raise ValueError(
                f"{spec!r} yields 2-D points; resolution and channels apply to images only "
                f"(got resolution={resolution!r}, channels={channels!r})."
            )
        if with_labels:
            raise ValueError(f"with_labels=True, but {spec!r} has no labels (toy points).")
        points = sample_toy(parsed.name, toy_size, seed=seed)
        dataset = _from_arrays(points, None, transform=None, **common)
    elif parsed.kind in ("mnist5k", "emoji", "npz"):
        if parsed.kind != "npz":
            images, labels = _embedded_arrays(parsed, split or "train")
        else:
            images, labels, _ = _npz_arrays(parsed, split, spec)
        use_labels = _use_labels(with_labels, labels is not None, spec)
        _check_channels(images.shape[-1], channels, spec)
        if resolution is not None and fit == "pad":
            _check_pad(images.shape[1:3], resolution, spec)
        transform = _batch_transform(resolution, channels, fit)
        if cache and _nbytes(_output_shape(images.shape, resolution, channels), 4) <= (
            CACHE_LIMIT_BYTES
        ):
            images, transform = _precompute(images, transform), None
        dataset = _from_arrays(
            images, labels if use_labels else None, transform=transform, **common
        )
    elif parsed.kind == "stacked_mnist":
        _check_stacked_split(split, spec)
        split = split or "train"
        labels = stacked_mnist_labels(parsed.size, split)
        use_labels = _use_labels(with_labels, True, spec)
        dataset = _from_arrays(
            stacked_mnist_indices(parsed.size, split),
            labels if use_labels else None,
            transform=_stacking_transform(split, resolution, channels),
            **common,
        )
    elif parsed.kind == "folder":
        _check_folder_split(parsed, split, spec)
        scan = files_lib.scan_folder(parsed.name)
        use_labels = _use_labels(with_labels, scan.labels is not None, spec)
        if resolution is not None and fit == "pad" and scan.common_size():
            _check_pad(scan.common_size(), resolution, spec)
        elements, shape = _folder_elements(scan, parsed.name, resolution, channels, shuffle, seed, fit)
        dataset = _from_elements(
            elements,
            num=len(scan.paths),
            element_shape=shape,
            element_bytes=1,
            has_labels=scan.labels is not None,
            use_labels=use_labels,
            channels=channels,
            cache=cache,
            shuffle_buffer=None,  # file paths are fully reshuffled upstream unless cached
            **common,
        )
    else:  # tfds
        elements, info, has_labels = tfds_source.tfds_elements(
            parsed.name, split, data_dir, shuffle=shuffle, seed=seed, download=download
        )
        use_labels = _use_labels(with_labels, has_labels, spec)
        if info.num_examples == 0:
            raise ValueError(f"Empty dataset: {info.name} has no examples.")
        shape = tuple(info.shape)
        _check_channels(shape[-1], channels, spec)
        if resolution is not None:
            if fit == "pad" and None not in shape[:2]:
                _check_pad(shape[:2], resolution, spec)
            elements = elements.map(
                _resize_element(resolution, has_labels, fit), num_parallel_calls=tf.data.AUTOTUNE
            )
            shape = (resolution, resolution, shape[-1])
        elif None in shape[:2]:
            raise ValueError(
                f"{spec!r} has images of varying size (shape {shape}); pass resolution=... "
                "(--resolution) to centre-crop and resize them to one size."
            )
        dataset = _from_elements(
            elements,
            num=info.num_examples,
            element_shape=shape,
            element_bytes=_element_bytes(elements, has_labels),
            has_labels=has_labels,
            use_labels=use_labels,
            channels=channels,
            cache=cache,
            shuffle_buffer=SHUFFLE_BUFFER,
            **common,
        )

    options = tf.data.Options()
    if strategy is not None:
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA
        )
    return dataset.with_options(options).prefetch(tf.data.AUTOTUNE)


def _check_positive(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Expected {name} to be an integer >= 1, got {name}={value!r}.")


def _active_strategy() -> tf.distribute.Strategy | None:
    return tf.distribute.get_strategy() if tf.distribute.has_strategy() else None


def _use_labels(with_labels: bool | None, has_labels: bool, spec: str) -> bool:
    if with_labels and not has_labels:
        raise ValueError(
            f"with_labels=True, but {spec!r} has no labels; expected a labelled source "
            "(mnist5k, a tfds dataset with a ClassLabel, a folder of class sub-folders, or an "
            "npz with 'labels') or with_labels=None/False."
        )
    return has_labels if with_labels is None else bool(with_labels)


def _check_channels(current: int | None, channels: int | None, spec: str) -> None:
    if channels is None or current is None or current == channels:
        return
    if current not in (1, 2, 3, 4):
        raise ValueError(
            f"Cannot convert the {current}-channel images of {spec!r} to channels={channels}; "
            "expected images with 1-4 channels."
        )


def _nbytes(shape: tuple, itemsize: int) -> int:
    return int(np.prod([int(d) for d in shape], dtype=np.int64)) * itemsize


def _output_shape(shape: tuple, resolution: int | None, channels: int | None) -> tuple:
    num, height, width, current = shape
    if resolution is not None:
        height = width = resolution
    return (num, height, width, channels or current)


def _check_pad(size: tuple, resolution: int, spec: str) -> None:
    side = min(int(d) for d in size)
    if side > resolution:
        raise ValueError(
            f"Cannot pad the {side}x{side} images of {spec!r} to resolution={resolution}: padding only "
            f"enlarges; expected a resolution >= {side}, or fit='resize'."
        )


def _batch_transform(resolution: int | None, channels: int | None, fit: str = "resize"):
    def transform(images: tf.Tensor) -> tf.Tensor:
        return preprocess_batch(images, resolution=resolution, channels=channels, fit=fit)

    return transform


def _stacking_transform(split: str, resolution: int | None, channels: int | None):
    """Index triples (batch, 3) -> stacked digits (batch, 28, 28, 3) -> `preprocess_batch`."""
    digits = tf.constant(load_mnist5k(split)[0][..., 0])
    resize = _batch_transform(resolution, channels)

    def transform(index: tf.Tensor) -> tf.Tensor:
        return resize(tf.transpose(tf.gather(digits, index), [0, 2, 3, 1]))

    return transform


def _precompute(images: np.ndarray, transform) -> np.ndarray:
    """Apply `transform` to all images once, in chunks -> float32 array."""
    chunks = [
        transform(tf.constant(images[start : start + _PRECOMPUTE_CHUNK])).numpy()
        for start in range(0, len(images), _PRECOMPUTE_CHUNK)
    ]
    return np.concatenate(chunks, axis=0)


def _check_batches(num: int | None, batch_size: int, repeat: bool, drop: bool, spec: str) -> None:
    if num is not None and not repeat and drop and num < batch_size:
        raise ValueError(
            f"Empty dataset: {spec!r} has {num} examples, fewer than batch_size={batch_size}, "
            "so one pass with drop_remainder=True yields no batch; expected batch_size <= "
            f"{num}, repeat=True or drop_remainder=False."
        )


def _from_arrays(
    values: np.ndarray,
    labels: np.ndarray | None,
    *,
    transform,
    batch_size: int,
    shuffle: bool,
    seed: int | None,
    repeat: bool,
    drop_remainder: bool,
    spec: str,
) -> tf.data.Dataset:
    """Index pipeline over in-memory arrays: shuffle/repeat/batch indices, gather per batch."""
    num = len(values)
    if num == 0:
        raise ValueError(f"Empty dataset: {spec!r} has no examples.")
    _check_batches(num, batch_size, repeat, drop_remainder, spec)
    values_t = tf.convert_to_tensor(values)
    labels_t = None if labels is None else tf.convert_to_tensor(labels, dtype=tf.int32)
    index = tf.data.Dataset.range(num)
    if shuffle:
        index = index.shuffle(num, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        index = index.repeat()
    index = index.batch(batch_size, drop_remainder=drop_remainder)

    def gather(i: tf.Tensor):
        batch = tf.gather(values_t, i)
        if transform is not None:
            batch = transform(batch)
        if labels_t is None:
            return batch
        return batch, tf.gather(labels_t, i)

    return index.map(gather, num_parallel_calls=tf.data.AUTOTUNE)


def _resize_element(resolution: int, has_labels: bool, fit: str = "resize"):
    """Per-example centre crop + resize (or pad with black), kept uint8 (rounded) so caches stay small."""

    def resize(image: tf.Tensor) -> tf.Tensor:
        black = 0.0 if image.dtype == tf.uint8 else -1.0
        out = fit_to_resolution(image, resolution, fit, pad_value=black)
        if image.dtype == tf.uint8:
            out = tf.cast(tf.clip_by_value(tf.round(out), 0.0, 255.0), tf.uint8)
        return out

    if has_labels:
        return lambda image, label: (resize(image), label)
    return resize


def _element_bytes(elements: tf.data.Dataset, has_labels: bool) -> int:
    spec = elements.element_spec[0] if has_labels else elements.element_spec
    return spec.dtype.size


def _folder_elements(
    scan: files_lib.FolderScan,
    path: str,
    resolution: int | None,
    channels: int | None,
    shuffle: bool,
    seed: int | None,
    fit: str = "resize",
) -> tuple[tf.data.Dataset, tuple[int, int, int]]:
    """Decoded uint8 images (+ labels) of a folder, and their per-image shape."""
    native = scan.common_channels()
    if native is None and channels is None:
        raise ValueError(
            f"Images in folder '{path}' have mixed channel counts: {scan.channel_mismatch()}; "
            "expected one channel count, or pass channels=1 or channels=3 (--channels) to "
            "convert them all."
        )
    size = scan.common_size()
    if size is None and resolution is None:
        raise ValueError(
            f"Images in folder '{path}' have different sizes: {scan.size_mismatch()}; expected "
            "one size, or pass resolution=... (--resolution) to centre-crop and resize them."
        )
    dynamic = native is None or (channels is not None and channels != native)
    decoded_channels = channels if dynamic else native
    paths = tf.constant(scan.paths)
    if scan.labels is None:
        elements = tf.data.Dataset.from_tensor_slices(paths)
    else:
        labels = tf.constant(scan.labels, dtype=tf.int32)
        elements = tf.data.Dataset.from_tensor_slices((paths, labels))
    if shuffle:
        elements = elements.shuffle(len(scan.paths), seed=seed, reshuffle_each_iteration=True)

    def decode(file: tf.Tensor) -> tf.Tensor:
        image = tf.io.decode_image(
            tf.io.read_file(file), channels=0, expand_animations=False, dtype=tf.uint8
        )
        if dynamic:
            image = convert_channels_dynamic(image, decoded_channels)
        image = tf.ensure_shape(image, [None, None, decoded_channels])
        if size is not None:
            image = tf.ensure_shape(image, [size[0], size[1], decoded_channels])
        if resolution is not None:
            out = fit_to_resolution(image, resolution, fit, pad_value=0.0)
            image = tf.cast(tf.clip_by_value(tf.round(out), 0.0, 255.0), tf.uint8)
        return image

    if scan.labels is None:
        elements = elements.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    else:
        elements = elements.map(
            lambda f, y: (decode(f), y), num_parallel_calls=tf.data.AUTOTUNE
        )
    if resolution is not None:
        shape = (resolution, resolution, decoded_channels)
    else:
        shape = (size[0], size[1], decoded_channels)
    return elements, shape


def _from_elements(
    elements: tf.data.Dataset,
    *,
    num: int | None,
    element_shape: tuple,
    element_bytes: int,
    has_labels: bool,
    use_labels: bool,
    channels: int | None,
    cache: bool,
    shuffle_buffer: int | None,
    batch_size: int,
    shuffle: bool,
    seed: int | None,
    repeat: bool,
    drop_remainder: bool,
    spec: str,
) -> tf.data.Dataset:
    """cache -> shuffle -> repeat -> batch -> vectorised scale / channels, for decoded
    per-example images of one static shape."""
    _check_batches(num, batch_size, repeat, drop_remainder, spec)
    if has_labels and not use_labels:
        elements = elements.map(lambda image, label: image)
    cached = (
        cache
        and num is not None
        and _nbytes((num, *element_shape), element_bytes) <= CACHE_LIMIT_BYTES
    )
    if cached:
        elements = elements.cache()
    if shuffle and (cached or shuffle_buffer is not None):
        buffer = shuffle_buffer or SHUFFLE_BUFFER
        if num is not None:
            buffer = min(buffer, num)
        elements = elements.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        elements = elements.repeat()
    elements = elements.batch(batch_size, drop_remainder=drop_remainder)
    transform = _batch_transform(None, channels)
    if use_labels:
        return elements.map(
            lambda images, labels: (transform(images), labels),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return elements.map(transform, num_parallel_calls=tf.data.AUTOTUNE)


# ------------------------------------------------------------------------ as_numpy_images
def as_numpy_images(
    spec: str,
    num: int,
    split: str | None = None,
    *,
    resolution: int | None = None,
    fit: str = "resize",
    channels: int | None = None,
    data_dir: str | None = None,
    download: bool = True,
    seed: int = 0,
) -> np.ndarray:
    """`num` images of a spec as float32 (num, H, W, C) in [-1, 1], for metrics' real statistics:
    a shuffled draw fixed by `seed` (sources can be sorted by class -- mnist5k and class folders
    are -- so the first `num` would not be representative). Toy specs give `num` points (num, 2)
    drawn with `seed`. Raises ValueError when the source holds fewer than `num` examples."""
    _check_positive("num", num)
    parsed = parse_spec(spec)
    if parsed.kind == "toy":
        _check_no_split(parsed, resolve_split(parsed, split, spec), spec)
        return sample_toy(parsed.name, num, seed=seed)
    batch_size = min(num, 500)
    dataset = _build(  # no strategy: any batch size, even inside a strategy scope
        spec,
        batch_size,
        strategy=None,
        seed=seed,
        toy_size=1,
        split=split,
        resolution=resolution,
        fit=fit,
        channels=channels,
        shuffle=True,
        repeat=False,
        with_labels=False,
        drop_remainder=False,
        data_dir=data_dir,
        cache=False,
        download=download,
    )
    batches, total = [], 0
    for batch in dataset.take(math.ceil(num / batch_size)):
        batches.append(batch.numpy())
        total += len(batches[-1])
    if total < num:
        raise ValueError(
            f"Asked for num={num} images but {spec!r}"
            + (f" (split {split!r})" if split else "")
            + f" holds only {total}; expected num <= {total}."
        )
    return np.concatenate(batches, axis=0)[:num]


__all__ = ["CACHE_LIMIT_BYTES", "SHUFFLE_BUFFER", "as_numpy_images", "describe", "load"]
