"""Grafana dashboard JSON details shared by the grafana target's modules.

The model version, the deep merge that applies the catalog's verbatim `grafana:` mappings,
and schema migration 42's rule applied to the overrides we pass through, so a file that says
`schemaVersion: 42` holds what Grafana's migrator would have made of it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

# Grafana 12/13's current v1 dashboard model: the version its migrator stops at.
# 40: `refresh` is always a string; 41: no `timepicker.time_options`; 42: a field hidden
# from the visualization (`hideFrom.viz`) is hidden from the tooltip too.
SCHEMA_VERSION = 42


def deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `extra` merged in: mappings merge key by key, anything else replaces.

    `extra` is copied, never shared: the catalog model stays untouched.
    """
    if not extra:
        return base
    for key, value in extra.items():
        current = base.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            base[key] = deep_merge(dict(current), value)  # never into a shared default
        else:
            base[key] = copy.deepcopy(value)
    return base


def hide_from_tooltip_too(override: dict[str, Any]) -> dict[str, Any]:
    """Schema migration 42 on one field override: `hideFrom.viz` implies `tooltip`."""
    override = copy.deepcopy(override)
    for prop in override.get("properties") or []:
        if not isinstance(prop, dict) or prop.get("id") != "custom.hideFrom":
            continue
        value = prop.get("value")
        if isinstance(value, dict) and value.get("viz") is True:
            value["tooltip"] = True
    return override
