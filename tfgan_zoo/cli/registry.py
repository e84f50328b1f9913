"""The registry of `tfgan-zoo` sub-commands, the errors a command raises, and argument types.

A command module calls `register_command(name, help=..., configure=..., run=...)` at import time:
`configure(parser)` adds its arguments (argparse only: no TensorFlow, so `--help` stays fast) and
`run(args) -> int` does the work, importing the library when it runs. `run` raises `UsageError`
for bad input (exit 2) and `CommandFailure` for a failure while running (exit 1); library errors
derived from tfgan_zoo.errors.InputError / RunFailure map to the same exit codes.
"""
from __future__ import annotations

import argparse
import dataclasses
from typing import Any, Callable, Optional, Sequence

from tfgan_zoo.errors import InputError, RunFailure

PROG = "tfgan-zoo"
EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(InputError):
    """Bad input to a command: exit code 2, nothing written."""


class CommandFailure(RunFailure):
    """A command failed while running: exit code 1."""


@dataclasses.dataclass(frozen=True)
class Command:
    """A sub-command: its name, one-line help, `configure(parser)` and `run(args) -> exit code`;
    `needs_tensorflow` False lets it run without TensorFlow being imported (and started quietly)."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    description: Optional[str] = None
    needs_tensorflow: bool = True


_COMMANDS: dict[str, Command] = {}


def register_command(name: str, *, help: str, configure: Callable[[argparse.ArgumentParser], None],
                     run: Callable[[argparse.Namespace], int], description: Optional[str] = None,
                     needs_tensorflow: bool = True, replace: bool = False) -> Command:
    """Add a sub-command to `tfgan-zoo` (a second registration of a name is an error unless `replace`)."""
    if name in _COMMANDS and not replace:
        raise ValueError(f"A tfgan-zoo command {name!r} is already registered.")
    command = Command(name, help, configure, run, description, needs_tensorflow)
    _COMMANDS[name] = command
    return command


def commands() -> dict[str, Command]:
    """The registered sub-commands, by name, in registration order."""
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


def psi_strength(text: str) -> float:
    """An argparse type: psi, the truncation in W of a style-based generator, in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:  # NaN fails too
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1] (1: untruncated, 0: w_avg), got {text!r}")
    return value


def truncation_threshold(text: str) -> float:
    """An argparse type: a truncation threshold, as tfgan_zoo.latent.check_truncation accepts it."""
    from tfgan_zoo.latent import check_truncation

    try:
        return check_truncation(float(text), what="it")
    except ValueError:
        from tfgan_zoo.latent import MIN_TRUNCATION

        raise argparse.ArgumentTypeError(
            f"expected a finite number >= {MIN_TRUNCATION} (the |z_i| threshold, e.g. 0.5), got {text!r}") from None


def sha256_hex(text: str) -> str:
    """An argparse type: 64 hexadecimal digits (what `sha256sum FILE` prints)."""
    if len(text) != 64 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise argparse.ArgumentTypeError(f"expected 64 hexadecimal digits (`sha256sum FILE` prints them), got {text!r}")
    return text.lower()


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


__all__ = ["Command", "CommandFailure", "EXIT_FAILURE", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "PROG",
           "UsageError", "commands", "non_negative_int", "parse_overrides", "positive_int", "register_command",
           "sha256_hex", "truncation_threshold"]
