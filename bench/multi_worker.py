"""Steps per second of 1 vs 2 local workers (MultiWorkerMirroredStrategy over 127.0.0.1) running the
zoo's training loop (tfgan_zoo.training.loop: GAN.train_step through strategy.run), and the bytes
all-reduced per step.

On one machine with few cores the two workers share the CPUs, so this measures the overhead of the
collective (gRPC ring all-reduce of the gradients, plus the per-step reduction of the logs), not
a speed-up: a second host doubles the compute, this does not.

    python bench/multi_worker.py [--preset gan_toy] [--batch 64] [--steps 50]

Bytes all-reduced per step = 4 bytes x (D parameters x d_steps + G parameters) (the float32
gradients, summed over the replicas once per optimizer update), plus one scalar per logged term.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

WORKER = "--worker"


def worker(preset: str, batch: int, steps: int) -> None:
    """One worker: build the preset under the strategy, warm up, time `steps` steps, print JSON."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from tfgan_zoo.training import distribute

    strategy = distribute.multi_worker_strategy() if "TF_CONFIG" in os.environ else None  # first TF op
    import numpy as np
    import tensorflow as tf

    from tfgan_zoo import data as data_lib
    from tfgan_zoo import presets
    from tfgan_zoo.config import resolve
    from tfgan_zoo.training import loop, runner

    spec = presets.get_config(preset)["data"]
    info = data_lib.describe(spec)
    config = resolve(presets.get_config(preset), info, data=spec, batch_size=batch)
    strategy = strategy or tf.distribute.get_strategy()
    gan = runner.build_from_config(config, strategy)
    dataset = runner.make_dataset(config, info, strategy=strategy)
    iterator = iter(strategy.experimental_distribute_dataset(dataset))
    one_step = loop.make_step_function(gan, strategy)
    for _ in range(5):
        one_step(iterator)
    start = time.perf_counter()
    for _ in range(steps):
        logs = one_step(iterator)
    float(next(iter(logs.values())))
    seconds = time.perf_counter() - start
    count = lambda model: int(sum(np.prod(v.shape) for v in model.trainable_variables))  # noqa: E731
    d_steps = int(config.compile.get("d_steps", 1))
    gradient_bytes = 4 * (count(gan.discriminator) * d_steps + count(gan.generator))
    print(json.dumps({"steps_per_s": steps / seconds, "bytes": gradient_bytes + 4 * len(logs),
                      "replicas": strategy.num_replicas_in_sync}), flush=True)


def run_cluster(workers: int, preset: str, batch: int, steps: int) -> dict:
    from tfgan_zoo.training.distribute import free_local_ports  # imports TensorFlow, so not at the top

    command = [sys.executable, __file__, WORKER, "--preset", preset, "--batch", str(batch), "--steps", str(steps)]
    if workers == 1:
        outputs = [subprocess.run(command, capture_output=True, text=True, check=True).stdout]
    else:
        cluster = {"worker": [f"127.0.0.1:{port}" for port in free_local_ports(workers)]}
        processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                      env=dict(os.environ, TF_CONFIG=json.dumps(
                                          {"cluster": cluster, "task": {"type": "worker", "index": index}})))
                     for index in range(workers)]
        outputs = [process.communicate(timeout=1800)[0] for process in processes]
    results = [json.loads(output.strip().splitlines()[-1]) for output in outputs]
    return {"steps_per_s": min(result["steps_per_s"] for result in results), "bytes": results[0]["bytes"],
            "replicas": results[0]["replicas"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="gan_toy")
    parser.add_argument("--batch", type=int, default=64, help="the global batch")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument(WORKER, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.preset, args.batch, args.steps)
        return
    print(f"{args.preset}, global batch {args.batch}, {args.steps} timed steps, {os.cpu_count()} CPUs on one host")
    one = run_cluster(1, args.preset, args.batch, args.steps)
    two = run_cluster(2, args.preset, args.batch, args.steps)
    print(f"  1 worker : {one['steps_per_s']:7.2f} steps/s")
    print(f"  2 workers: {two['steps_per_s']:7.2f} steps/s  (ratio {two['steps_per_s'] / one['steps_per_s']:.2f}; "
          "same host: the overhead of the collective, not a speed-up)")
    print(f"  all-reduced per step: {two['bytes']:,} bytes ({two['bytes'] / 2 ** 20:.2f} MiB)")


if __name__ == "__main__":
    main()
