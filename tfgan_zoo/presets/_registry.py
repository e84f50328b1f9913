"""The one place presets are registered, and read back (plain JSON data; no Keras import)."""
from __future__ import annotations

import copy
import difflib
import json
from pathlib import Path
from typing import Any

CONFIG_FILE = "config.json"
DEFAULT_PRESET = "clustered_dcgan_mnist5k"

_PRESETS: dict[str, dict] = {}


def register(name: str, config: dict) -> dict:
    """Add preset `name` (its config must be JSON and carry a one-line description); returns it."""
    if name in _PRESETS:
        raise ValueError(f"A preset named {name!r} is already registered.")
    if not isinstance(config.get("description"), str) or not config["description"]:
        raise ValueError(f"Preset {name!r} needs a one-line 'description'.")
    json.dumps(config)  # must be JSON
    _PRESETS[name] = copy.deepcopy(config)
    return config


def preset_names() -> list[str]:
    """The registered preset names, sorted."""
    return sorted(_PRESETS)


def list_presets() -> dict[str, str]:
    """Preset name -> one line saying what it demonstrates."""
    return {name: _PRESETS[name]["description"] for name in sorted(_PRESETS)}


def get_config(name_or_folder: str) -> dict:
    """The config (JSON form) of a preset name, or of a folder holding config.json (a run or an export)."""
    if name_or_folder in _PRESETS:
        return copy.deepcopy(_PRESETS[name_or_folder])
    path = Path(name_or_folder)
    if path.is_dir():
        config_path = path / CONFIG_FILE
        if not config_path.is_file():
            raise FileNotFoundError(f"Preset folder {str(path)!r} has no {CONFIG_FILE}.")
        try:
            return json.loads(config_path.read_text())
        except json.JSONDecodeError as error:
            raise ValueError(f"{config_path} is not valid JSON: {error}") from None
    close = difflib.get_close_matches(str(name_or_folder), _PRESETS, n=3)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise ValueError(
        f"Unknown preset {name_or_folder!r} (not a preset name nor a folder with {CONFIG_FILE}).{hint} "
        f"Run `tfgan-zoo list` for the presets."
    )


def all_configs() -> dict[str, Any]:
    """Every preset's config, by name (copies)."""
    return {name: copy.deepcopy(config) for name, config in sorted(_PRESETS.items())}
