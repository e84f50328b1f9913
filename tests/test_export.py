"""SavedModel export (tfgan_zoo/export.py): the serving signatures as saved_model_cli shows them, a
fresh process without tfgan_zoo serving TF Serving's REST bodies, in-graph input validation (also
through a Session the way TF Serving runs it), atomic writes and the model card."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import export as export_lib
from tfgan_zoo.export import ExportError, describe_generator, export_generator
from tfgan_zoo.pretrained import to_uint8
from tfgan_zoo.models import dcgan_discriminator, dcgan_generator, mlp_generator

LATENT, CLASSES, POINT_LATENT = 8, 3, 4
CLI = Path(sys.executable).with_name("saved_model_cli")
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
CARD = {"name": "tiny", "preset": "dcgan_mnist5k", "training_steps": 10, "data": "mnist5k",
        "data_license": "CC BY-SA 3.0", "metrics": {"fid": 123.4}}


def make_generators():
    keras.utils.set_random_seed(0)
    return {
        "uncond": dcgan_generator(LATENT, 28, 1, 4),
        "cond": dcgan_generator(LATENT, 28, 1, 4, num_classes=CLASSES),
        "mlp": mlp_generator(POINT_LATENT, width=8),
    }


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("exports")
    generators = make_generators()
    paths = {name: export_generator(g, root / name / "1", model_card=CARD) for name, g in generators.items()}
    return generators, paths


@pytest.fixture(scope="module")
def loaded(exported):
    return {name: tf.saved_model.load(str(path)) for name, path in exported[1].items()}


def signature_block(text: str, name: str) -> str:
    blocks = text.split("signature_def[")
    return next(b for b in blocks if b.startswith(f"'{name}']"))


def saved_model_cli_show(path: Path) -> str:
    result = subprocess.run([str(CLI), "show", "--dir", str(path), "--all"], capture_output=True, text=True,
                            env=ENV, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_saved_model_cli_shows_the_conditional_signatures(exported):
    text = saved_model_cli_show(exported[1]["cond"])
    serving = signature_block(text, "serving_default")
    assert "inputs['z'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, 8)" in serving
    assert "inputs['label'] tensor_info:\n        dtype: DT_INT32\n        shape: (-1)" in serving
    assert "outputs['images'] tensor_info:\n        dtype: DT_UINT8\n        shape: (-1, 28, 28, 1)" in serving
    assert "Method name is: tensorflow/serving/predict" in serving
    floats = signature_block(text, "float_images")
    assert "outputs['images'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, 28, 28, 1)" in floats
    assert "inputs['label']" in floats


def test_saved_model_cli_shows_float_points_for_a_point_generator(exported):
    text = saved_model_cli_show(exported[1]["mlp"])
    serving = signature_block(text, "serving_default")
    assert "inputs['z'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, 4)" in serving
    assert "outputs['points'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, 2)" in serving
    assert "label" not in serving and "DT_UINT8" not in serving
    assert "signature_def['float_images']" not in text


def test_unconditional_signature_has_only_z(loaded):
    signature = loaded["uncond"].signatures["serving_default"]
    inputs = signature.structured_input_signature[1]
    assert sorted(inputs) == ["z"] and inputs["z"].shape.as_list() == [None, LATENT]
    output = signature.structured_outputs["images"]
    assert output.dtype == tf.uint8 and output.shape.as_list() == [None, 28, 28, 1]
    assert [int(v.numpy()) for v in loaded["uncond"].tfgan_zoo_spec] == [LATENT, 0]
    assert [int(v.numpy()) for v in loaded["cond"].tfgan_zoo_spec] == [LATENT, CLASSES]


# A fresh interpreter that never imports tfgan_zoo: TF Serving's REST bodies, converted the way the
# server does (row format: per-instance dicts stacked along axis 0 per input name; columnar format:
# one array per input name), through the serving signature.
FRESH_SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    import tensorflow as tf

    def rows(body, spec):
        instances = body["instances"]
        return {name: tf.constant(np.stack([np.asarray(i[name]) for i in instances]), spec[name].dtype)
                for name in instances[0]}

    def columns(body, spec):
        return {name: tf.constant(np.asarray(value), spec[name].dtype) for name, value in body["inputs"].items()}

    job = json.load(open(sys.argv[1]))
    results = {}
    for name, item in job.items():
        model = tf.saved_model.load(item["path"])
        signature = model.signatures["serving_default"]
        spec = signature.structured_input_signature[1]
        for fmt, convert in (("rows", rows), ("columns", columns)):
            outputs = signature(**convert(item[fmt], spec))
            for key, value in outputs.items():
                results[f"{name}/{fmt}/{key}"] = value.numpy()
    np.savez(sys.argv[2], **results)
    print(json.dumps({"tfgan_zoo_imported": "tfgan_zoo" in sys.modules}))
""")


