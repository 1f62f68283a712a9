"""`metricsctl list`: the catalog's metrics, alerts or dashboards, as a table or as JSON."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from metricsctl.commands.catalog_input import SpecsDirArgument, load_valid_catalog

if TYPE_CHECKING:
    from metricsctl.catalog.model import Catalog


class Kind(StrEnum):
    metrics = "metrics"
    alerts = "alerts"
    dashboards = "dashboards"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


def list_entries(
    specs_dir: SpecsDirArgument = None,
    kind: Annotated[Kind, typer.Option("--kind", "-k", help="What to list.")] = Kind.metrics,
    output_format: Annotated[ListFormat, typer.Option(
        "--format", "-f", help="table for people, json for scripts (stable keys).")
    ] = ListFormat.table,
) -> None:
    """List the catalog's metrics, alerts or dashboards."""
    from metricsctl import console

    catalog = load_valid_catalog(specs_dir)
    rows = _rows(catalog, kind)
    if output_format is ListFormat.json:
        console.write(json.dumps({"project": catalog.project.name, "kind": kind.value,
                                  "items": rows}, indent=2, ensure_ascii=False) + "\n")
        return
    _print_table(catalog.project.name, kind, rows)


def _rows(catalog: Catalog, kind: Kind) -> list[dict[str, Any]]:
    if kind is Kind.metrics:
        return [{"domain": m.domain, "metric": m.name, "type": m.type.value, "unit": m.unit,
                 "labels": list(m.label_names), "help": m.help, "deprecated": m.deprecated,
                 "file": m.source.file, "line": m.source.location.line}
                for m in catalog.metrics.values()]
    if kind is Kind.alerts:
        return [{"domain": a.domain, "alert": a.name, "severity": a.severity, "for": a.for_,
                 "expr": a.expr, "file": a.source.file, "line": a.source.location.line}
                for a in catalog.alerts.values()]
    return [{"domain": d.domain, "uid": d.uid, "title": d.title, "folder": d.folder,
             "panels": sum(1 for _ in d.all_panels()), "file": d.source.file,
             "line": d.source.location.line}
            for d in catalog.dashboards.values()]


_COLUMNS = {
    Kind.metrics: (("domain", "metric", "type", "unit", "labels", "help"), ("labels", "help")),
    Kind.alerts: (("domain", "alert", "severity", "for", "expr"), ("expr",)),
    Kind.dashboards: (("domain", "uid", "title", "folder", "panels"), ("title",)),
}


def _cell(row: dict[str, Any], column: str) -> str:
    value = row[column]
    if column == "labels":
        return ", ".join(value)
    if column == "expr":
        return " ".join(value.split())
    if column == "folder":
        return value or "General"
    return "" if value is None else str(value)


def _print_table(project: str, kind: Kind, rows: list[dict[str, Any]]) -> None:
    from rich.table import Table
    from rich.text import Text

    from metricsctl import console

    # Cells are Text: names and help are data, never markup or emoji codes.
    table = Table(title=Text(f"{project}: {kind.value}"), title_justify="left")
    names, wrapping = _COLUMNS[kind]
    for name in names:
        # Names are copied into queries: they never wrap; free text does.
        table.add_column(name, no_wrap=name not in wrapping,
                         overflow="fold" if name in wrapping else "ellipsis",
                         min_width=20 if name in wrapping else None)
    for row in rows:
        cells = [Text(_cell(row, name)) for name in names]
        if row.get("deprecated"):
            cells[1].append(" (deprecated)", style="dim")
        table.add_row(*cells)
    console.stdout().print(table)


def register(app: typer.Typer) -> None:
    app.command("list")(list_entries)
