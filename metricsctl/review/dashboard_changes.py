"""Changes to dashboards and their panels (matched by title), queries compared as Grafana
will run them: hand-written, or derived from the metric a panel names."""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.catalog.model import Catalog, Dashboard, Panel
from metricsctl.english import counted
from metricsctl.promql.queries import panel_queries
from metricsctl.review.changes import Change, Classification, Side, Subject, Value, code, codes
from metricsctl.review.pair import CatalogPair

RISKY, SAFE = Classification.RISKY, Classification.SAFE

_DASHBOARD_FIELDS = ("title", "description", "folder", "tags", "refresh", "time_from")
_PANEL_FIELDS = ("type", "description", "content", "unit", "decimals", "min", "max",
                 "thresholds", "stack", "width", "height")


def dashboard_changes(catalogs: CatalogPair) -> Iterator[Change]:
    base, head = catalogs.base.dashboards, catalogs.head.dashboards
    for uid, board in base.items():
        if uid not in head:
            yield Change("dashboard.removed", Subject.DASHBOARD, uid, RISKY,
                         f"dashboard {code(uid)} ({board.title}) removed",
                         "links and bookmarks to it stop working, and its panels are gone.",
                         before=board.title, location=board.source.location,
                         location_side=Side.BASE)
    for uid, board in head.items():
        if uid not in base:
            panels = sum(1 for _ in board.all_panels())
            yield Change("dashboard.added", Subject.DASHBOARD, uid, SAFE,
                         f"dashboard {code(uid)} ({board.title}) added with "
                         f"{counted(panels, 'panel')}",
                         "a new dashboard changes no existing one.", after=board.title,
                         location=board.source.location)
            continue
        yield from _dashboard_settings(base[uid], board)
        yield from _panel_changes(catalogs, base[uid], board)


def _variables(board: Dashboard) -> tuple[Value, ...]:
    return tuple({"name": v.name, "label": v.label, "metric": v.metric, "title": v.title,
                  "multi": v.multi, "include_all": v.include_all} for v in board.variables)


def _dashboard_settings(before: Dashboard, after: Dashboard) -> Iterator[Change]:
    old: dict[str, Value] = {name: getattr(before, name) for name in _DASHBOARD_FIELDS}
    new: dict[str, Value] = {name: getattr(after, name) for name in _DASHBOARD_FIELDS}
    old["variables"], new["variables"] = _variables(before), _variables(after)
    changed = [name for name in old if old[name] != new[name]]
    if changed:
        yield Change("dashboard.changed", Subject.DASHBOARD, after.uid, SAFE,
                     f"dashboard {code(after.uid)} settings changed: {codes(changed)}",
                     "presentation only; no query changes.", field=", ".join(changed),
                     before={k: old[k] for k in changed}, after={k: new[k] for k in changed},
                     location=after.source.location)


def _keyed_panels(board: Dashboard) -> dict[tuple[str, int], Panel]:
    """Panels by (title, occurrence): titles identify panels, duplicates by their order."""
    seen: dict[str, int] = {}
    result = {}
    for panel in board.all_panels():
        occurrence = seen.get(panel.title, 0)
        seen[panel.title] = occurrence + 1
        result[(panel.title, occurrence)] = panel
    return result


def _queries(catalog: Catalog, board: Dashboard, panel: Panel) -> tuple[str, ...]:
    return tuple(query.expr for query in panel_queries(catalog, board, panel))


def _panel_changes(catalogs: CatalogPair, before: Dashboard,
                   after: Dashboard) -> Iterator[Change]:
    old_panels, new_panels = _keyed_panels(before), _keyed_panels(after)
    uid = after.uid
    for key, panel in old_panels.items():
        if key not in new_panels:
            yield Change("panel.removed", Subject.PANEL, f"{uid} / {panel.title}", SAFE,
                         f"panel {code(panel.title)} removed from dashboard {code(uid)}",
                         "the dashboard shows less; no other query is affected.",
                         before=_queries(catalogs.base, before, panel),
                         location=panel.source.location, location_side=Side.BASE)
    for key, panel in new_panels.items():
        name = f"{uid} / {panel.title}"
        new_queries = _queries(catalogs.head, after, panel)
        if key not in old_panels:
            yield Change("panel.added", Subject.PANEL, name, SAFE,
                         f"panel {code(panel.title)} added to dashboard {code(uid)}",
                         "a new panel changes no existing one.", after=new_queries,
                         location=panel.source.location)
            continue
        old = old_panels[key]
        old_queries = _queries(catalogs.base, before, old)
        if old_queries != new_queries:
            derived = panel.metric is not None and old.metric == panel.metric and not (
                panel.queries or old.queries)
            yield Change("panel.queries-changed", Subject.PANEL, name, SAFE,
                         f"panel {code(panel.title)} of {code(uid)} queries changed"
                         + (f" (derived from {code(panel.metric)})" if derived else ""),
                         "the panel shows something else; queries that now read something "
                         "missing are listed as breaking.", field="queries",
                         before=old_queries, after=new_queries, location=panel.source.location)
        changed = [field for field in _PANEL_FIELDS
                   if getattr(old, field) != getattr(panel, field)]
        if changed:
            yield Change("panel.changed", Subject.PANEL, name, SAFE,
                         f"panel {code(panel.title)} of {code(uid)} display changed: "
                         f"{codes(changed)}", "presentation only.", field=", ".join(changed),
                         before={f: _plain(getattr(old, f)) for f in changed},
                         after={f: _plain(getattr(panel, f)) for f in changed},
                         location=panel.source.location)


def _plain(value: object) -> Value:
    """Panel fields as data: thresholds become (value, color) pairs."""
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    if hasattr(value, "color"):
        return {"value": getattr(value, "value", None), "color": value.color}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
