"""Per-sample, per-channel affine modulation shared by the conditional normalisation layers (private)."""
from __future__ import annotations

from typing import Any

from keras import ops


def modulate(x: Any, gain: Any, bias: Any) -> Any:
    """gain * x + bias, with gain and bias of shape (batch, C) broadcast over x's middle axes
    (conditional batch norm, AdaIN), cast to x's dtype."""
    shape = [-1] + [1] * (len(x.shape) - 2) + [x.shape[-1]]
    return ops.cast(ops.reshape(gain, shape), x.dtype) * x + ops.cast(ops.reshape(bias, shape), x.dtype)
