"""An exclusive lock on a run directory, held by the one process that trains into it.

    with hold_run_lock("runs/demo") as lock:      # RunLockedError when another process holds it
        ...                                        # train; lock.previous names a stale holder

The lock is `RUN_DIR/.lock`, locked with `fcntl.flock(LOCK_EX | LOCK_NB)` and holding the holder's
PID, host, start time and command line (JSON) for the message another process gets. The kernel
drops a flock when its process ends, however it ends (kill -9, out-of-memory), so the lock file a
dead process leaves behind is simply taken over: its content is only a name for messages. On
release the file is unlinked while still locked; a process that opened the old file in between
sees, after locking it, that the path now names another file (or none) and tries again, so two
processes never both hold the lock. Directories the lock had to create are removed again on
release when they are still empty, so a run that stops before writing anything leaves nothing.

`check_unlocked(run_dir)` asks without taking the lock and without writing anything, so a second
process learns who holds the directory before it plans anything else.

Where flock is unavailable (no `fcntl` module) or refused by the file system, the lock falls back
to the holder record: a record naming a live process on this host refuses, any other is taken
over (racy between two processes starting in the same instant, unlike flock).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime
import errno
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Iterator, Optional, Union

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

PathLike = Union[str, os.PathLike]
LOCK_FILE = ".lock"
_HOLDER_WAIT_SECONDS = 1.0  # how long to wait for a new holder to write its record


class RunLockedError(RuntimeError):
    """Another live process holds the run directory's lock."""

    def __init__(self, run_dir: Path, holder: dict):
        self.run_dir, self.holder = run_dir, holder
        super().__init__(
            f"Run directory {str(run_dir)!r} is in use by another training process ({describe_holder(holder)}); "
            f"wait for it to finish, or choose another --out."
        )


@dataclasses.dataclass
class RunLock:
    """A held lock: its file, this process's record, and the record of a stale holder taken over."""

    path: Path
    holder: dict
    previous: Optional[dict]
    _descriptor: Optional[int] = None
    _created: tuple[Path, ...] = ()


def holder_record() -> dict:
    """This process as a lock holder: PID, host, start time and command line."""
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "started": datetime.datetime.now().isoformat(timespec="seconds"), "command": " ".join(sys.argv)}


def describe_holder(holder: dict) -> str:
    """"PID 1234 on host h since 2024-01-01T10:00:00" (what is known of it)."""
    if not holder.get("pid"):
        return "PID unknown"
    text = f"PID {holder['pid']}"
    if holder.get("host"):
        text += f" on {holder['host']}"
    return text + (f" since {holder['started']}" if holder.get("started") else "")


def read_holder(path: PathLike) -> dict:
    """The holder record of a lock file ({} when absent or unreadable)."""
    try:
        record = json.loads(Path(path).read_text() or "{}")
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _create_directories(directory: Path) -> tuple[Path, ...]:
    """mkdir -p, returning the directories it created, deepest first."""
    missing = []
    probe = directory
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
    return tuple(missing)


def _write_record(descriptor: int, record: dict) -> None:
    data = (json.dumps(record) + "\n").encode()
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, data, 0)
    os.fsync(descriptor)


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(descriptor), os.stat(path))
    except FileNotFoundError:
        return False


def _flock(descriptor: int) -> Optional[bool]:
    """True: locked; False: another process holds it; None: flock is not available here."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EACCES):
            return False
        return None  # ENOLCK, EOPNOTSUPP, ...: a file system without flock
    return True


def _live(holder: dict) -> bool:
    """Whether a holder record names a running process on this host (this one included)."""
    pid = holder.get("pid")
    if not isinstance(pid, int) or holder.get("host") != socket.gethostname():
        return False
    if pid == os.getpid() or os.name == "nt":  # os.kill(pid, 0) would send CTRL_C on Windows: assume it runs
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


def acquire(run_dir: PathLike) -> RunLock:
    """Lock `run_dir` (created when missing) for this process; RunLockedError names the holder.

    A lock that is held while its record names no running process (a holder that has not
    written its record yet, a `check_unlocked` probe, a holder on another host) is tried again
    for up to a second before giving up.
    """
    run_dir = Path(run_dir)
    path = run_dir / LOCK_FILE
    created: tuple[Path, ...] = ()
    deadline = time.monotonic() + _HOLDER_WAIT_SECONDS
    while True:
        created += _create_directories(run_dir)  # again after a holder removed what it created
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        locked = _flock(descriptor)
        if locked and not _same_file(descriptor, path):
            os.close(descriptor)  # the holder unlinked it while releasing: lock the new file
            continue
        holder = read_holder(path)
        if locked is False or (locked is None and _live(holder)):
            os.close(descriptor)
            if _live(holder) or time.monotonic() >= deadline:
                _remove_empty(created)
                raise RunLockedError(run_dir, holder)
            time.sleep(0.05)
            continue
        record = holder_record()
        _write_record(descriptor, record)
        stale = holder if holder.get("pid") not in (None, os.getpid()) else None
        return RunLock(path, record, stale, descriptor, created)


def check_unlocked(run_dir: PathLike) -> None:
    """RunLockedError when another process (or this one) holds the lock of `run_dir`; writes
    nothing, so a process can check before it decides to write."""
    run_dir = Path(run_dir)
    path = run_dir / LOCK_FILE
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        locked = _flock(descriptor)
        holder = read_holder(path)
        if locked is False and not _live(holder):
            holder = _wait_for_record(path)
        if locked is False or (locked is None and _live(holder)):
            raise RunLockedError(run_dir, holder)
    finally:
        os.close(descriptor)  # drops the probe's own flock, if it got one


def _wait_for_record(path: Path) -> dict:
    """The holder record, waiting briefly for a holder that has locked but not yet written it."""
    deadline = time.monotonic() + _HOLDER_WAIT_SECONDS
    holder = read_holder(path)
    while not holder.get("pid") and time.monotonic() < deadline:
        time.sleep(0.05)
        holder = read_holder(path)
    return holder


def release(lock: RunLock) -> None:
    """Unlink the lock file (while still holding it), unlock, and remove the directories the lock
    created if they are empty now."""
    if lock._descriptor is None:
        return
    with contextlib.suppress(FileNotFoundError):
        if _same_file(lock._descriptor, lock.path):
            lock.path.unlink()
    os.close(lock._descriptor)  # closing the last descriptor drops the flock
    lock._descriptor = None
    _remove_empty(lock._created)


def _remove_empty(directories: tuple[Path, ...]) -> None:
    for directory in directories:  # deepest first
        try:
            directory.rmdir()
        except FileNotFoundError:
            continue
        except OSError:  # not empty: neither are its parents
            return


@contextlib.contextmanager
def hold_run_lock(run_dir: PathLike) -> Iterator[RunLock]:
    """Hold the lock of `run_dir` for the duration of the block (see the module docstring)."""
    lock = acquire(run_dir)
    try:
        yield lock
    finally:
        release(lock)


__all__ = ["LOCK_FILE", "RunLock", "RunLockedError", "acquire", "check_unlocked", "describe_holder", "hold_run_lock",
           "holder_record", "read_holder", "release"]
