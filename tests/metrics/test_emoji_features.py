"""The shipped emoji-group classifier: the colour feature space of FID / KID on emoji."""
import numpy as np
import pytest

from tfgan_zoo.data import load_emoji
from tfgan_zoo.metrics import EMOJI_CLASSIFIER_HELDOUT_ACCURACY, EMOJI_REAL_FLOORS, fid_from_features
from tfgan_zoo.metrics.features import EmojiFeatures, get_feature_extractor


@pytest.fixture(scope="module")
def emoji():
    return EmojiFeatures()


def test_heldout_accuracy_is_the_stated_one(emoji):
    images, labels = load_emoji(32, "heldout")
    predicted = emoji.predict_labels(images)
    assert np.mean(predicted == labels) == pytest.approx(EMOJI_CLASSIFIER_HELDOUT_ACCURACY, abs=1e-4)
    assert EMOJI_CLASSIFIER_HELDOUT_ACCURACY > 0.6  # 9 groups: chance is 1/9, the largest group 19%
    probabilities = emoji.predict_probabilities(images[:10])
    assert probabilities.shape == (10, 9)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert get_feature_extractor("emoji").name == "emoji"


def test_32_and_64_px_give_the_same_features(emoji):
    # 64 px is resized to the classifier's 32 (bilinear by 2 = the 2x2 mean, which is emoji32 up
    # to rounding), so both resolutions share one feature space and one floor
    small, big = load_emoji(32, "heldout")[0], load_emoji(64, "heldout")[0]
    f32, f64 = emoji.features(small), emoji.features(big)
    assert f32.shape == (372, 128)
    assert np.abs(f32 - f64).max() < 0.05 * np.abs(f32).max()
    assert np.mean(emoji.predict_labels(small) == emoji.predict_labels(big)) > 0.99
    assert EMOJI_REAL_FLOORS["emoji64:heldout"]["fid"] == pytest.approx(
        EMOJI_REAL_FLOORS["emoji32:heldout"]["fid"], rel=0.01)


def test_the_feature_space_sees_colour_and_structure(emoji):
    heldout = emoji.features(load_emoji(32, "heldout")[0])
    train = load_emoji(32, "train")[0]
    floor = EMOJI_REAL_FLOORS["emoji32:heldout"]["fid"]
    grey = np.repeat(train.mean(axis=-1, keepdims=True), 3, axis=-1).astype(np.uint8)
    noise = np.random.default_rng(0).uniform(-1, 1, (500, 32, 32, 3)).astype(np.float32)
    assert fid_from_features(heldout, emoji.features(grey)) > 20 * floor  # the same emoji without colour
    assert fid_from_features(heldout, emoji.features(noise)) > 100 * floor
