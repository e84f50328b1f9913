"""The run-directory lock: one holder at a time, the holder named, a dead holder's lock taken
over, nothing left behind on release. (Two real `tfgan-zoo train` processes racing for one
directory: tests/test_cli.py.)"""
import json
import os
import socket
import subprocess
import sys

import pytest

from tfgan_zoo.training import run_lock


def dead_pid():
    """The PID of a process that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_second_acquire_is_refused_naming_the_holder_and_release_cleans_up(tmp_path):
    run_dir = tmp_path / "runs" / "demo"
    with run_lock.hold_run_lock(run_dir) as lock:
        assert lock.previous is None
        record = json.loads((run_dir / run_lock.LOCK_FILE).read_text())
        assert record["pid"] == os.getpid() and record["host"] == socket.gethostname()
        with pytest.raises(run_lock.RunLockedError, match=rf"is in use by another training process \(PID {os.getpid()} "
                                                          rf"on {socket.gethostname()} since .*\); wait for it"):
            run_lock.acquire(run_dir)  # flock conflicts between two open files, in one process too
        (run_dir / "config.json").write_text("{}")
    # Released: the lock file is gone; the directory stays because it holds something now.
    assert sorted(p.name for p in run_dir.iterdir()) == ["config.json"]


def test_release_removes_the_directories_the_lock_created_when_still_empty(tmp_path):
    with run_lock.hold_run_lock(tmp_path / "a" / "b"):
        assert (tmp_path / "a" / "b" / run_lock.LOCK_FILE).is_file()
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "kept").mkdir()
    with run_lock.hold_run_lock(tmp_path / "kept"):
        pass
    assert [p.name for p in tmp_path.iterdir()] == ["kept"]  # it existed before: left


def test_the_lock_of_a_dead_process_is_taken_over(tmp_path):
    stale = {"pid": dead_pid(), "host": socket.gethostname(), "started": "2020-01-01T00:00:00"}
    (tmp_path / run_lock.LOCK_FILE).write_text(json.dumps(stale))
    with run_lock.hold_run_lock(tmp_path) as lock:
        assert lock.previous == stale
        assert json.loads((tmp_path / run_lock.LOCK_FILE).read_text())["pid"] == os.getpid()
    assert not (tmp_path / run_lock.LOCK_FILE).exists()


def test_without_flock_a_live_holder_refuses_and_a_dead_one_is_taken_over(tmp_path, monkeypatch):
    monkeypatch.setattr(run_lock, "fcntl", None)  # as on a platform or file system without flock
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / run_lock.LOCK_FILE).write_text(json.dumps({"pid": live.pid, "host": socket.gethostname()}))
        with pytest.raises(run_lock.RunLockedError, match=rf"\(PID {live.pid} on "):
            run_lock.acquire(tmp_path)
    finally:
        live.kill()
        live.wait()
    with run_lock.hold_run_lock(tmp_path) as lock:  # that holder is dead now
        assert lock.previous["pid"] == live.pid


def test_a_holder_that_has_not_written_its_record_yet_is_waited_for(tmp_path, monkeypatch):
    monkeypatch.setattr(run_lock, "_HOLDER_WAIT_SECONDS", 0.2)
    with run_lock.hold_run_lock(tmp_path):
        (tmp_path / run_lock.LOCK_FILE).write_text("")  # locked, record not written yet
        with pytest.raises(run_lock.RunLockedError, match=r"\(PID unknown\)"):
            run_lock.acquire(tmp_path)


def test_check_unlocked_names_the_holder_and_writes_nothing(tmp_path):
    run_lock.check_unlocked(tmp_path / "missing")  # no directory, no lock: fine
    assert not (tmp_path / "missing").exists()
    stale = json.dumps({"pid": dead_pid(), "host": socket.gethostname()})
    (tmp_path / run_lock.LOCK_FILE).write_text(stale)
    run_lock.check_unlocked(tmp_path)  # a dead holder's file: not locked
    assert (tmp_path / run_lock.LOCK_FILE).read_text() == stale
    with run_lock.hold_run_lock(tmp_path):
        held = (tmp_path / run_lock.LOCK_FILE).read_text()
        with pytest.raises(run_lock.RunLockedError, match=rf"\(PID {os.getpid()} on "):
            run_lock.check_unlocked(tmp_path)
        assert (tmp_path / run_lock.LOCK_FILE).read_text() == held
        run_lock.release(run_lock.acquire(tmp_path / "other"))  # the probe did not keep a lock
