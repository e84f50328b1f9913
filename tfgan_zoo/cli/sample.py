"""`tfgan-zoo sample (--run DIR | --model NAME_OR_PATH [--sha256 HEX]) --out FILE [--num N] [--seed S]
[--label L] [--truncation T] [--psi PSI]`: samples of a run or of a pretrained generator, as a PNG (an image
grid, a scatter plot for 2-D toys) or the raw float32 outputs (.npy)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from tfgan_zoo.cli.registry import (
    EXIT_OK, UsageError, non_negative_int, positive_int, psi_strength, register_command, sha256_hex,
    truncation_threshold,
)


def configure(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--run", metavar="DIR", help="a run directory (its latest checkpoint)")
    source.add_argument("--model", metavar="NAME_OR_PATH",
                        help="a pretrained name (tfgan_zoo.pretrained.list_pretrained()), an exported SavedModel, "
                             "a .keras generator or an https URL (with --sha256)")
    parser.add_argument("--sha256", metavar="HEX", type=sha256_hex,
                        help="expected SHA-256 of the file a --model URL downloads")
    parser.add_argument("--num", type=positive_int, default=64, metavar="N", help="number of samples (default 64)")
    parser.add_argument("--out", required=True, metavar="FILE",
                        help="FILE.png: a grid (a scatter plot for 2-D toys); FILE.npy: the raw float32 outputs")
    parser.add_argument("--seed", type=non_negative_int, default=0, metavar="S", help="latent seed (default 0)")
    parser.add_argument("--label", type=non_negative_int, metavar="L", help="class of every sample (conditional runs)")
    parser.add_argument("--truncation", type=truncation_threshold, metavar="T",
                        help="draw z from the model's prior with every |z_i| <= T, resampling the others "
                             "(the truncation trick, Brock et al. 2019); default: no truncation")
    parser.add_argument("--psi", type=psi_strength, metavar="PSI",
                        help="StyleGAN runs: the truncation trick in W, w_avg + PSI (w - w_avg) on the generator's "
                             "truncated layers (Karras et al. 2019; the paper shows 0.7); default 1, untruncated")


def open_model(name_or_path: Union[str, Path], *, sha256: Optional[str] = None,
               cache_dir: Optional[Union[str, Path]] = None) -> Any:
    """`load_generator` for the command line: a URL without --sha256 and a load failure are
    UsageErrors naming the flags."""
    from tfgan_zoo.pretrained import GeneratorLoadError, is_url, load_generator

    if is_url(str(name_or_path)) and not sha256:
        raise UsageError(f"--model {name_or_path} is a URL: pass --sha256 HEX with the file's SHA-256 "
                         "(`sha256sum FILE` prints it), so the download can be verified.")
    try:
        return load_generator(str(name_or_path), sha256=sha256, cache_dir=cache_dir)
    except GeneratorLoadError as error:
        raise UsageError(str(error)) from None


def generate_from(generator: Any, num: int, seed: Optional[int] = 0, label: Optional[int] = None,
                  truncation: Optional[float] = None) -> np.ndarray:
    """`num` float32 samples of a loaded pretrained generator; a bad --label or --truncation raises
    UsageError."""
    if label is not None and generator.num_classes is None:
        raise UsageError(f"--label {label}: {generator.source} is unconditional (it has no classes).")
    try:
        return generator.generate(int(num), seed=seed, labels=label, truncation=truncation)
    except ValueError as error:
        raise UsageError(str(error)) from None


def sample_from_model(name_or_path: Union[str, Path], num: int, seed: Optional[int] = 0,
                      label: Optional[int] = None, *, sha256: Optional[str] = None,
                      cache_dir: Optional[Union[str, Path]] = None, truncation: Optional[float] = None) -> np.ndarray:
    """`num` float32 samples (images in [-1, 1] (num, H, W, C), or points (num, D)) of a pretrained
    name, SavedModel directory, run directory, .keras file or URL (`sha256` required for a URL),
    from latents seeded by `seed`; `label` picks the class of a conditional generator (default:
    class i % num_classes for sample i). Bad input raises UsageError."""
    return generate_from(open_model(name_or_path, sha256=sha256, cache_dir=cache_dir), num, seed, label, truncation)


def run(args: argparse.Namespace) -> int:
    from tfgan_zoo.training import runner

    if args.run is not None:
        if args.sha256 is not None:
            raise UsageError("--sha256 checks the file a --model URL downloads; it does not apply to --run.")
        out = runner.sample_run(args.run, args.num, args.out, seed=args.seed, label=args.label,
                                truncation=args.truncation, psi=args.psi)
    else:
        if args.psi is not None:
            raise UsageError(f"--psi {args.psi:g} applies to StyleGAN runs (--run DIR); an exported StyleGAN "
                             "takes psi in its serving signatures.")
        runner.check_sample_out(args.out)
        generator = open_model(args.model, sha256=args.sha256)
        samples = generate_from(generator, args.num, seed=args.seed, label=args.label, truncation=args.truncation)
        nrow = generator.num_classes if args.label is None else None
        means = runner.toy_means_for(generator.card.get("data"))
        out = runner.write_samples(samples, args.out, means=means, nrow=nrow)
    truncated = f" (z truncated at {args.truncation:g})" if args.truncation is not None else ""
    truncated += f" (psi {args.psi:g} in W)" if args.psi is not None else ""
    print(f"Wrote {args.num} samples{truncated} to {out}")
    return EXIT_OK


register_command("sample", help="write samples of a run or a pretrained generator as a PNG grid or a .npy array",
                 configure=configure, run=run)

__all__ = ["generate_from", "open_model", "sample_from_model"]
