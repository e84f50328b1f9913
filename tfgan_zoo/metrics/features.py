"""Feature extractors for the sample-quality metrics.

Two extractors share one interface: ``features(images) -> (N, dim)`` and
``predict_probabilities(images) -> (N, classes)`` / ``predict_labels(images) -> (N,)``.
Images are float arrays in [-1, 1] of shape (batch, height, width, channels) with 1 or 3
channels (uint8 arrays in [0, 255] are accepted too and rescaled; a rank-3 array is read as
(batch, height, width) grayscale). Images are resized with bilinear filtering to the
extractor's input size.

- :class:`InceptionFeatures`: the 2048-d pool features of Inception-v3 (Szegedy et al. 2016)
  from ``keras.applications``, the feature space of FID (Heusel et al. 2017) and KID
  (Binkowski et al. 2018). **These are the Keras ImageNet weights, not the 2015 TensorFlow
  graph (``pool_3`` of ``inception-2015-12-05``) behind published FID/IS tables**, and the
  resize differs too, so values are comparable within this project only, not with papers.
- :class:`MnistFeatures`: a small CNN shipped with the package
  (``tfgan_zoo/metrics/files/mnist_classifier.weights.h5``), trained by
  ``scripts/train_mnist_classifier.py`` on the 4,000-image train split of the embedded
  ``mnist5k`` subset (40 epochs with shift/rotation/zoom augmentation, about 3 CPU minutes).
  **Held-out accuracy: 98.6%** on the 1,000 held-out images
  (:data:`MNIST_CLASSIFIER_HELDOUT_ACCURACY`). Its 128-d penultimate layer (pre-activation)
  gives an MNIST-domain FID; its softmax gives labels for class coverage and an
  "MNIST score" (Inception score with this classifier).
  **Real-data floor: FID 0.255** between the 4,000 train and the 1,000 held-out images
  (:data:`MNIST5K_REAL_FID_FLOOR`); read every MNIST-feature FID against it.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

FILES_DIR = Path(__file__).resolve().parent / "files"
MNIST_CLASSIFIER_WEIGHTS = FILES_DIR / "mnist_classifier.weights.h5"
MNIST_FEATURE_DIM = 128
MNIST_NUM_CLASSES = 10

#: Accuracy of the shipped classifier on the 1,000 held-out mnist5k images
#: (measured by scripts/train_mnist_classifier.py when the weights were written).
MNIST_CLASSIFIER_HELDOUT_ACCURACY = 0.986
#: The real-data floor: FID (MNIST features) between the 4,000 train and the 1,000 held-out
#: mnist5k images. A generator scoring near this value is as close to the data as a fresh
#: sample of real digits; compare every MNIST-feature FID against it.
MNIST5K_REAL_FID_FLOOR = 0.2546

INCEPTION_SIZE = 299
INCEPTION_FEATURE_DIM = 2048
# File names, origins and md5 hashes used by keras.applications.InceptionV3 (Keras cache).
_INCEPTION_FILES = {
    False: (
        "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "bcbd6486424b2319ff4ef7d526e38f63",
    ),
    True: (
        "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
        "9a0d58056eeedaa3f26cb7ebd46da564",
    ),
}
_INCEPTION_ORIGIN = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"


class InceptionWeightsError(RuntimeError):
    """The Inception-v3 ImageNet weights are neither in the Keras cache nor downloadable.

    `filename` is the Keras weights file needed, `expected_path` where the Keras cache looks for it
    and `reason` why the download failed, so a caller can word its own hint (the command line names
    --inception-weights)."""

    def __init__(self, message: str, filename: str = "", expected_path: str = "", reason: str = ""):
        super().__init__(message)
        self.filename, self.expected_path, self.reason = filename, expected_path, reason


def mnist5k_images(split: str = "heldout") -> np.ndarray:
    """The embedded mnist5k images of one split ("train", "heldout" or "all") as uint8
    (N, 28, 28). Read directly from the package data file."""
    import tfgan_zoo.data

    path = Path(tfgan_zoo.data.__file__).resolve().parent / "files" / "mnist5k.npz"
    with np.load(path) as data:
        images, heldout = data["images"], data["heldout"]
    if split == "heldout":
        return images[heldout]
    if split == "train":
        return images[~heldout]
    if split == "all":
        return images
    raise ValueError(f"Unknown mnist5k split {split!r}; expected 'train', 'heldout' or 'all'.")


def mnist5k_labels(split: str = "heldout") -> np.ndarray:
    """The labels (uint8) of one mnist5k split, aligned with :func:`mnist5k_images`."""
    import tfgan_zoo.data

    path = Path(tfgan_zoo.data.__file__).resolve().parent / "files" / "mnist5k.npz"
    with np.load(path) as data:
        labels, heldout = data["labels"], data["heldout"]
    if split == "heldout":
        return labels[heldout]
    if split == "train":
        return labels[~heldout]
    if split == "all":
        return labels
    raise ValueError(f"Unknown mnist5k split {split!r}; expected 'train', 'heldout' or 'all'.")


def check_images(images: Any) -> np.ndarray:
    """Validate a batch of images and return it as float32 (N, H, W, C) in [-1, 1].

    Accepts float images in [-1, 1] (values within 1.5 are clipped: a larger range means the
    images were scaled otherwise, which is an error), uint8 images in [0, 255], and rank-3
    (N, H, W) grayscale arrays.
    """
    if hasattr(images, "numpy"):
        images = images.numpy()
    array = np.asarray(images)
    if array.ndim == 3:
        array = array[..., None]
    if array.ndim != 4:
        raise ValueError(
            "Expected images of rank 4 (batch, height, width, channels) or rank 3 "
            f"(batch, height, width), got shape {array.shape}."
        )
    if array.shape[0] < 1:
        raise ValueError(f"Expected at least one image, got shape {array.shape}.")
    if array.shape[-1] not in (1, 3):
        raise ValueError(
            f"Expected images with 1 or 3 channels (last axis), got shape {array.shape}."
        )
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 127.5 - 1.0
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(
            f"Expected float images in [-1, 1] or uint8 images, got dtype {array.dtype}."
        )
    array = array.astype(np.float32)
    if not np.all(np.isfinite(array)):
        raise ValueError("Expected finite image values, got NaN or infinity.")
    low, high = float(array.min()), float(array.max())
    if low < -1.5 or high > 1.5:
        raise ValueError(
            f"Expected float images in [-1, 1], got values in [{low:.3g}, {high:.3g}]; "
            "rescale (e.g. x / 127.5 - 1 for [0, 255] data)."
        )
    return np.clip(array, -1.0, 1.0)


def _resize(batch: np.ndarray, size: int):
    import tensorflow as tf

    tensor = tf.convert_to_tensor(batch)
    if batch.shape[1] != size or batch.shape[2] != size:
        tensor = tf.image.resize(tensor, (size, size), method="bilinear")
        tensor = tf.clip_by_value(tensor, -1.0, 1.0)
    return tensor


# ---------------------------------------------------------------------------------------------
# MNIST classifier
# ---------------------------------------------------------------------------------------------


def build_mnist_classifier():
    """The MNIST CNN (about 160k parameters): five 3x3 conv-BN-ReLU layers (32, 32 | 64, 64 |
    128 filters, a max-pool after each of the first two groups), global average pooling, a
    128-unit "features" layer, ReLU, dropout and a 10-way "logits" layer.
    Input: (28, 28, 1) in [-1, 1]."""
    import keras
    from keras import layers

    inputs = keras.Input((28, 28, 1), name="image")
    x = inputs
    for filters, convs, pool in ((32, 2, True), (64, 2, True), (128, 1, False)):
        for _ in range(convs):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization()(x)
            x = layers.ReLU()(x)
        if pool:
            x = layers.MaxPooling2D()(x)
    x = layers.GlobalAveragePooling2D()(x)
    features = layers.Dense(MNIST_FEATURE_DIM, name="features")(x)
    x = layers.ReLU()(features)
    x = layers.Dropout(0.3)(x)
    logits = layers.Dense(MNIST_NUM_CLASSES, name="logits")(x)
    return keras.Model(inputs, logits, name="mnist_classifier")


class _Extractor:
    """Shared batching for the extractors: subclasses set size, channels and _model."""

    name = "base"
    size = 28
    channels = 1
    dim = 0
    num_classes = 0

    def __init__(self, batch_size: int) -> None:
        if batch_size < 1:
            raise ValueError(f"Expected a positive batch_size, got {batch_size}.")
        self.batch_size = int(batch_size)
        self._model = None
        self._call = None

    def _match_channels(self, array: np.ndarray) -> np.ndarray:
        if array.shape[-1] == self.channels:
            return array
        if self.channels == 3:
            return np.repeat(array, 3, axis=-1)  # grayscale tiled to RGB
        return array.mean(axis=-1, keepdims=True)  # RGB averaged to grayscale

    def preprocess(self, images: Any):
        """Images -> float32 tensor (N, size, size, channels) in [-1, 1], as fed to the net."""
        import tensorflow as tf

        array = self._match_channels(check_images(images))
        return tf.concat(
            [
                _resize(array[i : i + self.batch_size], self.size)
                for i in range(0, len(array), self.batch_size)
            ],
            axis=0,
        )

    def _outputs(self, images: Any) -> tuple[np.ndarray, np.ndarray | None]:
        import tensorflow as tf

        array = self._match_channels(check_images(images))
        if self._call is None:
            model = self._model

            spec = tf.TensorSpec((None, self.size, self.size, self.channels), tf.float32)

            @tf.function(input_signature=[spec])
            def call(x):
                return model(x, training=False)

            self._call = call
        feats, probs = [], []
        for start in range(0, len(array), self.batch_size):
            batch = _resize(array[start : start + self.batch_size], self.size)
            out = self._call(batch)
            if isinstance(out, (list, tuple)):
                feats.append(np.asarray(out[0]))
                probs.append(np.asarray(out[1]))
            else:
                feats.append(np.asarray(out))
        return np.concatenate(feats), (np.concatenate(probs) if probs else None)

    def features(self, images: Any) -> np.ndarray:
        """Feature vectors, float32 (N, dim)."""
        return self._outputs(images)[0]

    has_probabilities = True

    def predict_probabilities(self, images: Any) -> np.ndarray:
        """Class probabilities, float32 (N, num_classes)."""
        if not self.has_probabilities:
            raise ValueError(
                f"The {self.name} extractor was built without its classification top; "
                "construct it with include_top=True to get class probabilities."
            )
        return self._outputs(images)[1]

    def predict_labels(self, images: Any) -> np.ndarray:
        """Most probable class per image, int64 (N,)."""
        return np.argmax(self.predict_probabilities(images), axis=1).astype(np.int64)


class MnistFeatures(_Extractor):
    """Features and labels from the shipped MNIST classifier (see module docstring).

    ``weights``: a ``.weights.h5`` file for :func:`build_mnist_classifier`; defaults to the
    shipped file. ``features`` are the 128-d pre-activation penultimate layer;
    ``predict_probabilities`` the softmax over the ten digits.
    """

    name = "mnist"
    size = 28
    channels = 1
    dim = MNIST_FEATURE_DIM
    num_classes = MNIST_NUM_CLASSES

    def __init__(self, weights: str | os.PathLike | None = None, batch_size: int = 500) -> None:
        import keras

        super().__init__(batch_size)
        path = Path(weights) if weights is not None else MNIST_CLASSIFIER_WEIGHTS
        if not path.is_file():
            raise FileNotFoundError(
                f"MNIST classifier weights {str(path)!r} not found; expected the file shipped "
                f"at {str(MNIST_CLASSIFIER_WEIGHTS)!r} (re-create it with "
                "scripts/train_mnist_classifier.py)."
            )
        classifier = build_mnist_classifier()
        classifier.load_weights(str(path))
        self.classifier = classifier
        probs = keras.layers.Softmax()(classifier.output)
        self._model = keras.Model(
            classifier.input, [classifier.get_layer("features").output, probs]
        )


def _keras_cache_models_dir(cache_dir: str | os.PathLike | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir).expanduser() / "models"
    try:  # the directory keras.utils.get_file uses ($KERAS_HOME or ~/.keras)
        from keras.src.backend.config import keras_home

        home = keras_home()
    except Exception:  # pragma: no cover - private API moved
        home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return Path(home).expanduser() / "models"


def _root_cause(error: BaseException) -> str:
    """The innermost cause of a chained exception, as one line ("Name or service not known")."""
    while error.__cause__ is not None or (error.__context__ is not None and not error.__suppress_context__):
        error = error.__cause__ or error.__context__
    text = str(getattr(error, "strerror", None) or error).strip().splitlines()
    return text[0] if text else type(error).__name__


def resolve_inception_weights(
    weights: str | os.PathLike | None,
    include_top: bool = False,
    cache_dir: str | os.PathLike | None = None,
) -> str | None:
    """The weights file for :class:`InceptionFeatures`.

    ``None`` -> None (random init, for tests); ``"imagenet"`` -> the Keras cache file, downloaded
    if absent; anything else -> a path the user names. Raises :class:`InceptionWeightsError`
    with the expected location when the ImageNet weights cannot be had (offline), and
    FileNotFoundError when a named file does not exist.
    """
    if weights is None:
        return None
    fname, md5 = _INCEPTION_FILES[bool(include_top)]
    if isinstance(weights, str) and weights == "imagenet":
        import keras

        target = _keras_cache_models_dir(cache_dir) / fname
        try:
            return keras.utils.get_file(
                fname,
                _INCEPTION_ORIGIN + fname,
                cache_subdir="models",
                file_hash=md5,
                cache_dir=None if cache_dir is None else str(cache_dir),
            )
        except Exception as err:
            reason = _root_cause(err)
            raise InceptionWeightsError(
                f"Could not obtain the Inception-v3 ImageNet weights {fname!r}: they are not in "
                f"the Keras cache and downloading failed ({reason}). Without internet access, "
                f"copy the file to {str(target)!r}, or pass its path as "
                "InceptionFeatures(weights='/path/to/" + fname + "') "
                "(include_top=" + str(bool(include_top)) + " needs this file).",
                filename=fname, expected_path=str(target), reason=reason,
            ) from None
    path = Path(weights).expanduser()
    if not path.is_file():
        raise FileNotFoundError(
            f"Inception-v3 weights file {str(path)!r} does not exist; expected a Keras "
            f"InceptionV3 weights file such as {fname!r}, or weights='imagenet'."
        )
    return str(path)


class InceptionFeatures(_Extractor):
    """Inception-v3 pool features (2048-d) from ``keras.applications`` (Szegedy et al. 2016).

    Images are resized to 299 x 299 with bilinear filtering; grayscale is tiled to RGB.
    ``weights``: ``"imagenet"`` (the Keras cache file, downloaded when online), a path to a
    Keras InceptionV3 weights file, or None (random init; for tests only).
    ``include_top=True`` also gives the 1000-way ImageNet softmax (needed for the Inception
    score), using the with-top weights file.

    Note: the Keras weights differ from the 2015 TF graph used by published FIDs, so scores
    are comparable within this project only.
    """

    name = "inception"
    size = INCEPTION_SIZE
    channels = 3
    dim = INCEPTION_FEATURE_DIM
    num_classes = 1000

    def __init__(
        self,
        weights: str | os.PathLike | None = "imagenet",
        include_top: bool = False,
        batch_size: int = 50,
        cache_dir: str | os.PathLike | None = None,
    ) -> None:
        import keras

        super().__init__(batch_size)
        path = resolve_inception_weights(weights, include_top, cache_dir)
        base = keras.applications.InceptionV3(
            include_top=include_top,
            weights=None,
            input_shape=(INCEPTION_SIZE, INCEPTION_SIZE, 3),
            pooling="avg",
        )
        if path is not None:
            base.load_weights(path)
        self.include_top = self.has_probabilities = bool(include_top)
        if include_top:
            self._model = keras.Model(base.input, [base.get_layer("avg_pool").output, base.output])
        else:
            self._model = base


FEATURE_EXTRACTORS = ("mnist", "inception")


def get_feature_extractor(name: str | _Extractor, **kwargs: Any) -> _Extractor:
    """An extractor by name ("mnist" or "inception"); an extractor instance is returned as is."""
    if isinstance(name, _Extractor):
        return name
    if name == "mnist":
        return MnistFeatures(**kwargs)
    if name == "inception":
        return InceptionFeatures(**kwargs)
    raise ValueError(f"Unknown feature extractor {name!r}; expected one of {FEATURE_EXTRACTORS}.")
