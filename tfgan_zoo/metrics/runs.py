"""Evaluate a run directory: the library side of `tfgan-zoo evaluate` (also used by `compare`).

    result = evaluate_run("runs/demo")              # defaults chosen by the run's data
    write_eval_json(result, "runs/demo")            # DIR/eval.json, as the command writes it
"""
from __future__ import annotations

import os
from typing import Any, Optional


def evaluate_run(run_dir: str | os.PathLike, metrics: Optional[str] = None, num: Optional[int] = None,
                 seed: int = 0, features: Optional[str] = None,
                 inception_weights: str | os.PathLike | None = "imagenet", gan: Any = None) -> dict[str, Any]:
    """Evaluate a run's (EMA) generator at its latest checkpoint (or the given trained `gan`).

    Defaults by data (`default_metrics`): toy points -> "modes" (docs/architecture.md protocol, 2,500
    points); stacked_mnist -> "modes" (1,000 modes and KL to uniform, 26,000 samples); emoji ->
    "fid,kid,classes" with emoji features against the held-out emoji; 28x28 grey images ->
    "fid,classes" with MNIST features against the mnist5k held-out images; other images -> "fid"
    with Inception features. Returns the dict of `evaluate_generator` plus "run" and "step".
    A conditional run draws sample i with label i % num_classes; "classes" then adds
    "label_accuracy" (the classifier reads the drawn label). Raises ValueError (RunError included)
    for bad input, and InceptionWeightsError when Inception features are needed and their weights
    cannot be had.
    """
    from tfgan_zoo import data as data_lib
    from tfgan_zoo.metrics.evaluate import (
        FEATURE_METRICS,
        default_features,
        default_metrics,
        evaluate_generator,
        parse_metrics,
        real_images_for,
        reference_name_for,
    )
    from tfgan_zoo.metrics.features import resolve_inception_weights
    from tfgan_zoo.training.runner import load_run, load_run_config

    config = load_run_config(run_dir)
    info = data_lib.describe(config.data, data_dir=config.data_dir)
    toy = info.kind == "points"
    parsed = data_lib.parse_spec(config.data)
    features = features or default_features(info)
    names = parse_metrics(metrics or default_metrics(info, features))
    if not toy and "modes" in names and parsed.kind != "stacked_mnist":
        raise ValueError(f"Metric 'modes' is the toy mode-coverage protocol or the Stacked MNIST mode count, but "
                         f"run {str(run_dir)!r} holds other images ({config.data}); use 'classes' for images.")
    needs_reals = not toy and any(m in names for m in ("fid", "kid", "pr"))
    if features == "inception" and not toy and any(m in names for m in FEATURE_METRICS):
        resolve_inception_weights(inception_weights)  # fail before sampling when they cannot be had
    if gan is None:
        gan, config = load_run(run_dir)
    reals = real_images_for(config, info, features, num or 5000) if needs_reals else None
    # A run on padded data (28x28 digits on 32x32) is compared with the default (unpadded) reals
    # after cropping its samples back to the data's size.
    padded = not toy and config.data_fit == "pad" and (info.resolution or 0) < (config.resolution or 0)
    crop = (lambda images: data_lib.centre_crop(images, info.resolution)) if padded and reals is None else None
    result = evaluate_generator(
        lambda n, seed=None, labels=None: (crop or (lambda images: images))(gan.generate(n, labels, seed=seed)),
        num=num, metrics=names, features=features, seed=seed,
        toy_dataset=parsed.name if toy else None,
        stacked_mnist=parsed.kind == "stacked_mnist",
        real_images=reals,
        real_name=reference_name_for(config, features) if needs_reals else None,
        inception_weights=inception_weights,
        num_classes=None if toy else gan.num_classes,
    )
    result["run"] = str(run_dir)
    result["step"] = gan.trained_steps
    return result


__all__ = ["evaluate_run"]
