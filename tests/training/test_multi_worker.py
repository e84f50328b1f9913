"""Multi-worker training: two `tfgan-zoo train --strategy multi_worker` processes on 127.0.0.1
(TF_CONFIG, free ports) end with identical weights, equal to a one-process two-replica run on the
same global batch; a worker killed after the first checkpoint stops its peer with one line, and
both restarted with --resume end where the uninterrupted run ends."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tfgan_zoo.training import checkpoint as checkpoint_lib
from tfgan_zoo.training import loop, runner
from tfgan_zoo.training.distribute import free_local_ports, mirrored_strategy

SCRIPT = Path(sys.executable).with_name("tfgan-zoo")
STEPS = 6
OVERRIDES = {"generator.width": 8, "discriminator.width": 8, "training.log_every": 2, "training.sample_every": 6,
             "training.checkpoint_every": 2, "training.num_samples": 64}
ARGS = ["train", "--preset", "gan_toy", "--batch-size", "16", "--no-progress", "--strategy", "multi_worker"] + [
    item for key, value in OVERRIDES.items() for item in ("--set", f"{key}={value}")]
TIMEOUT_S = 600  # bounded: a hang fails the test instead of the suite (two TF start-ups per run)


def worker_tmp(out) -> Path:
    """The workers' TMPDIR, beside the run (so leftovers of other runs in /tmp do not count)."""
    path = Path(out).parent / "tmp"
    path.mkdir(exist_ok=True)
    return path


def start_workers(out, *extra):
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_local_ports(2)]}
    processes = []
    for index in range(2):
        env = dict(os.environ, TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}),
                   TF_CPP_MIN_LOG_LEVEL="2", TMPDIR=str(worker_tmp(out)))
        processes.append(subprocess.Popen([str(SCRIPT), *ARGS, "--out", str(out), *extra], env=env,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    return processes


def finish(processes, timeout=TIMEOUT_S):
    results = []
    for process in processes:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            pytest.fail("a worker hung")
        results.append((process.returncode, out, err))
    return results


def digest_of(output):
    lines = [line for line in output.splitlines() if "weights sha256" in line]
    assert len(lines) == 1, output
    return lines[0].rsplit(" ", 1)[1].rstrip(".")


def final_state(run_dir):
    arrays, _ = checkpoint_lib.read_checkpoint(checkpoint_lib.latest_checkpoint(Path(run_dir) / "checkpoints"))
    return arrays


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("mw") / "run"
    results = finish(start_workers(out, "--steps", str(STEPS)))
    return out, results


def test_two_workers_end_identical_and_equal_to_a_one_process_two_replica_run(uninterrupted, tmp_path):
    out, ((code0, out0, err0), (code1, out1, err1)) = uninterrupted
    assert (code0, code1) == (0, 0), (err0[-2000:], err1[-2000:])
    assert digest_of(out0) == digest_of(out1)  # both workers hold the same state, bit for bit
    config = json.loads((out / "config.json").read_text())
    assert (config["run"]["strategy"], config["run"]["replicas"]) == ("multi_worker", 2)
    assert sorted(path.name for path in (out / "checkpoints").iterdir()) == [
        "step_000002.npz", "step_000004.npz", "step_000006.npz"]
    assert [line.split(",")[0] for line in (out / "metrics.csv").read_text().splitlines()] == ["step", "2", "4", "6"]
    assert (out / "samples" / "step_000006.png").is_file() and (out / "generator.keras").is_file()
    assert not list(worker_tmp(out).glob("tfgan_zoo-worker1-*"))  # the worker's directory is gone

    # One process, two logical CPUs (tests/conftest.py), the same global batch of 16, the same loop.
    # (Keras `fit` under MirroredStrategy iterates the dataset differently, so it sees other batches.)
    config = runner.load_run_config(out)
    strategy = mirrored_strategy()
    gan = runner.build_from_config(config, strategy)
    dataset = runner.make_dataset(config, runner.data_lib.describe(config.data), strategy=strategy)
    loop.train_loop(gan, dataset, strategy, [], total_steps=STEPS, log_every=2)
    assert strategy.num_replicas_in_sync == 2
    mine, theirs = final_state(out), checkpoint_lib.capture_state(gan)[0]
    assert sorted(mine) == sorted(theirs)
    for key in mine:
        np.testing.assert_allclose(mine[key], theirs[key], rtol=1e-5, atol=1e-5, err_msg=key)


def test_a_lost_worker_stops_its_peer_in_one_line_and_resume_ends_as_uninterrupted(uninterrupted, tmp_path):
    reference, _ = uninterrupted
    out = tmp_path / "run"
    chief, worker = start_workers(out, "--steps", str(STEPS))
    first = out / "checkpoints" / "step_000002.npz"
    deadline = time.monotonic() + TIMEOUT_S
    while not first.exists() and time.monotonic() < deadline and chief.poll() is None:
        time.sleep(0.2)
    assert first.exists(), "no first checkpoint"
    worker.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    (code, _, err), _ = finish([chief, worker])
    assert time.monotonic() - killed_at < 120  # detected in bounded time (collective timeout / health check)
    if code == 0:
        pytest.skip("the chief finished before it noticed the lost worker (the machine was fast)")
    assert code == 1
    last = [line for line in err.strip().splitlines() if line.strip()][-1]
    assert "Lost contact with another worker" in last and "--resume" in last, err[-2000:]

    results = finish(start_workers(out, "--resume"))
    assert [code for code, _, _ in results] == [0, 0], [err[-2000:] for _, _, err in results]
    assert digest_of(results[0][1]) == digest_of(results[1][1])
    mine, theirs = final_state(out), final_state(reference)
    for key in mine:
        np.testing.assert_array_equal(mine[key], theirs[key], err_msg=key)
