"""The report as Markdown for a pull-request comment or a GitHub job summary.

A hidden marker on the first line lets CI find its own comment and update it in place.
Breaking changes come first and open, then risky, then safe ones folded in `<details>`; the
order is fixed and nothing depends on time or environment, so a re-run on the same commits
yields the same bytes. Every name and value goes through code spans or escaping: a label
value holding `|`, a backtick or `<script>` cannot break the comment.
"""

from __future__ import annotations

import html
import re

from metricsctl.review.changes import (
    Change,
    Classification,
    Dependent,
    DiffReport,
    Side,
    spans,
)
from metricsctl.review.values import (
    count_text,
    delta_text,
    diff_lines,
    has_detail,
    location_text,
    signed,
    verdict,
)

MARKER = "<!-- metricsctl-diff -->"
# GitHub refuses comments over 65,536 characters; past this the report is shortened.
MAX_LENGTH = 60_000
SHORT_LIST = 40  # changes listed per section in the shortened report
FOLD_DEPENDENTS = 5  # more dependents than this are folded
FOLD_RISKY = 15  # more risky changes than this are folded
FOLD_BREAKING = 25  # more breaking changes than this are foldable (and shown open)

ICONS = {Classification.BREAKING: "❌", Classification.RISKY: "⚠️", Classification.SAFE: "✅"}
TITLES = {Classification.BREAKING: "Breaking changes", Classification.RISKY: "Risky changes",
          Classification.SAFE: "Safe changes"}

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~!])")
_SPACES = re.compile(r"\s+")
_BACKTICKS = re.compile(r"`+")


def text(value: str) -> str:
    """Plain text for Markdown: HTML and Markdown syntax neutralised, whitespace collapsed."""
    escaped = html.escape(_SPACES.sub(" ", value), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)


