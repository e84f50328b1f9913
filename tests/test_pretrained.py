"""load_generator (tfgan_zoo/pretrained.py): SavedModel, .keras, run and TF Serving directories;
the saved-models index; URLs checked by sha256 (served offline through file:// URLs); clear errors
for damaged or missing models; the latent prior from the model card; and the `export` /
sample-from-model commands (tfgan_zoo/cli/export.py, cli/sample.py)."""
import hashlib
import json
import shutil
import tarfile
from pathlib import Path

import keras
import numpy as np
import pytest

from tfgan_zoo import cli
from tfgan_zoo.cli.sample import sample_from_model
from tfgan_zoo.errors import InputError
from tfgan_zoo.export import export_generator, export_run
from tfgan_zoo.latent import LatentPrior
from tfgan_zoo.models import dcgan_generator, mlp_generator
from tfgan_zoo.pretrained import (
    ENV_SAVED_MODELS, GeneratorLoadError, PretrainedGenerator, list_pretrained, load_generator, read_index, to_uint8,
)

LATENT, CLASSES = 8, 3
RUN_CONFIG = {"data": "mnist5k", "training": {"steps": 10, "batch_size": 4},
              "run": {"preset": "dcgan_mnist5k", "seed": 0, "overrides": {}}}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("pretrained")
    keras.utils.set_random_seed(0)
    cond = dcgan_generator(LATENT, 28, 1, 4, num_classes=CLASSES)
    points = mlp_generator(4, width=8)
    cond_dir = export_generator(cond, root / "serving" / "cond" / "1", model_card={"preset": "dcgan_mnist5k"})
    points_dir = export_generator(points, root / "points" / "1")
    cond.save(root / "cond.keras")
    run = root / "run"
    run.mkdir()
    cond.save(run / "generator.keras")
    (run / "config.json").write_text(json.dumps(RUN_CONFIG))
    (run / "eval.json").write_text(json.dumps({"fid": 42.5, "classes": {"covered": 3}, "run": str(run),
                                               "seconds": 1.0, "step": 10}))
    archive = root / "cond.tar.gz"
    with tarfile.open(archive, "w:gz") as handle:
        handle.add(cond_dir, arcname="cond")
    return {"root": root, "cond": cond, "points": points, "cond_dir": cond_dir, "points_dir": points_dir,
            "keras": root / "cond.keras", "run": run, "archive": archive}


def reference(model, z, labels=None):
    return np.asarray(model(z if labels is None else [z, labels], training=False))


def test_saved_model_directory_loads_and_matches_the_keras_generator(models):
    g = load_generator(str(models["cond_dir"]))
    assert isinstance(g, PretrainedGenerator) and g.format == "saved_model"
    assert (g.latent_dim, g.num_classes, g.output_kind, g.output_shape) == (LATENT, CLASSES, "images", (28, 28, 1))
    assert g.card["preset"] == "dcgan_mnist5k" and g.card["interface"]["num_classes"] == CLASSES
    z = np.random.default_rng(0).standard_normal((5, LATENT)).astype(np.float32)
    labels = np.array([0, 1, 2, 1, 0])
    images = g(z, labels)
    assert images.dtype == np.float32 and images.shape == (5, 28, 28, 1)
    np.testing.assert_allclose(images, reference(models["cond"], z, labels.astype("int32")), atol=1e-6)
    # default labels: class i % num_classes, as GAN.generate
    np.testing.assert_allclose(g(z), g(z, np.arange(5) % CLASSES))
    np.testing.assert_allclose(g(z, 2), g(z, [2] * 5))
    # seeded sampling: numpy's default_rng(seed), the same latents as GAN.generate
    samples = g.generate(5, seed=7, labels=1)
    expected_z = np.random.default_rng(7).standard_normal((5, LATENT)).astype(np.float32)
    np.testing.assert_allclose(samples, g(expected_z, 1))
    np.testing.assert_array_equal(g.generate_uint8(5, seed=7, labels=1), to_uint8(samples))
    assert g.generate_uint8(2, seed=0).dtype == np.uint8
    # a batch larger than the internal batch size
    g.batch_size = 2
    np.testing.assert_allclose(g(z, labels), images, atol=1e-6)


