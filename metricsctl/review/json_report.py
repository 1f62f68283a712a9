"""The report as JSON for scripts: sorted keys, messages with backticks, stable order."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from metricsctl.catalog.cardinality import SeriesEstimate
from metricsctl.diagnostics import Location
from metricsctl.review.changes import CardinalityDelta, Change, DiffReport, Value, plain


def _value(value: Value) -> Any:
    if isinstance(value, Mapping):
        return {key: _value(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_value(item) for item in value]
    return value


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line or None,
            "column": location.column or None}


def _estimate(estimate: SeriesEstimate | None) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {"series": estimate.series, "label_sets": estimate.label_sets,
            "unbounded_labels": list(estimate.unbounded)}


def _delta(change: CardinalityDelta) -> dict[str, Any]:
    return {"metric": change.metric, "before": _estimate(change.before),
            "after": _estimate(change.after), "delta": change.delta}


def change_to_dict(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "subject_kind": change.subject_kind.value,
        "subject": change.subject,
        "classification": change.classification.value,
        "summary": plain(change.summary),
        "reason": plain(change.reason),
        "hint": plain(change.hint) if change.hint else None,
        "field": change.field,
        "before": _value(change.before),
        "after": _value(change.after),
        "location": _location(change.location),
        "location_side": change.location_side.value,
        "dependents": [{"kind": d.kind, "name": d.name, "side": d.side.value,
                        "location": _location(d.location)} for d in change.dependents],
        "cardinality": [_delta(d) for d in change.cardinality],
    }


def render_json(report: DiffReport) -> str:
    totals = report.totals
    document = {
        "base": {"description": report.base.description, "specs": report.base.specs},
        "head": {"description": report.head.description, "specs": report.head.specs},
        "counts": {c.value: n for c, n in report.counts().items()},
        "changes": [change_to_dict(change) for change in report.changes],
        "cardinality": {
            "metrics": [_delta(d) for d in report.cardinality],
            "total": {"before": totals.before, "after": totals.after, "delta": totals.delta,
                      "unbounded_before": list(totals.unbounded_before),
                      "unbounded_after": list(totals.unbounded_after)},
        },
        "notes": list(report.notes),
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
