"""How reports print a change's before/after values, counts and locations."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from metricsctl.diagnostics import Location
from metricsctl.promql.queries import format_number
from metricsctl.review.changes import CardinalityDelta, Change, Classification, DiffReport, Value

# Changes whose before/after are worth showing as a diff below the summary line (the
# summary already says everything for the others).
DETAILED_KINDS = frozenset({
    "metric.help-changed", "metric.description-changed", "label.values-changed",
    "recording-rule.expr-changed", "recording-rule.labels-changed", "alert.expr-changed",
    "alert.labels-changed", "alert.annotations-changed", "dashboard.changed",
    "panel.queries-changed", "panel.changed", "scrape-job.labels-changed", "query.broken",
})


def value_lines(value: Value) -> list[str]:
    """A value as lines: one per item of a sequence or mapping, expressions as written."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [f"{key}: {_inline(item)}" for key, item in value.items()]
    if isinstance(value, tuple):
        return [line for item in value for line in (value_lines(item) or ["(none)"])]
    if isinstance(value, str):
        return value.rstrip("\n").splitlines() or [""]
    return [_inline(value)]


def _inline(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return " ".join(value.split())


def has_detail(change: Change) -> bool:
    """True when the report shows a before/after diff for this change."""
    if change.kind not in DETAILED_KINDS:
        return False
    return change.kind == "query.broken" or value_lines(change.before) != value_lines(
        change.after)


def diff_lines(change: Change) -> list[str]:
    """`- old` / `+ new` lines (only the lines that differ, in order, for long values)."""
    before, after = value_lines(change.before), value_lines(change.after)
    if change.kind == "query.broken":
        return after
    lines = []
    for line in difflib.ndiff(before, after):
        tag = line[:2]
        if tag == "- ":
            lines.append(f"- {line[2:]}")
        elif tag == "+ ":
            lines.append(f"+ {line[2:]}")
        elif tag == "  " and len(before) + len(after) <= 20:
            lines.append(f"  {line[2:]}")
    return lines


def location_text(location: Location | None) -> str:
    """`specs/http.yaml:12` (the column is noise for people reading a review)."""
    if location is None:
        return ""
    return f"{location.file}:{location.line}" if location.line > 0 else location.file


def count_text(count: int | None) -> str:
    return "unbounded" if count is None else f"{count:,}"


def signed(count: int | None) -> str:
    if count is None:
        return "unbounded"
    return f"{count:+,}" if count else "±0"


def delta_text(change: CardinalityDelta) -> str:
    """`1,200 → 1,800 (+600)`, `absent → 40`, `120 → unbounded`."""
    before = "absent" if change.before is None else count_text(change.before_series)
    after = "absent" if change.after is None else count_text(change.after_series)
    suffix = f" ({signed(change.delta)})" if change.delta is not None else ""
    return f"{before} → {after}{suffix}"


def verdict(report: DiffReport) -> str:
    """`3 breaking, 1 risky, 4 safe changes` or `no changes`."""
    counts = report.counts()
    total = sum(counts.values())
    if not total:
        return "no changes"
    parts = [f"{counts[c]} {c.value}" for c in Classification]
    return ", ".join(parts) + (" change" if total == 1 else " changes")
