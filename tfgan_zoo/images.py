"""Pictures of samples: image grids (PNG via PIL) and scatter plots of toy points (matplotlib Agg).

    grid = image_grid(images)                # images in [-1, 1], (n, h, w, c) -> uint8 (H, W[, 3])
    save_png(grid, "samples/step_000250.png")  # written atomically
    save_png(scatter_image(points, means=toy_means("ring8")), "samples/step_000500.png")
    save_samples(samples, "grid.png")        # either of the above, chosen by the samples' rank
"""
from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from tfgan_zoo._atomic import replacing

PathLike = Union[str, os.PathLike]


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Images in [-1, 1] -> uint8 in [0, 255] (values outside [-1, 1] are clipped, NaN -> 0)."""
    array = np.nan_to_num(np.asarray(images, dtype=np.float32), nan=-1.0, posinf=1.0, neginf=-1.0)
    return np.clip(np.round((array + 1.0) * 127.5), 0, 255).astype(np.uint8)


def image_grid(images: np.ndarray, nrow: Optional[int] = None, padding: int = 2, pad_value: int = 0) -> np.ndarray:
    """A grid of images in [-1, 1] of shape (n, h, w, c), c in {1, 3} -> uint8 (H, W) or (H, W, 3).

    `nrow` is the number of images per row (default ceil(sqrt(n)), a square-ish grid); cells are
    separated by `padding` pixels of `pad_value`, also around the border.
    """
    array = np.asarray(images)
    if array.ndim == 3:  # (n, h, w): one channel
        array = array[..., None]
    if array.ndim != 4 or array.shape[-1] not in (1, 3):
        raise ValueError(
            f"Expected images of shape (n, height, width, channels) with 1 or 3 channels, got shape {array.shape}."
        )
    num, height, width, channels = array.shape
    if num < 1:
        raise ValueError("Expected at least one image for a grid, got none.")
    per_row = int(nrow) if nrow else math.ceil(math.sqrt(num))
    if per_row < 1:
        raise ValueError(f"Expected nrow >= 1, got {nrow!r}.")
    rows = math.ceil(num / per_row)
    cell_h, cell_w = height + padding, width + padding
    grid = np.full((rows * cell_h + padding, per_row * cell_w + padding, channels), pad_value, dtype=np.uint8)
    pixels = to_uint8(array)
    for index in range(num):
        row, col = divmod(index, per_row)
        top, left = padding + row * cell_h, padding + col * cell_w
        grid[top : top + height, left : left + width] = pixels[index]
    return grid[..., 0] if channels == 1 else grid


def scatter_image(
    points: np.ndarray,
    means: Optional[np.ndarray] = None,
    title: Optional[str] = None,
    size: int = 480,
    limits: Optional[Sequence[float]] = None,
) -> np.ndarray:
    """A scatter plot of 2-D points (with the target mixture means as crosses) -> uint8 (size, size, 3).

    The axes are fixed from the means when given (so successive plots line up), else from the
    points; `limits` = (low, high) overrides both.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    array = np.asarray(points, dtype=np.float32)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"Expected 2-D points of shape (n, 2), got shape {array.shape}.")
    dpi = 100
    figure = Figure(figsize=(size / dpi, size / dpi), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    finite = array[np.all(np.isfinite(array), axis=1)]
    axes.scatter(finite[:, 0], finite[:, 1], s=2, alpha=0.4, color="tab:blue", linewidths=0, label="samples")
    if means is not None:
        means = np.asarray(means, dtype=np.float32)
        axes.scatter(means[:, 0], means[:, 1], s=40, marker="x", color="tab:red", label="modes")
    if limits is None:
        reference = means if means is not None else (finite if len(finite) else np.zeros((1, 2)))
        low, high = float(reference.min()), float(reference.max())
        margin = 0.25 * max(high - low, 1.0)
        limits = (low - margin, high + margin)
    axes.set_xlim(*limits)
    axes.set_ylim(*limits)
    axes.set_aspect("equal")
    if title:
        axes.set_title(title, fontsize=10)
    figure.tight_layout()
    figure.canvas.draw()
    rgba = np.asarray(figure.canvas.buffer_rgba())
    return np.array(rgba[..., :3], dtype=np.uint8)


def save_png(image: np.ndarray, path: PathLike) -> Path:
    """Write a uint8 (H, W) or (H, W, 3) array as PNG atomically (temporary file, then rename)."""
    from PIL import Image

    path = Path(path)
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise ValueError(f"Expected a uint8 image array, got dtype {array.dtype}.")
    with replacing(path) as temporary:
        Image.fromarray(array).save(temporary, format="PNG")
    return path


def png_bytes(image: np.ndarray) -> bytes:
    """PNG encoding of a uint8 (H, W) or (H, W, 3) array (for TensorBoard image summaries)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def samples_image(samples: np.ndarray, means: Optional[np.ndarray] = None, title: Optional[str] = None) -> np.ndarray:
    """The picture of generator outputs: an image grid for images (rank 4), a scatter plot for
    2-D points (rank 2)."""
    array = np.asarray(samples)
    if array.ndim == 2:
        return scatter_image(array, means=means, title=title)
    return image_grid(array)


def save_samples(samples: np.ndarray, path: PathLike, means: Optional[np.ndarray] = None,
                 title: Optional[str] = None) -> Path:
    """Write generator outputs as a PNG: a grid of images, or a scatter plot of points."""
    return save_png(samples_image(samples, means=means, title=title), path)


__all__ = ["image_grid", "png_bytes", "samples_image", "save_png", "save_samples", "scatter_image", "to_uint8"]
