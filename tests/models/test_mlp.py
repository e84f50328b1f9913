"""MLP toy networks: the kernel initialiser option (the unrolled-GAN reference code's orthogonal
initialisation, gain 1.4) and its error message."""
import numpy as np
import pytest

from tfgan_zoo.models import mlp_discriminator, mlp_generator

ORTHOGONAL = {"class_name": "Orthogonal", "config": {"gain": 1.4}}


def test_orthogonal_initialiser_gives_kernels_with_gain_scaled_orthonormal_columns():
    generator = mlp_generator(16, 2, width=8, depth=2, kernel_initializer=ORTHOGONAL)
    discriminator = mlp_discriminator(2, width=8, depth=2, kernel_initializer=ORTHOGONAL)
    kernels = [layer.kernel.numpy() for model in (generator, discriminator)
               for layer in model.layers if hasattr(layer, "kernel")]
    assert len(kernels) == 6
    for kernel in kernels:
        rows, cols = kernel.shape
        # Orthogonal columns when rows >= cols, orthogonal rows otherwise; each of norm gain.
        gram = kernel.T @ kernel if rows >= cols else kernel @ kernel.T
        np.testing.assert_allclose(gram, 1.4**2 * np.eye(min(rows, cols)), atol=1e-5)


def test_default_initialiser_is_glorot_uniform():
    kernel = mlp_generator(16, 2, width=8).get_layer("dense_0").kernel.numpy()
    limit = np.sqrt(6.0 / (16 + 8))
    assert np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.8 * limit  # uniform over the whole range, not a narrower one


def test_unknown_initialiser_is_rejected_with_its_name():
    with pytest.raises(ValueError, match="kernel_initializer must be a Keras initializer name or config, got 'orthogonl'"):
        mlp_generator(16, 2, kernel_initializer="orthogonl")
