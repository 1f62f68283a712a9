"""Turn grafanalib's output into the dashboard JSON today's Grafana (schemaVersion 39) reads.

grafanalib 0.7 writes for old Grafana: explicit nulls in every field, Angular-era keys
(`rows`, `span`, `style`, `sharedCrosshair`, the old heatmap's `cards`/`xAxis`/...), Grafana
6's bar gauge `options.fieldOptions`, a gauge's reduce options inside its field config,
`"null"` as a string for the base threshold step, floats where the catalog wrote integers
and legacy query fields (`intervalFactor: 2`, `step: 10`) that coarsen every query. All of
that is handled here, in `normalize_grafanalib_json`, and nowhere else.
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 39

DASHBOARD_KEYS = frozenset({
    "annotations", "description", "editable", "graphTooltip", "links", "panels", "refresh",
    "schemaVersion", "tags", "templating", "time", "timepicker", "timezone", "title", "uid",
    "version",
})
TIMEPICKER_KEYS = frozenset({"refresh_intervals"})
ROW_KEYS = frozenset({"collapsed", "gridPos", "id", "panels", "title", "type"})
TEXT_KEYS = frozenset({"datasource", "description", "gridPos", "id", "options", "title", "type"})
QUERY_PANEL_KEYS = frozenset({
    "datasource", "description", "fieldConfig", "gridPos", "id", "options", "targets", "title",
    "transformations", "type",
})
FIELD_CONFIG_KEYS = frozenset({"defaults", "overrides"})
FIELD_DEFAULT_KEYS = frozenset({
    "color", "custom", "decimals", "mappings", "max", "min", "thresholds", "unit",
})
TARGET_KEYS = frozenset({"datasource", "expr", "format", "instant", "legendFormat", "refId"})
VARIABLE_KEYS = frozenset({
    "allValue", "current", "datasource", "hide", "includeAll", "label", "multi", "name",
    "options", "query", "refresh", "regex", "sort", "type",
})
# Options grafanalib writes in a shape Grafana no longer reads, by panel type.
LEGACY_OPTIONS = {"bargauge": ("fieldOptions", "showThresholdLabels", "showThresholdMarkers")}
LEGACY_CUSTOM_FIELD_OPTIONS = {"table": ("displayMode",)}  # replaced by cellOptions
# Integers up to this size print shorter as integers than as floats.
MAX_EXACT_INTEGER = 1e15


def encode_grafanalib(obj: Any) -> Any:
    """grafanalib objects to plain JSON data through grafanalib's own encoder, with nulls
    dropped from mappings and integral floats printed as integers (400.0 -> 400)."""
    from grafanalib._gen import DashboardEncoder

    # One pass instead of dumping to text and parsing it back: the encoder's `default`
    # hook is what turns each grafanalib object into its JSON data.
    to_data = DashboardEncoder().default

    def plain(value: Any) -> Any:
        kind = type(value)  # exact types first: this runs for every value of every dashboard
        if kind is str or kind is bool or kind is int or value is None:
            return value
        if kind is dict:
            return {key: plain(item) for key, item in value.items() if item is not None}
        if kind is list or kind is tuple:
            return [plain(item) for item in value]
        if kind is float:
            return int(value) if value.is_integer() and abs(value) < MAX_EXACT_INTEGER else value
        return plain(to_data(value))  # a grafanalib object (anything else: TypeError)

    return plain(obj)


def _keep(data: dict[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key in keys}


def _threshold_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # grafanalib writes the base step's value as the string "null"; Grafana wants null.
    return [{"color": step["color"], "value": None if index == 0 else step["value"]}
            for index, step in enumerate(steps)]


def _field_config(panel_type: str, config: dict[str, Any]) -> dict[str, Any]:
    config = _keep(config, FIELD_CONFIG_KEYS)
    defaults = _keep(config.get("defaults", {}), FIELD_DEFAULT_KEYS)
    if defaults.get("unit") == "":
        del defaults["unit"]
    thresholds = defaults.get("thresholds")
    if isinstance(thresholds, dict):
        thresholds["steps"] = _threshold_steps(thresholds.get("steps") or [])
    custom = defaults.get("custom")
    if isinstance(custom, dict):
        for key in LEGACY_CUSTOM_FIELD_OPTIONS.get(panel_type, ()):
            custom.pop(key, None)
    config["defaults"] = defaults
    config.setdefault("overrides", [])
    return config


def _target(target: dict[str, Any]) -> dict[str, Any]:
    result = _keep(target, TARGET_KEYS)
    if not result.get("legendFormat"):
        result.pop("legendFormat", None)
    # Today's Prometheus query editor: range and instant are separate switches, and the
    # hand-written PromQL opens in the code editor rather than the builder.
    result["range"] = not result.get("instant", False)
    result["editorMode"] = "code"
    return result


def _panel(panel: dict[str, Any]) -> dict[str, Any]:
    panel_type = panel["type"]
    if panel_type == "row":
        result = _keep(panel, ROW_KEYS)
        result["panels"] = [_panel(child) for child in result.get("panels", [])]
        return result
    if panel_type == "text":
        return _keep(panel, TEXT_KEYS)
    result = _keep(panel, QUERY_PANEL_KEYS)
    result["fieldConfig"] = _field_config(panel_type, result.get("fieldConfig", {}))
    result["targets"] = [_target(target) for target in result.get("targets", [])]
    options = result.get("options")
    if isinstance(options, dict):
        for key in LEGACY_OPTIONS.get(panel_type, ()):
            options.pop(key, None)
    if not result.get("transformations"):
        result.pop("transformations", None)
    return result


def _variable(variable: dict[str, Any]) -> dict[str, Any]:
    result = _keep(variable, VARIABLE_KEYS)
    # grafanalib always writes a `current` ({"selected": false, "tags": []} without a
    # default); Grafana picks the first option (All, when offered) when it is empty.
    current = result.get("current", {})
    result["current"] = {key: current[key] for key in ("text", "value") if key in current}
    if result.get("type") == "query":
        # The text the variable editor shows for a query; grafanalib has no field for it.
        result["definition"] = result["query"]
    return result


def normalize_grafanalib_json(data: dict[str, Any]) -> dict[str, Any]:
    """grafanalib's dashboard JSON (from `encode_grafanalib`), reduced and corrected to
    Grafana's current model."""
    dashboard = _keep(data, DASHBOARD_KEYS)
    dashboard["schemaVersion"] = SCHEMA_VERSION
    dashboard["timepicker"] = _keep(dashboard.get("timepicker", {}), TIMEPICKER_KEYS)
    dashboard["panels"] = [_panel(panel) for panel in dashboard.get("panels", [])]
    templating = dashboard.get("templating", {})
    dashboard["templating"] = {"list": [_variable(v) for v in templating.get("list", [])]}
    return dashboard
