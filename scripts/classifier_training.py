"""What the scripts that train the shipped feature classifiers share (train_mnist_classifier.py,
train_emoji_classifier.py): their options, the augmented tf.data pipeline, Adam with a cosine
decay, and saving the weights without optimizer state."""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np


def parse_args(description: str, epochs: int) -> argparse.Namespace:
    """--epochs, --batch-size, --lr, --seed and --out (default: the shipped weights file)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="weights file (default: shipped)")
    return parser.parse_args()


def fit_classifier(
    build: Callable[[], Any],
    train: tuple[np.ndarray, np.ndarray],
    heldout: tuple[np.ndarray, np.ndarray],
    augment: Any,
    args: argparse.Namespace,
    class_weight: dict[int, float] | None = None,
) -> tuple[Any, float]:
    """Train `build()` on augmented, shuffled batches of `train` with Adam (cosine decay to 0)
    and sparse cross-entropy on logits, reporting accuracy on `heldout` every epoch. Returns the
    model and the training seconds."""
    import keras
    import tensorflow as tf

    x_train, y_train = train
    data = (
        tf.data.Dataset.from_tensor_slices((x_train, y_train))
        .shuffle(len(x_train), seed=args.seed, reshuffle_each_iteration=True)
        .batch(args.batch_size)
        .map(lambda x, y: (augment(x, training=True), y), num_parallel_calls=1)
        .prefetch(2)
    )
    steps = args.epochs * int(np.ceil(len(x_train) / args.batch_size))
    model = build()
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(args.lr, steps)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    start = time.time()
    model.fit(data, epochs=args.epochs, validation_data=heldout, verbose=2, class_weight=class_weight)
    return model, time.time() - start


def save_weights(build: Callable[[], Any], model: Any, out: Path) -> None:
    """The trained weights in a fresh `build()` (no optimizer state: keeps the file small)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    clean = build()
    clean.set_weights(model.get_weights())
    clean.save_weights(str(out))


def settings(args: argparse.Namespace, seconds: float, model: Any) -> dict[str, Any]:
    """The training settings and versions recorded in the classifier's .json card."""
    import keras
    import tensorflow as tf

    return {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "seed": args.seed,
        "train_seconds": round(seconds, 1),
        "parameters": int(model.count_params()),
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
    }
