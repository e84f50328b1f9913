"""Checkpoints that capture the whole training state, written atomically, last K kept.

A checkpoint is one file `checkpoints/step_NNNNNN.npz` holding every variable of

- the GAN (`gan.variables`): generator, discriminator, EMA generator, batch-norm statistics,
  spectral-norm vectors, the `SeedGenerator` state of the latents, and any model-level variable a
  variant adds (BEGAN's k_t, a progressive GAN's alpha);
- both optimisers (`optimizer.variables`): the step counter `iterations`, the learning rate and
  the moments, so learning-rate schedules continue where they were;

as arrays "model/0000", "g_optimizer/0000", ... in that deterministic order, plus "__meta__", a
JSON string with the step, the variable paths and shapes, a SHA-256 of the arrays, and
caller-supplied extras (the runner stores the number of dataset batches consumed). Variables are matched by position and checked by
shape and dtype on restore, because Keras paths are not unique ("norm_0/gamma" occurs in G, D and
the EMA copy) and auto-generated names depend on what else the process built.

Writing: arrays -> `.step_NNNNNN.npz.tmp-PID` -> fsync -> os.replace, so a checkpoint file is
either complete or absent; a state with a non-finite value is refused (NonFiniteStateError).

Reading verifies the file before anything uses it (`read_checkpoint`): a readable zip, a meta
record whose step matches the file name and whose layout matches the arrays (keys, shapes,
dtypes), finite floats, and the SHA-256 when the meta has one (checkpoints written before it was
added load without it). A file that fails raises DamagedCheckpointError. `latest_intact_checkpoint`
is what every reader of a run uses (resume, sample, evaluate, export, compare): the newest
checkpoint that verifies, with one warning line naming the damaged newer ones (never deleted: a
resumed run that reaches such a step again moves the damaged file aside as NAME.damaged);
CheckpointError when every checkpoint is damaged.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, Callable, Optional, Union

import numpy as np

from tfgan_zoo import _log
from tfgan_zoo._atomic import replacing
from tfgan_zoo.errors import InputError

PathLike = Union[str, os.PathLike]
FORMAT_VERSION = 1
CHECKPOINT_DIR = "checkpoints"
_NAME = re.compile(r"^step_(\d{6,})\.npz$")
_META_KEY = "__meta__"
DAMAGED_SUFFIX = ".damaged"


class CheckpointError(InputError):
    """A checkpoint is missing, unreadable or does not match the model."""


class DamagedCheckpointError(CheckpointError):
    """A checkpoint file is not intact: truncated, empty, not a zip, or inconsistent with its meta."""

    def __init__(self, path: PathLike, reason: str):
        super().__init__(f"Checkpoint {str(path)!r} is damaged: {reason}.")
        self.path, self.reason = Path(path), reason


class NonFiniteStateError(RuntimeError):
    """The training state holds NaN or infinite values; it is not saved."""


def checkpoint_name(step: int) -> str:
    """The file name of the checkpoint of `step`: step_000030.npz."""
    return f"step_{int(step):06d}.npz"


def state_variables(gan: Any) -> dict[str, list]:
    """The variables a checkpoint holds, by group: the GAN's and each optimiser's."""
    groups = {"model": list(gan.variables)}
    for name in ("g_optimizer", "d_optimizer"):
        optimizer = getattr(gan, name, None)
        if optimizer is not None:
            groups[name] = list(optimizer.variables)
    return groups


def _dtype_name(variable: Any) -> str:
    return str(np.dtype(getattr(variable.dtype, "as_numpy_dtype", variable.dtype)))


def capture_state(gan: Any) -> tuple[dict[str, np.ndarray], dict]:
    """Numpy copies of every state variable, and their description (paths, shapes, dtypes)."""
    arrays, layout = {}, {}
    for group, variables in state_variables(gan).items():
        entries = []
        for index, variable in enumerate(variables):
            value = np.asarray(variable.numpy())
            arrays[f"{group}/{index:04d}"] = value
            entries.append({"path": str(getattr(variable, "path", variable.name)), "shape": list(value.shape),
                            "dtype": str(value.dtype)})
        layout[group] = entries
    return arrays, layout


def arrays_digest(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over the arrays in key order: each key, dtype, shape and the C-order bytes."""
    digest = hashlib.sha256()
    for key in sorted(arrays):
        value = np.ascontiguousarray(arrays[key])
        digest.update(f"{key}|{value.dtype.str}|{value.shape}|".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


def non_finite_variables(arrays: dict[str, np.ndarray], layout: dict) -> list[str]:
    """Paths of the floating-point arrays that hold NaN or infinite values."""
    bad = []
    for key, value in arrays.items():
        if np.issubdtype(value.dtype, np.floating) and not np.all(np.isfinite(value)):
            group, index = key.split("/")
            bad.append(f"{group}:{layout[group][int(index)]['path']}")
    return bad


def list_checkpoints(directory: PathLike) -> list[tuple[int, Path]]:
    """(step, path) of the complete checkpoints in `directory`, oldest first."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for entry in directory.iterdir():
        match = _NAME.match(entry.name)
        if match and entry.is_file():
            found.append((int(match.group(1)), entry))
    return sorted(found)


def latest_checkpoint(directory: PathLike) -> Optional[Path]:
    """The checkpoint with the highest step in `directory`, or None."""
    found = list_checkpoints(directory)
    return found[-1][1] if found else None


def save_checkpoint(gan: Any, directory: PathLike, step: int, extra: Optional[dict] = None,
                    keep: Optional[int] = None) -> Path:
    """Write the whole training state of `gan` as `directory/step_NNNNNN.npz`, atomically.

    Keeps the `keep` most recent checkpoints (all when None); a damaged file of the same step is
    kept as step_NNNNNN.npz.damaged. Raises NonFiniteStateError, writing nothing, when a
    floating-point variable holds NaN or inf.
    """
    directory = Path(directory)
    arrays, layout = capture_state(gan)
    bad = non_finite_variables(arrays, layout)
    if bad:
        raise NonFiniteStateError(
            f"Not saving the checkpoint of step {step}: non-finite values in {', '.join(bad[:5])}"
            + (f" and {len(bad) - 5} more" if len(bad) > 5 else "") + "."
        )
    meta = {"format": FORMAT_VERSION, "step": int(step), "layout": layout, "extra": extra or {},
            "sha256": arrays_digest(arrays)}
    arrays[_META_KEY] = np.array(json.dumps(meta))
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / checkpoint_name(step)
    _keep_if_damaged(final)
    with replacing(final, fsync=True) as temporary, open(temporary, "wb") as handle:
        np.savez(handle, **arrays)
    _fsync_directory(directory)
    if keep is not None and keep > 0:
        for _, old in list_checkpoints(directory)[:-keep]:
            old.unlink(missing_ok=True)
    return final


def _keep_if_damaged(path: Path) -> None:
    """Move a damaged checkpoint aside (NAME.damaged) rather than write over it: a resumed run
    starts before the damaged ones it skipped and reaches their steps again."""
    if not path.exists():
        return
    try:
        read_checkpoint(path)
    except DamagedCheckpointError:
        os.replace(path, path.with_name(path.name + DAMAGED_SUFFIX))


def _fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def read_checkpoint(path: PathLike) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and the metadata of a checkpoint file, verified (see the module docstring).

    Raises CheckpointError when the file does not exist, DamagedCheckpointError when it is not an
    intact checkpoint.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"Checkpoint {str(path)!r} does not exist.")
    if path.stat().st_size == 0:
        raise DamagedCheckpointError(path, "it is empty (0 bytes)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except Exception as error:  # noqa: BLE001 -- any failure to parse the file means it is damaged
        raise DamagedCheckpointError(path, f"not a readable .npz file ({type(error).__name__}: {error})") from None
    if _META_KEY not in arrays:
        raise DamagedCheckpointError(path, f"it has no {_META_KEY} record")
    try:
        meta = json.loads(str(arrays.pop(_META_KEY)))
    except (ValueError, TypeError) as error:
        raise DamagedCheckpointError(path, f"its {_META_KEY} record is not JSON ({error})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
        found = meta.get("format") if isinstance(meta, dict) else meta
        raise DamagedCheckpointError(path, f"its format is {found!r}, expected {FORMAT_VERSION}")
    problem = _inconsistency(path, arrays, meta)
    if problem:
        raise DamagedCheckpointError(path, problem)
    return arrays, meta


def _inconsistency(path: Path, arrays: dict[str, np.ndarray], meta: dict) -> Optional[str]:
    """Why the arrays and the meta of a checkpoint disagree, or None."""
    step, layout = meta.get("step"), meta.get("layout")
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        return f"its meta step is {step!r}, expected an integer >= 0"
    match = _NAME.match(path.name)
    if match and int(match.group(1)) != step:
        return f"its meta says step {step} but the file name says step {int(match.group(1))}"
    if not isinstance(layout, dict) or not all(isinstance(entries, list) for entries in layout.values()):
        return "its meta has no variable layout"
    expected = {f"{group}/{index:04d}": entry for group, entries in layout.items()
                for index, entry in enumerate(entries)}
    if set(expected) != set(arrays):
        missing, extra = sorted(set(expected) - set(arrays)), sorted(set(arrays) - set(expected))
        return f"arrays missing {missing[:3]} / unexpected {extra[:3]} for its meta layout"
    for key, entry in expected.items():
        value = arrays[key]
        saved = (entry.get("dtype"), entry.get("shape")) if isinstance(entry, dict) else (None, None)
        if saved != (str(value.dtype), list(value.shape)):
            return f"array {key} is {value.dtype}{list(value.shape)} but its meta says {saved[0]}{saved[1]}"
    bad = non_finite_variables(arrays, layout)
    if bad:
        return f"non-finite values in {', '.join(bad[:3])} (a saved state is always finite)"
    if "sha256" in meta and meta["sha256"] != arrays_digest(arrays):
        return "its arrays do not match the SHA-256 recorded when it was saved"
    return None


def latest_intact_checkpoint(directory: PathLike, warn: Optional[Callable[[str], None]] = None) -> Optional[Path]:
    """The newest checkpoint in `directory` that verifies (`read_checkpoint`), or None when there
    is none at all.

    Damaged newer files are skipped, never touched, and named in one warning line (`warn`,
    default: `tfgan_zoo._log.warn`, a line on stderr). Raises CheckpointError, naming
    every file and what is wrong with it, when there are checkpoints but none is intact.
    """
    damaged: list[DamagedCheckpointError] = []
    for _, path in reversed(list_checkpoints(directory)):
        try:
            read_checkpoint(path)
        except DamagedCheckpointError as error:
            damaged.append(error)
            continue
        if damaged:
            plural = "s" if len(damaged) > 1 else ""
            (warn or _log.warn)(f"damaged checkpoint{plural} {_listing(damaged)}; using the newest intact one, "
                                f"{path.name} (step {checkpoint_step(path)}), instead (left in place).")
        return path
    if damaged:
        raise CheckpointError(f"No intact checkpoint in {str(directory)!r}: every one is damaged: {_listing(damaged)}.")
    return None


def _listing(damaged: list[DamagedCheckpointError]) -> str:
    return ", ".join(f"{str(error.path)!r} ({error.reason})" for error in damaged)


def restore_checkpoint(gan: Any, path: PathLike) -> dict:
    """Load a checkpoint into `gan` (model and optimiser variables) and return its metadata.

    Everything is checked before anything is assigned, so a mismatching checkpoint leaves the
    model untouched.
    """
    arrays, meta = read_checkpoint(path)
    groups = state_variables(gan)
    layout = meta["layout"]
    if set(layout) != set(groups):
        raise CheckpointError(
            f"Checkpoint {str(path)!r} holds the groups {sorted(layout)} but the model has {sorted(groups)}."
        )
    assignments = []
    for group, variables in groups.items():
        saved = layout[group]
        if len(saved) != len(variables):
            raise CheckpointError(
                f"Checkpoint {str(path)!r} does not match the model: {len(saved)} {group} variables saved, "
                f"{len(variables)} in the model. Was it written with another config?"
            )
        for index, (entry, variable) in enumerate(zip(saved, variables)):
            value = arrays[f"{group}/{index:04d}"]
            shape = tuple(int(d) for d in variable.shape)
            if tuple(value.shape) != shape or str(value.dtype) != _dtype_name(variable):
                raise CheckpointError(
                    f"Checkpoint {str(path)!r} does not match the model: {group} variable {index} "
                    f"({entry['path']}) is {value.dtype}{list(value.shape)} in the checkpoint but "
                    f"{_dtype_name(variable)}{list(shape)} in the model ({variable.path}). Was it written "
                    "with another config?"
                )
            assignments.append((variable, value))
    for variable, value in assignments:
        variable.assign(value)
    return meta


def checkpoint_step(path: PathLike) -> int:
    """The step of a checkpoint file, from its name."""
    match = _NAME.match(Path(path).name)
    if not match:
        raise CheckpointError(f"{str(path)!r} is not a checkpoint file name (step_NNNNNN.npz).")
    return int(match.group(1))


def remove_stale_temporaries(directory: PathLike) -> None:
    """Delete temporary files left by a writer that was killed mid-write."""
    directory = Path(directory)
    if directory.is_dir():
        for entry in directory.iterdir():
            if entry.name.startswith(".step_") and ".tmp-" in entry.name:
                entry.unlink(missing_ok=True)


__all__ = [
    "CHECKPOINT_DIR",
    "DAMAGED_SUFFIX",
    "CheckpointError",
    "DamagedCheckpointError",
    "NonFiniteStateError",
    "arrays_digest",
    "capture_state",
    "checkpoint_name",
    "checkpoint_step",
    "latest_checkpoint",
    "latest_intact_checkpoint",
    "list_checkpoints",
    "read_checkpoint",
    "remove_stale_temporaries",
    "restore_checkpoint",
    "save_checkpoint",
    "state_variables",
]
