"""Export a generator as a TensorFlow SavedModel for TF Serving, `tf.saved_model.load` and
`tfgan_zoo.load_generator`.

    path = export_generator(gan.sampling_generator, "serving/dcgan/1", model_card={"preset": ...})

The SavedModel is written with Keras 3's `keras.export.ExportArchive` and needs neither
tfgan_zoo nor Keras to run. Its signatures (`saved_model_cli show --dir PATH --all` lists them):

    image generators (output (batch, H, W, C) in [-1, 1] from tanh)
        serving_default   inputs  z      float32 (-1, latent_dim)   latents from the model's prior
                                                                    (model_card.json "interface.prior")
                                  label  int32   (-1)               conditional generators only,
                                                                    class in [0, num_classes)
                          outputs images uint8   (-1, H, W, C)      round((x + 1) * 127.5), clipped
                                                                    to [0, 255]
        float_images      same inputs; outputs images float32 (-1, H, W, C) in [-1, 1]
        sample            inputs  seed int64 (-1), truncation float32 (-1) (<= 0: none, else the
                                  |z_i| threshold) [, label]; outputs images uint8: the latents
                                  drawn in the graph per seed (tfgan_zoo.export_seeded)
    point generators (output (batch, D), e.g. the 2-D toy MLPs)
        serving_default   same inputs; outputs points float32 (-1, D) -- raw values, no uint8 form
    style-based generators (tfgan_zoo.models.stylegan_generator; see tfgan_zoo.export_style)
        serving_default, float_images   also take psi float32 (-1): the truncation in W per sample,
                                        in [0, 1] (1: untruncated)
        mix               z_coarse, z_fine float32 (-1, latent_dim), crossover int32 (-1) in
                          [0, num_style_layers] [, label], psi -> images uint8: z_coarse styles the
                          layers below the crossover, z_fine the rest
        sample            seed, truncation [, label], psi -> images uint8 (the seeded latents)
        all with the generator's fixed noise buffers, so an output depends on the inputs only

Inputs are validated inside the graph, so a bad request to TF Serving fails with a clear
InvalidArgument error rather than a shape error deep inside the network: "z must be a matrix of
shape (batch, 8) float32", "label must be in [0, 10)", "label must have shape (batch,) with the
batch size of z", "z must be finite"; other ranks fail tf.ensure_shape: "Shape of tensor ... [2,8,1]
is not compatible with expected shape [?,8]". (TF Serving does not check a request against the
signature's static shapes, so these checks are the only ones.)

The SavedModel also carries the variable collection `tfgan_zoo_spec` = [latent_dim, num_classes
(0 when unconditional)], and the export directory holds `model_card.json` and `README.md` beside
`saved_model.pb` (TF Serving ignores files it does not know; tfgan_zoo/model_card.py writes them),
the card stating the latent prior z is drawn from.

`export_run(run_dir, path)` exports a run directory: its final generator.keras, or, for a run that
did not finish, the (EMA) generator of its latest checkpoint, with a card made from the run.

TF Serving layout: the export path is a *version* directory, `MODEL_BASE/1`; serve MODEL_BASE.
"""
from __future__ import annotations

import dataclasses
import json
import os
import shlex
import shutil
import uuid
import zipfile
from pathlib import Path
from typing import Any, Optional, Union

import keras
import tensorflow as tf

from tfgan_zoo._paths import created_parents, unwritable_reason
from tfgan_zoo.errors import InputError
from tfgan_zoo.latent import PriorSpec, as_prior
from tfgan_zoo.serving_graph import (  # noqa: F401  (SERVING_SIGNATURE, FLOAT_SIGNATURE: part of this API)
    FLOAT_SIGNATURE, SERVING_SIGNATURE, checked_batch, checked_inputs, forward, to_uint8_tensor,
)
from tfgan_zoo.model_card import (  # noqa: F401  (CARD_FORMAT, README_FILE: part of this module's API)
    CARD_FORMAT, MODEL_CARD_FILE, README_FILE, make_model_card, model_card_readme, run_model_card, run_prior,
)