def test_fresh_process_without_tfgan_zoo_serves_rest_bodies(exported, tmp_path):
    generators, paths = exported
    rng = np.random.default_rng(1)
    job, expected = {}, {}
    for name, generator in generators.items():
        latent = generator.inputs[0].shape[1]
        z = rng.standard_normal((5, latent)).astype(np.float32)
        labels = np.array([0, 1, 2, 0, 2], np.int32)
        if name == "cond":
            out = np.asarray(generator([z, labels], training=False))
            row_body = {"instances": [{"z": zi.tolist(), "label": int(li)} for zi, li in zip(z, labels)]}
            column_body = {"inputs": {"z": z.tolist(), "label": labels.tolist()}}
        else:
            out = np.asarray(generator(z, training=False))
            row_body = {"instances": [{"z": zi.tolist()} for zi in z]}
            column_body = {"inputs": {"z": z.tolist()}}
        expected[name] = out if name == "mlp" else to_uint8(out)
        # the documented bodies are JSON: round-trip them through text
        job[name] = {"path": str(paths[name]), "rows": json.loads(json.dumps(row_body)),
                     "columns": json.loads(json.dumps(column_body))}
    (tmp_path / "job.json").write_text(json.dumps(job))
    result = subprocess.run([sys.executable, "-c", FRESH_SCRIPT, str(tmp_path / "job.json"), str(tmp_path / "out.npz")],
                            capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"tfgan_zoo_imported": False}
    with np.load(tmp_path / "out.npz") as served:
        assert sorted(served.files) == sorted(f"{n}/{f}/{k}" for n, k in
                                              (("uncond", "images"), ("cond", "images"), ("mlp", "points"))
                                              for f in ("rows", "columns"))
        for fmt in ("rows", "columns"):
            for name in ("uncond", "cond"):
                images = served[f"{name}/{fmt}/images"]
                assert images.dtype == np.uint8 and images.shape == (5, 28, 28, 1)
                difference = np.abs(images.astype(int) - expected[name].astype(int))
                assert difference.max() <= 1, (name, fmt)
            points = served[f"mlp/{fmt}/points"]
            assert points.dtype == np.float32 and points.shape == (5, 2)
            np.testing.assert_allclose(points, expected["mlp"], rtol=1e-5, atol=1e-6)


def test_float_signature_matches_the_generator(exported, loaded):
    generators, _ = exported
    z = np.random.default_rng(2).standard_normal((4, LATENT)).astype(np.float32)
    labels = np.array([2, 1, 0, 2], np.int32)
    floats = loaded["cond"].signatures["float_images"](z=tf.constant(z), label=tf.constant(labels))["images"]
    reference = np.asarray(generators["cond"]([z, labels], training=False))
    np.testing.assert_allclose(floats.numpy(), reference, atol=1e-6)
    assert floats.numpy().min() >= -1 and floats.numpy().max() <= 1
    uint8 = loaded["cond"].signatures["serving_default"](z=tf.constant(z), label=tf.constant(labels))["images"]
    np.testing.assert_array_equal(uint8.numpy(), to_uint8(floats.numpy()))
    other = loaded["cond"].signatures["float_images"](z=tf.constant(z), label=tf.constant([0, 0, 0, 0]))["images"]
    assert not np.allclose(other.numpy(), floats.numpy())  # the label input is used


BAD_INPUTS = [
    # (z shape, labels, expected message)
    ((2, 5), [0, 1], r"z must be a matrix of shape \(batch, 8\)"),
    ((2,), [0, 1], r"z must be a matrix of shape \(batch, 8\)"),
    ((2, 8, 1), [0, 1], r"\[2,8,1\] is not compatible with expected shape \[\?,8\]"),
    ((), [0, 1], r"z must be a matrix of shape \(batch, 8\)"),
    ((2, 8), [0, 3], r"label must be in \[0, 3\)"),
    ((2, 8), [-1, 0], r"label must be in \[0, 3\)"),
    ((2, 8), [0], r"label must have shape \(batch,\) with the batch size of z"),
    ((2, 8), 1, r"label must have shape \(batch,\) with the batch size of z"),
    ((2, 8), [[0], [1]], r"\[2,1\] is not compatible with expected shape \[\?\]"),
]


