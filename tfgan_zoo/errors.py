"""The two kinds of failure the library reports, so that a caller (the `tfgan-zoo` command line
among them) can tell bad input from a failure while running without importing the modules that
raise them (and TensorFlow with them).

    InputError   bad input: a value, a path, a file that cannot be used; raised before anything is
                 written. The command line prints its message as one line and exits 2.
    RunFailure   something failed while running (a loss became NaN); what was written before is
                 intact. The command line prints one line and exits 1.

Each module keeps its own, more specific classes (RunError, CheckpointError, GeneratorLoadError,
ExportError, ...) derived from these.
"""
from __future__ import annotations


class InputError(ValueError):
    """Bad input; nothing was written."""


class RunFailure(RuntimeError):
    """A failure while running; what was written before it is intact."""


__all__ = ["InputError", "RunFailure"]
