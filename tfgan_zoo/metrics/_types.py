"""Small shared types and checks for the metrics."""
from __future__ import annotations

from typing import NamedTuple


class MeanStd(NamedTuple):
    """A metric's mean and standard deviation over subsets or splits (unpacks as a pair)."""

    mean: float
    std: float

    def as_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "std": self.std}
