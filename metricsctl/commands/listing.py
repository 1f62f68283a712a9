"""`metricsctl list`: the catalog's metrics, alerts or dashboards as a table."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from metricsctl.commands.catalog_input import SpecsDirArgument, load_valid_catalog


class Kind(StrEnum):
    metrics = "metrics"
    alerts = "alerts"
    dashboards = "dashboards"


def list_entries(
    specs_dir: SpecsDirArgument = None,
    kind: Annotated[Kind, typer.Option("--kind", "-k", help="What to list.")] = Kind.metrics,
) -> None:
    """List the catalog's metrics, alerts or dashboards."""
    from rich.table import Table

    from metricsctl import console

    catalog = load_valid_catalog(specs_dir)
    table = Table(title=f"{catalog.project.name}: {kind.value}", title_justify="left")
    if kind is Kind.metrics:
        for column in ("domain", "metric", "type", "unit", "labels", "help"):
            table.add_column(column, overflow="fold")
        for metric in catalog.metrics.values():
            name = f"{metric.name} [dim](deprecated)[/]" if metric.deprecated else metric.name
            table.add_row(metric.domain, name, metric.type.value, metric.unit or "",
                          ", ".join(metric.label_names), metric.help)
    elif kind is Kind.alerts:
        for column in ("domain", "alert", "severity", "for", "expr"):
            table.add_column(column, overflow="fold")
        for alert in catalog.alerts.values():
            table.add_row(alert.domain, alert.name, alert.severity, alert.for_ or "",
                          " ".join(alert.expr.split()))
    else:
        for column in ("domain", "uid", "title", "folder", "panels"):
            table.add_column(column, overflow="fold")
        for board in catalog.dashboards.values():
            table.add_row(board.domain, board.uid, board.title, board.folder or "General",
                          str(sum(1 for _ in board.all_panels())))
    console.stdout().print(table)


def register(app: typer.Typer) -> None:
    app.command("list")(list_entries)
