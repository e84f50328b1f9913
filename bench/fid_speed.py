"""Time tfgan_zoo's frechet_distance against the scipy.linalg.sqrtm reference at 2048-d.

    TF_CPP_MIN_LOG_LEVEL=2 python bench/fid_speed.py [--dim 2048] [--samples 4096] [--repeats 3]
                                                     [--threads 1]

Both run in this one process on the same statistics (two Gaussian feature sets, mixed by a
random matrix, covariances with ddof=1). Prints the best-of-``repeats`` wall-clock and process
CPU time of each, their ratios (target: at least 10x) and the absolute and relative difference
of the two FIDs.
Needs scipy (a test dependency). BLAS threads default to 1 (--threads): on a loaded, shared
machine a multi-threaded BLAS can slow a symmetric eigensolver twentyfold, which would measure
the contention, not the algorithms.
"""
from __future__ import annotations

import argparse
import os
import time


def _threads_from_argv() -> str:
    import sys

    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


# BLAS reads its thread count at import: set it before numpy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads_from_argv()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402

from tfgan_zoo.metrics.fid import frechet_distance  # noqa: E402


def reference_fid(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """The TTUR reference: sqrtm of the product (eps offset if non-finite), real part."""
    covmean = scipy.linalg.sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean).real)


def best_time(fn, repeats):
    """Best wall-clock and best process CPU time over ``repeats`` calls, and the value."""
    wall, cpu, value = float("inf"), float("inf"), None
    for _ in range(repeats):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        value = fn()
        wall = min(wall, time.perf_counter() - start_wall)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, value


def main() -> None:
    parser = argparse.ArgumentParser(description="FID speed: eigen trick vs sqrtm reference")
    parser.add_argument("--dim", type=int, default=2048)
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    d, n = args.dim, args.samples
    mixing = rng.normal(size=(d, d)) / np.sqrt(d)
    f1 = rng.normal(size=(n, d)) @ mixing
    f2 = rng.normal(size=(n, d)) @ (mixing + 0.1 * rng.normal(size=(d, d)) / np.sqrt(d)) + 0.05
    mu1, sigma1 = f1.mean(0), np.cov(f1, rowvar=False)
    mu2, sigma2 = f2.mean(0), np.cov(f2, rowvar=False)

    fast_wall, fast_cpu, fast = best_time(
        lambda: frechet_distance(mu1, sigma1, mu2, sigma2), args.repeats
    )
    ref_wall, ref_cpu, ref = best_time(
        lambda: reference_fid(mu1, sigma1, mu2, sigma2), args.repeats
    )
    print(f"dim {d}, {n} samples per set, best of {args.repeats}, {args.threads} BLAS thread(s)")
    print(f"frechet_distance (symmetric eigen): wall {fast_wall:7.3f} s  cpu {fast_cpu:7.3f} s"
          f"   FID {fast:.10f}")
    print(f"sqrtm reference:                    wall {ref_wall:7.3f} s  cpu {ref_cpu:7.3f} s"
          f"   FID {ref:.10f}")
    print(f"speed-up: {ref_wall / fast_wall:.1f}x wall, {ref_cpu / fast_cpu:.1f}x cpu "
          "(target >= 10x; on a shared machine the cpu figure is the steadier one)")
    print(f"difference: absolute {abs(fast - ref):.3e}, relative {abs(fast - ref) / abs(ref):.3e}")

if __name__ == "__main__":
    main()