PathLike = Union[str, os.PathLike]

SPEC_COLLECTION = "tfgan_zoo_spec"


class ExportError(InputError):
    """A generator that cannot be exported, or an export target that cannot be written."""


@dataclasses.dataclass(frozen=True)
class GeneratorSpec:
    """The interface of a generator: what goes in and what comes out.

    `output_kind` is "images" (output (batch, H, W, C) in [-1, 1]) or "points" (output (batch, D));
    `output_shape` leaves out the batch axis. `z_index` / `label_index` are the positions of the
    inputs in `generator.inputs` (label_index is None when unconditional). `style_layers` is the
    number of style layers of a style-based generator (None for others). `prior` (a LatentPrior)
    adds the seeded `sample` signature (tfgan_zoo.export_seeded) to an image generator (with psi
    for a style-based one); export_generator sets it, describe_generator leaves it None.
    """

    latent_dim: int
    num_classes: Optional[int]
    output_kind: str
    output_shape: tuple
    z_index: int = 0
    label_index: Optional[int] = None
    style_layers: Optional[int] = None
    prior: Any = None

    @property
    def conditional(self) -> bool:
        return self.num_classes is not None

    def signatures(self, z_description: str = "latent vectors, z ~ N(0, I)") -> dict:
        """The serving signatures as JSON-able {name: {"inputs": ..., "outputs": ...}}."""
        inputs = {"z": {"dtype": "float32", "shape": [None, self.latent_dim], "description": z_description}}
        if self.conditional:
            inputs["label"] = {"dtype": "int32", "shape": [None],
                               "description": f"class of each sample, in [0, {self.num_classes})"}
        shape = [None, *self.output_shape]
        if self.style_layers is not None:
            from tfgan_zoo.export_style import style_signatures

            return style_signatures(self, inputs, shape)
        if self.output_kind == "points":
            return {SERVING_SIGNATURE: {"inputs": inputs, "outputs": {
                "points": {"dtype": "float32", "shape": shape, "description": "generated points (raw values)"}}}}
        uint8 = {"images": {"dtype": "uint8", "shape": shape, "range": [0, 255],
                            "description": "round((x + 1) * 127.5) clipped to [0, 255]"}}
        described = {
            SERVING_SIGNATURE: {"inputs": inputs, "outputs": uint8},
            FLOAT_SIGNATURE: {"inputs": inputs, "outputs": {
                "images": {"dtype": "float32", "shape": shape, "range": [-1.0, 1.0],
                           "description": "the generator's tanh output"}}},
        }
        if self.prior is not None:
            from tfgan_zoo.export_seeded import SAMPLE_SIGNATURE, sample_signature

            described[SAMPLE_SIGNATURE] = sample_signature(self, inputs, uint8)
        return described


def _sub_layers(model: keras.Model) -> list:
    try:
        return list(model._flatten_layers(include_self=False, recursive=True))
    except AttributeError:  # pragma: no cover - older Keras
        return list(model.layers)


def _class_counts(model: keras.Model) -> set:
    """Class counts the label-consuming layers imply (Embedding input_dim, `num_classes` attributes)."""
    counts = set()
    for layer in _sub_layers(model):
        if isinstance(layer, keras.layers.Embedding):
            counts.add(int(layer.input_dim))
        elif isinstance(getattr(layer, "num_classes", None), int):
            counts.add(int(layer.num_classes))
    return counts


