"""The report for a terminal: breaking, risky, then safe changes, each with its location."""

from __future__ import annotations

from metricsctl.review.changes import Change, Classification, DiffReport, Side, plain
from metricsctl.review.values import (
    count_text,
    delta_text,
    diff_lines,
    has_detail,
    location_text,
    signed,
    verdict,
)

_STYLES = {Classification.BREAKING: "bold red", Classification.RISKY: "bold yellow",
           Classification.SAFE: "green"}
_LABELS = {Classification.BREAKING: "BREAKING", Classification.RISKY: "RISKY",
           Classification.SAFE: "safe"}


def render_text(report: DiffReport, *, markup: bool = False) -> str:
    """The report as text; rich markup (colors) when `markup` is set."""
    from rich.markup import escape

    def paint(value: str, style: str) -> str:
        return f"[{style}]{escape(value)}[/]" if markup else value

    def words(value: str) -> str:
        return escape(value) if markup else value

    totals = report.totals
    lines = [
        words(f"base: {report.base.description} ({report.base.specs})"),
        words(f"head: {report.head.description} ({report.head.specs})"),
        "",
    ]
    for change in report.changes:
        label = paint(f"{_LABELS[change.classification]:<8}", _STYLES[change.classification])
        lines.append(f"{label} {words(plain(change.summary))}")
        lines.extend(words(line) for line in _details(change))
    if report.changes:
        lines.append("")
    if report.cardinality:
        lines.append("estimated series by metric:")
        width = max(len(d.metric) for d in report.cardinality)
        lines.extend(words(f"  {d.metric:<{width}}  {delta_text(d)}")
                     for d in report.cardinality)
    lines.append(words(f"estimated series (bounded metrics): {count_text(totals.before)} → "
                       f"{count_text(totals.after)} ({signed(totals.delta)})"))
    new_unbounded = [n for n in totals.unbounded_after if n not in totals.unbounded_before]
    if new_unbounded:
        lines.append(words(f"newly unbounded: {', '.join(new_unbounded)}"))
    lines.extend(words(f"note: {note}") for note in report.notes)
    counts = report.counts()
    summary = verdict(report)
    style = ("bold red" if counts[Classification.BREAKING] else
             "bold yellow" if counts[Classification.RISKY] else "green")
    lines.append(paint(summary, style))
    return "\n".join(lines) + "\n"


def _details(change: Change) -> list[str]:
    indent = "         "
    lines = []
    where = location_text(change.location)
    if where:
        lines.append(f"{indent}at {where}" + (" (base)" if change.location_side is Side.BASE
                                              else ""))
    if change.reason and change.classification is not Classification.SAFE:
        lines.append(f"{indent}why: {plain(change.reason)}")
    if change.hint:
        lines.append(f"{indent}help: {plain(change.hint)}")
    moved = [d for d in change.cardinality if d.changed]
    if moved and change.classification is not Classification.SAFE:
        lines.append(f"{indent}series: " + "; ".join(f"{d.metric} {delta_text(d)}"
                                                      for d in moved))
    if change.dependents:
        lines.append(f"{indent}used by:")
        for dependent in change.dependents:
            suffix = " (before this change only)" if dependent.side is Side.BASE else ""
            lines.append(f"{indent}  {dependent.kind} {dependent.name} at "
                         f"{location_text(dependent.location)}{suffix}")
    elif change.classification is Classification.BREAKING and change.kind != "query.broken":
        lines.append(f"{indent}used by: nothing in the catalog")
    if has_detail(change) and change.classification is not Classification.SAFE:
        lines.extend(f"{indent}  {line}" for line in diff_lines(change))
    return lines
