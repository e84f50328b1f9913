"""The `tfgan-zoo` command.

    tfgan-zoo list
    tfgan-zoo train [--preset NAME] [--data SPEC] [--steps N] [--batch-size B] [--out DIR]
                    [--set key=value ...] [--resume] [--seed S] [--data-dir DIR] [--channels 1|3]
                    [--no-progress]
    tfgan-zoo sample (--run DIR | --model NAME_OR_PATH [--sha256 HEX]) --num N --out FILE [--seed S] [--label L]

Exit codes: 0 success, 2 bad input (one line "tfgan-zoo: error: ..." on stderr, nothing
written), 1 a failure while running (a non-finite loss), 130 interrupted.

Sub-commands are a registry: a module adds one with `register_command(name, help=..., configure=...,
run=...)`, where `configure(parser)` adds its arguments and `run(args) -> int` does the work and
raises `UsageError` for bad input (exit 2) or `CommandFailure` (exit 1). The modules named in
`EXTENSION_MODULES` are imported, when they exist, before the arguments are parsed, so
`evaluate`, `export` and `compare` only need to call `register_command` at import time.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import os
import sys
from typing import Any, Callable, Optional, Sequence

PROG = "tfgan-zoo"
EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# Modules that register more sub-commands on import (skipped when they do not exist).
EXTENSION_MODULES = [
    "tfgan_zoo.metrics.cli",  # evaluate
    "tfgan_zoo.export_cli",  # export
    "tfgan_zoo.compare",  # compare
]


class UsageError(Exception):
    """Bad input to a command: exit code 2, nothing written."""


class CommandFailure(Exception):
    """A command failed while running: exit code 1."""


@dataclasses.dataclass(frozen=True)
class Command:
    """A sub-command: its name, one-line help, `configure(parser)` and `run(args) -> exit code`."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    description: Optional[str] = None


_COMMANDS: dict[str, Command] = {}


def register_command(name: str, *, help: str, configure: Callable[[argparse.ArgumentParser], None],
                     run: Callable[[argparse.Namespace], int], description: Optional[str] = None,
                     replace: bool = False) -> Command:
    """Add a sub-command to `tfgan-zoo` (a second registration of a name is an error unless `replace`)."""
    if name in _COMMANDS and not replace:
        raise ValueError(f"A tfgan-zoo command {name!r} is already registered.")
    command = Command(name, help, configure, run, description)
    _COMMANDS[name] = command
    return command


def commands() -> dict[str, Command]:
    """The registered sub-commands, by name."""
    return dict(_COMMANDS)


# --- argument types ---------------------------------------------------------------------------

def _int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer >= minimum."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text!r}")
        return value

    return parse


positive_int = _int_at_least(1)
non_negative_int = _int_at_least(0)


def parse_overrides(items: Optional[Sequence[str]]) -> dict[str, Any]:
    """["a.b=1", "c=text"] -> {"a.b": 1, "c": "text"} (values parsed as JSON when they parse)."""
    from tfgan_zoo.presets import parse_value

    overrides: dict[str, Any] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set expects key=value (e.g. d_optimizer.learning_rate=4e-4), got {item!r}.")
        overrides[key.strip()] = parse_value(value)
    return overrides


# --- list -------------------------------------------------------------------------------------

def _configure_list(parser: argparse.ArgumentParser) -> None:
    pass


def _run_list(args: argparse.Namespace) -> int:
    from tfgan_zoo.presets import DEFAULT_PRESET, list_presets

    presets = list_presets()
    width = max(map(len, presets))
    for name, description in presets.items():
        marker = " (default)" if name == DEFAULT_PRESET and "default" not in description else ""
        print(f"{name:<{width}}  {description}{marker}")
    return EXIT_OK


# --- train ------------------------------------------------------------------------------------

def _configure_train(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", help="preset name (see `tfgan-zoo list`) or folder with a config.json; "
                        "default: dcgan_mnist5k")
    parser.add_argument("--data", metavar="SPEC", help="data spec: mnist5k, tfds:NAME[:SPLIT], folder:PATH, "
                        "npz:PATH, toy:ring8, toy:grid25 (default: the preset's)")
    parser.add_argument("--steps", type=positive_int, metavar="N", help="training steps (default: the preset's)")
    parser.add_argument("--batch-size", type=positive_int, metavar="B", help="batch size (default: the preset's)")
    parser.add_argument("--out", metavar="DIR", help="run directory (default: runs/<preset>-<timestamp>)")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE", default=[], dest="overrides",
                        help="override a config value by dotted key, e.g. --set d_optimizer.learning_rate=4e-4 "
                        "(repeatable)")
    parser.add_argument("--resume", action="store_true",
                        help="continue --out (default: the newest runs/<preset>-*) from its latest checkpoint")
    parser.add_argument("--seed", type=non_negative_int, metavar="S", help="seed of weights, data order and "
                        "latents (default: the preset's)")
    parser.add_argument("--data-dir", metavar="DIR", help="tensorflow-datasets data directory (tfds specs)")
    parser.add_argument("--channels", type=int, choices=(1, 3), help="convert the images to 1 (grayscale) or 3 "
                        "(RGB) channels, e.g. for a folder of mixed images")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _run_train(args: argparse.Namespace) -> int:
    from tfgan_zoo.training import runner

    overrides = parse_overrides(args.overrides)
    result = runner.train(
        preset=args.preset, data=args.data, steps=args.steps, batch_size=args.batch_size, out=args.out,
        overrides=overrides, resume=args.resume, seed=args.seed, data_dir=args.data_dir, channels=args.channels,
        progress=not args.no_progress,
        echo=lambda message: print(message, flush=True),
    )
    if result.step > result.start_step:
        print(f"Done: step {result.step} in {result.seconds:.0f} s. Run directory: {result.run_dir}")
        print(f"  samples: {result.run_dir / runner.SAMPLES_DIR}/, metrics: {result.run_dir / runner.METRICS_FILE}, "
              f"generator: {result.run_dir / runner.GENERATOR_FILE}")
    return EXIT_OK


