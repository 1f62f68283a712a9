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

    def add_columns(names: tuple[str, ...], wrapping: tuple[str, ...]) -> None:
        # Names are copied into queries: they never wrap; free text does.
        for name in names:
            table.add_column(name, no_wrap=name not in wrapping,
                             overflow="fold" if name in wrapping else "ellipsis",
                             min_width=20 if name in wrapping else None)

    if kind is Kind.metrics:
        add_columns(("domain", "metric", "type", "unit", "labels", "help"), ("labels", "help"))
        for metric in catalog.metrics.values():
            name = f"{metric.name} [dim](deprecated)[/]" if metric.deprecated else metric.name
            table.add_row(metric.domain, name, metric.type.value, metric.unit or "",
                          ", ".join(metric.label_names), metric.help)
    elif kind is Kind.alerts:
        add_columns(("domain", "alert", "severity", "for", "expr"), ("expr",))
        for alert in catalog.alerts.values():
            table.add_row(alert.domain, alert.name, alert.severity, alert.for_ or "",
                          " ".join(alert.expr.split()))
    else:
        add_columns(("domain", "uid", "title", "folder", "panels"), ("title",))
        for board in catalog.dashboards.values():
            table.add_row(board.domain, board.uid, board.title, board.folder or "General",
                          str(sum(1 for _ in board.all_panels())))
    console.stdout().print(table)


def register(app: typer.Typer) -> None:
    app.command("list")(list_entries)
