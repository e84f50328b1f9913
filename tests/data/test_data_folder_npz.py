"""folder:PATH and npz:PATH sources: labels, decoding, resizing and their errors."""
import numpy as np
import pytest
from PIL import Image

from tfgan_zoo import data


def _save(path, array, mode=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array, mode=mode).save(path)


def _all(ds):
    parts = list(ds.as_numpy_iterator())
    if isinstance(parts[0], tuple):
        return tuple(np.concatenate(p) for p in zip(*parts))
    return np.concatenate(parts)


# ----------------------------------------------------------------------------- folders
@pytest.fixture
def class_folder(tmp_path):
    """cat/ (3 images of value 10, one in a nested folder), dog/ (2 of value 200, upper-case
    extension), empty/ (no images: not a class), notes.txt ignored inside classes."""
    root = tmp_path / "pets"
    for i in range(2):
        _save(root / "cat" / f"c{i}.png", np.full((6, 6, 3), 10, np.uint8))
    _save(root / "cat" / "more" / "c2.png", np.full((6, 6, 3), 10, np.uint8))
    _save(root / "dog" / "d0.PNG", np.full((6, 6, 3), 200, np.uint8))
    _save(root / "dog" / "d1.bmp", np.full((6, 6, 3), 200, np.uint8))
    (root / "dog" / "notes.txt").write_text("not an image")
    (root / "empty").mkdir()
    return root


def test_folder_labels_from_sorted_subfolders(class_folder):
    info = data.describe(f"folder:{class_folder}")
    assert info.class_names == ("cat", "dog")
    assert (info.num_classes, info.num_examples, info.shape) == (2, 5, (6, 6, 3))
    x, y = _all(data.load(f"folder:{class_folder}", 1, seed=0, repeat=False))
    assert x.shape == (5, 6, 6, 3) and x.dtype == np.float32 and y.dtype == np.int32
    np.testing.assert_array_equal(np.bincount(y), [3, 2])
    for image, label in zip(x, y):
        expected = (10 if label == 0 else 200) / 127.5 - 1
        np.testing.assert_allclose(image, expected, atol=1e-6)


def test_folder_unshuffled_order_and_determinism(class_folder):
    spec = f"folder:{class_folder}"
    _, y = _all(data.load(spec, 5, shuffle=False, repeat=False))
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1])
    runs = [next(iter(data.load(spec, 5, seed=11)))[1].numpy() for _ in range(2)]
    np.testing.assert_array_equal(runs[0], runs[1])


def test_unlabelled_folder_resize_and_channels(tmp_path):
    root = tmp_path / "flat"
    _save(root / "a.png", np.full((4, 8), 0, np.uint8))  # grayscale, non-square
    _save(root / "b.jpg", np.full((4, 8), 255, np.uint8))
    info = data.describe(f"folder:{root}")
    assert (info.num_classes, info.shape) == (None, (4, 8, 1))
    ds = data.load(f"folder:{root}", 2, shuffle=False, resolution=2, channels=3)
    x = next(iter(ds)).numpy()
    assert x.shape == (2, 2, 2, 3)
    np.testing.assert_allclose(x[0], -1.0, atol=1e-6)
    np.testing.assert_allclose(x[1], 1.0, atol=0.02)  # jpeg: close to white
    with pytest.raises(ValueError, match=r"with_labels=True, but 'folder:.*flat' has no labels"):
        data.load(f"folder:{root}", 2, with_labels=True)


def test_folder_mixed_channels_error_names_both_files(tmp_path):
    root = tmp_path / "mixed"
    _save(root / "gray.png", np.zeros((5, 5), np.uint8))
    _save(root / "rgb.png", np.zeros((5, 5, 3), np.uint8))
    with pytest.raises(ValueError) as info:
        data.load(f"folder:{root}", 2)
    message = str(info.value)
    assert "mixed channel counts" in message
    assert f"'{root / 'gray.png'}' has 1 channel(s) but '{root / 'rgb.png'}' has 3" in message
    assert "channels=1 or channels=3" in message
    # Asking for a channel count converts every file instead.
    x = next(iter(data.load(f"folder:{root}", 2, channels=3, shuffle=False))).numpy()
    assert x.shape == (2, 5, 5, 3)
    np.testing.assert_allclose(x, -1.0)


