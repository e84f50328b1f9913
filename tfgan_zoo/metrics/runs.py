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

    Defaults by data: toy points -> "modes" (DESIGN.md protocol, 2,500 points); 28x28 grey
    images -> "fid,classes" with MNIST features against the mnist5k held-out images; other
    images -> "fid" with Inception features. Returns the dict of `evaluate_generator` plus
    "run" and "step". Raises ValueError (RunError included) for bad input, and
    InceptionWeightsError when Inception features are asked for and their weights cannot be had.
    """
    from tfgan_zoo import data as data_lib
    from tfgan_zoo.metrics.evaluate import default_features, evaluate_generator, parse_metrics, real_images_for
    from tfgan_zoo.metrics.features import resolve_inception_weights
    from tfgan_zoo.training.runner import load_run, load_run_config

    config = load_run_config(run_dir)
    info = data_lib.describe(config.data, data_dir=config.data_dir)
    toy = info.kind == "points"
    mnist_like = not toy and default_features(info) == "mnist"
    features = features or default_features(info)
    names = parse_metrics(metrics or ("modes" if toy else ("fid,classes" if mnist_like else "fid")))
    if not toy and "modes" in names:
        raise ValueError(f"Metric 'modes' is the toy mode-coverage protocol, but run {str(run_dir)!r} holds "
                         f"images ({config.data}); use 'classes' for images.")
    if features == "inception" and not toy:
        resolve_inception_weights(inception_weights)  # fail before sampling when they cannot be had
    if gan is None:
        gan, config = load_run(run_dir)
    reals = None if toy else real_images_for(config, info, features, num or 5000)
    # A run on padded data (28x28 digits on 32x32) is compared with the default (unpadded) reals
    # after cropping its samples back to the data's size.
    padded = not toy and config.data_fit == "pad" and (info.resolution or 0) < (config.resolution or 0)
    crop = (lambda images: data_lib.centre_crop(images, info.resolution)) if padded and reals is None else None
    result = evaluate_generator(
        lambda n, seed=None: (crop or (lambda images: images))(gan.generate(n, seed=seed)),
        num=num, metrics=names, features=features, seed=seed,
        toy_dataset=data_lib.parse_spec(config.data).name if toy else None,
        real_images=reals, inception_weights=inception_weights,
    )
    result["run"] = str(run_dir)
    result["step"] = gan.trained_steps
    return result


__all__ = ["evaluate_run"]
