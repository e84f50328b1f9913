"""Builder declarations: what each architecture builder makes and which data it supports.

A builder is a function `(**kwargs) -> keras.Model`. Its declaration says which network it is
(`role`), what it makes or reads (`makes`: "images" or "points"), the square resolutions and
channel counts it supports, whether it can be class-conditional, and the names of the keyword
arguments that carry those (so a config is adapted to data by the declaration, never by the
builder's name). `declare` registers one; `build(name, **kwargs)` builds by name.

    @declare("generator", makes="images", resolutions=(28, 32, 64))
    def my_generator(latent_dim=64, resolution=32, channels=3, num_classes=None): ...
"""
from __future__ import annotations

import dataclasses
import difflib
from typing import Any, Callable, Optional, Sequence

ROLES = ("generator", "discriminator")
KINDS = ("images", "points")


class BuilderError(ValueError):
    """A config does not fit a builder's declaration (unknown builder, resolution, channels...)."""


@dataclasses.dataclass(frozen=True)
class Builder:
    """A builder function and what it supports.

    Attributes:
        name: the name configs use ("dcgan_generator").
        function: kwargs -> keras.Model.
        role: "generator" or "discriminator".
        makes: "images" (generators make them, discriminators read them) or "points".
        resolutions: supported square resolutions, ascending (images only).
        channels: supported channel counts (images only).
        conditional: whether the builder takes `num_classes` (labels as a second input).
        point_dim_arg: the kwarg holding the point dimension (points only).
        fixed_resolution: the resolution is the preset's choice (e.g. a growing schedule's final
            one) rather than the data's: data of another size is resized to it.
    """

    name: str
    function: Callable[..., Any]
    role: str
    makes: str
    resolutions: tuple[int, ...] = ()
    channels: tuple[int, ...] = (1, 3)
    conditional: bool = False
    point_dim_arg: Optional[str] = None
    fixed_resolution: bool = False

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {list(ROLES)}, got {self.role!r}.")
        if self.makes not in KINDS:
            raise ValueError(f"makes must be one of {list(KINDS)}, got {self.makes!r}.")
        if self.makes == "images" and not self.resolutions:
            raise ValueError(f"Image builder {self.name!r} must declare its resolutions.")
        if self.makes == "points" and not self.point_dim_arg:
            raise ValueError(f"Point builder {self.name!r} must declare point_dim_arg.")
        object.__setattr__(self, "resolutions", tuple(sorted(self.resolutions)))

    def __call__(self, **kwargs: Any) -> Any:
        try:
            return self.function(**kwargs)
        except TypeError as error:
            raise BuilderError(f"Bad config for {self.name!r}: {error}") from None

    def resolution_for(self, size: int) -> int:
        """The smallest supported resolution >= size (the largest if none is)."""
        return next((r for r in self.resolutions if r >= size), self.resolutions[-1])

    def check_channels(self, channels: int) -> None:
        if channels not in self.channels:
            raise BuilderError(
                f"{self.name!r} supports images with {' or '.join(map(str, self.channels))} channels, got {channels}."
            )


BUILDERS: dict[str, Builder] = {}


def declare(role: str, *, makes: str, resolutions: Sequence[int] = (), channels: Sequence[int] = (1, 3),
            conditional: bool = False, point_dim_arg: Optional[str] = None, fixed_resolution: bool = False,
            name: Optional[str] = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: register a builder function with its declaration (returns the function)."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        builder = Builder(name or function.__name__, function, role, makes, tuple(resolutions), tuple(channels),
                          conditional, point_dim_arg, fixed_resolution)
        if builder.name in BUILDERS and BUILDERS[builder.name].function is not function:
            raise ValueError(f"A builder named {builder.name!r} is already declared.")
        BUILDERS[builder.name] = builder
        return function

    return register


def get_builder(name: str) -> Builder:
    """The declaration of builder `name` (BuilderError naming the nearest names if unknown)."""
    if name not in BUILDERS:
        close = difflib.get_close_matches(str(name), BUILDERS, n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise BuilderError(f"Unknown model builder {name!r}.{hint} Known builders: {', '.join(sorted(BUILDERS))}.")
    return BUILDERS[name]


def build(name: str, **kwargs: Any) -> Any:
    """Build an architecture by builder name with its keyword config (presets store these)."""
    return get_builder(name)(**kwargs)
