"""Rule groups as Prometheus reads them, for comparing an input with generated output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_GROUP_SETTINGS = ("interval", "limit", "query_offset")
_RULE_FIELDS = ("alert", "record", "expr", "for", "keep_firing_for")


def rule_groups(texts: list[str]) -> dict[str, dict[str, Any]]:
    """Every group of the rule files or PrometheusRule manifests in `texts`, by name."""
    groups: dict[str, dict[str, Any]] = {}
    for text in texts:
        for document in yaml.safe_load_all(text):
            if not document:
                continue
            if document.get("kind") == "PrometheusRule":
                document = document["spec"]
            for group in document["groups"]:
                assert group["name"] not in groups, f"group {group['name']} twice"
                groups[group["name"]] = {
                    **{key: group[key] for key in _GROUP_SETTINGS if key in group},
                    "rules": [_rule(rule) for rule in group["rules"]],
                }
    return groups


def rule_files(directory: Path) -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(directory.rglob("*.y*ml"))]


def _rule(rule: dict[str, Any]) -> dict[str, Any]:
    result = {key: rule[key] for key in _RULE_FIELDS if key in rule}
    for key in ("labels", "annotations"):
        if rule.get(key):
            result[key] = {name: str(value) for name, value in rule[key].items()}
    return result
