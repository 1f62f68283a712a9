"""`metricsctl preview`: draw dashboards to PNG, offline, close to what Grafana shows."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from metricsctl.commands.catalog_input import SpecsDirArgument, load_valid_catalog

_TIME_FROM = re.compile(r"now-\d+[smhdw]")
INSTALL_HINT = "install the preview extra: pip install 'metricsctl[preview]'"


def _check_time_from(value: str | None) -> str | None:
    if value is not None and not _TIME_FROM.fullmatch(value):
        raise typer.BadParameter(f"'{value}' is not a relative time like now-6h",
                                 param_hint="--from")
    return value


def preview(
    specs_dir: SpecsDirArgument = None,
    dashboard: Annotated[list[str] | None, typer.Option(
        "--dashboard", "-d", metavar="UID",
        help="Only this dashboard (repeatable) [default: all].")] = None,
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Directory the PNGs are written to (<uid>.png).")] = Path(
            "previews"),
    prometheus: Annotated[str | None, typer.Option(
        "--prometheus", metavar="URL",
        help="Query this Prometheus instead of synthetic data.")] = None,
    time_from: Annotated[str | None, typer.Option(
        "--from", metavar="now-6h", callback=_check_time_from,
        help="Time range start [default: each dashboard's own].")] = None,
) -> None:
    """Draw each dashboard to a PNG: the grid, rows, titles, series with legends, values in
    the panel's unit and threshold colours.

    Data comes from --prometheus (variables at All), else from synthetic series made from
    the catalog and evaluated by a real Prometheus started on 127.0.0.1 (when `prometheus`
    and `promtool` are on PATH), with the recording rules (SLO rules too) the dashboards
    read backfilled by that Prometheus (alerts are not evaluated: ALERTS panels stay
    empty), else the picture is a wireframe of the layout, saying so. Exit 0 when every
    picture was written with all its queries answered, 1 on an invalid catalog, a failed
    query or rule, or start-up, 2 on usage errors (unknown dashboard, bad --from).
    """
    from metricsctl import console

    catalog = load_valid_catalog(specs_dir)
    uids = list(dict.fromkeys(dashboard or []))
    unknown = [uid for uid in uids if uid not in catalog.dashboards]
    if unknown:
        known = ", ".join(sorted(catalog.dashboards)) or "none"
        raise typer.BadParameter(f"no dashboard with uid {', '.join(unknown)} "
                                 f"(the catalog has: {known})", param_hint="--dashboard")
    try:
        from metricsctl.preview.render import dashboard_queries, preview_dashboards, time_ranges
    except ModuleNotFoundError as error:
        console.stderr().print(f"error: preview needs {error.name}; {INSTALL_HINT}",
                               markup=False, emoji=False, highlight=False)
        raise typer.Exit(1) from None
    from metricsctl.preview.recorded import reads_alerts
    from metricsctl.preview.source import PrometheusSource
    from metricsctl.preview.synthetic import PreviewDataError, SyntheticPrometheus
    from metricsctl.targets.grafana import build_dashboards

    chosen = uids or list(catalog.dashboards)
    boards = build_dashboards(catalog)
    err = console.stderr()
    if prometheus is not None:
        with PrometheusSource(prometheus) as source:
            written = preview_dashboards(catalog, chosen, source, out, dashboards=boards,
                                         subtitle=f"data: {prometheus}", time_from=time_from)
            failures = source.errors
    elif SyntheticPrometheus.available():
        queries = dashboard_queries(boards[uid] for uid in chosen)
        subtitle = ("synthetic data from the catalog and its recording rules, evaluated by "
                    "Prometheus")
        if reads_alerts(queries):
            subtitle += "; alerts are not evaluated (ALERTS panels stay empty)"
        with tempfile.TemporaryDirectory(prefix="metricsctl-preview-") as work:
            try:
                with SyntheticPrometheus(catalog, Path(work), queries=queries,
                                         ranges=time_ranges(catalog, chosen, time_from)) as source:
                    written = preview_dashboards(catalog, chosen, source, out,
                                                 time_from=time_from, subtitle=subtitle,
                                                 dashboards=boards)
                    failures = source.errors
            except PreviewDataError as error:
                err.print(f"error: {error}", markup=False, emoji=False, highlight=False)
                raise typer.Exit(1) from None
    else:
        written = preview_dashboards(
            catalog, chosen, None, out, time_from=time_from, dashboards=boards,
            subtitle="wireframe: no prometheus/promtool on PATH for synthetic data "
                     "(layout, titles and units only)")
        failures = []
    for message in dict.fromkeys(failures):
        err.print(f"warning: {message}", markup=False, emoji=False, highlight=False)
    stdout = console.stdout()
    for path in written:
        stdout.print(f"wrote {path}", markup=False, emoji=False, highlight=False)
    if failures:  # the pictures are written, but panels whose queries failed show no data
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(preview)
