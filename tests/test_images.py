"""Sample pictures: [-1, 1] -> uint8, grid layout, scatter plots, atomic PNG writes."""
import numpy as np
import pytest
from PIL import Image

from tfgan_zoo import images


def test_to_uint8_maps_the_signed_unit_range_and_clips():
    values = np.array([-1.0, 0.0, 1.0, -3.0, 2.0, np.nan], "float32")
    np.testing.assert_array_equal(images.to_uint8(values), [0, 128, 255, 0, 255, 0])


def test_grid_places_images_row_by_row_with_padding():
    batch = np.stack([np.full((2, 3, 1), v, "float32") for v in (-1.0, 0.0, 1.0, 1.0, -1.0)])
    grid = images.image_grid(batch, padding=1, pad_value=7)
    assert grid.shape == (1 + 2 * 3, 1 + 3 * 4)  # ceil(sqrt(5)) = 3 per row, 2 rows; grayscale (H, W)
    assert grid[1, 1] == 0 and grid[1, 5] == 128 and grid[1, 9] == 255  # first row: images 0, 1, 2
    assert grid[4, 1] == 255 and grid[4, 5] == 0  # second row: images 3, 4
    assert grid[0, 0] == 7 and grid[4, 9] == 7  # border and the empty last cell
    rgb = images.image_grid(np.zeros((4, 5, 5, 3), "float32"), nrow=4)
    assert rgb.shape == (2 + 7, 2 + 4 * 7, 3)


def test_grid_rejects_other_shapes():
    with pytest.raises(ValueError, match="1 or 3 channels, got shape"):
        images.image_grid(np.zeros((2, 4, 4, 2)))


def test_scatter_plot_and_atomic_png(tmp_path):
    means = np.array([[1.0, 0.0], [-1.0, 0.0]], "float32")
    picture = images.scatter_image(np.random.default_rng(0).normal(size=(100, 2)), means=means, size=200)
    assert picture.shape == (200, 200, 3) and picture.dtype == np.uint8
    assert (picture[..., 0] > 200).any() and (picture < 250).any()  # something drawn on white
    path = images.save_png(picture, tmp_path / "plot.png")
    assert Image.open(path).size == (200, 200) and [p.name for p in tmp_path.iterdir()] == ["plot.png"]
    with pytest.raises(ValueError, match="shape \\(n, 2\\)"):
        images.scatter_image(np.zeros((3, 3)))
