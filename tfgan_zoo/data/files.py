"""Image folders (`folder:PATH`) and array files (`npz:PATH`): scanning, checking, reading."""
from __future__ import annotations

import dataclasses
import os
import zipfile
from pathlib import Path

import numpy as np

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
NPZ_IMAGE_KEYS = ("images", "x")
NPZ_LABEL_KEYS = ("labels", "y")
NPZ_SPLITS = ("train", "heldout", "all")
FOLDER_SPLITS = ("train", "all")


# --------------------------------------------------------------------------------- folders
@dataclasses.dataclass(frozen=True)
class FolderScan:
    """The image files of a folder, their labels (or None) and what their headers say."""

    root: Path
    paths: tuple[str, ...]
    labels: tuple[int, ...] | None
    class_names: tuple[str, ...] | None
    channels: tuple[int, ...]  # per file, as decoded by tf.io.decode_image(channels=0)
    sizes: tuple[tuple[int, int], ...]  # per file (height, width)

    def common_channels(self) -> int | None:
        """The channel count shared by every file, or None when they differ."""
        return self.channels[0] if len(set(self.channels)) == 1 else None

    def common_size(self) -> tuple[int, int] | None:
        """The (height, width) shared by every file, or None when they differ."""
        return self.sizes[0] if len(set(self.sizes)) == 1 else None

    def channel_mismatch(self) -> str:
        """A sentence naming two files whose channel counts differ."""
        first = self.channels[0]
        other = next(i for i, c in enumerate(self.channels) if c != first)
        return (
            f"'{self.paths[0]}' has {first} channel(s) but '{self.paths[other]}' has "
            f"{self.channels[other]}"
        )

    def size_mismatch(self) -> str:
        """A sentence naming two files whose sizes differ."""
        first = self.sizes[0]
        other = next(i for i, s in enumerate(self.sizes) if s != first)
        h0, w0 = first
        h1, w1 = self.sizes[other]
        return (
            f"'{self.paths[0]}' is {h0}x{w0} (height x width) but '{self.paths[other]}' is "
            f"{h1}x{w1}"
        )


def _is_image(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(IMAGE_EXTENSIONS)


def _images_under(folder: Path) -> list[Path]:
    """Image files anywhere under `folder`, sorted; hidden files and folders skipped."""
    found = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(current) / f for f in sorted(files) if _is_image(f))
    return found


def _header_channels(path: Path) -> tuple[int, tuple[int, int]]:
    """Channel count (as TensorFlow's decoders produce it) and (height, width) from the file
    header, without decoding the pixels."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            mode, fmt, info = image.mode, image.format, image.info
            width, height = image.size
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"Could not read image file '{path}': {error}") from error
    if fmt == "GIF":  # tf decodes every GIF frame as RGB
        channels = 3
    elif mode in ("1", "L", "I", "I;16", "I;16B", "I;16L", "F"):
        channels = 1
    elif mode in ("LA", "La"):
        channels = 2
    elif mode == "P":
        channels = 4 if "transparency" in info else 3
    elif mode in ("RGBA", "RGBa", "PA"):
        channels = 4
    else:  # RGB, YCbCr, CMYK (jpeg), ...
        channels = 3
    return channels, (height, width)


def scan_folder(path: str) -> FolderScan:
    """List the images of `path`. If sub-folders hold images, each such sub-folder (sorted by
    name) is a class and its images (at any depth) get its index as label."""
    root = Path(os.path.expanduser(path))
    if not root.exists():
        raise FileNotFoundError(f"Image folder '{path}' (spec 'folder:{path}') does not exist.")
    if not root.is_dir():
        raise ValueError(
            f"Expected a folder of images for spec 'folder:{path}', but '{path}' is a file "
            "(use 'npz:PATH' for .npz arrays)."
        )
    entries = sorted(os.listdir(root))
    top_files = [root / e for e in entries if _is_image(e) and (root / e).is_file()]
    class_dirs = [
        (e, _images_under(root / e))
        for e in entries
        if not e.startswith(".") and (root / e).is_dir()
    ]
    class_dirs = [(name, files) for name, files in class_dirs if files]
    if not top_files and not class_dirs:
        raise ValueError(
            f"No images found in folder '{path}': expected files ending in "
            f"{', '.join(IMAGE_EXTENSIONS)} (any case) in it or in its class sub-folders."
        )
    if top_files and class_dirs:
        raise ValueError(
            f"Folder '{path}' has images at its top level (e.g. '{top_files[0].name}') and in "
            f"class sub-folders ({', '.join(repr(n) for n, _ in class_dirs[:3])}); expected "
            "either only images (unlabelled) or only class sub-folders of images."
        )
    if class_dirs:
        files = [f for _, fs in class_dirs for f in fs]
        labels: tuple[int, ...] | None = tuple(
            k for k, (_, fs) in enumerate(class_dirs) for _ in fs
        )
        class_names: tuple[str, ...] | None = tuple(n for n, _ in class_dirs)
    else:
        files, labels, class_names = top_files, None, None
    headers = [_header_channels(f) for f in files]
    return FolderScan(
        root=root,
        paths=tuple(str(f) for f in files),
        labels=labels,
        class_names=class_names,
        channels=tuple(c for c, _ in headers),
        sizes=tuple(s for _, s in headers),
    )


# ------------------------------------------------------------------------------------ npz
def _is_npy(file: Path) -> bool:
    """Whether `file` starts with the .npy magic string (a single array, not an archive)."""
    with open(file, "rb") as handle:
        return handle.read(6) == b"\x93NUMPY"


def read_npz(path: str) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Read an .npz of images -> (images (N, H, W, C) uint8, or float32 already in [-1, 1],
    labels int32 (N,) or None, heldout bool (N,) or None).

    Images: array 'images' (or 'x'), rank 3 (N, H, W) or 4 (N, H, W, C), channels last; uint8
    (or integers) in [0, 255], or floats in [0, 1], [-1, 1] or [0, 255] (judged from the range).
    Labels: optional integer array 'labels' (or 'y'). heldout: optional bool array marking a
    held-out split, as in the embedded mnist5k file.
    """
    file = Path(os.path.expanduser(path))
    if not file.exists():
        raise FileNotFoundError(f"Array file '{path}' (spec 'npz:{path}') does not exist.")
    if file.is_file() and not zipfile.is_zipfile(file) and not _is_npy(file):
        raise ValueError(
            f"'{path}' is not an .npz archive (a zip of arrays, as np.savez writes); save the images "
            "with np.savez(path, images=...).")
    try:
        arrays = np.load(file, allow_pickle=False)
    except Exception as error:  # noqa: BLE001 - any unreadable file gets the same message
        raise ValueError(f"Could not read '{path}' as an .npz file: {error}") from None
    if not isinstance(arrays, np.lib.npyio.NpzFile):
        raise ValueError(
            f"Expected an .npz archive with an 'images' array at '{path}', got a single "
            f"array of shape {getattr(arrays, 'shape', '?')} (save it with "
            "np.savez(path, images=...))."
        )
    with arrays:
        keys = list(arrays.files)
        image_key = next((k for k in NPZ_IMAGE_KEYS if k in keys), None)
        if image_key is None:
            raise ValueError(
                f"No images array in '{path}': expected a key 'images' (or 'x'), found keys "
                f"{keys}."
            )
        images = arrays[image_key]
        label_key = next((k for k in NPZ_LABEL_KEYS if k in keys), None)
        labels = arrays[label_key] if label_key is not None else None
        heldout = arrays["heldout"] if "heldout" in keys else None
    images = _check_images(images, f"'{path}'[{image_key!r}]")
    num = len(images)
    if labels is not None:
        labels = _check_labels(labels, num, f"'{path}'[{label_key!r}]")
    if heldout is not None:
        if heldout.dtype != bool or heldout.shape != (num,):
            raise ValueError(
                f"Expected '{path}'['heldout'] to be a bool array of shape ({num},), got "
                f"{heldout.dtype} of shape {heldout.shape}."
            )
    return images, labels, heldout