@pytest.mark.parametrize("z_shape, labels, message", BAD_INPUTS)
def test_bad_inputs_fail_inside_the_graph_with_clear_messages(loaded, z_shape, labels, message):
    signature = loaded["cond"].signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        signature(z=tf.zeros(z_shape), label=tf.constant(labels, tf.int32))


def test_non_finite_z_and_missing_label_fail(loaded):
    with pytest.raises(tf.errors.InvalidArgumentError, match="z must be finite"):
        loaded["uncond"].signatures["serving_default"](z=tf.fill([1, LATENT], np.nan))
    with pytest.raises(TypeError, match="label"):
        loaded["cond"].signatures["serving_default"](z=tf.zeros([1, LATENT]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"z must be a matrix of shape \(batch, 4\)"):
        loaded["mlp"].signatures["serving_default"](z=tf.zeros([3, 7]))


def test_checks_hold_in_a_session_fed_like_tf_serving(exported):
    """TF Serving runs the MetaGraph in a Session and feeds the signature's placeholders without any
    shape check; Grappler optimises with the static shapes. The in-graph checks must survive that."""
    from tensorflow.core.protobuf import config_pb2

    path = str(exported[1]["cond"])
    with tf.compat.v1.Session(graph=tf.Graph()) as session:
        meta_graph = tf.compat.v1.saved_model.loader.load(session, ["serve"], path)
        signature = meta_graph.signature_def["serving_default"]
        options = config_pb2.CallableOptions(feed=[signature.inputs["z"].name, signature.inputs["label"].name],
                                             fetch=[signature.outputs["images"].name])
        run = session._make_callable_from_options(options)
        images = run(np.zeros([2, LATENT], np.float32), np.array([0, 2], np.int32))[0]
        assert images.dtype == np.uint8 and images.shape == (2, 28, 28, 1)
        for z_shape, labels, message in BAD_INPUTS:
            with pytest.raises(tf.errors.InvalidArgumentError, match=message):
                run(np.zeros(z_shape, np.float32), np.array(labels, np.int32))


def test_model_card_and_readme(exported):
    path = exported[1]["cond"]
    assert sorted(p.name for p in path.iterdir()) == [
        "README.md", "assets", "fingerprint.pb", "model_card.json", "saved_model.pb", "variables"]
    card = json.loads((path / "model_card.json").read_text())
    assert {k: card[k] for k in CARD} == CARD
    interface = card["interface"]
    assert (interface["latent_dim"], interface["num_classes"], interface["output_kind"]) == (LATENT, CLASSES, "images")
    assert interface["output_shape"] == [28, 28, 1]
    serving = interface["signatures"]["serving_default"]
    assert serving["inputs"]["z"]["shape"] == [None, LATENT] and serving["inputs"]["label"]["dtype"] == "int32"
    assert serving["outputs"]["images"] == {"dtype": "uint8", "shape": [None, 28, 28, 1], "range": [0, 255],
                                            "description": "round((x + 1) * 127.5) clipped to [0, 255]"}
    assert interface["signatures"]["float_images"]["outputs"]["images"]["range"] == [-1.0, 1.0]
    assert card["exported"]["tensorflow"] == tf.__version__
    readme = (path / "README.md").read_text()
    for text in ("# tiny", "| Preset | dcgan_mnist5k |", "| Training steps | 10 |", "| Data licence | CC BY-SA 3.0 |",
                 "| fid | 123.4 |", "input `label`: int32 (batch)", "output `images`: uint8 (batch, 28, 28, 1)",
                 '"instances"', "labels in [0, 3)"):
        assert text in readme, text
    points_card = json.loads((exported[1]["mlp"] / "model_card.json").read_text())
    assert points_card["interface"]["output_kind"] == "points"
    assert list(points_card["interface"]["signatures"]) == ["serving_default"]


def test_describe_generator_infers_and_checks():
    generators = make_generators()
    spec = describe_generator(generators["cond"])
    assert (spec.latent_dim, spec.num_classes, spec.output_kind, spec.output_shape) == (LATENT, CLASSES, "images", (28, 28, 1))
    assert (spec.z_index, spec.label_index) == (0, 1)
    assert describe_generator(generators["mlp"]).output_kind == "points"
    with pytest.raises(ExportError, match="latent_dim=9 does not match the generator's z input of width 8"):
        describe_generator(generators["uncond"], latent_dim=9)
    with pytest.raises(ExportError, match="num_classes=5 does not match .* 3 classes"):
        describe_generator(generators["cond"], num_classes=5)
    with pytest.raises(ExportError, match="no labels input"):
        describe_generator(generators["uncond"], num_classes=3)
    z = keras.Input((LATENT,), name="z")
    flat = keras.Model(z, keras.layers.Reshape((2, 4))(z))
    with pytest.raises(ExportError, match=r"rank 4 .* or rank 2 .* got shape \(None, 2, 4\)"):
        describe_generator(flat)
    labels = keras.Input((), dtype="int32", name="labels")
    one_hot = keras.layers.Concatenate()([z, keras.layers.CategoryEncoding(4, output_mode="one_hot")(labels)])
    no_embedding = keras.Model([z, labels], keras.layers.Dense(2)(one_hot))
    with pytest.raises(ExportError, match="Cannot infer num_classes .* pass num_classes"):
        describe_generator(no_embedding)
    assert describe_generator(no_embedding, num_classes=4).num_classes == 4


def test_export_refuses_a_non_empty_directory_and_overwrites_on_request(tmp_path):
    generator = mlp_generator(POINT_LATENT, width=8)
    target = tmp_path / "model" / "1"
    target.mkdir(parents=True)
    (target / "keep.txt").write_text("precious")
    with pytest.raises(ExportError, match="non-empty directory; pass overwrite=True"):
        export_generator(generator, target)
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]
    export_generator(generator, target, overwrite=True, model_card={"name": "second"})
    assert not (target / "keep.txt").exists() and (target / "saved_model.pb").is_file()
    assert json.loads((target / "model_card.json").read_text())["name"] == "second"
    empty = tmp_path / "model" / "2"
    empty.mkdir()
    assert export_generator(generator, empty) == empty and (empty / "saved_model.pb").is_file()
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="exists and is not a directory"):
        export_generator(generator, tmp_path / "file", overwrite=True)
    # nothing temporary left beside the targets
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["1", "2"]