def test_bad_sampling_arguments_name_the_value(models):
    g = load_generator(models["cond_dir"])
    z = np.zeros((2, LATENT), np.float32)
    with pytest.raises(ValueError, match=r"label must be in \[0, 3\), got 3"):
        g(z, [0, 3])
    with pytest.raises(ValueError, match=r"Expected latents z of shape \(n, 8\), got shape \(2, 5\)"):
        g(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"Expected one label or 2 labels, got shape \(3,\)"):
        g(z, [0, 1, 2])
    with pytest.raises(ValueError, match="positive number of samples"):
        g.generate(0)
    points = load_generator(models["points_dir"])
    with pytest.raises(ValueError, match="unconditional"):
        points(np.zeros((1, 4)), labels=0)
    with pytest.raises(ValueError, match="needs an image generator; this one outputs points"):
        points.generate_uint8(2)


def test_point_generator(models):
    g = load_generator(models["points_dir"])
    assert (g.output_kind, g.num_classes, g.latent_dim, g.output_shape) == ("points", None, 4, (2,))
    z = np.random.default_rng(1).standard_normal((6, 4)).astype(np.float32)
    np.testing.assert_allclose(g(z), reference(models["points"], z), rtol=1e-5, atol=1e-6)


def test_keras_file_run_directory_and_serving_base_directory(models):
    z = np.random.default_rng(2).standard_normal((3, LATENT)).astype(np.float32)
    labels = np.array([2, 0, 1])
    expected = reference(models["cond"], z, labels.astype("int32"))
    from_file = load_generator(models["keras"])
    assert from_file.format == "keras" and from_file.num_classes == CLASSES and from_file.card == {}
    np.testing.assert_allclose(from_file(z, labels), expected, atol=1e-6)
    from_run = load_generator(str(models["run"]))
    assert from_run.format == "keras"
    assert from_run.card["preset"] == "dcgan_mnist5k" and from_run.card["metrics"]["fid"] == 42.5
    np.testing.assert_allclose(from_run(z, labels), expected, atol=1e-6)
    base = models["cond_dir"].parent  # serving/cond: the highest numeric version folder is loaded
    from_base = load_generator(base)
    assert from_base.source == str(models["cond_dir"])
    np.testing.assert_allclose(from_base(z, labels), expected, atol=1e-6)
    # sha256 of a local .keras file is checked when given
    assert load_generator(str(models["keras"]), sha256=sha256(models["keras"])).latent_dim == LATENT
    with pytest.raises(GeneratorLoadError, match="has sha256 .* expected 0{64}"):
        load_generator(str(models["keras"]), sha256="0" * 64)


def test_keras_files_load_in_safe_mode(tmp_path):
    z = keras.Input((4,), name="z")
    unsafe = keras.Model(z, keras.layers.Lambda(lambda t: t * 2.0)(z))
    unsafe.save(tmp_path / "unsafe.keras")
    with pytest.raises(GeneratorLoadError, match="Could not load the Keras model .*unsafe.keras.*(safe_mode|Lambda)"):
        load_generator(tmp_path / "unsafe.keras")