def _check_images(images: np.ndarray, where: str) -> np.ndarray:
    if images.ndim == 3:
        images = images[..., None]
    elif images.ndim != 4:
        raise ValueError(
            f"Expected images of rank 3 (N, height, width) or 4 (N, height, width, channels) "
            f"in {where}, got shape {images.shape}."
        )
    if images.shape[0] == 0:
        raise ValueError(f"Empty dataset: {where} holds no images (shape {images.shape}).")
    if images.shape[-1] not in (1, 2, 3, 4):
        hint = ""
        if images.shape[1] in (1, 3, 4):
            hint = " It looks channels-first; transpose it to (N, height, width, channels)."
        raise ValueError(
            f"Expected 1-4 channels last in {where}, got shape {images.shape}.{hint}"
        )
    if images.dtype == np.uint8:
        return images
    if np.issubdtype(images.dtype, np.integer):
        low, high = int(images.min()), int(images.max())
        if low < 0 or high > 255:
            raise ValueError(
                f"Expected integer images in [0, 255] in {where}, got values in "
                f"[{low}, {high}] ({images.dtype})."
            )
        return images.astype(np.uint8)
    if np.issubdtype(images.dtype, np.floating):
        low, high = float(images.min()), float(images.max())
        if not (np.isfinite(low) and np.isfinite(high)):
            raise ValueError(f"Images in {where} contain NaN or infinite values.")
        if low >= -1.0 and high <= 1.0:
            if low >= 0.0:  # [0, 1]
                return (images.astype(np.float32) * 2.0 - 1.0).astype(np.float32)
            return images.astype(np.float32)  # [-1, 1]
        if low >= 0.0 and high <= 255.0:
            return (images.astype(np.float32) / 127.5 - 1.0).astype(np.float32)
        raise ValueError(
            f"Expected float images in [0, 1], [-1, 1] or [0, 255] in {where}, got values in "
            f"[{low:g}, {high:g}]."
        )
    raise ValueError(f"Expected uint8 or float images in {where}, got dtype {images.dtype}.")


def _check_labels(labels: np.ndarray, num: int, where: str) -> np.ndarray:
    if labels.shape != (num,):
        raise ValueError(
            f"Expected labels of shape ({num},) (one integer class per image) in {where}, got "
            f"shape {labels.shape}."
        )
    if not np.issubdtype(labels.dtype, np.integer):
        if np.issubdtype(labels.dtype, np.floating) and np.all(labels == np.round(labels)):
            labels = labels.astype(np.int64)
        else:
            raise ValueError(f"Expected integer labels in {where}, got dtype {labels.dtype}.")
    if labels.min() < 0:
        raise ValueError(
            f"Expected labels >= 0 in {where}, got a minimum of {int(labels.min())}."
        )
    return labels.astype(np.int32)
