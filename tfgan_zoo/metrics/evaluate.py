"""Evaluate a generator with several metrics at once: the library side of
``tfgan-zoo evaluate --run DIR [--metrics fid,kid,is,pr,modes,classes] [--num N]
[--features inception|mnist]``.

The command loads the run's generator, calls :func:`evaluate_generator` with a
``generate_fn(n, seed=s)`` returning images in [-1, 1] (or 2-D points for toy data), prints the
returned dict as JSON and writes it with :func:`write_eval_json`.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from tfgan_zoo.metrics.coverage import TOY_PROTOCOL_SAMPLES, class_coverage, mode_coverage
from tfgan_zoo.metrics.features import (
    MNIST5K_REAL_FID_FLOOR,
    InceptionFeatures,
    MnistFeatures,
    _Extractor,
    mnist5k_images,
)
from tfgan_zoo.metrics.fid import fid_from_features
from tfgan_zoo.metrics.inception_score import inception_score
from tfgan_zoo.metrics.kid import kernel_inception_distance
from tfgan_zoo.metrics.precision_recall import precision_recall

#: Metric names accepted by :func:`evaluate_generator` (and ``--metrics``).
VALID_METRICS = ("fid", "kid", "is", "pr", "modes", "classes")
#: Metrics that apply to 2-D toy data (computed on the raw points).
TOY_METRICS = ("fid", "kid", "pr", "modes")
FEATURE_CHOICES = ("mnist", "inception")
DEFAULT_NUM_IMAGES = 5000

GenerateFn = Callable[..., Any]


def parse_metrics(metrics: str | Sequence[str]) -> tuple[str, ...]:
    """"fid,kid" or ["fid", "kid"] -> ("fid", "kid"), validated against :data:`VALID_METRICS`
    (ValueError naming the bad ones); duplicates removed, order kept."""
    if isinstance(metrics, str):
        names = [m.strip().lower() for m in metrics.split(",") if m.strip()]
    else:
        names = [str(m).strip().lower() for m in metrics]
    if not names:
        raise ValueError(
            f"Expected at least one metric; valid metrics are {', '.join(VALID_METRICS)}."
        )
    bad = [m for m in names if m not in VALID_METRICS]
    if bad:
        raise ValueError(
            f"Unknown metric(s) {', '.join(map(repr, bad))}; valid metrics are "
            f"{', '.join(VALID_METRICS)}."
        )
    return tuple(dict.fromkeys(names))


def generate_samples(
    generate_fn: GenerateFn, num: int, seed: int = 0, batch_size: int = 500
) -> np.ndarray:
    """Call ``generate_fn(n, seed=seed + i)`` for chunks of at most ``batch_size`` and stack the
    results as a numpy array (``num`` samples)."""
    if num < 1:
        raise ValueError(f"Expected a positive number of samples, got num={num}.")
    chunks = []
    for i, start in enumerate(range(0, num, batch_size)):
        n = min(batch_size, num - start)
        out = generate_fn(n, seed=seed + i)
        if hasattr(out, "numpy"):
            out = out.numpy()
        out = np.asarray(out)
        if out.shape[:1] != (n,):
            raise ValueError(
                f"generate_fn({n}, seed={seed + i}) returned shape {out.shape}; expected {n} "
                "samples along the first axis."
            )
        chunks.append(out)
    return np.concatenate(chunks, axis=0)


def _extractor(
    features: str | _Extractor, need_probabilities: bool, inception_weights: Any
) -> _Extractor:
    if isinstance(features, _Extractor):
        return features
    if features == "mnist":
        return MnistFeatures()
    if features == "inception":
        return InceptionFeatures(weights=inception_weights, include_top=need_probabilities)
    raise ValueError(f"Unknown features {features!r}; expected one of {FEATURE_CHOICES}.")


def evaluate_generator(
    generate_fn: GenerateFn,
    num: int | None = None,
    metrics: str | Sequence[str] = ("fid",),
    features: str | _Extractor = "mnist",
    real_images: Any | None = None,
    toy_dataset: str | None = None,
    seed: int = 0,
    batch_size: int = 500,
    inception_weights: str | os.PathLike | None = "imagenet",
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    pr_k: int = 3,
    is_splits: int = 10,
) -> dict[str, Any]:
    """Evaluate ``generate_fn`` with ``metrics`` (names in :data:`VALID_METRICS`).

    ``generate_fn(n, seed=s)`` returns ``n`` images in [-1, 1], (n, H, W, C), or for toy data
    (``toy_dataset`` "ring8" / "grid25") ``n`` 2-D points. It is called in chunks of
    ``batch_size`` with seeds ``seed, seed + 1, ...``; ``num`` samples in all (default 5,000
    images, or the toy protocol's 2,500 points).

    Images: ``features`` "mnist" (shipped classifier, 128-d) or "inception" (2048-d; the
    ImageNet weights must be in the Keras cache or named by ``inception_weights``), or an
    extractor instance. ``real_images`` default to the 1,000 held-out mnist5k images. "is" uses
    the extractor's class probabilities (the "MNIST score" with mnist features); "classes"
    always uses the MNIST classifier's labels (10 classes).
    Toy data: "fid", "kid", "pr" compare the raw points with ``num`` points of the true mixture
    (seed ``seed``); "modes" follows the protocol of :func:`mode_coverage`.

    Returns a JSON-ready dict: "fid" float; "kid" and "is" {"mean", "std"}; "pr" {"precision",
    "recall"}; "modes" / "classes" coverage dicts; plus "num_samples", "num_real", "features",
    "seed", "seconds" and, for MNIST-feature FID against the default reals, "fid_real_floor".
    """
    started = time.time()
    names = parse_metrics(metrics)
    if toy_dataset is not None:
        from tfgan_zoo.data.toy import TOY_DATASETS, sample_toy

        if toy_dataset not in TOY_DATASETS:
            raise ValueError(
                f"Unknown toy dataset {toy_dataset!r}; expected one of {TOY_DATASETS}."
            )
        bad = [m for m in names if m not in TOY_METRICS]
        if bad:
            raise ValueError(
                f"Metric(s) {', '.join(map(repr, bad))} need images; for toy data the valid "
                f"metrics are {', '.join(TOY_METRICS)}."
            )
        num = TOY_PROTOCOL_SAMPLES if num is None else int(num)
        points = generate_samples(generate_fn, num, seed, batch_size).astype(np.float64)
        points = points.reshape(points.shape[0], -1)
        if points.shape[1] != 2:
            raise ValueError(
                f"Expected generate_fn to return 2-D points for toy data {toy_dataset!r}, got "
                f"samples of {points.shape[1]} values."
            )
        result: dict[str, Any] = {
            "num_samples": num, "toy_dataset": toy_dataset, "features": "raw", "seed": seed,
        }
        if any(m in names for m in ("fid", "kid", "pr")):
            real = sample_toy(toy_dataset, num, seed=seed).astype(np.float64)
            result["num_real"] = int(real.shape[0])
        for name in names:
            if name == "fid":
                result["fid"] = fid_from_features(real, points)
            elif name == "kid":
                result["kid"] = kernel_inception_distance(
                    real, points, kid_subsets, kid_subset_size, seed=seed
                ).as_dict()
            elif name == "pr":
                result["pr"] = precision_recall(real, points, k=pr_k)
            elif name == "modes":
                result["modes"] = mode_coverage(points, toy_dataset)
        result["seconds"] = round(time.time() - started, 2)
        return result

    num = DEFAULT_NUM_IMAGES if num is None else int(num)
    extractor = _extractor(features, "is" in names, inception_weights)
    images = generate_samples(generate_fn, num, seed, batch_size)
    result = {"num_samples": num, "features": extractor.name, "seed": seed}
    needs_features = any(m in names for m in ("fid", "kid", "pr"))
    fake_features = extractor.features(images) if needs_features else None
    if needs_features:
        default_real = real_images is None
        reals = mnist5k_images("heldout") if default_real else real_images
        real_features = extractor.features(reals)
        result["num_real"] = int(real_features.shape[0])
        result["real"] = "mnist5k:heldout" if default_real else "given"
    for name in names:
        if name == "fid":
            result["fid"] = fid_from_features(real_features, fake_features)
            if extractor.name == "mnist" and real_images is None:
                result["fid_real_floor"] = MNIST5K_REAL_FID_FLOOR
        elif name == "kid":
            result["kid"] = kernel_inception_distance(
                real_features, fake_features, kid_subsets, kid_subset_size, seed=seed
            ).as_dict()
        elif name == "pr":
            result["pr"] = precision_recall(real_features, fake_features, k=pr_k)
        elif name == "is":
            result["is"] = inception_score(
                extractor.predict_probabilities(images), splits=min(is_splits, num)
            ).as_dict()
        elif name == "classes":
            classifier = extractor if extractor.name == "mnist" else MnistFeatures()
            result["classes"] = class_coverage(
                classifier.predict_labels(images), classifier.num_classes
            )
        elif name == "modes":
            raise ValueError(
                "Metric 'modes' needs toy data: pass toy_dataset='ring8' or 'grid25' "
                "(use 'classes' for images)."
            )
    result["seconds"] = round(time.time() - started, 2)
    return result


def default_features(info: Any) -> str:
    """The feature extractor for a run's data (a `data.describe` result): "mnist" for 28x28 grey
    images, "inception" otherwise."""
    return "mnist" if tuple(info.shape or ()) == (28, 28, 1) else "inception"


def real_images_for(config: Any, info: Any, features: str, num: int) -> Any:
    """Real images for the reference statistics: mnist5k's held-out split for MNIST features
    on mnist5k (the evaluator's default), else a seeded draw from the run's data, at the run's
    resolution and channels (`config` is a tfgan_zoo.config.RunConfig)."""
    from tfgan_zoo import data as data_lib

    if features == "mnist" and config.data.split(":")[0] == "mnist5k":
        return None
    available = info.num_examples or num
    fit = "pad" if config.data_fit == "pad" else "resize"
    return data_lib.as_numpy_images(config.data, min(num, available), resolution=config.resolution, fit=fit,
                                    channels=config.channels, data_dir=config.data_dir)


def write_eval_json(result: dict[str, Any], run_dir: str | os.PathLike) -> Path:
    """Write ``result`` as ``eval.json`` in the existing directory ``run_dir``; returns the
    path. Written to a temporary file first, so a failure never leaves a half file."""
    directory = Path(run_dir)
    if not directory.is_dir():
        raise FileNotFoundError(f"Run directory {str(directory)!r} does not exist.")
    path = directory / "eval.json"
    tmp = directory / ".eval.json.tmp"
    tmp.write_text(json.dumps(result, indent=2, sort_keys=False) + "\n")
    os.replace(tmp, path)
    return path
