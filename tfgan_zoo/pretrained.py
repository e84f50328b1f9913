"""Load a trained generator by name, path or URL and sample from it.

    g = tfgan_zoo.load_generator("clustered_dcgan_mnist5k")          # a shipped generator (saved_models/)
    g = tfgan_zoo.load_generator("serving/dcgan/1")        # an exported SavedModel directory
    g = tfgan_zoo.load_generator("runs/demo")              # a run directory (its generator.keras)
    g = tfgan_zoo.load_generator("gen.keras")              # a Keras file (safe mode: no code runs)
    g = tfgan_zoo.load_generator("https://host/gen.tar.gz", sha256="...")   # downloaded, verified
    images = g(z)                         # float32 in [-1, 1], (n, H, W, C); points (n, D) for toys
    images = g.generate(16, seed=0)       # z from the model's prior (g.prior), numpy-seeded by `seed`
    images = g.generate(16, seed=0, truncation=0.5)   # every |z_i| <= 0.5 (the truncation trick)
    pixels = g.generate_uint8(16, seed=0) # uint8 in [0, 255]

The prior is the one the model card records (tfgan_zoo.latent; N(0, I) for cards that predate the
field), or the run's config for a run directory.

Resolution order of a string:
  1. an http(s):// or file:// URL: downloaded with `keras.utils.get_file` into
     `<cache_dir or ~/.keras>/tfgan_zoo/`; `sha256` is required and checked, a file that does not
     match is deleted. `.zip`, `.tar.gz`, `.tgz` and `.tar` archives (of an exported SavedModel
     directory or a run directory) are extracted; a `.keras` file is loaded as is.
  2. a name in the index of shipped generators, `tfgan_zoo/saved_models/index.json` (or the
     folder named by `index_dir=` or the environment variable TFGAN_ZOO_SAVED_MODELS);
  3. a path: a SavedModel directory (saved_model.pb), a TF Serving model base directory (its
     highest numeric version folder), a run directory (generator.keras) or a `.keras` file.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from tfgan_zoo.errors import InputError
from tfgan_zoo.latent import LatentPrior, PriorSpec, as_prior, prior_of_card
from tfgan_zoo.model_card import MODEL_CARD_FILE

PathLike = Union[str, os.PathLike]

ENV_SAVED_MODELS = "TFGAN_ZOO_SAVED_MODELS"
INDEX_FILE = "index.json"
CACHE_SUBDIR = "tfgan_zoo"
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")
GENERATOR_FILE = "generator.keras"  # the run directory's final generator (training/runner.py)
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_URL_SCHEMES = ("http://", "https://", "file://")


class GeneratorLoadError(InputError):
    """A generator that cannot be found, downloaded, verified or loaded."""


# --- the generator object --------------------------------------------------------------------------

class PretrainedGenerator:
    """A loaded generator: `g(z, labels=None)` -> float32 samples, plus seeded sampling helpers.

    Attributes:
        latent_dim: width of z.
        prior: the LatentPrior z is drawn from (tfgan_zoo.latent), from the model card.
        num_classes: number of classes of a conditional generator, else None.
        output_kind: "images" (float32 (n, H, W, C) in [-1, 1]) or "points" (float32 (n, D)).
        output_shape: the shape of one sample, e.g. (28, 28, 1).
        card: the model card (dict; empty when there is none).
        source: where it was loaded from; format: "saved_model" or "keras".
    """

    batch_size = 256

    def __init__(self, forward: Callable[[np.ndarray, Optional[np.ndarray]], np.ndarray], *, latent_dim: int,
                 num_classes: Optional[int], output_kind: str, output_shape: Sequence[Optional[int]],
                 card: Optional[dict] = None, source: str = "", format: str = "", handle: Any = None,
                 prior: PriorSpec = None):
        self._forward = forward
        self._handle = handle  # keeps the loaded SavedModel / Keras model alive
        self.latent_dim = int(latent_dim)
        self.num_classes = None if num_classes is None else int(num_classes)
        self.output_kind = output_kind
        self.output_shape = tuple(output_shape)
        self.card = dict(card or {})
        self.prior: LatentPrior = as_prior(prior) if prior is not None else prior_of_card(self.card)
        self.source = source
        self.format = format

    def __repr__(self) -> str:
        classes = f", num_classes={self.num_classes}" if self.num_classes else ""
        return (f"PretrainedGenerator({self.source!r}, format={self.format!r}, latent_dim={self.latent_dim}"
                f"{classes}, output={self.output_kind} {self.output_shape})")

    def _labels_for(self, labels: Any, num: int) -> Optional[np.ndarray]:
        if self.num_classes is None:
            if labels is not None:
                raise ValueError("labels were given but this generator is unconditional (num_classes=None).")
            return None
        if labels is None:
            return (np.arange(num) % self.num_classes).astype(np.int32)
        array = np.asarray(labels)
        if array.ndim == 0:
            array = np.full((num,), array)
        if array.shape != (num,):
            raise ValueError(f"Expected one label or {num} labels, got shape {array.shape}.")
        if array.size and not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"Labels must be integers, got dtype {array.dtype}.")
        bad = array[(array < 0) | (array >= self.num_classes)]
        if bad.size:
            raise ValueError(f"label must be in [0, {self.num_classes}), got {int(bad[0])}.")
        return array.astype(np.int32)

    def __call__(self, z: Any, labels: Any = None) -> np.ndarray:
        """Samples for latents z (n, latent_dim): float32 images in [-1, 1] (n, H, W, C), or points.

        `labels` (conditional generators): one class for all samples or one per sample; by
        default class i % num_classes for sample i.
        """
        z = np.asarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"Expected latents z of shape (n, {self.latent_dim}), got shape {z.shape}.")
        if not np.all(np.isfinite(z)):
            raise ValueError("Expected finite latents z, got NaN or infinite values.")
        label_array = self._labels_for(labels, z.shape[0])
        if z.shape[0] == 0:
            return np.zeros((0, *[s or 0 for s in self.output_shape]), np.float32)
        parts = []
        for start in range(0, z.shape[0], self.batch_size):
            stop = start + self.batch_size
            batch_labels = None if label_array is None else label_array[start:stop]
            parts.append(np.asarray(self._forward(z[start:stop], batch_labels), dtype=np.float32))
        return np.concatenate(parts, axis=0)

    def latents(self, num: int, seed: Optional[int] = None, truncation: Optional[float] = None) -> np.ndarray:
        """z of shape (num, latent_dim) from the prior, numpy's default_rng(seed) (as GAN.generate);
        `truncation` T redraws every |z_i| > T (tfgan_zoo.latent)."""
        return self.prior.truncated(truncation).sample(num, self.latent_dim, seed)

    def generate(self, num: int, seed: Optional[int] = None, labels: Any = None,
                 truncation: Optional[float] = None) -> np.ndarray:
        """`num` samples from seeded latents: float32 images in [-1, 1], or points."""
        return self(self.latents(num, seed, truncation), labels)

    def generate_uint8(self, num: int, seed: Optional[int] = None, labels: Any = None,
                       truncation: Optional[float] = None) -> np.ndarray:
        """`num` images as uint8 in [0, 255]: round((x + 1) * 127.5), clipped (the export's uint8)."""
        if self.output_kind != "images":
            raise ValueError(f"generate_uint8 needs an image generator; this one outputs {self.output_kind}.")
        return to_uint8(self.generate(num, seed=seed, labels=labels, truncation=truncation))


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Images in [-1, 1] -> uint8: round((x + 1) * 127.5) clipped to [0, 255] (NaN -> 0)."""
    array = np.nan_to_num(np.asarray(images, dtype=np.float32), nan=-1.0)
    return np.clip(np.round((array + 1.0) * 127.5), 0, 255).astype(np.uint8)


# --- back ends -------------------------------------------------------------------------------------

def _read_card(directory: Path) -> dict:
    path = directory / MODEL_CARD_FILE
    if not path.is_file():
        return {}
    try:
        card = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise GeneratorLoadError(f"Could not read the model card {str(path)!r}: {error}") from None
    if not isinstance(card, dict):
        raise GeneratorLoadError(f"The model card {str(path)!r} is not a JSON object.")
    return card


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


def _load_saved_model(directory: Path, card: Optional[dict] = None) -> PretrainedGenerator:
    """An exported SavedModel directory (tfgan_zoo.export layout)."""
    import tensorflow as tf

    from tfgan_zoo.export import FLOAT_SIGNATURE, SERVING_SIGNATURE, SPEC_COLLECTION

    if not (directory / "saved_model.pb").is_file():
        raise GeneratorLoadError(f"{str(directory)!r} is not a SavedModel directory: it has no saved_model.pb.")
    try:
        loaded = tf.saved_model.load(str(directory))
    except Exception as error:  # a damaged protobuf, missing variables, ...
        raise GeneratorLoadError(
            f"Could not load the SavedModel at {str(directory)!r} (damaged or incomplete?): {_short(error)}"
        ) from None
    signatures = loaded.signatures
    if FLOAT_SIGNATURE in signatures:
        signature, key, kind = signatures[FLOAT_SIGNATURE], "images", "images"
    elif SERVING_SIGNATURE in signatures and "points" in signatures[SERVING_SIGNATURE].structured_outputs:
        signature, key, kind = signatures[SERVING_SIGNATURE], "points", "points"
    else:
        raise GeneratorLoadError(
            f"The SavedModel at {str(directory)!r} is not a tfgan_zoo generator export: expected a "
            f"{FLOAT_SIGNATURE!r} signature or a {SERVING_SIGNATURE!r} signature with a 'points' output, "
            f"got signatures {sorted(signatures)}.")
    inputs = signature.structured_input_signature[1]
    if "z" not in inputs or inputs["z"].shape.rank != 2 or inputs["z"].shape[1] is None:
        raise GeneratorLoadError(f"The SavedModel at {str(directory)!r} has no z input of shape (batch, latent_dim).")
    latent_dim = int(inputs["z"].shape[1])
    conditional = "label" in inputs
    num_classes = None
    spec = getattr(loaded, SPEC_COLLECTION, None)
    if conditional:
        if spec is not None and len(spec) >= 2 and int(spec[1].numpy()) > 0:
            num_classes = int(spec[1].numpy())
        else:
            num_classes = (card or {}).get("interface", {}).get("num_classes")
            if num_classes is None:
                raise GeneratorLoadError(f"The SavedModel at {str(directory)!r} takes labels but records no class count.")
    output_shape = tuple(signature.structured_outputs[key].shape[1:])

    def forward(z: np.ndarray, labels: Optional[np.ndarray]) -> np.ndarray:
        feeds = {"z": tf.constant(z)}
        if conditional:
            feeds["label"] = tf.constant(labels, tf.int32)
        if "psi" in inputs:  # a style-based generator: untruncated
            feeds["psi"] = tf.ones([len(z)], tf.float32)
        return signature(**feeds)[key].numpy()

    return PretrainedGenerator(forward, latent_dim=latent_dim, num_classes=num_classes, output_kind=kind,
                               output_shape=output_shape, card=card, source=str(directory),
                               format="saved_model", handle=loaded)


def load_keras_generator(path: PathLike) -> Any:
    """keras.saving.load_model in safe mode (no arbitrary code: Lambda layers are refused), with
    tfgan_zoo's custom layers registered (tfgan_zoo.export.load_keras_model)."""
    from tfgan_zoo.export import ExportError, load_keras_model

    try:
        return load_keras_model(path)
    except ExportError as error:
        raise GeneratorLoadError(str(error)) from None


def _load_keras(path: Path, card: Optional[dict] = None, prior: PriorSpec = None) -> PretrainedGenerator:
    from tfgan_zoo.export import ExportError, describe_generator

    model = load_keras_generator(path)
    try:
        spec = describe_generator(model)
    except ExportError as error:
        raise GeneratorLoadError(f"{str(path)!r} does not hold a usable generator: {error}") from None

    def forward(z: np.ndarray, labels: Optional[np.ndarray]) -> np.ndarray:
        if spec.label_index is None:
            inputs: Any = z
        else:
            inputs = [None, None]
            inputs[spec.z_index], inputs[spec.label_index] = z, labels
        return np.asarray(model(inputs, training=False))

    return PretrainedGenerator(forward, latent_dim=spec.latent_dim, num_classes=spec.num_classes,
                               output_kind=spec.output_kind, output_shape=spec.output_shape, card=card,
                               source=str(path), format="keras", handle=model, prior=prior)


def _load_run(run_dir: Path) -> PretrainedGenerator:
    """A run directory's generator.keras, with a card and the prior from its config.json."""
    from tfgan_zoo.model_card import run_model_card, run_prior
    from tfgan_zoo.training.runner import RunError, read_run_config

    try:
        config = read_run_config(run_dir)
        prior = run_prior(config)
    except (RunError, ValueError) as error:  # the prior decides how z is drawn: it must be known
        raise GeneratorLoadError(f"Cannot tell the latent prior of run {str(run_dir)!r}: {error}") from None
    return _load_keras(run_dir / GENERATOR_FILE, run_model_card(run_dir, config), prior)


def _versions(directory: Path) -> list:
    return sorted((int(p.name), p) for p in directory.iterdir()
                  if p.is_dir() and p.name.isdigit() and (p / "saved_model.pb").is_file())


def load_path(path: PathLike) -> PretrainedGenerator:
    """A SavedModel directory, a TF Serving model base directory, a run directory or a .keras file."""
    path = Path(path).expanduser()
    if not path.exists():
        raise GeneratorLoadError(f"No generator at {str(path)!r}: no such file or directory.")
    if path.is_file():
        if path.suffix != ".keras":
            raise GeneratorLoadError(f"Expected a .keras file, a SavedModel directory or a run directory, got the file {str(path)!r}.")
        return _load_keras(path)
    if (path / "saved_model.pb").is_file():
        return _load_saved_model(path, _read_card(path))
    if (path / GENERATOR_FILE).is_file():
        return _load_run(path)
    versions = _versions(path)
    if versions:
        latest = versions[-1][1]
        return _load_saved_model(latest, _read_card(latest))
    present = sorted(p.name for p in path.iterdir())[:10]
    raise GeneratorLoadError(
        f"{str(path)!r} holds no generator: expected a SavedModel directory (saved_model.pb), a TF Serving "
        f"model directory with numeric version folders, or a run directory ({GENERATOR_FILE}); it contains "
        f"{present or 'nothing'}.")


# --- the index of shipped generators ---------------------------------------------------------------

def saved_models_dir(index_dir: Optional[PathLike] = None) -> Path:
    """The folder holding index.json: `index_dir`, else $TFGAN_ZOO_SAVED_MODELS, else the package's."""
    if index_dir is not None:
        return Path(index_dir)
    if os.environ.get(ENV_SAVED_MODELS):
        return Path(os.environ[ENV_SAVED_MODELS])
    return Path(__file__).resolve().parent / "saved_models"


def read_index(index_dir: Optional[PathLike] = None) -> dict:
    """The index {name: entry}; an entry has "path" (a folder relative to the index) or "url" and
    "sha256", plus optional "description" and "files_sha256" {relative file: sha256}."""
    directory = saved_models_dir(index_dir)
    path = directory / INDEX_FILE
    if not path.is_file():
        if index_dir is not None or os.environ.get(ENV_SAVED_MODELS):
            raise GeneratorLoadError(f"No {INDEX_FILE} in the saved-models folder {str(directory)!r}.")
        return {}
    try:
        index = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise GeneratorLoadError(f"Could not read the index {str(path)!r}: {error}") from None
    if not isinstance(index, dict):
        raise GeneratorLoadError(f"The index {str(path)!r} must be a JSON object {{name: entry}}.")
    for name, entry in index.items():
        if not isinstance(entry, dict) or not (isinstance(entry.get("path"), str) or isinstance(entry.get("url"), str)):
            raise GeneratorLoadError(f"Index entry {name!r} in {str(path)!r} needs a \"path\" or a \"url\", got {entry!r}.")
    return index


def list_pretrained(index_dir: Optional[PathLike] = None) -> dict[str, str]:
    """Names of the registered generators -> their descriptions."""
    return {name: str(entry.get("description", "")) for name, entry in sorted(read_index(index_dir).items())}


def sha256_file(path: PathLike) -> str:
    """The hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _load_indexed(name: str, entry: dict, directory: Path, cache_dir: Optional[PathLike]) -> PretrainedGenerator:
    if "url" in entry and "path" not in entry:
        return load_url(entry["url"], sha256=entry.get("sha256"), cache_dir=cache_dir)
    root = directory.resolve()
    folder = (directory / entry["path"]).resolve()
    if folder != root and root not in folder.parents:
        raise GeneratorLoadError(f"Index entry {name!r}: path {entry['path']!r} leaves the saved-models folder.")
    if not folder.exists():
        raise GeneratorLoadError(f"Index entry {name!r} names {str(folder)!r}, which does not exist "
                                 "(was the package installed without its saved_models?).")
    for relative, expected in (entry.get("files_sha256") or {}).items():
        file = folder / relative
        if not file.is_file():
            raise GeneratorLoadError(f"Pretrained generator {name!r} is incomplete: {str(file)!r} is missing.")
        actual = sha256_file(file)
        if actual.lower() != str(expected).lower():
            raise GeneratorLoadError(
                f"Pretrained generator {name!r} is damaged: {relative} has sha256 {actual}, the index expects "
                f"{expected} (a Git LFS pointer instead of the file?).")
    return load_path(folder)


# --- URLs ------------------------------------------------------------------------------------------

def is_url(text: str) -> bool:
    """Whether `text` names an http(s):// or file:// URL (load_generator downloads those)."""
    return isinstance(text, str) and text.lower().startswith(_URL_SCHEMES)


def _cache_folder(cache_dir: Optional[PathLike]) -> Path:
    """The folder keras.utils.get_file writes into (it falls back to /tmp/.keras when unwritable)."""
    import tempfile

    if cache_dir is None:
        try:
            from keras.src.backend.config import keras_home  # private, but what get_file uses

            cache_dir = keras_home()
        except ImportError:  # pragma: no cover
            cache_dir = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    base = os.path.expanduser(str(cache_dir))
    if not os.access(base, os.W_OK):
        base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    return Path(base) / CACHE_SUBDIR


def _find_model(directory: Path) -> Path:
    """The SavedModel directory, run directory or .keras file inside an extracted archive."""
    if (directory / "saved_model.pb").is_file() or (directory / GENERATOR_FILE).is_file():
        return directory
    candidates = sorted({p.parent for p in directory.rglob("saved_model.pb")})
    if not candidates:
        candidates = sorted({p.parent for p in directory.rglob(GENERATOR_FILE)}) or sorted(directory.rglob("*.keras"))
    if len(candidates) != 1:
        found = [str(p.relative_to(directory)) for p in candidates]
        raise GeneratorLoadError(
            f"Expected the archive to hold one SavedModel directory, run directory or .keras file, found "
            f"{found or 'none'} in {str(directory)!r}.")
    return candidates[0]


def load_url(url: str, sha256: Optional[str] = None, cache_dir: Optional[PathLike] = None) -> PretrainedGenerator:
    """Download (or reuse from the cache) a .keras file or an archive, check its sha256, load it."""
    import keras

    if not sha256:
        raise GeneratorLoadError(f"sha256 is required to load a generator from a URL ({url}); pass "
                                 "sha256='<64 hex digits>' (`sha256sum FILE` prints it).")
    if not _SHA256.match(str(sha256)):
        raise GeneratorLoadError(f"sha256 must be 64 hexadecimal digits, got {sha256!r}.")
    sha256 = str(sha256).lower()
    basename = os.path.basename(urllib.parse.urlsplit(url).path)
    lower = basename.lower()
    archive = lower.endswith(ARCHIVE_SUFFIXES)
    if not archive and not lower.endswith(".keras"):
        raise GeneratorLoadError(
            f"The URL must name a .keras file or a {', '.join(ARCHIVE_SUFFIXES)} archive of an exported "
            f"SavedModel directory, got {url!r}.")
    # The hash in the name keeps two files of one name apart (get_file caches by name).
    fname = f"{sha256[:16]}-{basename}"
    if cache_dir is not None:
        # get_file silently falls back to /tmp/.keras when the folder is missing (not writable)
        try:
            Path(cache_dir).expanduser().mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise GeneratorLoadError(f"Cannot create the cache folder {str(cache_dir)!r}: {error}") from None
    target = _cache_folder(cache_dir) / fname
    try:
        result = keras.utils.get_file(fname, origin=url, file_hash=sha256, hash_algorithm="sha256",
                                      cache_subdir=CACHE_SUBDIR, cache_dir=None if cache_dir is None else str(cache_dir),
                                      extract=archive)
    except ValueError as error:
        actual = sha256_file(target) if target.is_file() else None
        if target.exists():
            target.unlink()  # get_file raises on a mismatch but keeps the file
        if "hash" in str(error).lower():
            raise GeneratorLoadError(
                f"The file downloaded from {url} does not match sha256 {sha256}"
                + (f" (its sha256 is {actual})" if actual else "") + "; it was deleted.") from None
        raise GeneratorLoadError(f"Could not download {url}: {error}") from None
    except Exception as error:
        if target.exists() and target.is_file():
            target.unlink()
        raise GeneratorLoadError(f"Could not download {url}: {_short(error)}") from None
    result_path = Path(result)
    if archive:
        if not result_path.is_dir():
            raise GeneratorLoadError(f"Could not extract the archive downloaded from {url}.")
        generator = load_path(_find_model(result_path))
    else:
        generator = load_path(result_path)
    generator.source = url
    return generator


# --- the entry point -------------------------------------------------------------------------------

def load_generator(
    name_or_path_or_url: Union[str, os.PathLike],
    *,
    sha256: Optional[str] = None,
    cache_dir: Optional[PathLike] = None,
    index_dir: Optional[PathLike] = None,
) -> PretrainedGenerator:
    """Load a generator from a shipped name, a local path or a URL (see the module docstring).

    Args:
        name_or_path_or_url: a name in the saved-models index, a path (SavedModel directory, TF
            Serving model directory, run directory, .keras file) or an http(s):// / file:// URL.
        sha256: the file's sha256, required for URLs; checked for a local .keras file when given.
        cache_dir: where URL downloads go (default ~/.keras); files land in its tfgan_zoo/ folder.
        index_dir: a folder with an index.json to use instead of the shipped one.

    Returns a PretrainedGenerator: `g(z, labels=None)` gives float32 images in [-1, 1] (n, H, W, C)
    or points (n, D); `g.generate(n, seed)`, `g.generate_uint8(n, seed)`, `g.card`.
    """
    if isinstance(name_or_path_or_url, Path) or not isinstance(name_or_path_or_url, str):
        source = os.fspath(name_or_path_or_url)
        is_name = False
    else:
        source = name_or_path_or_url
        is_name = True
    if not source:
        raise GeneratorLoadError("Expected a generator name, path or URL, got an empty string.")
    if is_name and is_url(source):
        return load_url(source, sha256=sha256, cache_dir=cache_dir)
    if is_name:
        index = read_index(index_dir)
        if source in index:
            return _load_indexed(source, index[source], saved_models_dir(index_dir), cache_dir)
    path = Path(source).expanduser()
    if not path.exists():
        looks_like_name = is_name and os.sep not in source and "/" not in source and not path.suffix
        if looks_like_name:
            names = sorted(read_index(index_dir))
            available = ", ".join(names) if names else "none are shipped yet"
            raise GeneratorLoadError(
                f"Unknown pretrained generator {source!r}; available: {available}. Or pass a SavedModel "
                "directory, a run directory, a .keras file, or an http(s) URL with sha256.")
        raise GeneratorLoadError(f"No generator at {source!r}: no such file or directory.")
    if sha256 is not None:
        if not path.is_file():
            raise GeneratorLoadError(f"sha256 checks a file (a URL or a .keras file), but {source!r} is a directory.")
        actual = sha256_file(path)
        if actual != str(sha256).lower():
            raise GeneratorLoadError(f"{source!r} has sha256 {actual}, expected {sha256}.")
    return load_path(path)


__all__ = [
    "ENV_SAVED_MODELS",
    "GeneratorLoadError",
    "is_url",
    "PretrainedGenerator",
    "list_pretrained",
    "load_generator",
    "load_keras_generator",
    "load_path",
    "load_url",
    "read_index",
    "saved_models_dir",
    "sha256_file",
    "to_uint8",
]
