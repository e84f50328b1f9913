"""Every loss family, both sides, against values computed by hand from the paper formulas."""
import math

import numpy as np
import pytest

from tfgan_zoo import losses

REAL = [2.0, -1.0, 0.5]
FAKE = [0.5, -2.0, 1.5]


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def mean(values):
    return sum(values) / len(values)


def bce(target, logit):
    p = sigmoid(logit)
    return -(target * math.log(p) + (1 - target) * math.log(1 - p))


def value(fn):
    return float(fn(np.array(REAL, "float32"), np.array(FAKE, "float32")))


CASES = {
    # name, params -> (expected generator loss, expected discriminator loss)
    ("minimax", ()): (
        mean([math.log(1 - sigmoid(f)) for f in FAKE]),
        mean([-math.log(sigmoid(r)) for r in REAL]) + mean([-math.log(1 - sigmoid(f)) for f in FAKE]),
    ),
    ("nonsaturating", ()): (
        mean([-math.log(sigmoid(f)) for f in FAKE]),
        mean([-math.log(sigmoid(r)) for r in REAL]) + mean([-math.log(1 - sigmoid(f)) for f in FAKE]),
    ),
    ("one_sided_label_smoothing", ()): (
        mean([-math.log(sigmoid(f)) for f in FAKE]),
        mean([bce(0.9, r) for r in REAL]) + mean([bce(0.0, f) for f in FAKE]),
    ),
    ("one_sided_label_smoothing", (("alpha", 0.8),)): (
        mean([-math.log(sigmoid(f)) for f in FAKE]),
        mean([bce(0.8, r) for r in REAL]) + mean([bce(0.0, f) for f in FAKE]),
    ),
    ("two_sided_label_smoothing", ()): (
        mean([-math.log(sigmoid(f)) for f in FAKE]),
        mean([bce(0.9, r) for r in REAL]) + mean([bce(0.1, f) for f in FAKE]),
    ),
    ("least_squares", ()): (
        0.5 * mean([(f - 0.0) ** 2 for f in FAKE]),
        0.5 * mean([(r - 1.0) ** 2 for r in REAL]) + 0.5 * mean([(f + 1.0) ** 2 for f in FAKE]),
    ),
    ("least_squares", (("a", 0.0), ("b", 1.0), ("c", 1.0))): (
        0.5 * mean([(f - 1.0) ** 2 for f in FAKE]),
        0.5 * mean([(r - 1.0) ** 2 for r in REAL]) + 0.5 * mean([f ** 2 for f in FAKE]),
    ),
    ("wasserstein", ()): (-mean(FAKE), mean(FAKE) - mean(REAL)),
    ("hinge", ()): (
        -mean(FAKE),
        mean([max(0.0, 1 - r) for r in REAL]) + mean([max(0.0, 1 + f) for f in FAKE]),
    ),
}


@pytest.mark.parametrize("key", list(CASES), ids=lambda k: k[0] + "".join(f"-{a}{b}" for a, b in k[1]))
def test_loss_values_match_hand_computation(key):
    name, params = key
    expected_g, expected_d = CASES[key]
    generator_loss, discriminator_loss = losses.get(name, **dict(params))
    assert value(generator_loss) == pytest.approx(expected_g, rel=1e-6, abs=1e-6)
    assert value(discriminator_loss) == pytest.approx(expected_d, rel=1e-6, abs=1e-6)


def test_hand_values_are_not_trivial():
    # guard against a table of zeros: the families really differ on these logits
    values = {key: CASES[key] for key in CASES}
    assert len({round(v[1], 6) for v in values.values()}) >= 7


def test_every_registered_name_is_tested():
    assert {name for name, _ in CASES} == set(losses.names())


def test_losses_accept_column_logits_and_return_scalars():
    real = np.array(REAL, "float32")[:, None]
    fake = np.array(FAKE, "float32")[:, None]
    for name in losses.names():
        g, d = losses.get(name)
        assert g(real, fake).shape == () and d(real, fake).shape == ()
        assert float(d(real, fake)) == pytest.approx(value(losses.get(name)[1]), rel=1e-6)


def test_saturating_generator_gradient_vanishes_when_discriminator_wins():
    # Goodfellow 2014 sec. 3: for D(G(z)) -> 0 the minimax gradient saturates, the
    # non-saturating one does not.
    import tensorflow as tf

    fake = tf.Variable([-8.0])
    for name, small in (("minimax", True), ("nonsaturating", False)):
        g, _ = losses.get(name)
        with tf.GradientTape() as tape:
            loss = g(None, fake)
        gradient = abs(float(tape.gradient(loss, fake)[0]))
        assert (gradient < 1e-3) == small, (name, gradient)


def test_feature_matching_loss():
    real = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")  # mean (2, 3)
    fake = np.array([[0.0, 0.0], [2.0, 2.0]], "float32")  # mean (1, 1)
    assert float(losses.feature_matching_loss(real, fake)) == pytest.approx(1.0 + 4.0)


def test_unknown_loss_name_lists_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown loss 'hinj'.*'hinge'.*Did you mean 'hinge'"):
        losses.get("hinj")


def test_bad_loss_parameter_is_named():
    with pytest.raises(ValueError, match="alpa"):
        losses.get("one_sided_label_smoothing", alpa=0.9)
