"""The library's one-line warnings: the "tfgan_zoo" logger, which prints "warning: ..." on stderr
when the program configured no logging (Python's last-resort handler), or goes wherever the
program's logging configuration sends it."""
from __future__ import annotations

import logging

LOGGER = logging.getLogger("tfgan_zoo")


def warn(message: str) -> None:
    """Emit one warning line."""
    LOGGER.warning("warning: %s", message)