def describe_generator(
    generator: keras.Model, latent_dim: Optional[int] = None, num_classes: Optional[int] = None,
) -> GeneratorSpec:
    """Infer (and check) a generator's interface from its inputs and output.

    latent_dim comes from the width of the z input; num_classes from the label embedding (or a
    layer with a `num_classes` attribute) when there is a second, integer 'labels' input. Explicit
    values must agree with what the model shows.
    """
    if not isinstance(generator, keras.Model):
        raise ExportError(f"Expected a keras.Model generator, got {type(generator).__name__}.")
    inputs = list(getattr(generator, "inputs", None) or [])
    if not inputs:
        raise ExportError(
            f"Generator {generator.name!r} has no symbolic inputs; export needs a functional model "
            "taking z (batch, latent_dim) [and labels (batch,)].")
    if len(inputs) > 2:
        names = [getattr(t, "name", "?") for t in inputs]
        raise ExportError(f"Expected a generator with inputs z [, labels], got {len(inputs)} inputs {names}.")
    label_index = None
    if len(inputs) == 2:
        is_label = ["label" in str(getattr(t, "name", "")).lower() or "int" in str(t.dtype) for t in inputs]
        if is_label.count(True) != 1:
            names = [(getattr(t, "name", "?"), str(t.dtype)) for t in inputs]
            raise ExportError(f"Cannot tell z from the labels among the generator inputs {names}; "
                              "expected one float 'z' and one integer 'labels' input.")
        label_index = is_label.index(True)
    z_index = 0 if label_index != 0 else 1
    z_shape = tuple(inputs[z_index].shape)
    if len(z_shape) != 2:
        raise ExportError(f"Expected the z input to have shape (batch, latent_dim), got {z_shape}.")
    width = z_shape[1]
    if latent_dim is None:
        if width is None:
            raise ExportError("The z input has no static width; pass latent_dim.")
        latent_dim = int(width)
    elif int(latent_dim) != latent_dim or latent_dim < 1:
        raise ExportError(f"latent_dim must be a positive integer, got {latent_dim!r}.")
    elif width is not None and int(width) != int(latent_dim):
        raise ExportError(f"latent_dim={latent_dim} does not match the generator's z input of width {width}.")

    if label_index is None:
        if num_classes is not None:
            raise ExportError(f"num_classes={num_classes!r} was given but the generator has no labels input.")
    else:
        label_shape = tuple(inputs[label_index].shape)
        if len(label_shape) not in (1, 2) or (len(label_shape) == 2 and label_shape[1] != 1):
            raise ExportError(f"Expected the labels input to have shape (batch,), got {label_shape}.")
        counts = _class_counts(generator)
        if num_classes is None:
            if len(counts) != 1:
                raise ExportError(
                    "Cannot infer num_classes from the generator (label embeddings imply "
                    f"{sorted(counts) or 'nothing'}); pass num_classes.")
            num_classes = counts.pop()
        elif int(num_classes) != num_classes or num_classes < 1:
            raise ExportError(f"num_classes must be a positive integer, got {num_classes!r}.")
        elif len(counts) == 1 and int(num_classes) not in counts:
            raise ExportError(f"num_classes={num_classes} does not match the generator's label embedding "
                              f"of {next(iter(counts))} classes.")
        num_classes = int(num_classes)

    outputs = list(getattr(generator, "outputs", None) or [])
    if len(outputs) != 1:
        raise ExportError(f"Expected a generator with one output, got {len(outputs)}.")
    out_shape = tuple(outputs[0].shape)
    if len(out_shape) == 4:
        kind = "images"
    elif len(out_shape) == 2:
        kind = "points"
    else:
        raise ExportError(
            f"Expected a generator output of rank 4 (batch, height, width, channels) or rank 2 "
            f"(batch, dim), got shape {out_shape}.")
    from tfgan_zoo.models.stylegan import is_style_generator, style_parts

    style_layers = style_parts(generator).num_layers if is_style_generator(generator) else None
    return GeneratorSpec(int(latent_dim), num_classes, kind, tuple(out_shape[1:]), z_index, label_index, style_layers)


# --- the serving graph -----------------------------------------------------------------------------

def serving_endpoints(generator: keras.Model, spec: GeneratorSpec) -> dict:
    """{signature name: (function, input signature)} for `generator`: the style-based ones
    (tfgan_zoo.export_style) for a style-based generator, else the z [, label] ones."""
    if spec.style_layers is not None:
        from tfgan_zoo.export_style import style_endpoints

        return style_endpoints(generator, spec)
    return default_endpoints(generator, spec)


