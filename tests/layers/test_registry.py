"""Every layer is exported from tfgan_zoo.layers and registered as ``tfgan_zoo>Name``."""
from __future__ import annotations

import keras
import pytest

import tfgan_zoo.layers as tz_layers


@pytest.mark.parametrize("name", tz_layers.__all__)
def test_exported_and_registered(name):
    cls = getattr(tz_layers, name)
    assert issubclass(cls, keras.layers.Layer)
    assert keras.saving.get_registered_name(cls) == f"tfgan_zoo>{name}"
    assert keras.saving.get_registered_object(f"tfgan_zoo>{name}") is cls
    assert cls.__doc__ and "20" in cls.__doc__  # cites a paper (year)


def test_lazy_package_attribute():
    import tfgan_zoo

    assert tfgan_zoo.layers is tz_layers
