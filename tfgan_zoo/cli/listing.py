"""`tfgan-zoo list`: every preset, one line each with what it demonstrates (no TensorFlow needed)."""
from __future__ import annotations

import argparse

from tfgan_zoo.cli.registry import EXIT_OK, register_command


def configure(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from tfgan_zoo.presets import DEFAULT_PRESET, list_presets

    presets = list_presets()
    width = max(map(len, presets))
    for name, description in presets.items():
        marker = " (default)" if name == DEFAULT_PRESET and "default" not in description else ""
        print(f"{name:<{width}}  {description}{marker}")
    return EXIT_OK


register_command("list", help="the presets, one line each with what it demonstrates",
                 configure=configure, run=run, needs_tensorflow=False)