def default_endpoints(generator: keras.Model, spec: GeneratorSpec) -> dict:
    """serving_default (uint8 images, or points) and float_images, from z [, label]."""
    signature = [tf.TensorSpec([None, spec.latent_dim], tf.float32, name="z")]
    if spec.conditional:
        signature.append(tf.TensorSpec([None], tf.int32, name="label"))

        def images_uint8(z, label):
            return {"images": to_uint8_tensor(forward(generator, spec, z, label))}

        def images_float(z, label):
            return {"images": forward(generator, spec, z, label)}

        def points(z, label):
            return {"points": forward(generator, spec, z, label)}
    else:
        def images_uint8(z):
            return {"images": to_uint8_tensor(forward(generator, spec, z, None))}

        def images_float(z):
            return {"images": forward(generator, spec, z, None)}

        def points(z):
            return {"points": forward(generator, spec, z, None)}

    if spec.output_kind == "points":
        return {SERVING_SIGNATURE: (points, signature)}
    endpoints = {SERVING_SIGNATURE: (images_uint8, signature), FLOAT_SIGNATURE: (images_float, signature)}
    if spec.prior is not None:
        from tfgan_zoo.export_seeded import SAMPLE_SIGNATURE, sample_endpoint

        endpoints[SAMPLE_SIGNATURE] = sample_endpoint(generator, spec, spec.prior)
    return endpoints


def build_archive(generator: keras.Model, spec: GeneratorSpec) -> Any:
    """A keras.export.ExportArchive with the serving signatures of `spec` (not yet written)."""
    archive = keras.export.ExportArchive()
    archive.track(generator)
    for name, (function, signature) in serving_endpoints(generator, spec).items():
        archive.add_endpoint(name, function, signature)
    archive.add_variable_collection(SPEC_COLLECTION, [
        tf.Variable(spec.latent_dim, dtype=tf.int32, trainable=False, name="latent_dim"),
        tf.Variable(spec.num_classes or 0, dtype=tf.int32, trainable=False, name="num_classes"),
    ])
    return archive


# --- writing ---------------------------------------------------------------------------------------