def test_folder_rgba_and_palette_channel_counts(tmp_path):
    root = tmp_path / "alpha"
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 255, 128
    _save(root / "a.png", rgba)
    _save(root / "b.png", np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match=r"'.*a\.png' has 4 channel\(s\) but '.*b\.png' has 3"):
        data.load(f"folder:{root}", 2)
    x = next(iter(data.load(f"folder:{root}", 2, channels=3, shuffle=False))).numpy()
    np.testing.assert_allclose(x[0, ..., 0], 1.0)  # alpha dropped, red kept
    np.testing.assert_allclose(x[0, ..., 1:], -1.0)


def test_folder_with_no_images(tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "readme.txt").write_text("x")
    with pytest.raises(ValueError) as info:
        data.load(f"folder:{tmp_path / 'empty'}", 4)
    message = str(info.value)
    assert f"No images found in folder '{tmp_path / 'empty'}'" in message
    assert ".png, .jpg, .jpeg, .bmp, .gif" in message


def test_folder_missing_path_and_file_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Image folder '.*nowhere' .* does not exist"):
        data.load(f"folder:{tmp_path / 'nowhere'}", 4)
    file = tmp_path / "x.npz"
    np.savez(file, images=np.zeros((2, 3, 3), np.uint8))
    with pytest.raises(ValueError, match=r"but '.*x\.npz' is a file \(use 'npz:PATH'"):
        data.load(f"folder:{file}", 4)


def test_folder_mixed_sizes_need_resolution(tmp_path):
    root = tmp_path / "sizes"
    _save(root / "a.png", np.zeros((4, 4), np.uint8))
    _save(root / "b.png", np.full((8, 6), 255, np.uint8))
    with pytest.raises(ValueError, match=r"different sizes: '.*a\.png' is 4x4 .* '.*b\.png' is 8x6; .*resolution="):
        data.load(f"folder:{root}", 2)
    assert data.describe(f"folder:{root}").shape == (None, None, 1)
    x = next(iter(data.load(f"folder:{root}", 2, resolution=3, shuffle=False))).numpy()
    assert x.shape == (2, 3, 3, 1)
    np.testing.assert_allclose(x[0], -1.0)
    np.testing.assert_allclose(x[1], 1.0)


def test_folder_top_level_images_mixed_with_classes(tmp_path):
    root = tmp_path / "messy"
    _save(root / "stray.png", np.zeros((4, 4), np.uint8))
    _save(root / "cls" / "a.png", np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match=r"images at its top level \(e.g. 'stray.png'\) and in class sub-folders \('cls'\)"):
        data.load(f"folder:{root}", 1)


def test_folder_unknown_split(class_folder):
    with pytest.raises(ValueError, match=r"Unknown split 'test' .* expected one of: train, all"):
        data.load(f"folder:{class_folder}", 2, split="test")


# --------------------------------------------------------------------------------- npz
def test_npz_uint8_mapping_and_labels(tmp_path):
    file = tmp_path / "d.npz"
    images = np.array([[[0, 255], [128, 1]]] * 3, np.uint8)  # rank 3: gets a channel axis
    np.savez(file, x=images, y=np.array([2, 0, 2]))
    info = data.describe(f"npz:{file}")
    assert (info.shape, info.num_classes, info.num_examples) == ((2, 2, 1), 3, 3)
    x, y = _all(data.load(f"npz:{file}", 3, shuffle=False, repeat=False))
    assert x.shape == (3, 2, 2, 1)
    assert x[0, 0, 0, 0] == -1.0 and x[0, 0, 1, 0] == 1.0
    np.testing.assert_allclose(x[0, 1, 0, 0], 128 / 127.5 - 1, atol=1e-7)
    np.testing.assert_array_equal(y, [2, 0, 2])


@pytest.mark.parametrize(
    "values, expected",
    [
        (np.array([0.0, 0.5, 1.0]), [-1.0, 0.0, 1.0]),  # [0, 1]
        (np.array([-1.0, 0.25, 1.0]), [-1.0, 0.25, 1.0]),  # [-1, 1]
        (np.array([0.0, 127.5, 255.0]), [-1.0, 0.0, 1.0]),  # [0, 255]
    ],
)
def test_npz_float_ranges(tmp_path, values, expected):
    file = tmp_path / "f.npz"
    np.savez(file, images=np.tile(values.reshape(1, 1, 3, 1), (2, 1, 1, 1)).astype(np.float32))
    x = next(iter(data.load(f"npz:{file}", 2, shuffle=False))).numpy()
    np.testing.assert_allclose(x[0, 0, :, 0], expected, atol=1e-6)


