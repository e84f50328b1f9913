"""The `tfgan-zoo` command line.

    tfgan-zoo [--verbose] COMMAND ...      list, train, sample, evaluate, export, compare
    tfgan-zoo COMMAND --help

One module per command in this package (listing, train, sample, evaluate, export, compare), each
registering itself with `registry.register_command`; the library (everything outside this package)
never imports it. Exit codes: 0 success, 2 bad input (one line "tfgan-zoo: error: ..." on stderr,
nothing written), 1 a failure while running (a non-finite loss), 130 interrupted.

Quiet and fast: `--help`, `COMMAND --help` and `list` never import TensorFlow. The other commands
import it when they run; TensorFlow's C++ start-up lines (oneDNN, CUDA probing, CPU features: about
eight lines that ignore TF_CPP_MIN_LOG_LEVEL because they come before logging is set up) are
silenced, and TF_CPP_MIN_LOG_LEVEL defaults to 3: the C++ error lines TensorFlow prints while it
recovers by itself (grappler's "remapper failed" on the growing networks' stage switch, oneDNN
falling back to Eigen for int32) are noise to a user, and a real failure reaches Python as an
exception. `--verbose`, or a TF_CPP_MIN_LOG_LEVEL of 0 or 1 set by the user, shows them all (2:
the error lines, without the start-up lines).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Iterator, Optional, Sequence

from tfgan_zoo.cli.registry import (  # noqa: F401  (the registry's names are this package's API)
    EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, PROG, Command, CommandFailure, UsageError, commands,
    non_negative_int, parse_overrides, positive_int, register_command,
)
from tfgan_zoo.cli import listing, train, sample, evaluate, export, compare  # noqa: E402,F401  (register, in order)
from tfgan_zoo.errors import InputError, RunFailure

LOG_LEVEL = "TF_CPP_MIN_LOG_LEVEL"


# --- TensorFlow, started quietly ----------------------------------------------------------------

def _wants_native_logs(verbose: bool) -> bool:
    """--verbose, or the user's own TF_CPP_MIN_LOG_LEVEL of 0 (all) or 1 (warnings)."""
    return verbose or os.environ.get(LOG_LEVEL, "").strip() in ("0", "1")


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null: C++ code writes there, past sys.stderr."""
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


def start_tensorflow(verbose: bool = False) -> None:
    """Import TensorFlow and Keras and find the devices, silencing TensorFlow's start-up lines
    unless `verbose` (or the user's TF_CPP_MIN_LOG_LEVEL) asks for them. Imported already (a
    caller's process), only the log levels are set."""
    if not _wants_native_logs(verbose):
        os.environ.setdefault(LOG_LEVEL, "3")
    quiet = contextlib.nullcontext() if _wants_native_logs(verbose) else _native_stderr_silenced()
    with quiet:
        import keras  # noqa: F401
        import tensorflow as tf

        tf.config.list_physical_devices()
    if not verbose:
        tf.get_logger().setLevel("ERROR")  # Python-side warnings (AutoGraph, retracing) for developers


# --- parsing and running ------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors on one line ("tfgan-zoo train: error: ... (see --help)"),
    not after the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (`{self.prog} --help` lists the arguments)\n")


def _add_verbose(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("-v", "--verbose", action="store_true", default=default,
                        help="show TensorFlow's start-up and warning logs")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered sub-command."""
    parser = _Parser(prog=PROG, description="GAN training-stabilisation model zoo.")
    _add_verbose(parser, False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in commands().values():
        sub = subparsers.add_parser(command.name, help=command.help, description=command.description or command.help)
        command.configure(sub)
        _add_verbose(sub, argparse.SUPPRESS)  # after the command too; SUPPRESS keeps a global --verbose
        sub.set_defaults(_command=command)
    return parser


def _error(message: object) -> None:
    print(f"{PROG}: error: " + " ".join(str(message).splitlines()), file=sys.stderr, flush=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run `tfgan-zoo` with `argv` (default sys.argv[1:]); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2, message printed)
        return int(exit_.code or 0) if isinstance(exit_.code, (int, type(None))) else EXIT_USAGE
    command: Optional[Command] = getattr(args, "_command", None)
    if command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        if command.needs_tensorflow:
            start_tensorflow(args.verbose)
        return int(command.run(args) or 0)
    except InputError as error:  # UsageError and the library's RunError, CheckpointError, ExportError, ...
        _error(error)
        return EXIT_USAGE
    except RunFailure as error:  # CommandFailure, NonFiniteLossError
        _error(error)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _error("interrupted; checkpoints already written are intact (`tfgan-zoo train --resume` continues a run).")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
