"""Evaluate a generator with several metrics at once: the library side of
``tfgan-zoo evaluate --run DIR [--metrics fid,kid,is,pr,modes,classes] [--num N]
[--features mnist|emoji|inception]``.

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

from tfgan_zoo.metrics.coverage import (
    CONFIDENCE_THRESHOLD,
    TOY_PROTOCOL_SAMPLES,
    class_coverage,
    confident_fraction,
    mode_coverage,
)
from tfgan_zoo.metrics.features import (
    EMOJI_REAL_FLOORS,
    FEATURE_EXTRACTORS,
    MNIST5K_REAL_FID_FLOOR,
    InceptionFeatures,
    _Extractor,
    get_feature_extractor,
    mnist5k_images,
)
from tfgan_zoo.metrics.fid import fid_from_features
from tfgan_zoo.metrics.inception_score import inception_score
from tfgan_zoo.metrics.kid import kernel_inception_distance
from tfgan_zoo.metrics.precision_recall import precision_recall
from tfgan_zoo.metrics.stacked_mnist import STACKED_MNIST_PROTOCOL_SAMPLES, stacked_mnist_modes

#: Metric names accepted by :func:`evaluate_generator` (and ``--metrics``).
VALID_METRICS = ("fid", "kid", "is", "pr", "modes", "classes")
#: Metrics that apply to 2-D toy data (computed on the raw points).
TOY_METRICS = ("fid", "kid", "pr", "modes")
#: Image metrics computed in a feature space (the others count a domain classifier's labels).
FEATURE_METRICS = ("fid", "kid", "pr", "is")
FEATURE_CHOICES = FEATURE_EXTRACTORS
DEFAULT_NUM_IMAGES = 5000
#: Real-data floors by (feature space, reference images): the metric between two real samples
#: (the train and held-out splits), reported beside a generator's value.
REAL_FLOORS = {
    ("mnist", "mnist5k:heldout"): {"fid": MNIST5K_REAL_FID_FLOOR},
    **{("emoji", reference): floors for reference, floors in EMOJI_REAL_FLOORS.items()},
}

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


def drawn_labels(num: int, num_classes: int) -> np.ndarray:
    """The class sample i of a conditional evaluation is drawn with: i % num_classes (int32)."""
    return (np.arange(num) % num_classes).astype("int32")


def generate_samples(
    generate_fn: GenerateFn, num: int, seed: int = 0, batch_size: int = 500, num_classes: int | None = None
) -> np.ndarray:
    """Call ``generate_fn(n, seed=seed + i)`` for chunks of at most ``batch_size`` and stack the
    results as a numpy array (``num`` samples). With ``num_classes`` (a conditional generator)
    each call also gets ``labels=``, its chunk of :func:`drawn_labels`."""
    if num < 1:
        raise ValueError(f"Expected a positive number of samples, got num={num}.")
    labels = drawn_labels(num, num_classes) if num_classes is not None else None
    chunks = []
    for i, start in enumerate(range(0, num, batch_size)):
        n = min(batch_size, num - start)
        if labels is None:
            out = generate_fn(n, seed=seed + i)
        else:
            out = generate_fn(n, seed=seed + i, labels=labels[start : start + n])
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
    if not isinstance(features, _Extractor) and features == "inception":
        return InceptionFeatures(weights=inception_weights, include_top=need_probabilities)
    return get_feature_extractor(features)


def evaluate_generator(
    generate_fn: GenerateFn,
    num: int | None = None,
    metrics: str | Sequence[str] = ("fid",),
    features: str | _Extractor = "mnist",
    real_images: Any | None = None,
    toy_dataset: str | None = None,
    stacked_mnist: bool = False,
    real_name: str | None = None,
    seed: int = 0,
    batch_size: int = 500,
    inception_weights: str | os.PathLike | None = "imagenet",
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    pr_k: int = 3,
    is_splits: int = 10,
    num_classes: int | None = None,
) -> dict[str, Any]:
    """Evaluate ``generate_fn`` with ``metrics`` (names in :data:`VALID_METRICS`).

    ``generate_fn(n, seed=s)`` returns ``n`` images in [-1, 1], (n, H, W, C), or for toy data
    (``toy_dataset`` "ring8" / "grid25") ``n`` 2-D points. It is called in chunks of
    ``batch_size`` with seeds ``seed, seed + 1, ...``; ``num`` samples in all (default 5,000
    images, or the toy protocol's 2,500 points).

    Images: ``features`` "mnist" (shipped classifier, 128-d), "emoji" (shipped emoji-group
    classifier, 128-d, colour) or "inception" (2048-d; the ImageNet weights must be in the Keras
    cache or named by ``inception_weights``), or an extractor instance. ``real_images`` default
    to the 1,000 held-out mnist5k images, or with emoji features the 372 held-out emoji at the
    generated resolution (32 or 64). ``real_name`` says what given ``real_images`` are (e.g.
    "emoji32:heldout"): a reference with a known floor in the feature space (:data:`REAL_FLOORS`)
    gets "fid_real_floor" / "kid_real_floor" beside "fid" / "kid". "is" uses the extractor's class
    probabilities (the "MNIST score" with mnist features); "classes" uses the labels of the
    emoji classifier with emoji features (9 groups), else of the MNIST classifier (10 digits).
    ``stacked_mnist``: the images are Stacked MNIST; "modes" then counts its 1,000 modes and
    KL to uniform (:func:`stacked_mnist_modes`; default ``num`` 26,000, the published protocol).
    ``num_classes``: the generator is conditional on that many classes; sample i is drawn with
    label i % num_classes (``generate_fn(n, seed=s, labels=...)``), and "classes" adds
    "label_accuracy", the share of samples the domain classifier reads as the label they were
    drawn with (when the classifier's classes are the generator's).
    Toy data: "fid", "kid", "pr" compare the raw points with ``num`` points of the true mixture
    (seed ``seed``); "modes" follows the protocol of :func:`mode_coverage`.

    Returns a JSON-ready dict: "fid" float; "kid" and "is" {"mean", "std"}; "pr" {"precision",
    "recall"}; "modes" / "classes" coverage dicts ("classes" adds "confident_fraction", the share
    of samples the domain classifier labels with probability above "confidence_threshold" 0.9);
    plus "num_samples", "num_real", "real", "features", "seed", "seconds" and the real-data
    floors when known.
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

    if num is None:
        num = STACKED_MNIST_PROTOCOL_SAMPLES if stacked_mnist and "modes" in names else DEFAULT_NUM_IMAGES
    num = int(num)
    if "modes" in names and not stacked_mnist:
        raise ValueError(
            "Metric 'modes' needs toy data (toy_dataset='ring8' or 'grid25') or Stacked MNIST images "
            "(stacked_mnist=True); use 'classes' for other images."
        )
    if not isinstance(features, _Extractor) and features not in FEATURE_CHOICES:
        raise ValueError(f"Unknown features {features!r}; expected one of {FEATURE_CHOICES}.")
    # "classes" and "modes" need only a domain classifier (no Inception weights).
    needs_extractor = any(m in names for m in FEATURE_METRICS)
    extractor = _extractor(features, "is" in names, inception_weights) if needs_extractor else None
    images = generate_samples(generate_fn, num, seed, batch_size, num_classes)
    result = {"num_samples": num, "features": extractor.name if extractor else _domain_name(features), "seed": seed}
    needs_features = any(m in names for m in ("fid", "kid", "pr"))
    fake_features = extractor.features(images) if needs_features else None
    floors: dict[str, float] = {}
    if needs_features:
        if real_images is None:
            real_images, real_name = default_real_images(extractor.name, images.shape[1])
        real_features = extractor.features(real_images)
        result["num_real"] = int(real_features.shape[0])
        result["real"] = real_name or "given"
        floors = REAL_FLOORS.get((extractor.name, real_name), {})
    for name in names:
        if name == "fid":
            result["fid"] = fid_from_features(real_features, fake_features)
            if "fid" in floors:
                result["fid_real_floor"] = floors["fid"]
        elif name == "kid":
            result["kid"] = kernel_inception_distance(
                real_features, fake_features, kid_subsets, kid_subset_size, seed=seed
            ).as_dict()
            if "kid" in floors:
                result["kid_real_floor"] = floors["kid"]
        elif name == "pr":
            result["pr"] = precision_recall(real_features, fake_features, k=pr_k)
        elif name == "is":
            result["is"] = inception_score(
                extractor.predict_probabilities(images), splits=min(is_splits, num)
            ).as_dict()
        elif name == "classes":
            classifier = _domain_classifier(extractor, features)
            probabilities = classifier.predict_probabilities(images)
            result["classes"] = {
                **class_coverage(np.argmax(probabilities, axis=1), classifier.num_classes),
                "confident_fraction": confident_fraction(probabilities),
                "confidence_threshold": CONFIDENCE_THRESHOLD,
            }
            if num_classes is not None and num_classes == classifier.num_classes:
                read = np.argmax(probabilities, axis=1)
                result["classes"]["label_accuracy"] = float(np.mean(read == drawn_labels(num, num_classes)))
        elif name == "modes":
            mnist = extractor if extractor is not None and extractor.name == "mnist" else None
            result["modes"] = stacked_mnist_modes(images, mnist)
    result["seconds"] = round(time.time() - started, 2)
    return result


def _domain_name(features: str | _Extractor) -> str:
    """The classifier whose labels "classes" counts: "emoji" with emoji features, else "mnist"."""
    return "emoji" if (features.name if isinstance(features, _Extractor) else features) == "emoji" else "mnist"


def _domain_classifier(extractor: _Extractor | None, features: str | _Extractor) -> _Extractor:
    """That classifier, reusing `extractor` when it is the one."""
    wanted = _domain_name(features)
    return extractor if extractor is not None and extractor.name == wanted else get_feature_extractor(wanted)


def default_real_images(features: str, resolution: int) -> tuple[Any, str]:
    """The default reference images of a feature space and their name: the 372 held-out emoji at
    the generated ``resolution`` (32 or 64) for emoji features, else the 1,000 held-out mnist5k
    digits."""
    if features != "emoji":
        return mnist5k_images("heldout"), "mnist5k:heldout"
    from tfgan_zoo.data import EMOJI_RESOLUTIONS, load_emoji

    if resolution not in EMOJI_RESOLUTIONS:
        raise ValueError(
            f"Emoji features compare with the held-out emoji at {' or '.join(map(str, EMOJI_RESOLUTIONS))} "
            f"px, but the generated images are {resolution} px; pass real_images=..."
        )
    return load_emoji(resolution, "heldout")[0], f"emoji{resolution}:heldout"


def _data_kind(info: Any) -> str:
    """'emoji', 'stacked_mnist', 'mnist5k', 'toy', 'tfds', ... from a DataInfo's name."""
    head = str(info.name).partition(":")[0].lower()
    return "emoji" if head.startswith("emoji") else head


def default_features(info: Any) -> str:
    """The feature extractor for a run's data (a `data.describe` result): "emoji" for the
    embedded emoji, "mnist" for 28x28 grey images, "inception" otherwise."""
    if _data_kind(info) == "emoji":
        return "emoji"
    return "mnist" if tuple(info.shape or ()) == (28, 28, 1) else "inception"


def default_metrics(info: Any, features: str) -> str:
    """The metrics `tfgan-zoo evaluate` computes when none are named: "modes" for toy points
    and Stacked MNIST, "fid,kid,classes" with emoji features, "fid,classes" with MNIST features,
    "fid" otherwise."""
    if info.kind == "points" or _data_kind(info) == "stacked_mnist":
        return "modes"
    return {"emoji": "fid,kid,classes", "mnist": "fid,classes"}.get(features, "fid")


def _reference_spec(config: Any, features: str) -> str | None:
    """The data spec of the reference images: the run's data, or its held-out emoji; None for
    the evaluator's default (the held-out digits, for MNIST features on mnist5k)."""
    from tfgan_zoo import data as data_lib

    parsed = data_lib.parse_spec(config.data)
    if features == "mnist" and parsed.kind == "mnist5k":
        return None
    if parsed.kind == "emoji":
        return f"{parsed.name}:heldout"
    return config.data


def reference_name_for(config: Any, features: str) -> str | None:
    """What `real_images_for` returns, as `evaluate_generator`'s ``real_name`` (a key of
    :data:`REAL_FLOORS` when it has a floor): e.g. "emoji32:heldout" -- also for emoji64 data
    trained at 32 px, whose resized held-out images are emoji32's up to rounding."""
    spec = _reference_spec(config, features)
    if spec is None or not spec.startswith("emoji"):
        return spec
    from tfgan_zoo.data import EMOJI_RESOLUTIONS

    if config.resolution in EMOJI_RESOLUTIONS:
        return f"emoji{config.resolution}:heldout"
    return f"{spec} resized to {config.resolution} px"


def real_images_for(config: Any, info: Any, features: str, num: int) -> Any:
    """Real images for the reference statistics: mnist5k's held-out split for MNIST features
    on mnist5k (the evaluator's default), all held-out emoji for emoji data, else a seeded draw
    from the run's data; at the run's resolution and channels (`config` is a
    tfgan_zoo.config.RunConfig)."""
    from tfgan_zoo import data as data_lib

    spec = _reference_spec(config, features)
    if spec is None:
        return None
    if spec != config.data:
        info = data_lib.describe(spec, data_dir=config.data_dir)
    available = info.num_examples or num
    fit = "pad" if config.data_fit == "pad" else "resize"
    return data_lib.as_numpy_images(spec, min(num, available), resolution=config.resolution, fit=fit,
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