def check_export_target(path: PathLike, overwrite: bool = False) -> None:
    """Raise ExportError unless `path` can be exported to: absent, empty, or `overwrite`, and its
    folder creatable and writable (probed, not judged by permission bits)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ExportError(f"Export path {str(path)!r} exists and is not a directory.")
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise ExportError(f"Export path {str(path)!r} is a non-empty directory; pass overwrite=True "
                          "(--overwrite) to replace it, or choose a new version folder.")
    reason = unwritable_reason(path.parent if str(path.parent) else Path("."), "the export's folder")
    if reason is not None:
        raise ExportError(reason)


def _move_into_place(temporary: Path, path: Path) -> None:
    """Rename `temporary` to `path`; an existing `path` is replaced and then deleted."""
    old = None
    if path.exists():
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
        else:
            old = path.with_name(f".{path.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
            os.rename(path, old)
    try:
        os.rename(temporary, path)
    except BaseException:
        if old is not None:
            os.rename(old, path)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def export_generator(
    generator: keras.Model,
    path: PathLike,
    *,
    latent_dim: Optional[int] = None,
    num_classes: Optional[int] = None,
    model_card: Optional[dict] = None,
    overwrite: bool = False,
    prior: PriorSpec = None,
) -> Path:
    """Write `generator` as a SavedModel at `path` (a TF Serving version folder, e.g. `serving/m/1`).

    Args:
        generator: a functional keras.Model z [, labels] -> images in [-1, 1] or points; a GAN is
            accepted too (its `sampling_generator`, the EMA copy when there is one, is exported).
        path: the directory to create. An existing non-empty directory is an error unless
            `overwrite`. Written atomically: into a temporary folder beside it, then renamed.
        latent_dim, num_classes: inferred from the model's inputs when None.
        model_card: fields for model_card.json / README.md (name, description, preset,
            training_steps, data, data_license, metrics, license, ...).
        prior: the latent prior the generator was trained with (tfgan_zoo.latent), recorded in the
            card; default: the GAN's when a GAN is given, else N(0, I).

    Returns the export directory. See the module docstring for the signatures.
    """
    if isinstance(getattr(type(generator), "sampling_generator", None), property):  # a GAN
        if num_classes is None:
            num_classes = getattr(generator, "num_classes", None)
        if prior is None:
            prior = generator.prior
        generator = generator.sampling_generator
    spec = describe_generator(generator, latent_dim=latent_dim, num_classes=num_classes)
    if spec.output_kind == "images":  # + the seeded `sample` signature
        spec = dataclasses.replace(spec, prior=as_prior(prior))
    if model_card is not None and not isinstance(model_card, dict):
        raise ExportError(f"model_card must be a dict or None, got {type(model_card).__name__}.")
    path = Path(path)
    check_export_target(path, overwrite)
    card = make_model_card(spec, model_card, as_prior(prior))
    try:
        card_text = json.dumps(card, indent=2) + "\n"
    except (TypeError, ValueError) as error:
        raise ExportError(f"model_card is not JSON-serialisable: {error}") from None
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    with created_parents(path):
        try:
            archive = build_archive(generator, spec)
            archive.write_out(str(temporary), verbose=False)
            (temporary / MODEL_CARD_FILE).write_text(card_text)
            (temporary / README_FILE).write_text(model_card_readme(card))
            check_export_target(path, overwrite)  # again: something may have appeared meanwhile
            _move_into_place(temporary, path)
        except OSError as error:  # a full disk, a file system that refuses: one line, nothing left
            raise ExportError(f"Could not write the export to {str(path)!r}: {error.strerror or error}.") from None
        finally:
            if temporary.exists():
                shutil.rmtree(temporary, ignore_errors=True)
    return path


# --- a run directory ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class RunExport:
    """What `export_run` wrote: the SavedModel directory, the training step of the exported
    weights and the run's planned steps, whether the run had finished (False: its latest
    checkpoint was exported), and the model card."""

    path: Path
    step: int
    total_steps: int
    finished: bool
    card: dict


def load_keras_model(path: PathLike) -> keras.Model:
    """keras.saving.load_model in safe mode (no arbitrary code: Lambda layers are refused), with
    tfgan_zoo's custom layers registered; ExportError when it cannot be loaded."""
    import tfgan_zoo.layers  # noqa: F401  (registers the tfgan_zoo>... layers)

    path = Path(path)
    if not path.is_file():
        raise ExportError(f"Keras file {str(path)!r} does not exist.")
    if not zipfile.is_zipfile(path):  # Keras would say "File not found" of an empty or cut file
        raise ExportError(f"Keras file {str(path)!r} is damaged: a .keras file is a zip archive, this one "
                          f"({path.stat().st_size} bytes) is not.")
    try:
        return keras.saving.load_model(str(path), compile=False, safe_mode=True)
    except Exception as error:
        text = str(error).strip().splitlines()
        raise ExportError(f"Could not load the Keras model {str(path)!r}: {type(error).__name__}: "
                          f"{text[0] if text else ''}") from None


def _grown_generator(run_dir: Path, config: dict, stage: str) -> Optional[tuple]:
    """(generator, step, stage card) of a progressive run at its latest checkpoint, else None."""
    from tfgan_zoo.training import runner
    from tfgan_zoo.training.build import model_class
    from tfgan_zoo.training.progressive import ProgressiveGAN

    if stage not in ("final", "current"):
        raise ExportError(f"stage must be 'final' or 'current', got {stage!r}.")
    name = (config.get("model") or {}).get("class", "GAN")
    if not issubclass(model_class(name), ProgressiveGAN):
        if stage != "final":
            raise ExportError(f"--stage {stage}: run {str(run_dir)!r} does not grow; drop --stage.")
        return None
    try:
        gan, _ = runner.load_run(run_dir)
        generator = gan.generator_for_export(stage)
    except ValueError as error:
        raise ExportError(f"Run {str(run_dir)!r}: {error}") from None
    resolution, alpha = gan.level()
    return generator, gan.trained_steps, {"exported": stage, "resolution": resolution, "alpha": alpha,
                                          "final_resolution": gan.schedule.final_resolution}


