"""parse_spec / describe: the spec grammar and its errors."""
import pytest

from tfgan_zoo import data
from tfgan_zoo.data import DataSpec, parse_spec


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("mnist5k", DataSpec("mnist5k", "mnist5k", None)),
        ("mnist5k:heldout", DataSpec("mnist5k", "mnist5k", "heldout")),
        ("mnist5k:all", DataSpec("mnist5k", "mnist5k", "all")),
        ("emoji32", DataSpec("emoji", "emoji32", None)),
        ("emoji64:heldout", DataSpec("emoji", "emoji64", "heldout")),
        ("stacked_mnist", DataSpec("stacked_mnist", "stacked_mnist", None, 128_000)),
        ("stacked_mnist:26000", DataSpec("stacked_mnist", "stacked_mnist", None, 26_000)),
        ("tfds:cifar10", DataSpec("tfds", "cifar10", None)),
        ("tfds:mnist:test", DataSpec("tfds", "mnist", "test")),
        ("tfds:mnist:train[:80%]", DataSpec("tfds", "mnist", "train[:80%]")),
        ("tfds:imagenet_resized/32x32", DataSpec("tfds", "imagenet_resized/32x32", None)),
        ("folder:/data/faces", DataSpec("folder", "/data/faces", None)),
        ("folder:C:/x:y", DataSpec("folder", "C:/x:y", None)),
        ("npz:digits.npz", DataSpec("npz", "digits.npz", None)),
        ("toy:ring8", DataSpec("toy", "ring8", None)),
        ("toy:grid25", DataSpec("toy", "grid25", None)),
    ],
)
def test_parse_valid_specs(spec, expected):
    assert parse_spec(spec) == expected


def test_unknown_spec_lists_valid_forms():
    with pytest.raises(ValueError) as info:
        parse_spec("foo:bar")
    assert str(info.value) == (
        "Unknown data spec 'foo:bar'; expected one of: mnist5k[:train|heldout|all], "
        "emoji32[:train|heldout|all], emoji64[:train|heldout|all], stacked_mnist[:N], "
        "tfds:NAME[:SPLIT], folder:PATH, npz:PATH, toy:ring8, toy:grid25."
    )


def test_bare_name_suggests_tfds():
    with pytest.raises(ValueError, match=r"Unknown data spec 'cifar10'.*'tfds:cifar10'"):
        parse_spec("cifar10")


@pytest.mark.parametrize("spec", ["", "tfds:", "folder:", "npz:"])
def test_empty_parts_rejected(spec):
    with pytest.raises(ValueError, match="Unknown data spec"):
        parse_spec(spec)


def test_unknown_toy_and_mnist5k_split():
    with pytest.raises(ValueError, match=r"Unknown toy dataset 'ring9'.*toy:ring8, toy:grid25"):
        parse_spec("toy:ring9")
    with pytest.raises(ValueError, match=r"Unknown split 'test'.*train, heldout, all"):
        parse_spec("mnist5k:test")


def test_non_string_spec():
    with pytest.raises(TypeError, match="got int 3"):
        parse_spec(3)


def test_conflicting_split_argument():
    with pytest.raises(ValueError, match=r"names split 'heldout' but split='train'"):
        data.load("mnist5k:heldout", 8, split="train")
    # The same split in both places is fine.
    assert data.describe("mnist5k:heldout", split="heldout").num_examples == 1000


def test_describe_mnist5k_and_toy():
    info = data.describe("mnist5k")
    assert info.name == "mnist5k:train"
    assert (info.kind, info.shape, info.resolution, info.channels) == ("images", (28, 28, 1), 28, 1)
    assert (info.num_classes, info.num_examples, info.has_labels) == (10, 4000, True)
    assert info.class_names == tuple("0123456789")
    assert data.describe("mnist5k", split="all").num_examples == 5000
    toy = data.describe("toy:grid25")
    assert (toy.kind, toy.point_dim, toy.num_classes, toy.shape) == ("points", 2, None, None)
    assert not toy.has_labels