def test_missing_and_damaged_models_give_clear_errors(models, tmp_path):
    with pytest.raises(GeneratorLoadError, match="no such file or directory"):
        load_generator(str(tmp_path / "nowhere" / "1"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(GeneratorLoadError, match="holds no generator: expected a SavedModel directory"):
        load_generator(tmp_path / "empty")
    damaged = tmp_path / "damaged"
    shutil.copytree(models["cond_dir"], damaged)
    (damaged / "saved_model.pb").write_bytes(b"\x08\x01garbage" * 3)
    with pytest.raises(GeneratorLoadError, match="Could not load the SavedModel at .*damaged.* \\(damaged or incomplete\\?\\)"):
        load_generator(damaged)
    no_variables = tmp_path / "no_variables"
    shutil.copytree(models["cond_dir"], no_variables)
    shutil.rmtree(no_variables / "variables")
    with pytest.raises(GeneratorLoadError, match="Could not load the SavedModel at .*no_variables"):
        load_generator(no_variables)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(GeneratorLoadError, match="Expected a .keras file"):
        load_generator(tmp_path / "notes.txt")
    with pytest.raises(GeneratorLoadError, match="empty string"):
        load_generator("")


def make_index(folder: Path, models, files_sha256=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(models["cond_dir"], folder / "tiny_cond" / "1")
    entry = {"path": "tiny_cond/1", "description": "a tiny conditional DCGAN"}
    if files_sha256 is not None:
        entry["files_sha256"] = files_sha256
    (folder / "index.json").write_text(json.dumps({"tiny_cond": entry, "escape": {"path": "../outside"}}))
    return folder


def test_index_names_resolve_through_an_argument_or_the_environment(models, tmp_path, monkeypatch):
    pb = models["cond_dir"] / "saved_model.pb"
    folder = make_index(tmp_path / "index", models, {"saved_model.pb": sha256(pb)})
    g = load_generator("tiny_cond", index_dir=folder)
    assert g.num_classes == CLASSES and g.source == str((folder / "tiny_cond" / "1").resolve())
    assert list_pretrained(folder) == {"escape": "", "tiny_cond": "a tiny conditional DCGAN"}
    monkeypatch.setenv(ENV_SAVED_MODELS, str(folder))
    assert load_generator("tiny_cond").latent_dim == LATENT
    with pytest.raises(GeneratorLoadError, match="Unknown pretrained generator 'nope'; available: escape, tiny_cond"):
        load_generator("nope")
    with pytest.raises(GeneratorLoadError, match="leaves the saved-models folder"):
        load_generator("escape")


def test_index_checks_file_hashes(models, tmp_path):
    folder = make_index(tmp_path / "index", models, {"saved_model.pb": "0" * 64})
    with pytest.raises(GeneratorLoadError, match="'tiny_cond' is damaged: saved_model.pb has sha256 .* expects 0{64}"):
        load_generator("tiny_cond", index_dir=folder)
    (folder / "index.json").write_text("[1, 2]")
    with pytest.raises(GeneratorLoadError, match="must be a JSON object"):
        read_index(folder)


def test_the_shipped_index_is_valid(monkeypatch):
    monkeypatch.delenv(ENV_SAVED_MODELS, raising=False)
    import tfgan_zoo

    shipped = Path(tfgan_zoo.__file__).parent / "saved_models"
    assert (shipped / "index.json").is_file() and (shipped / "README.md").is_file()
    index = read_index()
    for name, entry in index.items():
        assert entry.get("description"), name
        if "path" in entry:
            assert (shipped / entry["path"] / "saved_model.pb").is_file(), name
    with pytest.raises(GeneratorLoadError, match="Unknown pretrained generator 'no_such_model'"):
        load_generator("no_such_model")


def test_urls_need_and_check_sha256(models, tmp_path):
    archive = models["archive"]
    url = archive.resolve().as_uri()  # file://, fetched by keras.utils.get_file like http(s)
    digest = sha256(archive)
    cache = tmp_path / "cache"
    g = load_generator(url, sha256=digest, cache_dir=cache)
    assert g.num_classes == CLASSES and g.source == url and g.card["preset"] == "dcgan_mnist5k"
    z = np.zeros((2, LATENT), np.float32)
    np.testing.assert_allclose(g(z, [0, 1]), reference(models["cond"], z, np.array([0, 1], "int32")), atol=1e-6)
    assert (cache / "tfgan_zoo" / f"{digest[:16]}-cond.tar.gz").is_file()
    assert load_generator(url, sha256=digest.upper(), cache_dir=cache).latent_dim == LATENT  # cached

    bad_cache = tmp_path / "bad_cache"
    with pytest.raises(GeneratorLoadError, match=f"does not match sha256 {'0' * 64} \\(its sha256 is {digest}\\); it was deleted"):
        load_generator(url, sha256="0" * 64, cache_dir=bad_cache)
    assert [p for p in bad_cache.rglob("*") if p.is_file()] == []
    with pytest.raises(GeneratorLoadError, match="sha256 is required"):
        load_generator(url, cache_dir=bad_cache)
    with pytest.raises(GeneratorLoadError, match="64 hexadecimal digits"):
        load_generator(url, sha256="abc", cache_dir=bad_cache)
    with pytest.raises(GeneratorLoadError, match="must name a .keras file or a .zip"):
        load_generator("https://example.invalid/model.bin", sha256="0" * 64, cache_dir=bad_cache)
    with pytest.raises(GeneratorLoadError, match="Could not download"):
        load_generator((tmp_path / "missing.tar.gz").as_uri(), sha256="0" * 64, cache_dir=bad_cache)
    assert [p for p in bad_cache.rglob("*") if p.is_file()] == []
    # a .keras file by URL, not extracted
    keras_url = models["keras"].resolve().as_uri()
    assert load_generator(keras_url, sha256=sha256(models["keras"]), cache_dir=cache).format == "keras"


def test_export_run_writes_a_card_from_the_run(models, tmp_path, capsys):
    out = tmp_path / "serving" / "dcgan" / "1"
    assert cli.main(["export", "--run", str(models["run"]), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"to {out}" in printed and "--model_base_path=" in printed and "z ~ N(0, I)" in printed
    card = json.loads((out / "model_card.json").read_text())
    assert (card["preset"], card["training_steps"], card["data"]) == ("dcgan_mnist5k", 10, "mnist5k")
    assert "CC BY-SA 3.0" in card["data_license"]
    assert card["metrics"] == {"fid": 42.5, "classes": {"covered": 3}, "step": 10}
    assert card["interface"]["num_classes"] == CLASSES
    assert card["interface"]["prior"] == {"distribution": "normal", "truncation": None}
    with pytest.raises(InputError, match="non-empty directory"):
        export_run(models["run"], out)
    result = export_run(models["run"], out, overwrite=True)
    assert (result.path, result.step, result.finished) == (out, 10, True)
    unstarted = tmp_path / "unstarted"
    unstarted.mkdir()
    (unstarted / "config.json").write_text(json.dumps(RUN_CONFIG))
    with pytest.raises(InputError, match="has no checkpoint yet"):
        export_run(unstarted, tmp_path / "x" / "1")
    with pytest.raises(InputError, match="not a run directory|does not exist"):
        export_run(tmp_path / "no_run", tmp_path / "y" / "1")
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_export_is_registered_with_the_cli(models, tmp_path, capsys):
    out = tmp_path / "m" / "1"
    assert cli.main(["export", "--run", str(models["run"]), "--out", str(out)]) == 0
    assert (out / "saved_model.pb").is_file()
    assert cli.main(["export", "--run", str(models["run"]), "--out", str(out)]) == 2
    assert "non-empty directory" in capsys.readouterr().err


def test_sample_from_model(models, tmp_path):
    samples = sample_from_model(str(models["cond_dir"]), 4, seed=3, label=2)
    g = load_generator(models["cond_dir"])
    np.testing.assert_allclose(samples, g.generate(4, seed=3, labels=2))
    assert sample_from_model(str(models["run"]), 2, seed=0, label=None).shape == (2, 28, 28, 1)
    with pytest.raises(cli.UsageError, match=r"label must be in \[0, 3\), got 5"):
        sample_from_model(str(models["cond_dir"]), 2, seed=0, label=5)
    with pytest.raises(cli.UsageError, match="is unconditional"):
        sample_from_model(str(models["points_dir"]), 2, seed=0, label=1)
    with pytest.raises(cli.UsageError, match="Unknown pretrained generator"):
        sample_from_model("no_such_model", 2, seed=0, label=None)
    from_url = sample_from_model(models["archive"].resolve().as_uri(), 4, seed=3, label=2,
                                 sha256=sha256(models["archive"]), cache_dir=tmp_path / "cache")
    np.testing.assert_allclose(from_url, samples)
    url = models["archive"].resolve().as_uri()
    with pytest.raises(cli.UsageError, match=r"is a URL: pass --sha256 HEX"):  # the flag, not sha256=
        sample_from_model(url, 2)


def test_sample_command_takes_a_model(models, tmp_path, capsys):
    out = tmp_path / "cond.npy"
    assert cli.main(["sample", "--model", str(models["cond_dir"]), "--num", "4", "--seed", "3",
                     "--label", "2", "--out", str(out)]) == 0
    np.testing.assert_allclose(np.load(out), load_generator(models["cond_dir"]).generate(4, seed=3, labels=2))
    grid = tmp_path / "cond.png"
    assert cli.main(["sample", "--model", str(models["cond_dir"]), "--num", "6", "--out", str(grid)]) == 0
    assert grid.stat().st_size > 0
    points = tmp_path / "points.png"
    assert cli.main(["sample", "--model", str(models["points_dir"]), "--num", "50", "--out", str(points)]) == 0
    capsys.readouterr()
    assert cli.main(["sample", "--model", "no_such_model", "--out", str(tmp_path / "x.npy")]) == 2
    assert "Unknown pretrained generator" in capsys.readouterr().err
    assert cli.main(["sample", "--model", str(models["cond_dir"]), "--label", "7",
                     "--out", str(tmp_path / "y.npy")]) == 2
    assert cli.main(["sample", "--run", str(tmp_path), "--model", "x", "--out", str(tmp_path / "z.npy")]) == 2
    assert not any((tmp_path / name).exists() for name in ("x.npy", "y.npy", "z.npy"))


@pytest.mark.parametrize("spec, expected", [
    ("emoji32", "Noto Color Emoji (Google): images Apache-2.0"),
    ("emoji64", "Noto Color Emoji (Google): images Apache-2.0"),
    ("stacked_mnist", "CC BY-SA 3.0"),
    ("tfds:mnist:train", "CC BY-SA 3.0"),
    ("folder:/data/mine", "unknown (user-supplied data)"),
])
def test_the_card_names_each_shipped_data_sets_licence(spec, expected):
    from tfgan_zoo.model_card import data_license

    assert expected in data_license(spec)
