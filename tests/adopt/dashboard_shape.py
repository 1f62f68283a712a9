"""What a person sees of a Grafana dashboard, from its JSON (exported or generated).

Both the old layout (`rows` of panels, schemaVersion < 16) and today's (row panels in one
list, collapsed rows holding their panels) reduce to the same list of rows and panels.
"""

from __future__ import annotations

from typing import Any


def dashboard_shape(dashboard: dict[str, Any]) -> dict[str, Any]:
    """Rows, panels (type, title, queries, unit, decimals, min/max, thresholds, overrides,
    gridPos) and variables by name."""
    return {
        "title": dashboard["title"],
        "panels": [(row, panel_shape(panel)) for row, panel in _panels(dashboard)],
        "rows": [(row["title"], bool(row.get("collapsed") or row.get("collapse")))
                 for row in _rows(dashboard)],
        "variables": {v["name"]: v for v in dashboard.get("templating", {}).get("list", [])},
    }


def panel_shape(panel: dict[str, Any]) -> dict[str, Any]:
    defaults = panel.get("fieldConfig", {}).get("defaults", {})
    shape = {
        "type": None if "libraryPanel" in panel else panel.get("type"),
        "title": panel.get("title"),
        "queries": [(t.get("expr"), t.get("legendFormat") or None, t.get("refId"),
                     bool(t.get("instant")),
                     _datasource(t.get("datasource", panel.get("datasource"))))
                    for t in panel.get("targets", [])],
        "unit": defaults.get("unit", panel.get("format")),
        "decimals": defaults.get("decimals"),
        "min": defaults.get("min"),
        "max": defaults.get("max"),
        "overrides": panel.get("fieldConfig", {}).get("overrides") or [],
        "gridPos": panel.get("gridPos"),
        "library": panel.get("libraryPanel"),
        "repeat": panel.get("repeat"),
    }
    if "thresholds" in defaults:
        shape["thresholds"] = defaults["thresholds"]
    return shape


def _datasource(reference: Any) -> Any:
    """The dashboard's data source variable however it is written, else as written."""
    uid = reference.get("uid") if isinstance(reference, dict) else reference
    return "$datasource" if uid in (None, "$datasource", "${datasource}") else reference


def _rows(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    if "rows" in dashboard:
        return list(dashboard["rows"])
    return [panel for panel in dashboard["panels"] if panel.get("type") == "row"]


def _panels(dashboard: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    result: list[tuple[str | None, dict[str, Any]]] = []
    if "rows" in dashboard:
        for row in dashboard["rows"]:
            result.extend((row["title"], panel) for panel in row["panels"])
        return result
    row_title = None
    for panel in dashboard["panels"]:
        if panel.get("type") == "row":
            row_title = panel["title"]
            result.extend((row_title, inner) for inner in panel.get("panels", []))
            continue
        result.append((row_title, panel))
    return result
