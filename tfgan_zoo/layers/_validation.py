"""Small shape-checking helpers shared by the layers in this package (private)."""
from __future__ import annotations

from typing import Any, Sequence


def shape_tuple(shape: Any) -> tuple:
    """Return ``shape`` as a plain tuple of ints / None, for error messages and checks."""
    if hasattr(shape, "as_list"):  # tf.TensorShape
        try:
            return tuple(shape.as_list())
        except ValueError:  # unknown rank
            return ()
    return tuple(None if d is None else int(d) for d in shape)


def check_rank(
    layer_name: str,
    shape: Any,
    allowed: Sequence[int] | None = None,
    min_rank: int | None = None,
    description: str = "",
    what: str = "inputs",
) -> tuple:
    """Raise a ValueError naming the received shape unless its rank is acceptable."""
    shape = shape_tuple(shape)
    rank = len(shape)
    ok = True
    if allowed is not None and rank not in allowed:
        ok = False
    if min_rank is not None and rank < min_rank:
        ok = False
    if not ok:
        if allowed is not None:
            expected = " or ".join(str(r) for r in allowed)
        else:
            expected = f">= {min_rank}"
        detail = f" {description}" if description else ""
        raise ValueError(
            f"{layer_name} expects {what} of rank {expected}{detail}, got shape {shape}"
        )
    return shape


def check_known_channels(layer_name: str, shape: tuple, what: str = "inputs") -> int:
    """Return the (static) last dimension, raising if it is unknown."""
    channels = shape[-1]
    if channels is None:
        raise ValueError(
            f"{layer_name} needs the last (channel) dimension of its {what} to be known, "
            f"got shape {shape}"
        )
    return int(channels)
