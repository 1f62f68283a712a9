"""Grafana dashboard JSON (as the UI exports it or the API returns it) -> catalog dashboards.

What the catalog models is mapped: title, uid, tags, refresh, time range, rows, and per
panel its type, title, description, queries (expr, legend, refId, instant, format), unit,
decimals, min/max, thresholds, overrides and gridPos. Everything else (options, colours,
links, repeat settings, library panel references, other datasources...) is carried verbatim
in the panel's or the dashboard's `grafana:` escape hatch, which generation deep-merges
into its output, and reported as such. Variables are carried verbatim too. The dashboard
is marked `as_written: true`, so generation adds nothing derived (alert thresholds, runbook
links, navigation, automatic variables) and it comes back as it was.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from metricsctl.adopt.drafts import DraftEntry, dashboard_uid, domain_name, origin_comment
from metricsctl.adopt.json_positions import JsonPositions
from metricsctl.adopt.report import Outcome
from metricsctl.catalog.yaml_source import PathKey
from metricsctl.diagnostics import Location

if TYPE_CHECKING:
    from metricsctl.adopt.sources import ImportRun

PANEL_TYPES = frozenset({"timeseries", "stat", "gauge", "bargauge", "heatmap", "table", "text"})
_TIME_FROM = re.compile(r"now(-[0-9]+[smhdwMy])?")
_REFRESH = re.compile(
    r"(?=[0-9])([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?")
_FORMATS = frozenset({"time_series", "table", "heatmap"})
# Dashboard keys the catalog models, or that Grafana assigns (id, version).
_DASHBOARD_MAPPED = frozenset({"title", "uid", "description", "tags", "refresh", "panels",
                               "rows", "templating", "id", "version", "schemaVersion"})
# Target keys that carry no meaning beyond the modelled ones (the generator writes them).
_TARGET_PLAIN = frozenset({"expr", "legendFormat", "refId", "instant", "range", "format",
                           "editorMode", "datasource", "hide", "exemplar", "interval",
                           "intervalFactor", "step", "key", "queryType"})
_TARGET_DEFAULTS: dict[str, Any] = {"hide": False, "interval": "", "intervalFactor": 1,
                                    "exemplar": False, "step": 10, "queryType": ""}


def read_dashboard_json(run: ImportRun, display: str, text: str) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        run.error("import/invalid-json", f"JSON syntax error: {error.msg}",
                  Location(display, error.lineno, error.colno))
        return
    positions = JsonPositions(text, display)
    prefix: PathKey = ()
    meta: dict[str, Any] = {}
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        meta = _mapping(data.get("meta"))
        data, prefix = data["dashboard"], ("dashboard",)
    if not isinstance(data, dict) or not (isinstance(data.get("panels"), list)
                                          or isinstance(data.get("rows"), list)):
        run.error("import/unknown-source", "JSON that is not a Grafana dashboard (no "
                  "`panels` list)", positions.locate(()),
                  "export the dashboard from Grafana (Share > Export) or use the API's "
                  "/api/dashboards/uid/<uid> response")
        return
    _DashboardReader(run, positions, prefix).read(data, meta)


class _DashboardReader:
    def __init__(self, run: ImportRun, positions: JsonPositions, prefix: PathKey) -> None:
        self.run, self.positions, self.prefix = run, positions, prefix
        self.domain = "dashboards"

    def at(self, *path: str | int) -> Location:
        return self.positions.locate((*self.prefix, *path))

    def read(self, data: dict[str, Any], meta: dict[str, Any]) -> None:
        # A snippet without a title (as pasted in a README) is named after its file.
        title = data.get("title") if isinstance(data.get("title"), str) else None
        title = title or PurePath(self.positions.display).stem or "Untitled"
        uid = dashboard_uid(str(data.get("uid") or title))
        folder_uid, folder_title = meta.get("folderUid"), meta.get("folderTitle")
        if self.run.options.domain is not None:
            domain = self.run.options.domain
        elif isinstance(folder_title, str) and folder_title and folder_title != "General":
            domain = domain_name(folder_title)
        else:
            domain = "dashboards"
        self.domain = domain
        location = self.at()
        body: dict[str, Any] = {"title": title}
        if isinstance(data.get("description"), str) and data["description"]:
            body["description"] = data["description"]
        if isinstance(folder_uid, str) and folder_uid and isinstance(folder_title, str):
            body["folder"] = folder_uid
            self.run.estate.project.folders[folder_uid] = folder_title
        tags = [t for t in data.get("tags") or [] if isinstance(t, str) and t]
        if tags:
            body["tags"] = list(dict.fromkeys(tags))
        verbatim: dict[str, Any] = {}
        refresh = data.get("refresh")
        if isinstance(refresh, str) and _REFRESH.fullmatch(refresh):
            body["refresh"] = refresh
        elif refresh not in (None, "", False):
            verbatim["refresh"] = refresh
        time = _mapping(data.get("time"))
        if isinstance(time.get("from"), str) and _TIME_FROM.fullmatch(time["from"]):
            body["time_from"] = time["from"]
            if time.get("to") not in (None, "now"):
                verbatim["time"] = {"to": time["to"]}
        elif time:
            verbatim["time"] = time
        variables = self.variables(data)
        if variables:
            body["variables"] = variables
        panels, rows = self.layout(data)
        if panels:
            body["panels"] = panels
        if rows:
            body["rows"] = rows
        for key, value in data.items():
            if key not in _DASHBOARD_MAPPED and key not in ("time",):
                verbatim[key] = value
        if data.get("title") == "":
            verbatim["title"] = ""
        # Generation adds alert thresholds and runbook links to panels that show alerts, a
        # link to the other dashboards, automatic variables: the estate's dashboard had none.
        body["as_written"] = True
        if verbatim:
            body["grafana"] = verbatim
            self.run.report.add(Outcome.VERBATIM, "dashboard fields", uid, location,
                                ", ".join(sorted(verbatim)))
        self.run.estate.domain(domain, location).entries.append(DraftEntry(
            "dashboards", uid, body, location, origin_comment(location, f"dashboard {title}"),
            self.at("uid") if data.get("uid") else None))
        self.run.report.add(Outcome.MAPPED, "dashboard", uid, location)

    # -- variables -------------------------------------------------------------------------

    def variables(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        templating = _mapping(data.get("templating"))
        result = []
        for index, variable in enumerate(templating.get("list") or []):
            where = self.at("templating", "list", index)
            if not isinstance(variable, dict) or not isinstance(variable.get("name"), str):
                self.run.report.add(Outcome.UNMAPPED, "variable", str(index), where,
                                    "a variable without a name")
                continue
            name = variable["name"]
            if name == "datasource" and variable.get("type") == "datasource":
                # Generation writes this variable itself (Prometheus, the project's default).
                self.run.report.add(Outcome.MAPPED, "variable", name, where,
                                    "the generated data source variable")
                continue
            result.append({"grafana": variable})
            self.run.report.add(Outcome.VERBATIM, "variable", name, where)
        return result

    # -- rows and panels -------------------------------------------------------------------

    def layout(self, data: dict[str, Any]) -> tuple[list[dict[str, Any]],
                                                     list[dict[str, Any]]]:
        """Panels above the first row, and the rows with their panels."""
        top: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        if isinstance(data.get("rows"), list):  # schemaVersion < 16: rows of panels
            for row_index, row in enumerate(data["rows"]):
                if not isinstance(row, dict):
                    continue
                panels = [p for i, item in enumerate(row.get("panels") or [])
                          if (p := self.panel(item, ("rows", row_index, "panels", i)))]
                rows.append({"title": str(row.get("title") or "Row"),
                             **({"collapsed": True} if row.get("collapse") else {}),
                             "panels": panels})
            return top, rows
        for index, item in enumerate(data.get("panels") or []):
            path = ("panels", index)
            if isinstance(item, dict) and item.get("type") == "row":
                row_panel: dict[str, Any] = {"title": str(item.get("title") or "Row")}
                if item.get("collapsed"):
                    row_panel["collapsed"] = True
                row_panel["panels"] = [p for i, inner in enumerate(item.get("panels") or [])
                                       if (p := self.panel(inner, (*path, "panels", i)))]
                rows.append(row_panel)
                self.run.report.add(Outcome.MAPPED, "row", row_panel["title"], self.at(*path))
                continue
            panel = self.panel(item, path)
            if panel is None:
                continue
            (rows[-1]["panels"] if rows else top).append(panel)
        return top, rows

    def panel(self, item: Any, path: PathKey) -> dict[str, Any] | None:
        where = self.at(*path)
        if not isinstance(item, dict):
            self.run.report.add(Outcome.UNMAPPED, "panel", str(path[-1]), where, "not an object")
            return None
        if item.get("repeatPanelId") is not None:
            self.run.report.add(Outcome.UNMAPPED, "panel", str(item.get("title", "")), where,
                                "a copy Grafana made of a repeated panel; the original repeats")
            return None
        # The parsed JSON is this import's own: the panel's dict is copied, and each nested
        # one before anything is taken out of it.
        rest = dict(item)
        library = _mapping(rest.get("libraryPanel"))
        title = rest.pop("title", None)
        if not isinstance(title, str) or not title:
            title = str(library.get("name") or "Untitled")
            rest["title"] = item.get("title", "")
        panel: dict[str, Any] = {"title": title}
        kind = rest.pop("type", None)
        if kind in PANEL_TYPES:
            panel["type"] = kind
        else:
            panel["type"] = "timeseries"
            if kind is not None:
                rest["type"] = kind
        if isinstance(rest.get("description"), str):
            description = rest.pop("description")
            if description:
                panel["description"] = description
        grid = rest.pop("gridPos", None)
        if isinstance(grid, dict) and all(isinstance(grid.get(k), int) for k in "xywh") \
                and 0 <= grid["x"] <= 23 and 1 <= grid["w"] <= 24 and grid["y"] >= 0 \
                and grid["h"] >= 1:
            panel["grid"] = {k: grid[k] for k in ("x", "y", "w", "h")}
        elif grid is not None:
            rest["gridPos"] = grid
        span = rest.pop("span", None)
        if isinstance(span, int | float) and 1 <= span * 2 <= 24 and "grid" not in panel:
            panel["width"] = int(span * 2)
        elif span is not None:
            rest["span"] = span
        if kind == "text":
            options = dict(_mapping(rest.get("options")))
            if "options" in rest:
                rest["options"] = options
            holder = options if isinstance(options.get("content"), str) else rest
            if isinstance(holder.get("content"), str):
                panel["content"] = holder.pop("content")
        queries = self.queries(rest, path)
        if queries:
            panel["queries"] = queries
        elif library:
            # Grafana draws a library panel from its library; the reference is all there is.
            panel["type"], panel["content"] = "text", ""
        self.field_config(rest, panel)
        rest.pop("pluginVersion", None)
        if rest.get("datasource") in (None, "$datasource", "${datasource}") or (
                isinstance(rest.get("datasource"), dict)
                and rest["datasource"].get("uid") in ("$datasource", "${datasource}")):
            rest.pop("datasource", None)
        if rest:
            panel["grafana"] = rest
            self.run.report.add(Outcome.VERBATIM, "panel fields", title, where,
                                ", ".join(sorted(rest)))
        self.run.report.add(Outcome.MAPPED, "panel", title, where)
        return panel

    def queries(self, rest: dict[str, Any], path: PathKey) -> list[dict[str, Any]]:
        targets = rest.pop("targets", None)
        if not isinstance(targets, list):
            if targets is not None:
                rest["targets"] = targets
            return []
        queries: list[dict[str, Any]] = []
        plain = True
        for index, target in enumerate(targets):
            if not isinstance(target, dict) or not isinstance(target.get("expr"), str) \
                    or not target["expr"].strip():
                plain = False
                continue
            query: dict[str, Any] = {"expr": target["expr"]}
            if isinstance(target.get("legendFormat"), str) and target["legendFormat"]:
                query["legend"] = target["legendFormat"]
            if isinstance(target.get("refId"), str) and target["refId"]:
                query["ref_id"] = target["refId"]
            if target.get("instant") is True:
                query["instant"] = True
            if target.get("format") in _FORMATS and target["format"] != "time_series":
                query["format"] = target["format"]
            queries.append(query)
            self.run.metrics.observe(target["expr"], self.domain, functools.partial(
                self.at, *path, "targets", index, "expr"))
            extra = {k: v for k, v in target.items() if k not in _TARGET_PLAIN}
            unusual = {k: v for k, v in target.items()
                       if k in _TARGET_DEFAULTS and v != _TARGET_DEFAULTS[k]}
            datasource = target.get("datasource")
            foreign = datasource is not None and datasource != rest.get("datasource") and not (
                isinstance(datasource, dict) and datasource.get("uid") in (
                    "$datasource", "${datasource}"))
            if extra or unusual or foreign or (target.get("range") is False
                                              and not target.get("instant")):
                plain = False
        if not plain:
            # The targets as written win over the generated ones; `queries` still tells
            # lint, diff and docs what the panel reads.
            rest["targets"] = targets
        return queries

    def field_config(self, rest: dict[str, Any], panel: dict[str, Any]) -> None:
        if not isinstance(rest.get("fieldConfig"), dict):
            return
        config = rest["fieldConfig"] = dict(rest["fieldConfig"])
        defaults = dict(_mapping(config.get("defaults")))
        if isinstance(config.get("defaults"), dict):
            config["defaults"] = defaults
        if isinstance(defaults.get("unit"), str) and defaults["unit"]:
            panel["unit"] = defaults.pop("unit")
        decimals = defaults.get("decimals")
        if isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 10:
            panel["decimals"] = defaults.pop("decimals")
        for key in ("min", "max"):
            value = defaults.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                panel[key] = defaults.pop(key)
        thresholds = _thresholds(defaults.get("thresholds"))
        if thresholds is not None:
            defaults.pop("thresholds")
            if thresholds:
                panel["thresholds"] = thresholds
        overrides = config.get("overrides")
        if isinstance(overrides, list) and all(isinstance(o, dict) for o in overrides):
            config.pop("overrides")
            if overrides:
                panel["overrides"] = overrides
        if not defaults and isinstance(config.get("defaults"), dict):
            config.pop("defaults")
        if not config:
            rest.pop("fieldConfig")


def _mapping(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _thresholds(value: Any) -> list[dict[str, Any]] | None:
    """Catalog thresholds for absolute steps (the first, base step has no value)."""
    if not isinstance(value, dict) or value.get("mode", "absolute") != "absolute" \
            or set(value) - {"mode", "steps"}:
        return None
    steps = value.get("steps")
    if not isinstance(steps, list):
        return None
    result: list[dict[str, Any]] = []
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or not isinstance(step.get("color"), str) \
                or set(step) - {"color", "value"}:
            return None
        number = step.get("value")
        if index == 0 and number is None:
            result.append({"color": step["color"]})
        elif isinstance(number, int | float) and not isinstance(number, bool) and index > 0:
            result.append({"color": step["color"], "value": number})
        else:
            return None
    return result
