"""The embedded emoji set: 1,861 colour images of Google's Noto Color Emoji (images Apache-2.0,
font OFL-1.1), one per fully-qualified emoji of Unicode's emoji-test.txt 15.0 without skin-tone
variants (1,870, of which 9 the font draws exactly like another, e.g. the flags of Norway and
Svalbard: kept once), labelled with their emoji group, on a white background; fixed stratified
split of 1,489 train / 372 held-out (20% of each group). Built by scripts/make_emoji.py.

`emoji64` holds the 64-px images of the file; `emoji32` is their exact 2x2 mean (rounded half
up), so both resolutions come from one 5 MB file.
"""
from __future__ import annotations

import functools
import importlib.resources

import numpy as np

from tfgan_zoo.data.spec import EMBEDDED_SPLITS, EMOJI_RESOLUTIONS

EMOJI_FILE = "emoji.npz"
#: The labels: emoji-test.txt's groups in its order. Its tenth group, "Component" (skin tones
#: and hair styles), holds no fully-qualified emoji, so no image has it.
EMOJI_GROUPS = (
    "Smileys & Emotion",
    "People & Body",
    "Animals & Nature",
    "Food & Drink",
    "Travel & Places",
    "Activities",
    "Objects",
    "Symbols",
    "Flags",
)
#: The resolution of the images in the file; the others are exact box means of it.
EMOJI_STORED_RESOLUTION = 64


@functools.lru_cache(maxsize=1)
def read_emoji_file() -> dict[str, np.ndarray]:
    """Every array of the shipped file (read-only): images uint8 (1861, 64, 64, 3), labels,
    heldout, codepoints and names (one per image), groups and source (a provenance string)."""
    resource = importlib.resources.files("tfgan_zoo.data").joinpath("files", EMOJI_FILE)
    with resource.open("rb") as handle, np.load(handle, allow_pickle=False) as arrays:
        content = {key: arrays[key] for key in arrays.files}
    if tuple(content["groups"]) != EMOJI_GROUPS:
        raise ValueError(
            f"The shipped {EMOJI_FILE} has groups {tuple(content['groups'])}; expected {EMOJI_GROUPS}."
        )
    for array in content.values():
        array.setflags(write=False)
    return content


def box_downsample(images: np.ndarray, factor: int) -> np.ndarray:
    """uint8 images (N, H, W, C) -> the mean of each factor x factor block, rounded half up."""
    num, height, width, channels = images.shape
    if height % factor or width % factor:
        raise ValueError(
            f"Expected image sides divisible by {factor}, got shape {images.shape}."
        )
    blocks = images.reshape(num, height // factor, factor, width // factor, factor, channels)
    sums = blocks.sum(axis=(2, 4), dtype=np.uint32)
    area = factor * factor
    return ((sums + area // 2) // area).astype(np.uint8)


@functools.lru_cache(maxsize=len(EMOJI_RESOLUTIONS))
def _images(resolution: int) -> np.ndarray:
    images = read_emoji_file()["images"]
    if resolution != EMOJI_STORED_RESOLUTION:
        images = box_downsample(images, EMOJI_STORED_RESOLUTION // resolution)
        images.setflags(write=False)
    return images


def emoji_indices(split: str = "train") -> np.ndarray:
    """Indices into the 1,861 emoji images of a split ('train', 'heldout' or 'all')."""
    if split not in EMBEDDED_SPLITS:
        raise ValueError(
            f"Unknown emoji split {split!r}; expected one of {', '.join(EMBEDDED_SPLITS)}."
        )
    heldout = read_emoji_file()["heldout"]
    if split == "all":
        return np.arange(len(heldout))
    return np.flatnonzero(heldout if split == "heldout" else ~heldout)


def load_emoji(resolution: int = 32, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """The embedded emoji as (images uint8 (N, R, R, 3), labels int32 (N,)), R = 32 or 64;
    labels index EMOJI_GROUPS. split: 'train' (1,489), 'heldout' (372) or 'all' (1,861)."""
    if resolution not in EMOJI_RESOLUTIONS:
        raise ValueError(
            f"Unknown emoji resolution {resolution!r}; the embedded emoji set comes at "
            f"{' and '.join(map(str, EMOJI_RESOLUTIONS))} px."
        )
    index = emoji_indices(split)
    return _images(resolution)[index], read_emoji_file()["labels"][index].astype(np.int32)


def emoji_names(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """(codepoints, names) of a split's images, aligned with `load_emoji`: e.g. '1F600' and
    'grinning face'; a sequence is space-separated code points; the emoji of a picture the font
    draws identically for several are joined by ', ' (code points) and ' = ' (names)."""
    content, index = read_emoji_file(), emoji_indices(split)
    return content["codepoints"][index], content["names"][index]
