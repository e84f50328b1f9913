"""The embedded emoji set (emoji32 / emoji64): shapes, range, counts, labels, split, pipeline."""
import numpy as np
import pytest

from tfgan_zoo import data
from tfgan_zoo.data.emoji import box_downsample, read_emoji_file

# emoji-test.txt 15.0: fully-qualified emoji without skin-tone variants, per group (scripts/make_emoji.py),
# less the 9 the font draws exactly like an earlier one (8 flags, 1 family).
GROUP_COUNTS = {
    "Smileys & Emotion": 166, "People & Body": 363 - 1, "Animals & Nature": 152, "Food & Drink": 133,
    "Travel & Places": 218, "Activities": 85, "Objects": 261, "Symbols": 223, "Flags": 269 - 8,
}


def test_groups_counts_and_stratified_split():
    assert data.EMOJI_GROUPS == tuple(GROUP_COUNTS)
    _, labels = data.load_emoji(32, "all")
    _, train = data.load_emoji(32, "train")
    _, heldout = data.load_emoji(32, "heldout")
    assert labels.dtype == np.int32 and len(labels) == 1861
    np.testing.assert_array_equal(np.bincount(labels, minlength=9), list(GROUP_COUNTS.values()))
    # 20% of every group held out, rounded half up: 372 of 1,861.
    expected_heldout = [int(n * 0.2 + 0.5) for n in GROUP_COUNTS.values()]
    np.testing.assert_array_equal(np.bincount(heldout, minlength=9), expected_heldout)
    np.testing.assert_array_equal(
        np.bincount(train, minlength=9), np.subtract(list(GROUP_COUNTS.values()), expected_heldout)
    )
    assert (len(train), len(heldout)) == (1489, 372)


def test_splits_partition_distinct_emoji():
    codes_train, names_train = data.emoji_names("train")
    codes_held, _ = data.emoji_names("heldout")
    codes_all, names_all = data.emoji_names("all")
    assert len(set(codes_all)) == 1861  # one image per distinct picture
    # the 9 emoji drawn like another are named beside it
    assert sum(len(code.split(", ")) for code in codes_all) == 1870
    assert "flag: Bouvet Island = flag: Norway = flag: Svalbard & Jan Mayen" in set(names_all)
    assert not set(codes_train) & set(codes_held)
    assert set(codes_train) | set(codes_held) == set(codes_all)
    assert (codes_all[0], names_all[0]) == ("1F600", "grinning face")
    # no skin-tone variant (U+1F3FB..U+1F3FF) among them, but ZWJ sequences and flags are there
    tones = {f"{c:04X}" for c in range(0x1F3FB, 0x1F400)}
    assert not any(tones & set(code.replace(",", " ").split()) for code in codes_all)
    assert "1F468 200D 1F469 200D 1F467" in set(codes_all)  # family: man, woman, girl
    assert "1F1E9 1F1EA" in set(codes_all)  # flag: Germany
    assert "Noto" in str(read_emoji_file()["source"]) and "emoji-test.txt 15.0" in str(read_emoji_file()["source"])


@pytest.mark.parametrize("resolution", [32, 64])
def test_images_shape_range_and_background(resolution):
    images, _ = data.load_emoji(resolution, "all")
    assert images.shape == (1861, resolution, resolution, 3) and images.dtype == np.uint8
    assert images.min() == 0 and images.max() == 255
    # composited on a fixed white background: every corner pixel of every image is white
    corners = images[:, [0, 0, -1, -1], [0, -1, 0, -1]]
    assert np.all(corners == 255)
    # and the emoji fill the frame: on average 50-65% of the pixels are not pure background
    drawn = np.mean(np.any(images != 255, axis=-1))
    assert 0.5 < drawn < 0.65
    # every image is distinct
    assert len({image.tobytes() for image in images}) == 1861


def test_emoji32_is_the_exact_2x2_mean_of_emoji64():
    big, labels64 = data.load_emoji(64, "heldout")
    small, labels32 = data.load_emoji(32, "heldout")
    np.testing.assert_array_equal(labels32, labels64)
    sums = big.astype(np.int64).reshape(-1, 32, 2, 32, 2, 3).sum(axis=(2, 4))
    np.testing.assert_array_equal(small, (sums + 2) // 4)
    np.testing.assert_array_equal(box_downsample(big, 2), small)
    with pytest.raises(ValueError, match=r"divisible by 3, got shape \(372, 64, 64, 3\)"):
        box_downsample(big, 3)


def test_describe_and_pipeline_map_pixels_exactly_with_labels():
    info = data.describe("emoji64:heldout")
    assert (info.shape, info.num_classes, info.num_examples) == ((64, 64, 3), 9, 372)
    assert info.class_names == data.EMOJI_GROUPS and info.name == "emoji64:heldout"
    assert data.describe("emoji32").num_examples == 1489  # train by default
    images, labels = data.load_emoji(32, "heldout")
    ds = data.load("emoji32:heldout", 124, shuffle=False, repeat=False)
    x = np.concatenate([b[0] for b in ds.as_numpy_iterator()])
    y = np.concatenate([b[1] for b in ds.as_numpy_iterator()])
    np.testing.assert_array_equal(x, images.astype(np.float32) / np.float32(127.5) - np.float32(1.0))
    np.testing.assert_array_equal(y, labels)
    # emoji64 resized to 32 by the pipeline (area) is emoji32 up to its rounding
    resized = np.concatenate(list(data.load("emoji64:heldout", 124, shuffle=False, repeat=False,
                                            resolution=32, with_labels=False).as_numpy_iterator()))
    assert np.abs(resized - x).max() <= 0.5 / 127.5 + 1e-6
    grey = next(iter(data.load("emoji32", 8, channels=1, with_labels=False)))
    assert grey.shape == (8, 32, 32, 1)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: data.parse_spec("emoji48"), r"Unknown emoji data set 'emoji48' in data spec 'emoji48'; the embedded "
                                             r"emoji set comes at 32 and 64 px: expected emoji32 or emoji64\."),
        (lambda: data.describe("emoji:train"), r"Unknown emoji data set 'emoji'.*expected emoji32 or emoji64"),
        (lambda: data.load("emoji32:test", 8), r"Unknown split 'test' in data spec 'emoji32:test'; expected one of "
                                               r"train, heldout, all\."),
        (lambda: data.load("emoji64", 8, split="val"), r"Unknown emoji split 'val'; expected one of train, heldout, all"),
        (lambda: data.load_emoji(48), r"Unknown emoji resolution 48; the embedded emoji set comes at 32 and 64 px"),
    ],
)
def test_bad_emoji_specs_fail_with_one_clear_line(call, message):
    with pytest.raises(ValueError, match=message) as info:
        call()
    assert "\n" not in str(info.value)
