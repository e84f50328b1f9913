"""Time tfgan_zoo's frechet_distance against the scipy.linalg.sqrtm reference at 2048-d.

    TF_CPP_MIN_LOG_LEVEL=2 python bench/fid_speed.py [--dim 2048] [--samples 4096] [--repeats 3]

Both run in this one process on the same statistics (two Gaussian feature sets, mixed by a
random matrix, covariances with ddof=1). Prints the best-of-``repeats`` time of each, their
ratio (target: at least 10x) and the absolute and relative difference of the two FIDs.
Needs scipy (a test dependency). Timings depend on the BLAS threads and the machine's load.
"""
from __future__ import annotations

import argparse
import os
import time

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
    best, value = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def main() -> None:
    parser = argparse.ArgumentParser(description="FID speed: eigen trick vs sqrtm reference")
    parser.add_argument("--dim", type=int, default=2048)
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    d, n = args.dim, args.samples
    mixing = rng.normal(size=(d, d)) / np.sqrt(d)
    f1 = rng.normal(size=(n, d)) @ mixing
    f2 = rng.normal(size=(n, d)) @ (mixing + 0.1 * rng.normal(size=(d, d)) / np.sqrt(d)) + 0.05
    mu1, sigma1 = f1.mean(0), np.cov(f1, rowvar=False)
    mu2, sigma2 = f2.mean(0), np.cov(f2, rowvar=False)

    fast_t, fast = best_time(lambda: frechet_distance(mu1, sigma1, mu2, sigma2), args.repeats)
    ref_t, ref = best_time(lambda: reference_fid(mu1, sigma1, mu2, sigma2), args.repeats)
    print(f"dim {d}, {n} samples per set, best of {args.repeats}")
    print(f"frechet_distance (symmetric eigen): {fast_t:8.3f} s   FID {fast:.10f}")
    print(f"sqrtm reference:                    {ref_t:8.3f} s   FID {ref:.10f}")
    print(f"speed-up: {ref_t / fast_t:.1f}x (target >= 10x)")
    print(f"difference: absolute {abs(fast - ref):.3e}, relative {abs(fast - ref) / abs(ref):.3e}")


if __name__ == "__main__":
    main()