# --- sample -----------------------------------------------------------------------------------

def _configure_sample(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--run", metavar="DIR", help="a run directory")
    source.add_argument("--model", metavar="NAME_OR_PATH",
                        help="a pretrained name (tfgan_zoo.pretrained.list_pretrained()), an exported SavedModel, "
                             "a .keras generator or an https URL (with --sha256)")
    parser.add_argument("--sha256", metavar="HEX", help="expected SHA-256 of the file a --model URL downloads")
    parser.add_argument("--num", type=positive_int, default=64, metavar="N", help="number of samples (default 64)")
    parser.add_argument("--out", required=True, metavar="FILE",
                        help="FILE.png: a grid (a scatter plot for 2-D toys); FILE.npy: the raw float32 outputs")
    parser.add_argument("--seed", type=non_negative_int, default=0, metavar="S", help="latent seed (default 0)")
    parser.add_argument("--label", type=non_negative_int, metavar="L", help="class of every sample (conditional runs)")


def _run_sample(args: argparse.Namespace) -> int:
    from tfgan_zoo.training import runner

    if args.run is not None:
        out = runner.sample_run(args.run, args.num, args.out, seed=args.seed, label=args.label)
    else:
        from tfgan_zoo.export_cli import generate_from, open_model

        runner.check_sample_out(args.out)
        generator = open_model(args.model, sha256=args.sha256)
        samples = generate_from(generator, args.num, seed=args.seed, label=args.label)
        nrow = generator.num_classes if args.label is None else None
        means = runner.toy_means_for(generator.card.get("data"))
        out = runner.write_samples(samples, args.out, means=means, nrow=nrow)
    print(f"Wrote {args.num} samples to {out}")
    return EXIT_OK


register_command("list", help="the presets, one line each with what it demonstrates",
                 configure=_configure_list, run=_run_list)
register_command("train", help="train a preset into a run directory (or --resume one)",
                 configure=_configure_train, run=_run_train,
                 description="Train a preset. With no arguments: dcgan_mnist5k on the embedded MNIST subset.")
register_command("sample", help="write samples of a run as a PNG grid or a .npy array",
                 configure=_configure_sample, run=_run_sample)


# --- main -------------------------------------------------------------------------------------

@contextlib.contextmanager
def _quiet_native_stderr():
    """Silence the C++ lines TensorFlow prints while it is imported and finds its devices (absl
    messages written before logging is initialised ignore TF_CPP_MIN_LOG_LEVEL; a machine without
    a GPU logs a failed cuInit). Importing `tfgan_zoo` itself already imports TensorFlow, so only
    the device start-up is silenced when the command runs as the console script."""
    try:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        yield
        return
    sys.stderr.flush()
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _load_extensions() -> None:
    for module in EXTENSION_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module and not module.startswith(f"{error.name}."):
                raise


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered sub-command."""
    parser = argparse.ArgumentParser(prog=PROG, description="GAN training-stabilisation model zoo.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in _COMMANDS.values():
        sub = subparsers.add_parser(command.name, help=command.help,
                                    description=command.description or command.help)
        command.configure(sub)
        sub.set_defaults(_run=command.run)
    return parser


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run `tfgan-zoo` with `argv` (default sys.argv[1:]); returns the exit code."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with _quiet_native_stderr():
        import keras  # noqa: F401
        import tensorflow as tf

        tf.config.list_physical_devices()
    from tfgan_zoo.training.checkpoint import CheckpointError
    from tfgan_zoo.training.runner import NonFiniteLossError, RunError

    _load_extensions()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2, message printed)
        return int(exit_.code or 0) if isinstance(exit_.code, (int, type(None))) else EXIT_USAGE
    if getattr(args, "_run", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args._run(args) or 0)
    except (UsageError, RunError, CheckpointError) as error:
        _error(str(error))
        return EXIT_USAGE
    except (CommandFailure, NonFiniteLossError) as error:
        _error(str(error))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _error("interrupted; checkpoints already written are intact (`tfgan-zoo train --resume` continues a run).")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