def export_run(run_dir: PathLike, path: PathLike, *, overwrite: bool = False, name: Optional[str] = None,
               data_license: Optional[str] = None, stage: str = "final") -> RunExport:
    """Export a run directory's generator to `path` with a model card made from the run.

    A finished run exports its generator.keras (the EMA copy when the run kept one); a run that
    did not finish (interrupted, or stopped at a NaN) exports the sampling generator of its latest
    checkpoint, and the card's training_steps is that checkpoint's step. A progressive run
    (ProgressiveGAN, StyleGAN) exports from its latest checkpoint: the grown networks
    (stage="final", refused before the last stage) or the stage reached (stage="current"), and
    the card records which. Bad input (no run, no checkpoint, an unusable `path`) raises an
    InputError before anything is written.
    """
    from tfgan_zoo.training import checkpoint as checkpoint_lib
    from tfgan_zoo.training import runner

    run_dir, path = Path(run_dir), Path(path)
    config = runner.read_run_config(run_dir)
    check_export_target(path, overwrite)
    total = int((config.get("training") or {}).get("steps") or 0)
    keras_file = run_dir / runner.GENERATOR_FILE
    latest = checkpoint_lib.latest_checkpoint(run_dir / runner.CHECKPOINTS_DIR)
    # generator.keras is written when training reaches its steps; a run resumed for more steps
    # and stopped again keeps the older file, and its checkpoints are newer.
    finished = keras_file.is_file() and (latest is None or checkpoint_lib.checkpoint_step(latest) >= total)
    grown = _grown_generator(run_dir, config, stage)
    if grown is not None:
        generator, step, stage_card = grown
    elif finished:
        generator, step = load_keras_model(keras_file), total
    elif latest is None and not (run_dir / runner.WEIGHTS_FILE).is_file():
        raise ExportError(f"Run {str(run_dir)!r} has no checkpoint yet and no {runner.GENERATOR_FILE}: "
                          "nothing to export (train it first).")
    else:
        gan, _ = runner.load_run(run_dir)
        generator, step = gan.sampling_generator, gan.trained_steps
    card = run_model_card(run_dir, config)
    if not finished and grown is None:
        card["training_steps"] = step
        card["note"] = (f"exported from the latest checkpoint (step {step}) of a run that did not finish "
                        f"({total} steps planned)")
    card["reproduce"] = [shlex.join(runner.train_command(config, run_dir)),
                         shlex.join(["tfgan-zoo", "evaluate", "--run", str(run_dir)]),
                         shlex.join(["tfgan-zoo", "export", "--run", str(run_dir), "--out", str(path)])]
    if name:
        card["name"] = name
    if data_license:
        card["data_license"] = data_license
    if grown is not None:
        card["stage"] = stage_card
    written = export_generator(generator, path, model_card=card, overwrite=overwrite, prior=run_prior(config))
    return RunExport(written, step, total, finished, json.loads((written / MODEL_CARD_FILE).read_text()))


__all__ = [
    "ExportError",
    "FLOAT_SIGNATURE",
    "GeneratorSpec",
    "MODEL_CARD_FILE",
    "README_FILE",
    "SERVING_SIGNATURE",
    "SPEC_COLLECTION",
    "RunExport",
    "build_archive",
    "check_export_target",
    "default_endpoints",
    "describe_generator",
    "export_generator",
    "export_run",
    "load_keras_model",
    "make_model_card",
    "model_card_readme",
    "serving_endpoints",
    "to_uint8_tensor",
]
