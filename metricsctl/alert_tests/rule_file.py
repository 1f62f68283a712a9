"""Read the generated rule files back: tests check the rules exactly as they are written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from metricsctl.catalog.model import RecordingRule, SourceRef
from metricsctl.catalog.yaml_source import SourceDocument


@dataclass(frozen=True, slots=True)
class RuleFileAlert:
    name: str
    expr: str
    for_: str | None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuleFile:
    path: str  # relative to the output directory
    records: tuple[RecordingRule, ...]
    alerts: tuple[RuleFileAlert, ...]
    groups: tuple[str, ...] = ()  # group names, in file order


def read_rule_file(path: str, text: str) -> RuleFile:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    document: Any = yaml.load(text, Loader=loader)
    source = SourceRef(SourceDocument(path, text, document), ())
    records: list[RecordingRule] = []
    alerts: list[RuleFileAlert] = []
    groups = tuple(str(group["name"]) for group in document.get("groups", []))
    for group in document.get("groups", []):
        for rule in group.get("rules", []):
            labels = {str(k): str(v) for k, v in (rule.get("labels") or {}).items()}
            if "record" in rule:
                records.append(RecordingRule(name=rule["record"], expr=rule["expr"], domain="",
                                             source=source, labels=labels))
            else:
                alerts.append(RuleFileAlert(
                    rule["alert"], rule["expr"], rule.get("for"), labels,
                    {str(k): str(v) for k, v in (rule.get("annotations") or {}).items()}))
    return RuleFile(path, tuple(records), tuple(alerts), groups)
