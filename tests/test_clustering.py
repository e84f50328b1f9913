"""k-means of images (the pseudo-labels of ClusteredGAN): closed forms and recovered blobs."""
import numpy as np
import pytest

from tfgan_zoo import clustering as C


def blob_images(per_blob=40, seed=0):
    """Three kinds of 4x4 images: a bright left half, a bright top half, a bright centre, plus noise."""
    rng = np.random.default_rng(seed)
    templates = -np.ones((3, 4, 4, 1))
    templates[0, :, :2] = 1.0
    templates[1, :2, :] = 1.0
    templates[2, 1:3, 1:3] = 1.0
    kinds = np.repeat(np.arange(3), per_blob)
    images = templates[kinds] + 0.1 * rng.normal(size=(len(kinds), 4, 4, 1))
    return images.astype("float32"), kinds


def test_lloyd_on_two_pairs_is_closed_form():
    points = np.array([[0.0], [1.0], [10.0], [11.0]])
    centroids, assignments, inertia = C.lloyd(points, np.array([[0.0], [1.0]]), 100)
    np.testing.assert_allclose(np.sort(centroids[:, 0]), [0.5, 10.5])
    assert inertia == pytest.approx(4 * 0.25)
    assert assignments[0] == assignments[1] != assignments[2] == assignments[3]


def test_squared_distances_match_the_direct_formula():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(7, 5)), rng.normal(size=(3, 5))
    np.testing.assert_allclose(C.squared_distances(a, b), ((a[:, None] - b[None]) ** 2).sum(-1), atol=1e-12)


def test_kmeans_recovers_three_blobs_with_their_frequencies():
    images, kinds = blob_images()
    images, kinds = images[:100], kinds[:100]  # 40, 40, 20 images
    fit = C.fit_kmeans(images, 3, components=5, seed=0)
    assigned = fit.assign(C.features(images, fit.pool))
    for kind in range(3):  # each kind is exactly one cluster
        assert len(set(assigned[kinds == kind])) == 1
    assert len(set(assigned)) == 3
    np.testing.assert_allclose(np.sort(fit.frequencies), [0.2, 0.4, 0.4])
    assert fit.basis.shape == (16, 5) and fit.centroids.shape == (3, 5)
    again = C.fit_kmeans(images, 3, components=5, seed=0)  # deterministic for a seed
    np.testing.assert_array_equal(again.centroids, fit.centroids)


def test_pooling_of_large_images():
    assert [C.pool_factor(s) for s in (28, 32, 64, 128, 48)] == [1, 1, 2, 4, 2]
    images = np.arange(2 * 4 * 4 * 1, dtype="float64").reshape(2, 4, 4, 1)
    pooled = C.features(images, 2)
    np.testing.assert_allclose(pooled[0], [images[0, :2, :2].mean(), images[0, :2, 2:].mean(),
                                           images[0, 2:, :2].mean(), images[0, 2:, 2:].mean()])


def test_bad_input_is_refused_with_one_line():
    images, _ = blob_images(2)
    with pytest.raises(ValueError, match=r"clusters must be an integer in \[2, 6\].*got 7"):
        C.fit_kmeans(images, 7)
    with pytest.raises(ValueError, match=r"Expected images of shape \(N, H, W, C\), got shape \(6, 16\)"):
        C.fit_kmeans(images.reshape(6, 16), 2)
