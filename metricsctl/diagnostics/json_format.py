"""Diagnostics as JSON, for scripts and CI."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from metricsctl.diagnostics import Diagnostic


def diagnostic_to_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.label,
        "message": diagnostic.message,
        "file": diagnostic.file,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "path": diagnostic.path,
        "hint": diagnostic.hint,
        "explanation": diagnostic.explanation,
    }


def render_json(diagnostics: Iterable[Diagnostic], extra: Mapping[str, Any] | None = None) -> str:
    """{"diagnostics": [...], **extra} with sorted keys and a trailing newline."""
    document: dict[str, Any] = dict(extra or {})
    document["diagnostics"] = [diagnostic_to_dict(d) for d in diagnostics]
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
