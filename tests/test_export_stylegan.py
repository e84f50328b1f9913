"""SavedModel signatures of a style-based generator (tfgan_zoo/export_style.py): psi beside z,
the mix signature, the seeded sample signature with labels, fixed noise (outputs depend on the inputs only), served by a fresh process
that never imports tfgan_zoo; in-graph checks of psi and crossover."""
import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.export import export_generator
from tfgan_zoo.export_seeded import seeded_latents
from tfgan_zoo.latent import as_prior
from tfgan_zoo.layers import NoiseInjection
from tfgan_zoo.models.stylegan import nested_layers, style_parts, stylegan_generator
from tfgan_zoo.pretrained import load_generator, to_uint8

LATENT, CLASSES, LAYERS = 8, 3, 4  # 8 px: 4 style layers
SEEDS, TRUNCATIONS = np.array([7, 8, 9, 7], np.int64), np.array([0.0, 1.0, 0.0, 0.0], np.float32)
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    keras.utils.set_random_seed(0)
    generator = stylegan_generator(latent_dim=LATENT, resolution=8, channels=1, fmap_base=16, fmap_max=8,
                                   mapping_layers=2, num_classes=CLASSES, noise_seed=0)
    parts = style_parts(generator)
    parts.w_average.w_avg.assign(np.linspace(-1, 1, LATENT).astype(np.float32))
    for layer in nested_layers(parts.synthesis):  # noise that changes the output, so "fixed" matters
        if isinstance(layer, NoiseInjection):
            layer.weight.assign(np.full(layer.weight.shape, 0.5, np.float32))
    path = export_generator(generator, tmp_path_factory.mktemp("style") / "1", model_card={"name": "tiny style"})
    return generator, path


@pytest.fixture(scope="module")
def loaded(exported):
    return tf.saved_model.load(str(exported[1]))


def reference(generator, z, labels, psi, z_fine=None, crossover=None):
    parts = style_parts(generator)
    w = parts.map(z, labels)
    w_fine = None if z_fine is None else parts.map(z_fine, labels)
    return parts.synthesize(parts.styles(w, w_fine, crossover, psi), noise="fixed").numpy()


FRESH_SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    import tensorflow as tf

    job = json.load(open(sys.argv[1]))
    model = tf.saved_model.load(job["path"])
    results = {"signatures": sorted(model.signatures)}
    arrays = {}
    for name, body in job["requests"].items():
        signature = model.signatures[body["signature"]]
        spec = signature.structured_input_signature[1]
        rows = body["instances"]   # the REST row format: stack each input over the instances
        feeds = {key: tf.constant(np.stack([np.asarray(r[key]) for r in rows]), spec[key].dtype) for key in rows[0]}
        first, second = signature(**feeds)["images"].numpy(), signature(**feeds)["images"].numpy()
        arrays[name] = first
        results[name + "_deterministic"] = bool(np.array_equal(first, second))
        results[name + "_inputs"] = sorted(spec)
    np.savez(sys.argv[2], **arrays)
    results["tfgan_zoo_imported"] = "tfgan_zoo" in sys.modules
    print(json.dumps(results))
