"""A GAN conditioned on k-means clusters of its own data: unconditional to its users, conditional
inside (Lucic et al. 2019, "High-Fidelity Image Generation With Fewer Labels", sec. 3.1, the
"Clustering" approach).

Labels split a data distribution into simpler parts; a projection discriminator (Miyato & Koyama
2018) that knows which part an image claims to come from judges it far more sharply. Without human
labels, k-means clusters of the training images serve: before the first step the GAN clusters
images of its dataset (`tfgan_zoo.clustering`, stored as model variables, so checkpoints and
resume keep them) and then

    real batch:  c = the nearest centroid of each image (in the graph)        D(x, c)
    fake batch:  z = (one_hot(c), eps) with the real batch's c                D(G(z), c)

The generator takes z alone: the cluster is the categorical code at the head of z (the
"categorical_code" prior), so `generate`, export, serving and `load_generator` need no label. Once
fitted, the prior draws the code with the clusters' frequencies, as the fakes in training follow
the real batches' clusters.

Deviation from the paper: it clusters self-supervised features of a pretrained network; with none
available offline, this clusters the images' top principal components (`clustering.fit_kmeans`).
"""
from __future__ import annotations

import dataclasses
from typing import Any, Optional

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import clustering
from tfgan_zoo._log import warn
from tfgan_zoo.latent import LatentPrior
from tfgan_zoo.training.gan import GAN

Tensor = tf.Tensor


