"""Train the emoji-group classifier shipped for the metrics (the colour feature space of FID,
KID and precision/recall on emoji, and class coverage over the 9 groups) on the 1,489-image train
split of the embedded emoji set, at 32 x 32.

    TF_CPP_MIN_LOG_LEVEL=2 python scripts/train_emoji_classifier.py [--epochs 40] [--seed 0]

Writes tfgan_zoo/metrics/files/emoji_classifier.weights.h5 and emoji_classifier.json (held-out
accuracy, the real-data FID / KID floors at 32 and 64 px, training settings) and prints them;
copy them into EMOJI_CLASSIFIER_HELDOUT_ACCURACY and EMOJI_REAL_FLOORS in
tfgan_zoo/metrics/features.py. Augmentation: horizontal flips, shifts of up to 3 px and 10% zoom,
filled with the white background. The loss weights each group by the inverse of its share, so
the small groups (Activities: 68 train images) count as much as People & Body (290).
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

    from tfgan_zoo.data import load_emoji
    from tfgan_zoo.metrics import features as feat
    from tfgan_zoo.metrics.fid import fid_from_features
    from tfgan_zoo.metrics.kid import kernel_inception_distance

    keras.utils.set_random_seed(args.seed)
    size = feat.EMOJI_CLASSIFIER_SIZE
    x_train, y_train = load_emoji(size, "train")
    x_test, y_test = load_emoji(size, "heldout")
    x_train = x_train.astype("float32") / 127.5 - 1.0
    x_test = x_test.astype("float32") / 127.5 - 1.0
    counts = np.bincount(y_train, minlength=feat.EMOJI_NUM_CLASSES)
    class_weight = {k: len(y_train) / (len(counts) * c) for k, c in enumerate(counts)}

    white = 1.0
    augment = keras.Sequential(
        [
            keras.layers.RandomFlip("horizontal", seed=args.seed),
            keras.layers.RandomTranslation(
                3 / size, 3 / size, fill_mode="constant", fill_value=white, seed=args.seed + 1
            ),
            keras.layers.RandomZoom(0.1, fill_mode="constant", fill_value=white, seed=args.seed + 2),
        ],
        name="augment",
    )
    model, seconds = fit_classifier(
        feat.build_emoji_classifier, (x_train, y_train), (x_test, y_test), augment, args, class_weight
    )

    out = args.out or feat.EMOJI_CLASSIFIER_WEIGHTS
    save_weights(feat.build_emoji_classifier, model, out)
    extractor = feat.EmojiFeatures(weights=out)
    predicted = extractor.predict_labels(x_test)
    accuracy = float(np.mean(predicted == y_test))
    per_group = {
        int(k): round(float(np.mean(predicted[y_test == k] == k)), 3)
        for k in range(feat.EMOJI_NUM_CLASSES)
    }
    floors = {}
    for resolution in (32, 64):
        train_features = extractor.features(load_emoji(resolution, "train")[0])
        heldout_features = extractor.features(load_emoji(resolution, "heldout")[0])
        floors[f"emoji{resolution}:heldout"] = {
            "fid": round(fid_from_features(train_features, heldout_features), 4),
            "kid": round(kernel_inception_distance(train_features, heldout_features).mean, 5),
        }
    card = {
        "heldout_accuracy": round(accuracy, 4),
        "heldout_accuracy_per_group": per_group,
        "real_floors_train_vs_heldout": floors,
        **settings(args, seconds, model),
    }
    if args.out is None:
        (out.parent / "emoji_classifier.json").write_text(json.dumps(card, indent=2) + "\n")
    print(json.dumps(card, indent=2))
    print(f"held-out accuracy {accuracy:.4f}; real-data floors (train vs held-out, emoji features) "
          f"{floors}; weights {out} ({out.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