def test_npz_crop_resize_and_luminance(tmp_path):
    image = np.full((8, 16, 3), 50, np.uint8)
    image[:4, 4:8], image[:4, 8:12] = 0, 85
    image[4:, 4:8], image[4:, 8:12] = 170, 255
    image[4:, 8:12] = (255, 0, 0)  # bottom-right block pure red
    file = tmp_path / "p.npz"
    np.savez(file, images=image[None])
    x = next(iter(data.load(f"npz:{file}", 1, resolution=2, channels=1, shuffle=False))).numpy()
    red_luma = 0.299 * 2 - 1  # luminance of pure red, in [-1, 1]
    np.testing.assert_allclose(
        x[0, ..., 0], [[-1.0, 85 / 127.5 - 1], [170 / 127.5 - 1, red_luma]], atol=1e-5
    )


def test_npz_heldout_splits(tmp_path):
    file = tmp_path / "h.npz"
    np.savez(
        file,
        images=np.arange(4, dtype=np.uint8).reshape(4, 1, 1),
        labels=np.arange(4),
        heldout=np.array([False, True, False, True]),
    )
    assert data.describe(f"npz:{file}").num_examples == 2
    _, y = _all(data.load(f"npz:{file}", 1, split="heldout", shuffle=False, repeat=False))
    np.testing.assert_array_equal(y, [1, 3])
    _, y = _all(data.load(f"npz:{file}", 1, split="all", shuffle=False, repeat=False))
    np.testing.assert_array_equal(y, [0, 1, 2, 3])
    plain = tmp_path / "p.npz"
    np.savez(plain, images=np.zeros((2, 3, 3), np.uint8))
    with pytest.raises(ValueError, match=r"Unknown split 'heldout' .* train, all \(the file has no 'heldout' array\)"):
        data.load(f"npz:{plain}", 1, split="heldout")


def test_npz_errors(tmp_path):
    no_images = tmp_path / "a.npz"
    np.savez(no_images, pixels=np.zeros((2, 3, 3)))
    with pytest.raises(ValueError, match=r"No images array in '.*a\.npz': expected a key 'images' \(or 'x'\), found keys \['pixels'\]"):
        data.load(f"npz:{no_images}", 2)
    rank = tmp_path / "b.npz"
    np.savez(rank, images=np.zeros((28, 28)))
    with pytest.raises(ValueError, match=r"Expected images of rank 3 .* or 4 .*, got shape \(28, 28\)"):
        data.load(f"npz:{rank}", 2)
    empty = tmp_path / "c.npz"
    np.savez(empty, images=np.zeros((0, 8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match=r"Empty dataset: .* holds no images \(shape \(0, 8, 8, 3\)\)"):
        data.load(f"npz:{empty}", 2)
    nchw = tmp_path / "d.npz"
    np.savez(nchw, images=np.zeros((2, 3, 8, 8), np.uint8))
    with pytest.raises(ValueError, match=r"got shape \(2, 3, 8, 8\)\. It looks channels-first"):
        data.load(f"npz:{nchw}", 2)
    labels = tmp_path / "e.npz"
    np.savez(labels, images=np.zeros((2, 3, 3), np.uint8), labels=np.zeros((2, 10)))
    with pytest.raises(ValueError, match=r"Expected labels of shape \(2,\) .* got shape \(2, 10\)"):
        data.load(f"npz:{labels}", 2)
    scale = tmp_path / "f.npz"
    np.savez(scale, images=np.full((2, 3, 3), 300.0))
    with pytest.raises(ValueError, match=r"float images in \[0, 1\], \[-1, 1\] or \[0, 255\] .* got values in \[300, 300\]"):
        data.load(f"npz:{scale}", 2)
    with pytest.raises(FileNotFoundError, match=r"Array file '.*missing\.npz'"):
        data.load(f"npz:{tmp_path / 'missing.npz'}", 2)
