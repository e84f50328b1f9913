"""Data specs (`mnist5k`, `emoji32`, `emoji64`, `stacked_mnist[:N]`, `tfds:NAME[:SPLIT]`,
`folder:PATH`, `npz:PATH`, `toy:NAME`), their parsed form and the `DataInfo` summary that presets
and the CLI read.
"""
from __future__ import annotations

import dataclasses
import re
from typing import NamedTuple

from tfgan_zoo.data.toy import TOY_DATASETS

SPEC_FORMS = (
    "mnist5k[:train|heldout|all]",
    "emoji32[:train|heldout|all]",
    "emoji64[:train|heldout|all]",
    "stacked_mnist[:N]",
    "tfds:NAME[:SPLIT]",
    "folder:PATH",
    "npz:PATH",
    "toy:ring8",
    "toy:grid25",
)
KINDS = ("mnist5k", "emoji", "stacked_mnist", "tfds", "folder", "npz", "toy")
#: The splits of the embedded sets (mnist5k, emoji32, emoji64): fixed and stratified.
EMBEDDED_SPLITS = ("train", "heldout", "all")
MNIST5K_SPLITS = EMBEDDED_SPLITS
#: The resolutions the embedded emoji set comes at (`emoji32`, `emoji64`).
EMOJI_RESOLUTIONS = (32, 64)
#: Stacked MNIST images when the spec names no N: the 128,000 of VEEGAN's and PacGAN's setup.
STACKED_MNIST_DEFAULT_SIZE = 128_000
#: The largest N of `stacked_mnist:N` (its index table then takes 60 MB).
STACKED_MNIST_MAX_SIZE = 10_000_000
_EMOJI_HEAD = re.compile(r"emoji(\d*)")


class DataUnavailableError(RuntimeError):
    """The data exists in principle but is not available here (e.g. a tfds dataset that is not
    prepared in `data_dir` and cannot be downloaded)."""


class DataSpec(NamedTuple):
    """A parsed data spec: `kind` in KINDS, `name` (dataset name, path or toy name), the
    split written in the spec (None when the spec does not name one) and, for stacked_mnist, the
    number of images."""

    kind: str
    name: str
    split: str | None
    size: int | None = None  # stacked_mnist: the number of stacked images


@dataclasses.dataclass(frozen=True)
class DataInfo:
    """What a data spec yields, without loading it.

    `shape` is (height, width, channels) of the stored images (None entries when they vary);
    `point_dim` is set instead for toy point data. `num_classes` is None for unlabelled data.
    """

    name: str
    kind: str  # "images" | "points"
    shape: tuple[int | None, int | None, int | None] | None = None
    point_dim: int | None = None
    num_classes: int | None = None
    num_examples: int | None = None
    class_names: tuple[str, ...] | None = None

    @property
    def resolution(self) -> int | None:
        """The side of the square the images become after a centre crop: min(height, width)."""
        if self.shape is None or self.shape[0] is None or self.shape[1] is None:
            return None
        return min(self.shape[0], self.shape[1])

    @property
    def channels(self) -> int | None:
        """Channels of the stored images (None for points)."""
        return None if self.shape is None else self.shape[2]

    @property
    def has_labels(self) -> bool:
        """Whether the source carries integer class labels."""
        return self.num_classes is not None


def _unknown(spec: str, hint: str = "") -> ValueError:
    return ValueError(
        f"Unknown data spec {spec!r}; expected one of: {', '.join(SPEC_FORMS)}.{hint}"
    )


def parse_spec(spec: str) -> DataSpec:
    """Parse a data spec string into a `DataSpec`; raise ValueError listing the valid forms."""
    if isinstance(spec, DataSpec):
        return spec
    if not isinstance(spec, str):
        raise TypeError(
            f"Expected a data spec string such as 'mnist5k' or 'tfds:cifar10', "
            f"got {type(spec).__name__} {spec!r}."
        )
    text = spec.strip()
    head, sep, rest = text.partition(":")
    kind = head.lower()
    if kind == "mnist5k":
        return DataSpec("mnist5k", "mnist5k", _embedded_split(rest if sep else None, spec))
    if _EMOJI_HEAD.fullmatch(kind):
        if kind not in (f"emoji{r}" for r in EMOJI_RESOLUTIONS):
            raise ValueError(
                f"Unknown emoji data set {head!r} in data spec {spec!r}; the embedded emoji set comes "
                f"at {' and '.join(map(str, EMOJI_RESOLUTIONS))} px: expected "
                f"{' or '.join(f'emoji{r}' for r in EMOJI_RESOLUTIONS)}."
            )
        return DataSpec("emoji", kind, _embedded_split(rest if sep else None, spec))
    if kind == "stacked_mnist":
        return DataSpec("stacked_mnist", "stacked_mnist", None, _stacked_size(rest, sep, spec))
    if not sep or kind not in KINDS:
        hint = ""
        if not sep and text:
            hint = f" (for a tensorflow-datasets dataset write 'tfds:{text}')"
        raise _unknown(spec, hint)
    if not rest:
        raise _unknown(spec, f" (nothing follows '{head}:')")
    if kind == "tfds":
        # The split may itself contain ':' (tfds slicing such as 'train[:80%]').
        name, sep2, split = rest.partition(":")
        if not name:
            raise _unknown(spec, " (the tfds dataset name is empty)")
        return DataSpec("tfds", name, split if sep2 and split else None)
    if kind == "toy":
        if rest not in TOY_DATASETS:
            raise ValueError(
                f"Unknown toy dataset {rest!r} in data spec {spec!r}; expected one of: "
                f"{', '.join('toy:' + t for t in TOY_DATASETS)}."
            )
        return DataSpec("toy", rest, None)
    return DataSpec(kind, rest, None)  # folder / npz: everything after the first ':' is the path


def _embedded_split(split: str | None, spec: str) -> str | None:
    if split is not None and split not in EMBEDDED_SPLITS:
        raise ValueError(
            f"Unknown split {split!r} in data spec {spec!r}; expected one of "
            f"{', '.join(EMBEDDED_SPLITS)}."
        )
    return split


def _stacked_size(text: str, sep: str, spec: str) -> int:
    if not sep:
        return STACKED_MNIST_DEFAULT_SIZE
    size = int(text) if text.strip().isdigit() else None
    if size is None or not 1 <= size <= STACKED_MNIST_MAX_SIZE:
        raise ValueError(
            f"Expected the number of stacked images N in data spec {spec!r} (stacked_mnist[:N]) to be "
            f"an integer from 1 to {STACKED_MNIST_MAX_SIZE:,}, got {text!r}."
        )
    return size


def resolve_split(parsed: DataSpec, split: str | None, spec: str) -> str | None:
    """Combine the split written in the spec with the `split` argument (they must agree)."""
    if parsed.split is not None and split is not None and split != parsed.split:
        raise ValueError(
            f"Conflicting splits: data spec {spec!r} names split {parsed.split!r} but "
            f"split={split!r} was passed; give the split in one place."
        )
    return parsed.split if parsed.split is not None else split
