"""Checkpoints: the whole training state round-trips, writes are atomic, the last K are kept,
non-finite states and mismatching models are refused, damaged files are detected on reading."""
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
    with pytest.raises(ck.DamagedCheckpointError, match="is damaged: not a readable .npz file"):
        ck.read_checkpoint(bad)


# --- damaged checkpoints: verified on reading, the newest intact one is used -----------------

def rewrite(path, mutate):
    """Rewrite a checkpoint with `mutate(arrays, meta)` applied (a valid zip, altered content)."""
    import json

    with np.load(path) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(str(arrays.pop("__meta__")))
    mutate(arrays, meta)
    arrays["__meta__"] = np.array(json.dumps(meta))
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip_one_value(arrays, meta):  # silent corruption: same shape and dtype, one weight changed
    key = next(k for k, a in arrays.items() if a.dtype == np.float32 and a.size > 1)
    arrays[key] = arrays[key].copy()
    arrays[key].flat[0] += 1.0


def reshape_one_array(arrays, meta):
    key = next(k for k, a in arrays.items() if a.ndim == 2)
    arrays[key] = arrays[key][:, :-1]


DAMAGE = {
    "truncated": (truncate, r"not a readable .npz file \(BadZipFile"),
    "zero bytes": (lambda path: path.write_bytes(b""), r"it is empty \(0 bytes\)"),
    "no meta record": (lambda path: np.savez(str(path), weights=np.zeros(3)), r"it has no __meta__ record"),
    "meta format": (lambda path: rewrite(path, lambda a, m: m.update(format=7)), r"its format is 7, expected 1"),
    "meta step": (lambda path: rewrite(path, lambda a, m: m.update(step=2)),
                  r"its meta says step 2 but the file name says step 4"),
    "bad array shape": (lambda path: rewrite(path, reshape_one_array), r"array model/\d+ is float32\[.*\] but its meta says float32"),
    "missing array": (lambda path: rewrite(path, lambda a, m: a.pop("model/0001")), r"arrays missing \['model/0001'\]"),
    "non-finite array": (lambda path: rewrite(path, lambda a, m: a["model/0001"].fill(np.nan)), r"non-finite values in model:"),
    "silent corruption": (lambda path: rewrite(path, flip_one_value), r"do not match the SHA-256 recorded"),
}


@pytest.fixture(scope="module")
def saved_checkpoints(tmp_path_factory):
    directory = tmp_path_factory.mktemp("intact")
    gan = trained_toy_gan(steps=2)
    for step in (2, 4):
        ck.save_checkpoint(gan, directory, step=step)
    return directory


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_checkpoint_is_detected_and_the_previous_one_used(saved_checkpoints, tmp_path, damage):
    import shutil

    for path in saved_checkpoints.iterdir():
        shutil.copy(path, tmp_path / path.name)
    newest = tmp_path / "step_000004.npz"
    corrupt, reason = DAMAGE[damage]
    corrupt(newest)
    damaged_bytes = newest.read_bytes()
    with pytest.raises(ck.DamagedCheckpointError, match=reason) as raised:
        ck.read_checkpoint(newest)
    assert raised.value.path == newest
    warnings = []
    assert ck.latest_intact_checkpoint(tmp_path, warn=warnings.append) == tmp_path / "step_000002.npz"
    assert len(warnings) == 1 and str(newest) in warnings[0] and "using the newest intact one, step_000002.npz" in warnings[0]
    assert newest.read_bytes() == damaged_bytes  # never deleted nor changed
    with pytest.raises(ck.CheckpointError):  # restoring it refuses, and leaves the model alone
        ck.restore_checkpoint(toy_gan(), newest)


def test_no_intact_checkpoint_is_one_error_naming_every_file(saved_checkpoints, tmp_path):
    import shutil

    for path in saved_checkpoints.iterdir():
        shutil.copy(path, tmp_path / path.name)
    truncate(tmp_path / "step_000004.npz")
    (tmp_path / "step_000002.npz").write_bytes(b"")
    with pytest.raises(ck.CheckpointError, match=r"No intact checkpoint in .*: every one is damaged: .*step_000004.npz' "
                                                 r"\(not a readable .npz file .*step_000002.npz' \(it is empty"):
        ck.latest_intact_checkpoint(tmp_path, warn=pytest.fail)
    assert ck.latest_intact_checkpoint(tmp_path / "none") is None  # no checkpoint at all is not an error


def test_a_checkpoint_without_a_checksum_still_loads(saved_checkpoints, tmp_path):
    import shutil

    old = tmp_path / "step_000004.npz"
    shutil.copy(saved_checkpoints / old.name, old)
    rewrite(old, lambda arrays, meta: meta.pop("sha256"))  # as written before the checksum existed
    gan = toy_gan(seed=3)
    assert ck.restore_checkpoint(gan, old)["step"] == 4
    arrays, _ = ck.read_checkpoint(saved_checkpoints / old.name)
    np.testing.assert_array_equal(values(gan)["model"][1], arrays["model/0001"])


def test_writing_a_step_again_moves_a_damaged_file_aside(saved_checkpoints, tmp_path):
    import shutil

    for path in saved_checkpoints.iterdir():
        shutil.copy(path, tmp_path / path.name)
    truncate(tmp_path / "step_000004.npz")
    damaged_bytes = (tmp_path / "step_000004.npz").read_bytes()
    ck.save_checkpoint(toy_gan(), tmp_path, step=4, keep=2)  # a run resumed from step 2 reaches step 4
    assert (tmp_path / "step_000004.npz.damaged").read_bytes() == damaged_bytes
    assert ck.read_checkpoint(tmp_path / "step_000004.npz")[1]["step"] == 4
    assert [step for step, _ in ck.list_checkpoints(tmp_path)] == [2, 4]
