"""The spectral-normalisation wrapper the layers of this package put around their sub-layers
(private; the model builders use `tfgan_zoo.models.common.maybe_spectral`)."""
from __future__ import annotations

from typing import Any, Optional

import keras


def spectral_normalization(
    layer: keras.layers.Layer, power_iterations: int = 1, dtype: Optional[Any] = None
) -> keras.layers.Layer:
    """Wrap `layer` (Miyato et al. 2018, one power iteration per training call). `dtype`: the
    wrapper's policy; pass the variable dtype (float32 under mixed precision) so the power
    iteration does not run in float16."""
    return keras.layers.SpectralNormalization(
        layer, power_iterations=power_iterations, name=f"{layer.name}_sn", dtype=dtype
    )
