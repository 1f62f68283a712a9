"""One Grafana panel (JSON-ready dict) per catalog panel, as Grafana 13 saves it.

Every panel carries the complete `options` and `fieldConfig.defaults.custom` its plug-in
declares in `@grafana/schema` (Grafana fills missing keys on load, so a file without them
differs from what Grafana saves; tests/targets/test_grafana_schema_oracle.py type-checks
them). Catalog fields go where Grafana reads them; the panel's `overrides` and verbatim
`grafana:` mapping come last (the escape hatch wins).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from metricsctl.catalog.model import Alert, Catalog, Dashboard, Metric, Panel, Row, Threshold
from metricsctl.promql.queries import PanelQuery
from metricsctl.targets.grafana_alerts import AlertIndex, alert_thresholds
from metricsctl.targets.grafana_json import deep_merge, hide_from_tooltip_too
from metricsctl.targets.grafana_layout import Placed

DATASOURCE_VARIABLE = "datasource"
DATASOURCE_REF: dict[str, str] = {"type": "prometheus", "uid": "${" + DATASOURCE_VARIABLE + "}"}
# The @grafana/schema release whose panel models these are (tests type-check against it).
PLUGIN_VERSION = "13.2.2"

# Grafana unit ids for the catalog's metric units; anything else is a plain number.
GRAFANA_UNITS = {
    "seconds": "s",
    "bytes": "bytes",
    "ratio": "percentunit",
    "usd": "currencyUSD",
}
DEFAULT_UNIT = "short"
BASE_THRESHOLD_COLOR = "green"
STACKING_MODES: dict[bool | str, str] = {True: "normal", "percent": "percent"}
STACKED_FILL_OPACITY = 25
LEGEND_CALCS = ["mean", "max", "lastNotNull"]
REDUCE_CALC = "lastNotNull"  # single-value panels show the latest value, not the mean
HIDE_FROM = {"legend": False, "tooltip": False, "viz": False}


def grafana_unit(metric_unit: str | None) -> str:
    """The Grafana unit id for a catalog metric unit (`seconds` -> `s`, else `short`)."""
    return GRAFANA_UNITS.get(metric_unit or "", DEFAULT_UNIT)


def panel_metric(catalog: Catalog, panel: Panel) -> Metric | None:
    return catalog.metrics.get(panel.metric) if panel.metric is not None else None


def panel_unit(catalog: Catalog, panel: Panel) -> str | None:
    """The panel's unit, else its metric's (for derived panels), else Grafana's automatic."""
    if panel.unit is not None:
        return panel.unit
    metric = panel_metric(catalog, panel)
    return grafana_unit(metric.unit) if metric is not None else None


def ref_id(index: int) -> str:
    """Grafana query ids: A..Z, then AA, AB, ..."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def build_targets(queries: Sequence[PanelQuery]) -> list[dict[str, Any]]:
    """Prometheus queries as today's query editor saves them (code mode, range/instant)."""
    targets = []
    for index, query in enumerate(queries):
        target: dict[str, Any] = {
            "datasource": DATASOURCE_REF, "editorMode": "code", "expr": query.expr,
            "format": query.format, "instant": query.instant, "range": not query.instant,
            "refId": (query.query.ref_id if query.query is not None else None) or ref_id(index),
        }
        if query.legend:
            target["legendFormat"] = query.legend
        targets.append(target)
    return targets


def threshold_steps(thresholds: Sequence[Threshold]) -> list[dict[str, Any]]:
    """Grafana threshold steps: the first is the base (value null); one is added if missing."""
    steps = list(thresholds)
    if not steps or steps[0].value is not None:
        steps.insert(0, Threshold(BASE_THRESHOLD_COLOR))
    return [{"color": step.color, "value": None if index == 0 else _number(step.value)}
            for index, step in enumerate(steps)]


def _number(value: float | None) -> float | int | None:
    """Integral floats as integers (10.0 -> 10), as the catalog wrote them."""
    if value is not None and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _reduce_options() -> dict[str, Any]:
    return {"calcs": [REDUCE_CALC], "fields": "", "values": False}


def _legend(calcs: list[str], display: str, *, show: bool = True) -> dict[str, Any]:
    return {"calcs": calcs, "displayMode": display, "placement": "bottom", "showLegend": show}


