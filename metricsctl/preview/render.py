"""Preview dashboards: run each panel's queries, then draw the dashboard to `<uid>.png`."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from metricsctl.catalog.model import Catalog
from metricsctl.preview.source import DataSource, TimeRange

_RELATIVE = re.compile(r"now-(\d+)([smhdw])")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
DEFAULT_SECONDS = 6 * 3600


def range_seconds(time_from: str | None) -> int:
    """`now-6h` -> 21600 (Grafana's relative ranges; anything else: 6 hours)."""
    match = _RELATIVE.fullmatch(time_from or "")
    return int(match[1]) * _SECONDS[match[2]] if match else DEFAULT_SECONDS


def _panels(dashboard: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(dashboard.get("panels", []))


def panel_results(panel: Mapping[str, Any], source: DataSource,
                  window: TimeRange) -> list[Any]:
    """Every target of a panel with what it returned (instant targets at the range's end)."""
    from metricsctl.preview.draw import QueryResult

    results = []
    for target in panel.get("targets", []):
        expr = target.get("expr")
        if not isinstance(expr, str) or not expr.strip():
            continue
        series = (source.instant_query(expr, window.end) if target.get("instant")
                  else source.range_query(expr, window))
        results.append(QueryResult(target, series))
    return results


def draw_dashboard(dashboard: Mapping[str, Any], source: DataSource | None, out: Path, *,
                   subtitle: str, time_from: str | None = None,
                   now: float | None = None) -> Path:
    """`dashboard` (Grafana JSON) drawn with `source`'s data (None: a wireframe) to `out`."""
    from metricsctl.preview.draw import DashboardDrawing

    end = float(int(now if now is not None else time.time()))
    span = range_seconds(time_from or dashboard.get("time", {}).get("from"))
    window = TimeRange(end - span, end)
    drawing = DashboardDrawing(dashboard, subtitle, wireframe=source is None)
    for panel in _panels(dashboard):
        results = panel_results(panel, source, window) if source is not None else []
        drawing.draw_panel(panel, results)
    return drawing.save(out)


def dashboard_queries(dashboards: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every panel query of `dashboards` (collapsed rows' panels too), as written (Grafana
    variables included)."""
    panels = [inner for dashboard in dashboards for panel in _panels(dashboard)
              for inner in (panel, *panel.get("panels", []))]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])
            if isinstance(target.get("expr"), str) and target["expr"].strip()]


def preview_dashboards(catalog: Catalog, uids: Sequence[str] | None, source: DataSource | None,
                       out_dir: Path, *, subtitle: str = "", time_from: str | None = None,
                       now: float | None = None,
                       dashboards: Mapping[str, Mapping[str, Any]] | None = None) -> list[Path]:
    """Draw the catalog's dashboards (`uids`, or all) into `out_dir`/<uid>.png;
    `dashboards`: the grafana target's dashboards by uid, if already built."""
    from metricsctl.targets.grafana import build_dashboards

    if dashboards is None:
        dashboards = build_dashboards(catalog)
    chosen: Iterable[str] = uids if uids else list(dashboards)
    return [draw_dashboard(dashboards[uid], source, out_dir / f"{uid}.png", subtitle=subtitle,
                           time_from=time_from, now=now)
            for uid in chosen]


def time_ranges(catalog: Catalog, uids: Sequence[str] | None,
                time_from: str | None) -> list[int]:
    """The time ranges (seconds) of the dashboards to preview, longest first."""
    boards = [catalog.dashboards[uid] for uid in uids] if uids else list(
        catalog.dashboards.values())
    spans = {range_seconds(time_from or board.time_from) for board in boards}
    return sorted(spans or {DEFAULT_SECONDS}, reverse=True)
