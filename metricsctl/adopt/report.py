"""The import report: per source, what was mapped, carried verbatim or could not be mapped.

Every item names its place in the source, so nothing is dropped silently.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from metricsctl.diagnostics import Diagnostic, Location


class Outcome(StrEnum):
    MAPPED = "mapped"  # became catalog fields
    VERBATIM = "verbatim"  # carried as written in an escape hatch (`grafana:`)
    UNMAPPED = "unmapped"  # the catalog cannot hold it; reported, not written
    INFERRED = "inferred"  # a metric guessed from how expressions use it


@dataclass(frozen=True, slots=True)
class Item:
    """One thing found in a source and what became of it."""

    outcome: Outcome
    kind: str  # alert, recording rule, panel, variable, scrape job, metric, field...
    name: str
    location: Location
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Conflict:
    """An entry that exists in the catalog with different content."""

    section: str
    key: str
    existing: Location
    incoming: Location
    overwritten: bool


@dataclass(frozen=True, slots=True)
class Renamed:
    """An imported entry whose key another imported entry took first: stored under `key`."""

    section: str
    name: str  # the key both wanted (a dashboard's uid)
    key: str  # the key it got
    first: Location  # the entry that kept the name
    second: Location  # this one


@dataclass
class Report:
    items: list[Item] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    renamed: list[Renamed] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    added: list[tuple[str, str, str]] = field(default_factory=list)  # file, section, key
    unchanged: list[tuple[str, str]] = field(default_factory=list)  # section, key
    files: list[str] = field(default_factory=list)  # written (or, dry-run, to write)

    def add(self, outcome: Outcome, kind: str, name: str, location: Location,
            detail: str = "") -> None:
        self.items.append(Item(outcome, kind, name, location, detail))

    def counts(self) -> dict[str, dict[str, int]]:
        """Per source file: how many items had each outcome."""
        result: dict[str, Counter[str]] = {}
        for item in self.items:
            result.setdefault(item.location.file, Counter())[item.outcome.value] += 1
        return {source: {o.value: c[o.value] for o in Outcome if c[o.value]}
                for source, c in result.items()}

    @property
    def failed(self) -> bool:
        return bool(self.errors) or any(not c.overwritten for c in self.conflicts)


_SINGULAR = {"dashboards": "dashboard uid"}


def render_text(report: Report, *, dry_run: bool) -> str:
    """The report for people: counts per source, then every item that was not simply mapped."""
    lines: list[str] = []
    for source, counts in report.counts().items():
        summary = ", ".join(f"{count} {outcome}" for outcome, count in counts.items())
        lines.append(f"{source}: {summary}")
    for item in report.items:
        if item.outcome is Outcome.MAPPED:
            continue
        detail = f": {item.detail}" if item.detail else ""
        lines.append(f"  {item.location}: {item.outcome.value} {item.kind} {item.name}{detail}")
    for renamed in report.renamed:
        lines.append(f"{renamed.second}: {_SINGULAR.get(renamed.section, renamed.section)} "
                     f"`{renamed.name}` is also that of {renamed.first}: imported as "
                     f"`{renamed.key}`")
    for conflict in report.conflicts:
        verb = "overwritten (--force)" if conflict.overwritten else "conflict, kept as it is"
        lines.append(f"{conflict.existing}: {conflict.section} `{conflict.key}` differs from "
                     f"{conflict.incoming}: {verb}")
    if report.conflicts and not all(c.overwritten for c in report.conflicts):
        lines.append("  hint: compare the two, or pass --force to replace the catalog's entries")
    verb = "would write" if dry_run else "wrote"
    if report.errors:
        lines.append("nothing written")
    else:
        lines.append(f"{len(report.added)} entries added, {len(report.unchanged)} unchanged, "
                     f"{len(report.conflicts)} conflicts; {verb} {len(report.files)} files"
                     + (": " + ", ".join(report.files) if report.files else ""))
    return "\n".join(lines)


def render_json(report: Report, *, dry_run: bool) -> str:
    """The report for scripts."""
    def where(location: Location) -> dict[str, object]:
        return {"file": location.file, "line": location.line or None,
                "column": location.column or None}

    document = {
        "dry_run": dry_run,
        "sources": report.counts(),
        "items": [{"outcome": i.outcome.value, "kind": i.kind, "name": i.name,
                   **where(i.location), "detail": i.detail} for i in report.items],
        "conflicts": [{"section": c.section, "key": c.key, "existing": where(c.existing),
                       "incoming": where(c.incoming), "overwritten": c.overwritten}
                      for c in report.conflicts],
        "renamed": [{"section": r.section, "name": r.name, "key": r.key,
                     "first": where(r.first), "second": where(r.second)}
                    for r in report.renamed],
        "errors": [{"code": d.code, "message": d.message, "hint": d.hint,
                    **(where(d.location) if d.location else {})} for d in report.errors],
        "added": [{"file": f, "section": s, "key": k} for f, s, k in report.added],
        "unchanged": [{"section": s, "key": k} for s, k in report.unchanged],
        "files": report.files,
    }
    return _one_per_line(document)


def _one_per_line(document: dict[str, object]) -> str:
    """JSON with each top-level field, and each item of a list or mapping in one, on a line
    of its own: as easy to read and grep as indented JSON, and written by json's C encoder
    (an indented dump runs in Python, a third of a large report's time)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    lines = ["{"]
    for index, (key, value) in enumerate(document.items()):
        comma = "," if index < len(document) - 1 else ""
        if isinstance(value, list | dict) and value:
            opening, closing = ("[", "]") if isinstance(value, list) else ("{", "}")
            parts = ([encode(item) for item in value] if isinstance(value, list)
                     else [f"{encode(k)}: {encode(v)}" for k, v in value.items()])
            lines.append(f"  {encode(key)}: {opening}")
            lines.extend(f"    {part}," for part in parts[:-1])
            lines.append(f"    {parts[-1]}")
            lines.append(f"  {closing}{comma}")
        else:
            lines.append(f"  {encode(key)}: {encode(value)}{comma}")
    lines.append("}")
    return "\n".join(lines)