def _state(value: np.ndarray, name: str) -> keras.Variable:
    # Assigned once, outside the step, with the same value everywhere: a broadcast under a strategy.
    return keras.Variable(np.asarray(value, np.float32), trainable=False, aggregation="only_first_replica", name=name)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ClusteredGAN(GAN):
    """GAN whose discriminator is conditioned on k-means clusters of the data (Lucic et al. 2019).

    Args (besides GAN's; num_classes stays None: the generator takes z alone):
        generator: takes z (batch, latent_dim) whose first `clusters` coordinates are the code.
        discriminator: takes [images, labels] with `clusters` classes (a projection D).
        clusters: K >= 2 k-means clusters.
        components: principal components the images are clustered in.
        fit_images: at most this many images of the dataset are clustered.
        prior: omitted or {"distribution": "categorical_code", "categories": K} (its scale may differ).

    State (model variables, in checkpoints): the PCA mean and basis, the centroids, the clusters'
    frequencies and whether they are fitted.
    """

    default_prior = None

    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int, *, clusters: int = 20,
                 components: int = 50, fit_images: int = 10_000, prior: Any = None, **kwargs: Any):
        if isinstance(clusters, bool) or int(clusters) != clusters or clusters < 2:
            raise ValueError(f"clusters must be an integer >= 2, got {clusters!r}.")
        if prior is None:
            prior = {"distribution": "categorical_code", "categories": int(clusters)}
        if kwargs.get("num_classes") is not None:
            raise ValueError(f"A ClusteredGAN's generator takes no labels (num_classes must be None), got "
                             f"num_classes={kwargs['num_classes']!r}; its discriminator takes the clusters.")
        super().__init__(generator, discriminator, latent_dim, prior=prior, **kwargs)
        base = self.prior
        if base.distribution != "categorical_code" or base.categories != int(clusters):
            raise ValueError(f"A ClusteredGAN of {clusters} clusters needs the prior {{'distribution': "
                             f"'categorical_code', 'categories': {clusters}}}, got {base.get_config()!r}.")
        if len(discriminator.inputs) != 2:
            raise ValueError(f"A ClusteredGAN's discriminator takes [images, labels] (a projection D with "
                             f"num_classes={clusters}); {discriminator.name!r} takes one input.")
        if isinstance(fit_images, bool) or int(fit_images) != fit_images or fit_images < int(clusters):
            raise ValueError(f"fit_images must be an integer >= clusters ({clusters}), got {fit_images!r}.")
        self.clusters = int(clusters)
        self.components = int(components)
        self.fit_images = int(fit_images)
        self._base_prior = base
        height, width, channels = (int(d) for d in discriminator.inputs[0].shape[1:])
        self._pool = clustering.pool_factor(height)
        dims = (height // self._pool) * (width // self._pool) * channels
        rank = min(self.components, dims)
        self.cluster_mean = _state(np.zeros(dims), "cluster_mean")
        self.cluster_basis = _state(np.zeros((dims, rank)), "cluster_basis")
        self.cluster_centroids = _state(np.zeros((self.clusters, rank)), "cluster_centroids")
        self.cluster_frequencies = _state(np.full(self.clusters, 1.0 / self.clusters), "cluster_frequencies")
        self.clusters_fitted = _state(0.0, "clusters_fitted")

    def get_config(self) -> dict:
        config = {**super().get_config(), "clusters": self.clusters, "components": self.components,
                  "fit_images": self.fit_images}
        config["prior"] = self._base_prior.get_config()
        config.pop("num_classes")
        return config

    # --- the prior: the code drawn with the clusters' frequencies once they are fitted ----------

    @property
    def prior(self) -> LatentPrior:
        base = self.__dict__.get("_base_prior")
        if base is None:  # during GAN.__init__
            return self.__dict__.get("_prior")
        if not tf.executing_eagerly() or float(self.clusters_fitted.numpy()) == 0.0:
            return base
        shares = np.asarray(self.cluster_frequencies.numpy(), np.float64)
        return dataclasses.replace(base, probabilities=tuple(shares / shares.sum()))

    @prior.setter
    def prior(self, value: LatentPrior) -> None:
        self.__dict__["_prior"] = value

    # --- clusters --------------------------------------------------------------------------------

    @property
    def fitted(self) -> bool:
        return bool(float(self.clusters_fitted.numpy()))

    def fit_clusters(self, images: np.ndarray, seed: int = 0) -> clustering.KMeansFit:
        """k-means of `images` ((N, H, W, C) in [-1, 1], the discriminator's size) into the model."""
        images = np.asarray(images, np.float32)
        expected = tuple(int(d) for d in self.discriminator.inputs[0].shape[1:])
        if images.ndim != 4 or images.shape[1:] != expected:
            raise ValueError(f"Expected images of shape (N, {', '.join(map(str, expected))}) to cluster, got "
                             f"{images.shape}.")
        if len(images) < 2:
            raise ValueError(f"ClusteredGAN: {len(images)} image(s) cannot be clustered; expected at least 2.")
        count = min(self.clusters, len(images))
        if count < self.clusters:
            warn(f"ClusteredGAN: {len(images)} images for {self.clusters} clusters; fitting {count}, the other "
                 "clusters stay empty (never assigned, never drawn).")
        fit = clustering.fit_kmeans(images, count, self.components, seed=seed)
        # Fewer images than components give fewer components (the rest of the basis stays 0); empty
        # clusters are copies of centroid 0 (a tie, which argmin gives to index 0) with share 0.
        rank = fit.basis.shape[1]
        basis = np.zeros(self.cluster_basis.shape)
        basis[:, :rank] = fit.basis
        centroids = np.zeros(self.cluster_centroids.shape)
        centroids[:count, :rank] = fit.centroids
        centroids[count:, :rank] = fit.centroids[0]
        frequencies = np.zeros(self.clusters)
        frequencies[:count] = fit.frequencies
        self.cluster_mean.assign(fit.mean.astype(np.float32))
        self.cluster_basis.assign(basis.astype(np.float32))
        self.cluster_centroids.assign(centroids.astype(np.float32))
        self.cluster_frequencies.assign(frequencies.astype(np.float32))
        self.clusters_fitted.assign(1.0)
        return fit

    def prepare_training(self, dataset: Any, num_examples: Optional[int] = None) -> None:
        """Cluster up to `fit_images` images of `dataset` (batches of images or (images, labels))
        unless the clusters are fitted (a resumed run keeps its checkpoint's)."""
        if self.fitted:
            return
        wanted = min(self.fit_images, num_examples or self.fit_images)
        batches, count = [], 0
        for batch in dataset:
            images = batch[0] if isinstance(batch, (tuple, list)) else batch
            batches.append(np.asarray(images, np.float32))
            count += len(batches[-1])
            if count >= wanted:
                break
        if not batches:
            raise ValueError("ClusteredGAN: the dataset yielded no images to cluster.")
        images = np.concatenate(batches)[:wanted]
        self.fit_clusters(images, seed=0 if self.seed is None else int(self.seed))

    def fit(self, x: Any = None, *args: Any, **kwargs: Any) -> Any:
        """keras fit, after clustering the data when not done yet (`prepare_training`)."""
        if x is not None and not self.fitted:
            self.prepare_training(x)
        return super().fit(x, *args, **kwargs)

    def cluster_of(self, images: Tensor) -> Tensor:
        """The nearest centroid (int32) of each image, in the graph."""
        images = tf.cast(images, tf.float32)
        if self._pool > 1:
            images = tf.nn.avg_pool2d(images, self._pool, self._pool, "VALID")
        rows = tf.reshape(images, (tf.shape(images)[0], -1))
        points = tf.matmul(rows - self.cluster_mean, self.cluster_basis)
        distances = (tf.reduce_sum(tf.square(points), 1, keepdims=True) - 2.0 * tf.matmul(
            points, self.cluster_centroids, transpose_b=True) + tf.reduce_sum(tf.square(self.cluster_centroids), 1))
        return tf.argmin(distances, axis=1, output_type=tf.int32)

    def with_code(self, z: Tensor, clusters: Tensor) -> Tensor:
        """z with its code replaced by one_hot(clusters) (times the prior's scale)."""
        hot = self._base_prior.scale * tf.one_hot(clusters, self.clusters, dtype=z.dtype)
        return tf.concat([hot, z[:, self.clusters:]], axis=1)

    # --- hooks of the generic step ----------------------------------------------------------------

    def _unpack(self, data: Any) -> tuple[Tensor, Optional[Tensor]]:
        real, _ = super()._unpack(data)  # the dataset's own labels, if any, are not used
        return real, self.cluster_of(real)

    def generate_from(self, z: Tensor, labels: Optional[Tensor], training: bool, use_ema: bool = False) -> Tensor:
        """G(z), with z's code set to `labels` (the real batch's clusters) when given."""
        if labels is not None:
            z = self.with_code(z, labels)
        return super().generate_from(z, None, training, use_ema)

    def discriminate(self, samples: Tensor, labels: Optional[Tensor], training: bool = True) -> Tensor:
        if labels is None:
            labels = self.cluster_of(samples)
        return self.discriminator([samples, labels], training=training)

    def discriminate_with_features(self, samples: Tensor, labels: Optional[Tensor], training: bool = True):
        if labels is None:
            labels = self.cluster_of(samples)
        return self._feature_model([samples, labels], training=training)


__all__ = ["ClusteredGAN"]
