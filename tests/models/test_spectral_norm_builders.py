"""Builders with spectral_norm=True wrap every weight layer, the projection embedding included, in
the zoo's SpectralNormalization (never Keras's)."""
import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.layers import SpectralNormalization
from tfgan_zoo.models import dcgan_discriminator, mlp_discriminator

WEIGHT_LAYERS = (keras.layers.Dense, keras.layers.Conv2D, keras.layers.Embedding)


def check_wrapped(model):
    wrapped = [layer for layer in model.layers if isinstance(layer, SpectralNormalization)]
    bare = [layer for layer in model.layers if isinstance(layer, WEIGHT_LAYERS)]
    assert wrapped and not bare
    assert not [layer for layer in model.layers if isinstance(layer, keras.layers.SpectralNormalization)]
    return wrapped


def test_conditional_sngan_discriminator_normalises_the_projection_embedding():
    keras.utils.set_random_seed(0)
    model = dcgan_discriminator(28, 1, 4, normalization_kind=None, spectral_norm=True, num_classes=10,
                                architecture="sngan")
    wrapped = check_wrapped(model)
    embedding = next(layer for layer in wrapped if isinstance(layer.layer, keras.layers.Embedding))
    images = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    labels = np.array([0, 3, 3, 9], dtype="int32")
    with tf.GradientTape() as tape:
        logits = model([images, labels], training=True)
    grad = tf.convert_to_tensor(tape.gradient(logits, embedding.layer.embeddings.value)).numpy()
    # the classes in the batch get a gradient, the sigma term reaches the others (eq. 12)
    assert np.all(np.abs(grad[[0, 3, 9]]).sum(axis=1) > 0)
    assert np.abs(grad[[1, 2]]).sum() > 0


def test_mlp_discriminator_wraps_every_dense_layer():
    model = mlp_discriminator(2, 8, spectral_norm=True)
    assert len(check_wrapped(model)) == 3
