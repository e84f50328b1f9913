"""Train the MNIST classifier shipped for the metrics (MNIST-domain FID, class coverage,
MNIST score) on the 4,000-image train split of the embedded mnist5k subset.

    TF_CPP_MIN_LOG_LEVEL=2 python scripts/train_mnist_classifier.py [--epochs 40] [--seed 0]

Writes tfgan_zoo/metrics/files/mnist_classifier.weights.h5 and mnist_classifier.json (held-out
accuracy, the real-data FID floor, training settings) and prints both figures; copy them into
MNIST_CLASSIFIER_HELDOUT_ACCURACY and MNIST5K_REAL_FID_FLOOR in tfgan_zoo/metrics/features.py.
Augmentation: random shifts (up to 2 px), rotations (up to ~10 degrees) and zoom (10%).
Takes a few minutes on two CPU cores.
"""
from __future__ import annotations

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from classifier_training import fit_classifier, parse_args, save_weights, settings  # noqa: E402


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], epochs=40)

    import keras

    from tfgan_zoo.metrics import features as feat
    from tfgan_zoo.metrics.fid import fid_from_features

    keras.utils.set_random_seed(args.seed)
    x_train = feat.mnist5k_images("train").astype("float32")[..., None] / 127.5 - 1.0
    y_train = feat.mnist5k_labels("train").astype("int64")
    x_test = feat.mnist5k_images("heldout").astype("float32")[..., None] / 127.5 - 1.0
    y_test = feat.mnist5k_labels("heldout").astype("int64")

    augment = keras.Sequential(
        [
            keras.layers.RandomTranslation(
                2 / 28, 2 / 28, fill_mode="constant", fill_value=-1.0, seed=args.seed
            ),
            keras.layers.RandomRotation(
                0.03, fill_mode="constant", fill_value=-1.0, seed=args.seed + 1
            ),
            keras.layers.RandomZoom(
                0.1, fill_mode="constant", fill_value=-1.0, seed=args.seed + 2
            ),
        ],
        name="augment",
    )
    model, seconds = fit_classifier(
        feat.build_mnist_classifier, (x_train, y_train), (x_test, y_test), augment, args
    )
    accuracy = float(np.mean(np.argmax(model.predict(x_test, verbose=0), axis=1) == y_test))

    out = args.out or feat.MNIST_CLASSIFIER_WEIGHTS
    save_weights(feat.build_mnist_classifier, model, out)
    extractor = feat.MnistFeatures(weights=out)
    reloaded = float(np.mean(extractor.predict_labels(x_test) == y_test))
    floor = fid_from_features(extractor.features(x_train), extractor.features(x_test))
    card = {
        "heldout_accuracy": round(reloaded, 4),
        "real_fid_floor_train_vs_heldout": round(floor, 4),
        **settings(args, seconds, model),
    }
    if args.out is None:
        (out.parent / "mnist_classifier.json").write_text(json.dumps(card, indent=2) + "\n")
    print(json.dumps(card, indent=2))
    print(f"held-out accuracy {accuracy:.4f} (reloaded {reloaded:.4f}); "
          f"real-data FID floor (train vs held-out, MNIST features) {floor:.4f}; "
          f"weights {out} ({out.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
