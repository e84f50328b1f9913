"""Sample-quality metrics: FID, KID, Inception score, precision/recall, mode and class
coverage, the Stacked MNIST mode count; Inception-v3, MNIST and emoji feature extractors; a FID
training callback; and
:func:`evaluate_generator`, the library side of ``tfgan-zoo evaluate``.

All metrics take numpy (or tensor) arrays and return Python floats / dicts.
"""
from tfgan_zoo.metrics._types import MeanStd
from tfgan_zoo.metrics.callback import FIDCallback
from tfgan_zoo.metrics.coverage import (
    average_coverage,
    class_coverage,
    confident_fraction,
    coverage_of_means,
    mode_coverage,
)
from tfgan_zoo.metrics.evaluate import (
    VALID_METRICS,
    evaluate_generator,
    generate_samples,
    parse_metrics,
    write_eval_json,
)
from tfgan_zoo.metrics.features import (
    EMOJI_CLASSIFIER_HELDOUT_ACCURACY,
    EMOJI_REAL_FLOORS,
    MNIST5K_REAL_FID_FLOOR,
    MNIST_CLASSIFIER_HELDOUT_ACCURACY,
    EmojiFeatures,
    InceptionFeatures,
    InceptionWeightsError,
    MnistFeatures,
    build_emoji_classifier,
    build_mnist_classifier,
    get_feature_extractor,
)
from tfgan_zoo.metrics.fid import (
    feature_statistics,
    fid_from_features,
    frechet_distance,
    trace_sqrt_product,
)
from tfgan_zoo.metrics.inception_score import inception_score
from tfgan_zoo.metrics.kid import kernel_inception_distance
from tfgan_zoo.metrics.precision_recall import precision_recall
from tfgan_zoo.metrics.stacked_mnist import STACKED_MNIST_PROTOCOL_SAMPLES, stacked_mnist_modes

__all__ = [
    "EMOJI_CLASSIFIER_HELDOUT_ACCURACY",
    "EMOJI_REAL_FLOORS",
    "EmojiFeatures",
    "FIDCallback",
    "InceptionFeatures",
    "InceptionWeightsError",
    "MNIST5K_REAL_FID_FLOOR",
    "MNIST_CLASSIFIER_HELDOUT_ACCURACY",
    "MeanStd",
    "STACKED_MNIST_PROTOCOL_SAMPLES",
    "MnistFeatures",
    "VALID_METRICS",
    "average_coverage",
    "build_emoji_classifier",
    "build_mnist_classifier",
    "class_coverage",
    "confident_fraction",
    "evaluate_generator",
    "feature_statistics",
    "fid_from_features",
    "frechet_distance",
    "generate_samples",
    "get_feature_extractor",
    "inception_score",
    "kernel_inception_distance",
    "coverage_of_means",
    "mode_coverage",
    "parse_metrics",
    "precision_recall",
    "stacked_mnist_modes",
    "trace_sqrt_product",
    "write_eval_json",
]