""")


def test_a_fresh_process_serves_psi_and_mix(exported, tmp_path):
    generator, path = exported
    rng = np.random.default_rng(1)
    z, z_fine = rng.standard_normal((4, LATENT)).astype(np.float32), rng.standard_normal((4, LATENT)).astype(np.float32)
    labels = np.array([0, 1, 2, 0], np.int32)
    psi = np.array([1.0, 0.7, 0.5, 0.0], np.float32)
    crossover = np.array([0, 1, 2, LAYERS], np.int32)
    requests = {
        "psi": {"signature": "serving_default", "instances": [
            {"z": a.tolist(), "label": int(b), "psi": float(c)} for a, b, c in zip(z, labels, psi)]},
        "floats": {"signature": "float_images", "instances": [
            {"z": a.tolist(), "label": int(b), "psi": 1.0} for a, b in zip(z, labels)]},
        "mix": {"signature": "mix", "instances": [
            {"z_coarse": a.tolist(), "z_fine": f.tolist(), "crossover": int(k), "label": int(b), "psi": 1.0}
            for a, f, k, b in zip(z, z_fine, crossover, labels)]},
        "psi0": {"signature": "serving_default", "instances": [
            {"z": a.tolist(), "label": 1, "psi": 0.0} for a in z]},
        "sample": {"signature": "sample", "instances": [
            {"seed": int(s), "truncation": float(t), "label": int(b), "psi": float(c)}
            for s, t, b, c in zip(SEEDS, TRUNCATIONS, labels, psi)]},
    }
    (tmp_path / "job.json").write_text(json.dumps({"path": str(path), "requests": requests}))
    result = subprocess.run([sys.executable, "-c", FRESH_SCRIPT, str(tmp_path / "job.json"), str(tmp_path / "out.npz")],
                            capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["tfgan_zoo_imported"] is False
    assert report["signatures"] == ["float_images", "mix", "sample", "serving_default"]
    assert report["psi_inputs"] == ["label", "psi", "z"]
    assert report["sample_inputs"] == ["label", "psi", "seed", "truncation"]
    assert report["mix_inputs"] == ["crossover", "label", "psi", "z_coarse", "z_fine"]
    assert all(report[f"{name}_deterministic"] for name in requests)  # fixed noise buffers
    with np.load(tmp_path / "out.npz") as served:
        expected = to_uint8(reference(generator, z, labels, psi))
        assert np.abs(served["psi"].astype(int) - expected.astype(int)).max() <= 1
        np.testing.assert_allclose(served["floats"], reference(generator, z, labels, None), rtol=1e-5, atol=1e-5)
        mixed = to_uint8(reference(generator, z, labels, None, z_fine, crossover))
        assert np.abs(served["mix"].astype(int) - mixed.astype(int)).max() <= 1
        # crossover 0: all of z_fine; crossover = all layers: all of z_coarse
        assert np.abs(served["mix"][0].astype(int) - to_uint8(reference(generator, z_fine, labels, None))[0]).max() <= 1
        assert np.abs(served["mix"][3].astype(int) - to_uint8(reference(generator, z, labels, None))[3]).max() <= 1
        psi0 = served["psi0"].astype(int)
        assert np.abs(psi0 - psi0[:1]).max() <= 1  # w_avg for every z (same label)
        # sample: the seeds' latents (TF's stateless draws), then the labels and psi as serving_default
        seeded = seeded_latents(tf.constant(SEEDS), tf.constant(TRUNCATIONS), LATENT, as_prior("normal")).numpy()
        assert np.abs(seeded[1]).max() <= TRUNCATIONS[1]
        expected = to_uint8(reference(generator, seeded, labels, psi))
        assert np.abs(served["sample"].astype(int) - expected.astype(int)).max() <= 1
        assert np.abs(served["sample"][0].astype(int) - served["sample"][3].astype(int)).max() > 1  # psi 1 vs 0


BAD = [
    ("serving_default", {"psi": [1.5, 0.5]}, r"psi must be in \[0, 1\]"),
    ("serving_default", {"psi": [float("nan"), 0.5]}, r"psi must be in \[0, 1\]"),
    ("serving_default", {"psi": [0.5]}, r"psi must have shape \(batch,\) with the batch size of z"),
    ("mix", {"crossover": [1, LAYERS + 1]}, r"crossover must be in \[0, 4\]"),
    ("mix", {"crossover": [-1, 0]}, r"crossover must be in \[0, 4\]"),
    ("mix", {"z_fine": np.zeros((2, 5), np.float32)}, r"z_fine must be a matrix of shape \(batch, 8\)"),
    ("serving_default", {"label": [0, CLASSES]}, r"label must be in \[0, 3\)"),
    ("sample", {"label": [-1, 0]}, r"label must be in \[0, 3\)"),
    ("sample", {"psi": [0.5, 2.0]}, r"psi must be in \[0, 1\]"),
]


@pytest.mark.parametrize("name, change, message", BAD)
def test_bad_psi_crossover_and_label_fail_in_the_graph(loaded, name, change, message):
    feeds = {"label": [0, 1], "psi": [1.0, 1.0]}
    feeds.update({"z": np.zeros((2, LATENT), np.float32)} if name == "serving_default" else
                 {"seed": [1, 2], "truncation": [0.0, 0.0]} if name == "sample" else
                 {"z_coarse": np.zeros((2, LATENT), np.float32), "z_fine": np.zeros((2, LATENT), np.float32),
                  "crossover": [1, 2]})
    feeds.update(change)
    spec = loaded.signatures[name].structured_input_signature[1]
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        loaded.signatures[name](**{k: tf.constant(v, spec[k].dtype) for k, v in feeds.items()})


def test_card_and_load_generator(exported):
    generator, path = exported
    card = json.loads((path / "model_card.json").read_text())
    signatures = card["interface"]["signatures"]
    assert sorted(signatures["serving_default"]["inputs"]) == ["label", "psi", "z"]
    assert sorted(signatures["mix"]["inputs"]) == ["crossover", "label", "psi", "z_coarse", "z_fine"]
    assert sorted(signatures["sample"]["inputs"]) == ["label", "psi", "seed", "truncation"]
    assert "psi=tf.ones([16])" in (path / "README.md").read_text()
    g = load_generator(str(path))  # the untruncated float signature, psi = 1
    z = np.random.default_rng(3).standard_normal((3, LATENT)).astype(np.float32)
    np.testing.assert_allclose(g(z, [0, 1, 2]), reference(generator, z, np.array([0, 1, 2], np.int32), None),
                               rtol=1e-5, atol=1e-5)