def code(value: str) -> str:
    """A code span that holds any text, backticks included."""
    value = " ".join(value.split())
    longest = max((len(run) for run in _BACKTICKS.findall(value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def message(value: str) -> str:
    """A change message: its marked names as code spans, the rest as escaped text."""
    return "".join(code(piece) if is_code else text(piece) for piece, is_code in spans(value))


def _fenced(lines: list[str], language: str) -> list[str]:
    longest = max((len(run) for line in lines for run in _BACKTICKS.findall(line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", *lines, fence]


def _indent(lines: list[str], prefix: str = "  ") -> list[str]:
    return [f"{prefix}{line}" if line else "" for line in lines]


def render_markdown(report: DiffReport) -> str:
    """The whole comment, shortened (never cut mid-markup) when it would be too long."""
    full = _render(report, short=False)
    return full if len(full) <= MAX_LENGTH else _render(report, short=True)


def headline(report: DiffReport) -> str:
    counts = report.counts()
    if not report.changes:
        return "✅ no changes to the metrics catalog"
    if not counts[Classification.BREAKING] and not counts[Classification.RISKY]:
        return f"✅ no breaking or risky changes ({verdict(report)})"
    return ", ".join(f"{ICONS[c]} {counts[c]} {c.value}" for c in Classification if counts[c])


def _render(report: DiffReport, *, short: bool) -> str:
    lines = [MARKER, f"### metricsctl diff: {headline(report)}", ""]
    totals = report.totals
    lines.append(
        f"**Base** {text(report.base.description)} ({code(report.base.specs)}) → "
        f"**head** {text(report.head.description)} ({code(report.head.specs)}) · "
        f"estimated series {count_text(totals.before)} → {count_text(totals.after)} "
        f"({signed(totals.delta)})")
    lines.append("")
    for classification in Classification:
        changes = report.of(classification)
        if changes:
            lines.extend(_section(classification, changes, short=short))
    lines.extend(_cardinality(report))
    if short:
        lines.append("> [!NOTE]")
        lines.append("> This report was shortened to fit in a comment: run `metricsctl diff` "
                     "for every detail.")
        lines.append("")
    for note in report.notes:
        lines.append(f"> {text(note)}")
        lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def _section(classification: Classification, changes: list[Change], *,
             short: bool) -> list[str]:
    title = f"{ICONS[classification]} {TITLES[classification]} ({len(changes)})"
    shown = changes[:SHORT_LIST] if short else changes
    body: list[str] = []
    for change in shown:
        body.extend(_item(change, short=short))
    if len(shown) < len(changes):
        body.append(f"- …and {len(changes) - len(shown)} more")
        body.append("")
    folded = classification is Classification.SAFE or (
        classification is Classification.RISKY and len(changes) > FOLD_RISKY)
    if folded:
        return ["<details>", f"<summary><b>{html.escape(title)}</b></summary>", "", *body,
                "</details>", ""]
    if classification is Classification.BREAKING and len(changes) > FOLD_BREAKING:
        return ["<details open>", f"<summary><b>{html.escape(title)}</b></summary>", "",
                *body, "</details>", ""]
    return [f"#### {title}", "", *body]


def _item(change: Change, *, short: bool) -> list[str]:
    where = location_text(change.location)
    place = f" · {code(where)}" if where else ""
    if where and change.location_side is Side.BASE:
        place += " (base)"
    lines = [f"- **{message(change.summary)}**{place}"]
    detail: list[str] = []
    if change.reason and change.classification is not Classification.SAFE:
        detail.append(message(change.reason[0].upper() + change.reason[1:]))
    if change.hint:
        detail.append(f"💡 {message(change.hint)}")
    moved = [d for d in change.cardinality if d.changed]
    if moved and change.classification is not Classification.SAFE:
        detail.append("Estimated series: " + "; ".join(
            f"{code(d.metric)} {delta_text(d)}" for d in moved))
    for paragraph in detail:
        lines.extend(["", f"  {paragraph}"])
    used_by = _dependents(change, short=short)
    if used_by:
        lines.extend(["", *_indent(used_by)])
    if has_detail(change) and not short:
        lines.extend(["", *_indent(_fenced(diff_lines(change), "diff"
                                           if change.kind != "query.broken" else "promql"))])
    lines.append("")
    return lines


def _dependent(dependent: Dependent) -> str:
    base_only = " *(before this change only)*" if dependent.side is Side.BASE else ""
    return (f"- {text(dependent.kind)} {code(dependent.name)} · "
            f"{code(location_text(dependent.location))}{base_only}")


def _dependents(change: Change, *, short: bool) -> list[str]:
    if change.kind == "query.broken":
        return []
    found = change.dependents
    if not found:
        breaking = change.classification is Classification.BREAKING
        return ["Used by: nothing in the catalog."] if breaking else []
    entries = [_dependent(d) for d in found]
    if short and len(entries) > FOLD_DEPENDENTS:
        entries = [*entries[:FOLD_DEPENDENTS], f"- …and {len(found) - FOLD_DEPENDENTS} more"]
    title = f"Used by {len(found)} {'query' if len(found) == 1 else 'queries'}"
    if len(found) > FOLD_DEPENDENTS:
        return ["<details>", f"<summary>{title}</summary>", "", *entries, "", "</details>"]
    return [f"{title}:", "", *entries]


def _cardinality(report: DiffReport) -> list[str]:
    totals = report.totals
    if not report.cardinality and totals.unbounded_before == totals.unbounded_after:
        return []
    rows = ["| Metric | Before | After | Change |", "| --- | ---: | ---: | ---: |"]
    for change in report.cardinality:
        before = "absent" if change.before is None else count_text(change.before_series)
        after = "absent" if change.after is None else count_text(change.after_series)
        rows.append(f"| {code(change.metric)} | {before} | {after} | {signed(change.delta)} |")
    rows.append(f"| **Total (bounded metrics)** | {count_text(totals.before)} | "
                f"{count_text(totals.after)} | {signed(totals.delta)} |")
    lines = ["<details>",
             f"<summary><b>📈 Estimated series: {count_text(totals.before)} → "
             f"{count_text(totals.after)} ({signed(totals.delta)})</b></summary>", "", *rows, ""]
    new_unbounded = [n for n in totals.unbounded_after if n not in totals.unbounded_before]
    if totals.unbounded_after:
        lines.append("Unbounded (a label with no declared values or max_cardinality): "
                     + ", ".join(code(n) for n in totals.unbounded_after)
                     + (f"; new in this change: {', '.join(code(n) for n in new_unbounded)}"
                        if new_unbounded else "") + ".")
        lines.append("")
    lines.extend(["</details>", ""])
    return lines
