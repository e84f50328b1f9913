"""Checkpoints that capture the whole training state, written atomically, last K kept.

A checkpoint is one file `checkpoints/step_NNNNNN.npz` holding every variable of

- the GAN (`gan.variables`): generator, discriminator, EMA generator, batch-norm statistics,
  spectral-norm vectors, the `SeedGenerator` state of the latents, and any model-level variable a
  variant adds (BEGAN's k_t, a progressive GAN's alpha);
- both optimisers (`optimizer.variables`): the step counter `iterations`, the learning rate and
  the moments, so learning-rate schedules continue where they were;

as arrays "model/0000", "g_optimizer/0000", ... in that deterministic order, plus "__meta__", a
JSON string with the step, the variable paths and shapes, and caller-supplied extras (the runner
stores the number of dataset batches consumed). Variables are matched by position and checked by
shape and dtype on restore, because Keras paths are not unique ("norm_0/gamma" occurs in G, D and
the EMA copy) and auto-generated names depend on what else the process built.

Writing: arrays -> `.step_NNNNNN.npz.tmp-PID` -> fsync -> os.replace, so a checkpoint file is
either complete or absent; a state with a non-finite value is refused (NonFiniteStateError).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from tfgan_zoo._atomic import replacing
from tfgan_zoo.errors import InputError

PathLike = Union[str, os.PathLike]
FORMAT_VERSION = 1
CHECKPOINT_DIR = "checkpoints"
_NAME = re.compile(r"^step_(\d{6,})\.npz$")
_META_KEY = "__meta__"


class CheckpointError(InputError):
    """A checkpoint is missing, unreadable or does not match the model."""


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

    Keeps the `keep` most recent checkpoints (all when None). Raises NonFiniteStateError, writing
    nothing, when a floating-point variable holds NaN or inf.
    """
    directory = Path(directory)
    arrays, layout = capture_state(gan)
    bad = non_finite_variables(arrays, layout)
    if bad:
        raise NonFiniteStateError(
            f"Not saving the checkpoint of step {step}: non-finite values in {', '.join(bad[:5])}"
            + (f" and {len(bad) - 5} more" if len(bad) > 5 else "") + "."
        )
    meta = {"format": FORMAT_VERSION, "step": int(step), "layout": layout, "extra": extra or {}}
    arrays[_META_KEY] = np.array(json.dumps(meta))
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / checkpoint_name(step)
    with replacing(final, fsync=True) as temporary, open(temporary, "wb") as handle:
        np.savez(handle, **arrays)
    _fsync_directory(directory)
    if keep is not None and keep > 0:
        for _, old in list_checkpoints(directory)[:-keep]:
            old.unlink(missing_ok=True)
    return final


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
    """The arrays and the metadata of a checkpoint file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"Checkpoint {str(path)!r} does not exist.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
        meta = json.loads(str(arrays.pop(_META_KEY)))
    except (OSError, ValueError, KeyError) as error:
        raise CheckpointError(f"Could not read checkpoint {str(path)!r}: {error}") from None
    if meta.get("format") != FORMAT_VERSION:
        raise CheckpointError(
            f"Checkpoint {str(path)!r} has format {meta.get('format')!r}; expected {FORMAT_VERSION}."
        )
    return arrays, meta


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
    "CheckpointError",
    "NonFiniteStateError",
    "capture_state",
    "checkpoint_name",
    "checkpoint_step",
    "latest_checkpoint",
    "list_checkpoints",
    "read_checkpoint",
    "remove_stale_temporaries",
    "restore_checkpoint",
    "save_checkpoint",
    "state_variables",
]