def _graph_custom(panel: Panel, thresholds_style: str) -> dict[str, Any]:
    stacking = STACKING_MODES.get(panel.stack)
    return {
        "axisBorderShow": False, "axisCenteredZero": False, "axisColorMode": "text",
        "axisLabel": "", "axisPlacement": "auto", "barAlignment": 0, "barWidthFactor": 0.6,
        "drawStyle": "line", "fillOpacity": STACKED_FILL_OPACITY if stacking else 0,
        "gradientMode": "none", "hideFrom": dict(HIDE_FROM), "insertNulls": False,
        "lineInterpolation": "linear", "lineWidth": 1, "pointSize": 5,
        "scaleDistribution": {"type": "linear"}, "showPoints": "auto", "showValues": False,
        "spanNulls": False,
        "stacking": {"group": "A", "mode": stacking or "none"},
        "thresholdsStyle": {"mode": thresholds_style},
    }


def _timeseries(panel: Panel, shows_thresholds: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    options = {"legend": _legend(list(LEGEND_CALCS), "table"),
               "tooltip": {"hideZeros": False, "mode": "multi", "sort": "desc"}}
    defaults = {"color": {"mode": "palette-classic"},
                "custom": _graph_custom(panel, "line" if shows_thresholds else "off")}
    return options, defaults


def _stat() -> tuple[dict[str, Any], dict[str, Any]]:
    options = {"colorMode": "value", "graphMode": "area", "justifyMode": "auto",
               "orientation": "auto", "percentChangeColorMode": "standard",
               "reduceOptions": _reduce_options(), "showPercentChange": False,
               "textMode": "auto", "wideLayout": True}
    return options, {"color": {"mode": "thresholds"}}


def _gauge() -> tuple[dict[str, Any], dict[str, Any]]:
    options = {"barShape": "flat", "barWidthFactor": 0.5,
               "effects": {"barGlow": False, "centerGlow": False, "gradient": True},
               "endpointMarker": "point", "minVizHeight": 75, "minVizWidth": 75,
               "orientation": "auto", "reduceOptions": _reduce_options(), "segmentCount": 1,
               "segmentSpacing": 0.3, "shape": "gauge", "showThresholdLabels": False,
               "showThresholdMarkers": True, "sizing": "auto", "sparkline": False,
               "textMode": "auto"}
    return options, {"color": {"mode": "thresholds"}}


def _bargauge() -> tuple[dict[str, Any], dict[str, Any]]:
    options = {"displayMode": "gradient", "legend": _legend([], "list", show=False),
               "maxVizHeight": 300, "minVizHeight": 16, "minVizWidth": 8,
               "namePlacement": "auto", "orientation": "horizontal",
               "reduceOptions": _reduce_options(), "showUnfilled": True, "sizing": "auto",
               "valueMode": "color"}
    return options, {"color": {"mode": "thresholds"}}


def _heatmap(panel: Panel, queries: Sequence[PanelQuery],
             unit: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    # Prometheus histogram buckets come pre-computed (`format: heatmap`, one series per
    # `le`), so Grafana must not bucket them again, and each row's value is its upper bound.
    precomputed = any(query.format == "heatmap" for query in queries)
    # Unit, decimals and range describe the bucket bounds (the y axis), not the cell counts.
    y_axis: dict[str, Any] = {"axisPlacement": "left", "reverse": False, "unit": unit,
                              "decimals": panel.decimals, "min": _number(panel.min),
                              "max": _number(panel.max)}
    options: dict[str, Any] = {
        "calculate": not precomputed,
        "cellGap": 1,
        "cellValues": {},
        "color": {"exponent": 0.5, "fill": "dark-orange", "mode": "scheme", "reverse": False,
                  "scale": "exponential", "scheme": "Oranges", "steps": 64},
        "exemplars": {"color": "rgba(255,0,255,0.7)"},
        "filterValues": {"le": 1e-9},  # hide empty buckets
        "legend": {"placement": "bottom", "show": True},
        "selectionMode": "x",
        "showValue": "never",
        "tooltip": {"mode": "single", "showColorScale": False, "yHistogram": True},
        "yAxis": {key: value for key, value in y_axis.items() if value is not None},
    }
    if precomputed:
        options["rowsFrame"] = {"layout": "le"}
    custom = {"hideFrom": dict(HIDE_FROM), "scaleDistribution": {"type": "linear"}}
    return options, {"custom": custom}


def _table(queries: Sequence[PanelQuery]) -> tuple[dict[str, Any], dict[str, Any],
                                                   list[dict[str, Any]]]:
    transformations: list[dict[str, Any]] = []
    sort_by: list[dict[str, Any]] = []
    if queries and all(query.format == "table" for query in queries):
        if len(queries) > 1:
            transformations.append({"id": "merge", "options": {}})
        # Instant table queries carry one timestamp per row; it says nothing here.
        transformations.append({"id": "organize", "options": {
            "excludeByName": {"Time": True}, "indexByName": {}, "renameByName": {}}})
        if len(queries) == 1:
            sort_by.append({"desc": True, "displayName": "Value"})
    options = {"cellHeight": "sm", "frameIndex": 0, "showHeader": True,
               "showTypeIcons": False, "sortBy": sort_by}
    custom = {"align": "auto", "cellOptions": {"type": "auto"}, "inspect": False}
    return options, {"color": {"mode": "thresholds"}, "custom": custom}, transformations


def _runbook_links(alerts: Sequence[Alert]) -> list[dict[str, Any]]:
    links: dict[str, dict[str, Any]] = {}
    for alert in alerts:
        if alert.runbook_url and alert.runbook_url not in links:
            # Grafana's panel-link model (DashboardLink in @grafana/schema), complete.
            links[alert.runbook_url] = {
                "asDropdown": False, "icon": "doc", "includeVars": False, "keepTime": False,
                "tags": [], "targetBlank": True, "title": f"Runbook: {alert.name}",
                "tooltip": alert.summary or "", "type": "link", "url": alert.runbook_url}
    return list(links.values())


def build_panel(catalog: Catalog, dashboard: Dashboard, panel: Panel, placed: Placed,
                queries: Sequence[PanelQuery], alerts: AlertIndex) -> dict[str, Any]:
    """The Grafana panel for a catalog panel at its place on the grid (`alerts`: the
    catalog's, indexed)."""
    position = placed.position
    metric = panel_metric(catalog, panel)
    # A derived panel explains itself with its metric's help unless the catalog says more.
    description = panel.description or (metric.help if metric is not None else "")
    result: dict[str, Any] = {
        "gridPos": {"h": position.h, "w": position.w, "x": position.x, "y": position.y},
        "id": placed.id,
        "pluginVersion": PLUGIN_VERSION,
        "title": panel.title,
        "type": panel.type,
    }
    if description:
        result["description"] = description
    if panel.type == "text":
        result["options"] = {
            "code": {"language": "plaintext", "showLineNumbers": False, "showMiniMap": False},
            "content": panel.content or "", "mode": "markdown"}
        return deep_merge(result, panel.grafana)
    exprs = [query.expr for query in queries]
    # As written (an imported dashboard): nothing derived from the alerts, and threshold
    # lines only where the panel's own JSON draws them (Grafana's default is off).
    as_written = panel.as_written or dashboard.as_written
    # The catalog's thresholds win; else those of the alerts this panel plots.
    thresholds = panel.thresholds if as_written else (
        panel.thresholds or alert_thresholds(catalog, alerts.plotted(exprs)))
    transformations: list[dict[str, Any]] = []
    if panel.type == "stat":
        options, defaults = _stat()
    elif panel.type == "gauge":
        options, defaults = _gauge()
    elif panel.type == "bargauge":
        options, defaults = _bargauge()
    elif panel.type == "heatmap":
        options, defaults = _heatmap(panel, queries, panel_unit(catalog, panel))
    elif panel.type == "table":
        options, defaults, transformations = _table(queries)
    else:
        options, defaults = _timeseries(panel, bool(thresholds) and not as_written)
    if panel.type != "heatmap":
        standard = {"unit": panel_unit(catalog, panel), "decimals": panel.decimals,
                    "min": _number(panel.min), "max": _number(panel.max)}
        defaults.update({k: v for k, v in standard.items() if v is not None})
    defaults["mappings"] = []
    defaults["thresholds"] = {"mode": "absolute", "steps": threshold_steps(thresholds)}
    overrides = [hide_from_tooltip_too(dict(override)) for override in panel.overrides]
    result.update({
        "datasource": DATASOURCE_REF,
        "fieldConfig": {"defaults": defaults, "overrides": overrides},
        "options": options,
        "targets": build_targets(queries),
    })
    if transformations:
        result["transformations"] = transformations
    links = [] if as_written else _runbook_links(alerts.reading(exprs))
    if links:
        result["links"] = links
    return deep_merge(result, panel.grafana)


def build_row(row: Row, placed: Placed, panels: list[dict[str, Any]]) -> dict[str, Any]:
    """A row panel; a collapsed row carries its panels, an expanded one is followed by them."""
    position = placed.position
    return {"collapsed": row.collapsed,
            "gridPos": {"h": position.h, "w": position.w, "x": position.x, "y": position.y},
            "id": placed.id, "panels": panels if row.collapsed else [], "title": row.title,
            "type": "row"}