def test_a_failed_export_leaves_nothing(tmp_path, monkeypatch):
    generator = mlp_generator(POINT_LATENT, width=8)
    target = tmp_path / "model" / "1"
    with pytest.raises(ExportError, match="not JSON-serialisable"):
        export_generator(generator, target, model_card={"bad": object()})
    assert not target.exists()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_lib, "model_card_readme", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        export_generator(generator, target)
    assert not target.exists() and not (tmp_path / "model").exists()  # nor the folders made for it
    # an existing export survives a failed overwrite
    monkeypatch.undo()
    export_generator(generator, target, model_card={"name": "first"})
    monkeypatch.setattr(export_lib, "model_card_readme", broken)
    with pytest.raises(RuntimeError):
        export_generator(generator, target, overwrite=True, model_card={"name": "second"})
    assert json.loads((target / "model_card.json").read_text())["name"] == "first"
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["1"]


def test_a_gan_exports_its_ema_generator(tmp_path):
    from tfgan_zoo.training.gan import GAN

    keras.utils.set_random_seed(3)
    gan = GAN(dcgan_generator(LATENT, 28, 1, 4, num_classes=CLASSES),
              dcgan_discriminator(28, 1, 4, num_classes=CLASSES), latent_dim=LATENT, num_classes=CLASSES)
    gan.compile(ema_decay=0.9)
    project = gan.ema_generator.get_layer("project")
    project.kernel.assign(project.kernel * 0.0)  # EMA copy now differs from the generator
    path = export_generator(gan, tmp_path / "gan" / "1")
    model = tf.saved_model.load(str(path))
    z = np.random.default_rng(0).standard_normal((2, LATENT)).astype(np.float32)
    labels = np.array([0, 1], np.int32)
    out = model.signatures["float_images"](z=tf.constant(z), label=tf.constant(labels))["images"].numpy()
    np.testing.assert_allclose(out, np.asarray(gan.ema_generator([z, labels], training=False)), atol=1e-6)
    assert not np.allclose(out, np.asarray(gan.generator([z, labels], training=False)), atol=1e-3)
