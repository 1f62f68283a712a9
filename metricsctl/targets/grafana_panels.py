"""Build one grafanalib panel per catalog panel: queries, units, thresholds, legends, options.

grafanalib is the builder; where it lacks an option of today's Grafana (bar gauge and gauge
options, the React heatmap's y axis, min/max that are not integers, table cell options) we
pass it through grafanalib's own escape hatch, `extraJson`, and `grafana_json.py` removes
the legacy fields grafanalib still writes. Import this module lazily: it imports grafanalib.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grafanalib import core as g

from metricsctl.catalog.model import Catalog, Dashboard, Metric, Panel, Row, Threshold
from metricsctl.promql.queries import PanelQuery, panel_queries
from metricsctl.targets.grafana_layout import Placed

DATASOURCE_VARIABLE = "datasource"
DATASOURCE_REF: dict[str, str] = {"type": "prometheus", "uid": "${" + DATASOURCE_VARIABLE + "}"}

# Grafana unit ids for the catalog's metric units; anything else is a plain number.
GRAFANA_UNITS = {
    "seconds": "s",
    "bytes": "bytes",
    "ratio": "percentunit",
    "usd": "currencyUSD",
}
DEFAULT_UNIT = "short"
BASE_THRESHOLD_COLOR = "green"
STACKING_MODES = {True: "normal", "percent": "percent"}
STACKED_FILL_OPACITY = 25
LEGEND_CALCS = ["mean", "max", "lastNotNull"]
REDUCE_CALC = "lastNotNull"  # single-value panels show the latest value, not the mean


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


def build_targets(queries: Sequence[PanelQuery]) -> list[g.Target]:
    return [g.Target(expr=query.expr, legendFormat=query.legend or "", refId=ref_id(index),
                     instant=query.instant, format=query.format, datasource=DATASOURCE_REF)
            for index, query in enumerate(queries)]


def threshold_steps(thresholds: Sequence[Threshold]) -> list[g.Threshold]:
    """Grafana threshold steps: the first is the base (no value); one is added if missing."""
    steps = list(thresholds)
    if not steps or steps[0].value is not None:
        steps.insert(0, Threshold(BASE_THRESHOLD_COLOR))
    # grafanalib wants a float value even on the base step (it writes "null" there).
    return [g.Threshold(step.color, index, float(step.value or 0))
            for index, step in enumerate(steps)]


def field_defaults(catalog: Catalog, panel: Panel) -> dict[str, Any]:
    """Standard field options every panel type reads the same way."""
    defaults: dict[str, Any] = {"unit": panel_unit(catalog, panel), "decimals": panel.decimals,
                                "min": panel.min, "max": panel.max}
    return {"fieldConfig": {"defaults": {k: v for k, v in defaults.items() if v is not None}}}


def _merge(*parts: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = _merge(merged[key], value)
            else:
                merged[key] = value
    return merged


def _reduce_options() -> dict[str, Any]:
    return {"calcs": [REDUCE_CALC], "fields": "", "values": False}


def _timeseries(common: dict[str, Any], panel: Panel, extra: dict[str, Any]) -> g.Panel:
    stacking = STACKING_MODES.get(panel.stack)
    return g.TimeSeries(
        **common,
        legendDisplayMode="table",
        legendPlacement="bottom",
        legendCalcs=list(LEGEND_CALCS),
        tooltipMode="multi",
        tooltipSort="desc",
        stacking={"mode": stacking, "group": "A"} if stacking else {"mode": "none"},
        fillOpacity=STACKED_FILL_OPACITY if stacking else 0,
        thresholdsStyleMode="line" if panel.thresholds else "off",
        extraJson=extra,
    )


def _stat(common: dict[str, Any], extra: dict[str, Any]) -> g.Panel:
    return g.Stat(**common, reduceCalc=REDUCE_CALC, color={"mode": "thresholds"},
                  colorMode="value", graphMode="area", noValue=None, format=None,
                  decimals=None, extraJson=extra)


def _gauge(common: dict[str, Any], extra: dict[str, Any]) -> g.Panel:
    options = {"options": {"reduceOptions": _reduce_options(), "orientation": "auto",
                           "showThresholdLabels": False, "showThresholdMarkers": True},
               "fieldConfig": {"defaults": {"color": {"mode": "thresholds"}}}}
    return g.GaugePanel(**common, min=None, max=None, format=None, calc=REDUCE_CALC,
                        extraJson=_merge(options, extra))


def _bargauge(common: dict[str, Any], extra: dict[str, Any]) -> g.Panel:
    # grafanalib writes Grafana 6's `options.fieldOptions`; today's bar gauge reads
    # `options.reduceOptions` and the standard field config.
    options = {"options": {"reduceOptions": _reduce_options(), "showUnfilled": True,
                           "valueMode": "color"},
               "fieldConfig": {"defaults": {"color": {"mode": "thresholds"}}}}
    return g.BarGauge(**common, displayMode=g.GAUGE_DISPLAY_MODE_GRADIENT,
                      orientation=g.ORIENTATION_HORIZONTAL, calc=REDUCE_CALC,
                      extraJson=_merge(options, extra))


def _heatmap(common: dict[str, Any], panel: Panel, queries: Sequence[PanelQuery],
             unit: str | None) -> g.Panel:
    # Prometheus histogram buckets come pre-computed (`format: heatmap`, one series per
    # `le`), so Grafana must not bucket them again, and each row's value is its upper bound.
    precomputed = any(query.format == "heatmap" for query in queries)
    # Unit, decimals and range describe the bucket bounds (the y axis), not the cell counts.
    y_axis: dict[str, Any] = {"axisPlacement": "left", "reverse": False, "unit": unit,
                              "decimals": panel.decimals, "min": panel.min, "max": panel.max}
    options: dict[str, Any] = {
        "calculate": not precomputed,
        "cellGap": 1,
        "color": {"mode": "scheme", "scheme": "Oranges", "fill": "dark-orange",
                  "scale": "exponential", "exponent": 0.5, "steps": 64, "reverse": False},
        "exemplars": {"color": "rgba(255,0,255,0.7)"},
        "filterValues": {"le": 1e-9},  # hide empty buckets
        "legend": {"show": True},
        "showValue": "never",
        "tooltip": {"mode": "single", "yHistogram": True},
        "yAxis": {key: value for key, value in y_axis.items() if value is not None},
    }
    if precomputed:
        options["rowsFrame"] = {"layout": "le"}
    cells = {"fieldConfig": {"defaults": {"custom": {
        "scaleDistribution": {"type": "linear"},
        "hideFrom": {"legend": False, "tooltip": False, "viz": False}}}}}
    return g.Heatmap(**common, dataFormat="tsbuckets", yBucketBound="upper", options=options,
                     extraJson=cells)


def _table(common: dict[str, Any], extra: dict[str, Any],
           queries: Sequence[PanelQuery]) -> g.Panel:
    transformations: list[dict[str, Any]] = []
    sort_by: list[g.TableSortByField] = []
    if queries and all(query.format == "table" for query in queries):
        if len(queries) > 1:
            transformations.append({"id": "merge", "options": {}})
        # Instant table queries carry one timestamp per row; it says nothing here.
        transformations.append({"id": "organize", "options": {
            "excludeByName": {"Time": True}, "indexByName": {}, "renameByName": {}}})
        if len(queries) == 1:
            sort_by.append(g.TableSortByField(displayName="Value", desc=True))
    cells = {"fieldConfig": {"defaults": {"custom": {"cellOptions": {"type": "auto"},
                                                     "inspect": False}}}}
    return g.Table(**common, transformations=transformations, sortBy=sort_by,
                   extraJson=_merge(cells, extra))


def build_panel(catalog: Catalog, dashboard: Dashboard, panel: Panel, placed: Placed) -> g.Panel:
    """The grafanalib panel for a catalog panel at its place on the grid."""
    position = placed.position
    metric = panel_metric(catalog, panel)
    # A derived panel explains itself with its metric's help unless the catalog says more.
    description = panel.description or (metric.help if metric is not None else None)
    common: dict[str, Any] = {
        "title": panel.title,
        "description": description,
        "id": placed.id,
        "gridPos": g.GridPos(h=position.h, w=position.w, x=position.x, y=position.y),
        "dataSource": DATASOURCE_REF,
    }
    if panel.type == "text":
        return g.Text(**common, content=panel.content or "", mode=g.TEXT_MODE_MARKDOWN)
    queries = panel_queries(catalog, dashboard, panel)
    common["targets"] = build_targets(queries)
    common["thresholds"] = threshold_steps(panel.thresholds)
    extra = field_defaults(catalog, panel)
    if panel.type == "stat":
        return _stat(common, extra)
    if panel.type == "gauge":
        return _gauge(common, extra)
    if panel.type == "bargauge":
        return _bargauge(common, extra)
    if panel.type == "heatmap":
        return _heatmap(common, panel, queries, panel_unit(catalog, panel))
    if panel.type == "table":
        return _table(common, extra, queries)
    return _timeseries(common, panel, extra)


def build_row(row: Row, placed: Placed, panels: list[g.Panel]) -> g.RowPanel:
    """A row panel; a collapsed row carries its panels, an expanded one is followed by them."""
    position = placed.position
    return g.RowPanel(title=row.title, id=placed.id, collapsed=row.collapsed,
                      gridPos=g.GridPos(h=position.h, w=position.w, x=position.x, y=position.y),
                      panels=panels if row.collapsed else [])
