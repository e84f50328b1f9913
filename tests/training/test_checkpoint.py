"""Checkpoints: the whole training state round-trips, writes are atomic, the last K are kept,
non-finite states and mismatching models are refused."""
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import presets
from tfgan_zoo.data import sample_toy
from tfgan_zoo.training import checkpoint as ck


def toy_gan(width=8, seed=0, **overrides):
    config = presets.apply_overrides(presets.get_config("gan_toy"), {
        "generator.width": width, "discriminator.width": width, "model.seed": seed,
        "compile.ema_decay": 0.9, **overrides,
    })
    import keras

    keras.utils.set_random_seed(seed)
    return presets.build_gan(config)


def trained_toy_gan(steps=3, **kwargs):
    gan = toy_gan(**kwargs)
    data = tf.data.Dataset.from_tensor_slices(sample_toy("ring8", 16 * steps, seed=0)).batch(16)
    gan.fit(data, epochs=1, verbose=0)
    return gan


def values(gan):
    return {group: [np.array(v.numpy()) for v in variables] for group, variables in ck.state_variables(gan).items()}


def test_state_covers_weights_ema_seed_generator_and_optimizers():
    gan = toy_gan()
    groups = ck.state_variables(gan)
    model_ids = {id(v) for v in groups["model"]}
    assert id(gan.seed_generator.state) in model_ids
    assert all(id(v) in model_ids for v in gan.ema_generator.variables)
    assert all(id(v) in model_ids for v in gan.discriminator.variables)
    assert any(v is gan.g_optimizer.iterations for v in groups["g_optimizer"])
    assert any(v is gan.d_optimizer.iterations for v in groups["d_optimizer"])


def test_began_k_t_is_part_of_the_state():
    config = presets.apply_overrides(presets.get_config("began_mnist5k"), {
        "generator.width": 4, "discriminator.width": 4, "discriminator.hidden": 8})
    gan = presets.build_gan(config)
    assert any(v is gan.k_t for v in ck.state_variables(gan)["model"])


def test_save_then_restore_into_a_fresh_model_reproduces_every_variable(tmp_path):
    gan = trained_toy_gan(steps=3)
    path = ck.save_checkpoint(gan, tmp_path, step=3, extra={"batches_consumed": 3})
    assert path.name == "step_000003.npz"
    fresh = toy_gan(seed=1)  # other initial weights, untrained optimisers
    before = values(fresh)
    assert not np.allclose(before["model"][1], values(gan)["model"][1])
    meta = ck.restore_checkpoint(fresh, path)
    assert meta["step"] == 3 and meta["extra"] == {"batches_consumed": 3}
    expected, got = values(gan), values(fresh)
    for group in expected:
        assert len(expected[group]) == len(got[group])
        for a, b in zip(expected[group], got[group]):
            np.testing.assert_array_equal(a, b)
    assert int(fresh.g_optimizer.iterations.numpy()) == 3
    # The restored model continues exactly: same latents from the restored seed state.
    np.testing.assert_array_equal(gan.sample_latents(4).numpy(), fresh.sample_latents(4).numpy())


def test_keeps_the_last_k_and_leaves_no_temporary_files(tmp_path):
    gan = toy_gan()
    for step in (2, 4, 6, 8):
        ck.save_checkpoint(gan, tmp_path, step=step, keep=2)
    assert [step for step, _ in ck.list_checkpoints(tmp_path)] == [6, 8]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step_000006.npz", "step_000008.npz"]
    assert ck.latest_checkpoint(tmp_path).name == "step_000008.npz"


def test_a_half_written_temporary_is_not_a_checkpoint(tmp_path):
    gan = toy_gan()
    ck.save_checkpoint(gan, tmp_path, step=5)
    (tmp_path / ".step_000010.npz.tmp-1234").write_bytes(b"truncated")
    assert ck.latest_checkpoint(tmp_path).name == "step_000005.npz"
    ck.remove_stale_temporaries(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["step_000005.npz"]


def test_non_finite_state_is_refused_and_older_checkpoints_stay(tmp_path):
    gan = toy_gan()
    good = ck.save_checkpoint(gan, tmp_path, step=1)
    good_bytes = good.read_bytes()
    kernel = gan.discriminator.trainable_variables[0]
    kernel.assign(tf.fill(kernel.shape, float("nan")))
    with pytest.raises(ck.NonFiniteStateError, match=r"step 2: non-finite values in model:"):
        ck.save_checkpoint(gan, tmp_path, step=2, keep=1)
    assert [p.name for p in tmp_path.iterdir()] == ["step_000001.npz"]
    assert good.read_bytes() == good_bytes


def test_a_checkpoint_of_another_architecture_is_refused_without_changing_the_model(tmp_path):
    path = ck.save_checkpoint(toy_gan(width=8), tmp_path, step=1)
    other = toy_gan(width=16)
    before = values(other)
    with pytest.raises(ck.CheckpointError, match=r"does not match the model: model variable \d+ .*float32\[.*\] in the checkpoint"):
        ck.restore_checkpoint(other, path)
    for a, b in zip(before["model"], values(other)["model"]):
        np.testing.assert_array_equal(a, b)


def test_unreadable_or_missing_checkpoint(tmp_path):
    with pytest.raises(ck.CheckpointError, match="does not exist"):
        ck.read_checkpoint(tmp_path / "step_000001.npz")
    bad = tmp_path / "step_000002.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ck.CheckpointError, match="Could not read checkpoint"):
        ck.read_checkpoint(bad)
