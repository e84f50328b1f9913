"""Checks that a directory can be created and written, made before anything is written."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator, Optional, Union

PathLike = Union[str, os.PathLike]


def nearest_existing(path: PathLike) -> Path:
    """`path` or its nearest ancestor that exists (absolute)."""
    probe = Path(path).absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def unwritable_reason(path: PathLike, what: str = "output directory") -> Optional[str]:
    """None when the directory `path` (existing or not) can be created and written, else a
    one-line reason naming it. Probes with a real temporary directory: permission bits do not
    tell (root ignores them, read-only file systems and /proc or /sys refuse anyway)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        return f"Cannot use {what} {str(path)!r}: it exists and is not a directory."
    probe = nearest_existing(path)
    if not probe.is_dir():
        return f"Cannot create {what} {str(path)!r}: {str(probe)!r} is not a directory."
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".tfgan-zoo-write-test-", dir=probe))
    except OSError as error:
        return f"Cannot write to {what} {str(path)!r}: {error.strerror or error} (in {str(probe)!r})."
    return None


@contextlib.contextmanager
def created_parents(path: PathLike) -> Iterator[None]:
    """Create the missing parents of `path`; remove the ones created here if the block fails."""
    path = Path(path)
    missing = []
    parent = path.absolute().parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield
    except BaseException:
        for folder in missing:  # innermost first; a folder something else wrote into stays
            try:
                folder.rmdir()
            except OSError:
                break
        raise
