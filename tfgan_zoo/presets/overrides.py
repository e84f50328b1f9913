"""Dotted-key overrides of a config: `--set key=value`, and `derive` for preset modules."""
from __future__ import annotations

import copy
import difflib
import json
from typing import Any, Mapping


def parse_value(text: str) -> Any:
    """A command-line override value: JSON when it parses (numbers, true, null, lists), else text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def format_value(value: Any) -> str:
    """A --set value as typed on the command line (`parse_value` gives `value` back)."""
    if isinstance(value, str) and parse_value(value) == value:
        return value
    return json.dumps(value)


def leaf_keys(config: Any, prefix: str = "") -> list[str]:
    """Every dotted key of a nested dict (inner nodes included)."""
    if isinstance(config, dict):
        keys = []
        for key, value in config.items():
            keys.extend(leaf_keys(value, f"{prefix}{key}."))
            keys.append(f"{prefix}{key}")
        return keys
    return []


def apply_overrides(config: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict:
    """A copy of `config` with dotted keys set ("d_optimizer.learning_rate": 4e-4).

    A key must exist already (so typos fail): an unknown key is an error naming the nearest
    valid keys. A key prefixed with '+' may add a new leaf to an existing section
    ("+generator.kernel_size": 5).
    """
    config = copy.deepcopy(dict(config))
    valid = leaf_keys(config)
    for dotted, value in overrides.items():
        adding = dotted.startswith("+")
        dotted = dotted.lstrip("+")
        parts = dotted.split(".")
        node: Any = config
        for part in parts[:-1]:
            if not isinstance(node, dict) or part not in node or not isinstance(node[part], dict):
                node = None
                break
            node = node[part]
        if node is None or (parts[-1] not in node and not adding):
            close = difflib.get_close_matches(dotted, valid, n=3, cutoff=0.5)
            hint = f" Nearest valid keys: {', '.join(close)}." if close else ""
            raise ValueError(f"Unknown config key {dotted!r}.{hint}")
        node[parts[-1]] = copy.deepcopy(value)
    return config


def derive(base: Mapping[str, Any], description: str, overrides: Mapping[str, Any] = {}) -> dict:
    """A new preset from `base`: its description and dotted overrides (as `apply_overrides`)."""
    return apply_overrides({**copy.deepcopy(dict(base)), "description": description}, overrides)
