"""Diagnostics as SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run, tool `metricsctl`; a reporting descriptor per rule (its summary, explanation and
default level); one result per diagnostic with its level, message and physical location
(repository-relative path, 1-based line and column in Unicode code points). Output is
deterministic: rules sorted by id, results in diagnostic order, keys sorted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metricsctl import __version__
from metricsctl.diagnostics import Diagnostic, Severity
from metricsctl.diagnostics.paths import repository_path

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


@dataclass(frozen=True, slots=True)
class RuleDescription:
    """What SARIF shows about a rule: a one-line summary and the longer why-and-fix."""

    summary: str
    explanation: str
    severity: Severity


def _rule_descriptor(code: str, description: RuleDescription | None) -> dict[str, Any]:
    if description is None:
        family = code.split("/", 1)[0]
        summary = f"{family} problem `{code}`"
        descriptor: dict[str, Any] = {"id": code, "shortDescription": {"text": summary}}
        return descriptor
    return {
        "id": code,
        "name": code.replace("/", "-"),
        "shortDescription": {"text": description.summary},
        "fullDescription": {"text": description.explanation},
        "help": {"text": description.explanation},
        "defaultConfiguration": {"level": LEVELS[description.severity]},
    }


def _message(diagnostic: Diagnostic) -> str:
    if diagnostic.hint:
        return f"{diagnostic.message} (help: {diagnostic.hint})"
    return diagnostic.message


def _location(diagnostic: Diagnostic, cwd: Path | None) -> list[dict[str, Any]]:
    location = diagnostic.location
    if location is None:
        return []
    physical: dict[str, Any] = {"artifactLocation": {
        "uri": repository_path(location.file, cwd), "uriBaseId": "%SRCROOT%"}}
    if location.line > 0:
        region: dict[str, Any] = {"startLine": location.line,
                                  "startColumn": max(1, location.column)}
        if diagnostic.end_column is not None and diagnostic.end_column > location.column:
            region["endColumn"] = diagnostic.end_column
        physical["region"] = region
    return [{"physicalLocation": physical}]


def render_sarif(diagnostics: Iterable[Diagnostic],
                 rules: Mapping[str, RuleDescription] | None = None,
                 *, cwd: Path | None = None) -> str:
    """A SARIF 2.1.0 log of `diagnostics`; `rules` describes the rule ids (all listed)."""
    items = list(diagnostics)
    known = dict(rules or {})
    codes = sorted({*known, *(d.code for d in items)})
    index = {code: position for position, code in enumerate(codes)}
    results = []
    for diagnostic in items:
        result: dict[str, Any] = {
            "ruleId": diagnostic.code,
            "ruleIndex": index[diagnostic.code],
            "level": LEVELS[diagnostic.severity],
            "message": {"text": _message(diagnostic)},
        }
        locations = _location(diagnostic, cwd)
        if locations:
            result["locations"] = locations
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "metricsctl",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule_descriptor(code, known.get(code)) for code in codes],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
