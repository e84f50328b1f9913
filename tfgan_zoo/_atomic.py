"""Atomic file writes: write a temporary file beside the target, then rename it into place."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator, Union


@contextlib.contextmanager
def replacing(path: Union[str, os.PathLike], fsync: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `path`; when the block succeeds, rename it onto `path`.

    The temporary name starts with "." + the target's name and ends with the target's suffixes
    (Keras and matplotlib check them). On an error the temporary file is removed and `path` is
    left as it was. `fsync` flushes the written file to disk before the rename.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}{''.join(path.suffixes)}")
    try:
        yield temporary
        if fsync:
            with open(temporary, "rb") as handle:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
