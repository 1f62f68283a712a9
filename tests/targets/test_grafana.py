"""The grafana target: the dashboard JSON files users import into Grafana."""

from __future__ import annotations

import dataclasses
import itertools
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from metricsctl.catalog.loader import load_catalog
from metricsctl.catalog.model import Catalog
from metricsctl.targets import grafana, load_target
from tests.conftest import REPO_ROOT, SHIPPED_SPECS, SMALL_CATALOG, WriteCatalog
from tests.targets.golden_files import assert_matches_golden

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
PANEL_TYPES = {"timeseries", "stat", "gauge", "bargauge", "heatmap", "table", "text", "row"}

SHOP_PROJECT = """\
project: shop
defaults: {datasource: prom-main}
scrape:
  - job: web
    targets: ["web:9100"]
    labels: {env: prod}
"""
SHOP_METRICS = """\
domain: shop
labels:
  route: {max_cardinality: 20}
  method: {values: [GET, POST]}
metrics:
  http_requests_total:
    type: counter
    help: HTTP requests served.
    labels: [method, route]
  http_request_duration_seconds:
    type: histogram
    unit: seconds
    help: Time to serve an HTTP request.
    labels: [route]
    buckets: [0.1, 0.5, 1]
  cart_items:
    type: gauge
    help: Items in open carts.
"""


def load(root: Path) -> Catalog:
    result = load_catalog(root)
    assert result.ok, [str(d) for d in result.diagnostics]
    assert result.catalog is not None
    return result.catalog


def shop_catalog(write_catalog: WriteCatalog, dashboards: str) -> Catalog:
    """The shop metrics plus `dashboards` (YAML under `dashboards:`, already indented)."""
    return load(write_catalog({"shop.yaml": SHOP_METRICS + "dashboards:\n" + dashboards},
                              project=SHOP_PROJECT))


def only_dashboard(catalog: Catalog) -> dict[str, Any]:
    [dashboard] = grafana.build_dashboards(catalog).values()
    return dashboard


def panels_of(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, rows and the panels inside collapsed rows included."""
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


def panel(dashboard: dict[str, Any], title: str) -> dict[str, Any]:
    return next(p for p in panels_of(dashboard) if p["title"] == title)


def exprs(panel_json: dict[str, Any]) -> list[str]:
    return [target["expr"] for target in panel_json["targets"]]


@pytest.fixture(scope="module")
def small() -> dict[str, Any]:
    return grafana.build_dashboards(load(SMALL_CATALOG))["shop-overview"]


# -- files ------------------------------------------------------------------------------------

def test_small_catalog_renders_its_golden_files() -> None:
    assert_matches_golden(grafana.render(load(SMALL_CATALOG)), "grafana")


def test_one_file_per_dashboard_named_by_uid() -> None:
    catalog = load(SHIPPED_SPECS)

    files = grafana.render(catalog)

    assert sorted(files) == sorted(f"grafana/dashboards/{uid}.json" for uid in catalog.dashboards)


def test_registered_as_the_grafana_target() -> None:
    target = load_target("grafana")

    assert target.NAME == "grafana"
    assert target.render is grafana.render


def test_files_are_the_dashboards_push_sends_as_sorted_two_space_json() -> None:
    catalog = load(SMALL_CATALOG)

    text = grafana.render(catalog)["grafana/dashboards/shop-overview.json"]

    data = grafana.build_dashboards(catalog)["shop-overview"]
    assert json.loads(text) == data
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert "\r" not in text


def test_rendering_twice_is_byte_identical() -> None:
    assert grafana.render(load(SMALL_CATALOG)) == grafana.render(load(SMALL_CATALOG))


def test_output_does_not_depend_on_how_the_specs_directory_was_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "elsewhere" / "specs"
    shutil.copytree(SMALL_CATALOG, copy)
    monkeypatch.chdir(tmp_path / "elsewhere")

    relative = grafana.render(load(Path("specs")))
    absolute = grafana.render(load(copy))
    original = grafana.render(load(SMALL_CATALOG))

    assert relative == absolute == original
    for text in original.values():
        assert str(REPO_ROOT) not in text and str(tmp_path) not in text


@pytest.mark.parametrize("uid", ["../../etc/passwd", "a/b", "..", "", "x" * 41, "dash board"])
def test_a_uid_that_is_not_a_safe_file_name_is_refused(uid: str) -> None:
    catalog = load(SMALL_CATALOG)
    dashboard = dataclasses.replace(catalog.dashboards["shop-overview"], uid=uid)
    hostile = dataclasses.replace(catalog, dashboards={uid: dashboard})

    with pytest.raises(ValueError, match="unsafe dashboard uid"):
        grafana.render(hostile)
    with pytest.raises(ValueError, match="unsafe dashboard uid"):
        grafana.build_dashboards(hostile)  # what push sends, and puts in Grafana URLs
    with pytest.raises(ValueError, match="unsafe dashboard uid"):
        grafana.dashboard_path(uid)


def test_building_dashboards_needs_no_dashboard_library() -> None:
    # The JSON is built from the catalog directly: no grafanalib (nor attrs) to import.
    code = ("import sys; from pathlib import Path; from metricsctl.catalog.loader import "
            "load_catalog; from metricsctl.targets import grafana; "
            f"grafana.build_dashboards(load_catalog(Path({str(SMALL_CATALOG)!r})).catalog); "
            "print(bool({'grafanalib', 'attr'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)

    assert result.stdout.strip() == "False"


# -- the dashboard ----------------------------------------------------------------------------

def test_dashboard_metadata(small: dict[str, Any]) -> None:
    assert small["uid"] == "shop-overview"
    assert small["title"] == "Shop Overview"
    assert small["schemaVersion"] == 42
    assert "id" not in small
    assert small["version"] == 1
    assert small["editable"] is False  # generated: edits go through the catalog
    assert small["graphTooltip"] == 1  # shared crosshair
    assert small["timezone"] == "browser"
    assert small["refresh"] == "30s"
    assert small["time"] == {"from": "now-3h", "to": "now"}


def test_description_says_generated_and_from_which_spec_file(small: dict[str, Any]) -> None:
    assert small["description"] == (
        "Traffic, latency and checkouts.\n\n"
        "Generated by metricsctl from shop.yaml - edit the catalog, not this dashboard.")


def test_spec_files_in_subdirectories_are_named_relative_to_the_catalog(
        write_catalog: WriteCatalog) -> None:
    root = write_catalog({"teams/shop.yaml": SHOP_METRICS + """\
dashboards:
  shop:
    title: Shop
    panels: [{title: Carts, metric: cart_items}]
"""}, project=SHOP_PROJECT)

    description = only_dashboard(load(root))["description"]

    assert description == ("Generated by metricsctl from teams/shop.yaml - edit the catalog, "
                           "not this dashboard.")


def test_tags_mark_the_dashboard_as_managed_for_the_project(small: dict[str, Any]) -> None:
    assert small["tags"] == ["metricsctl", "metricsctl:shop", "shop"]
    assert grafana.MANAGED_TAG == "metricsctl"
    assert grafana.project_tag("shop") == "metricsctl:shop"


def test_model_tags_repeating_the_managed_tags_appear_once(write_catalog: WriteCatalog) -> None:
    # The catalog refuses such tags; dashboards built as model objects (SLO dashboards) may not.
    catalog = shop_catalog(write_catalog, """\
  shop:
    title: Shop
    tags: [team]
    panels: [{title: Carts, metric: cart_items}]
""")
    board = catalog.dashboards["shop"]
    tagged = dataclasses.replace(board, tags=("team", "metricsctl", "metricsctl:shop", "alpha"))

    assert grafana.build_dashboard(catalog, tagged)["tags"] == [
        "metricsctl", "metricsctl:shop", "team", "alpha"]


def test_folder_of_a_dashboard() -> None:
    catalog = load(SMALL_CATALOG)

    assert grafana.dashboard_folder(catalog, "shop-overview") == "shop"


# -- variables --------------------------------------------------------------------------------

def test_datasource_variable_selects_the_project_datasource(write_catalog: WriteCatalog) -> None:
    catalog = shop_catalog(write_catalog, """\
  shop:
    title: Shop
    panels: [{title: Carts, metric: cart_items}]
""")

    [variable] = only_dashboard(catalog)["templating"]["list"]

    assert variable["type"] == "datasource"
    assert variable["name"] == "datasource"
    assert variable["query"] == "prometheus"
    assert variable["current"] == {"text": "prom-main", "value": "prom-main"}


def test_every_panel_and_query_uses_the_datasource_variable() -> None:
    catalog = load(SHIPPED_SPECS)

    for dashboard in grafana.build_dashboards(catalog).values():
        queried = [p for p in panels_of(dashboard) if p["type"] not in ("row", "text")]
        assert queried, dashboard["uid"]
        for panel_json in panels_of(dashboard):
            if panel_json["type"] != "row":
                assert panel_json["datasource"] == DATASOURCE, panel_json["title"]
            for target in panel_json.get("targets", []):
                assert target["datasource"] == DATASOURCE, panel_json["title"]
        for variable in dashboard["templating"]["list"][1:]:
            assert variable["datasource"] == DATASOURCE


def test_label_variables_offer_label_values_of_the_metric_series(
        write_catalog: WriteCatalog) -> None:
    catalog = shop_catalog(write_catalog, """\
  shop:
    title: Shop
    variables:
      - route
      - {label: method, name: verb, title: HTTP method, multi: false, include_all: false}
      - {label: route, name: timed_route, metric: http_request_duration_seconds}
      - env
    panels: [{title: Requests, metric: http_requests_total, by: [route]}]
""")

    variables = {v["name"]: v for v in only_dashboard(catalog)["templating"]["list"]}

    route = variables["route"]
    assert route["query"]["query"] == "label_values(http_requests_total, route)"
    assert (route["type"], route["multi"], route["includeAll"]) == ("query", True, True)
    assert route["allValue"] == ".*"
    assert route["refresh"] == 2  # on time range change
    assert route["sort"] == 1
    verb = variables["verb"]
    assert verb["label"] == "HTTP method"
    assert verb["query"]["query"] == "label_values(http_requests_total, method)"
    assert (verb["multi"], verb["includeAll"]) == (False, False)
    assert "allValue" not in verb
    # A histogram is asked through its `_count` series: its labels, not one series per bucket.
    timed = variables["timed_route"]
    assert timed["query"]["query"] == "label_values(http_request_duration_seconds_count, route)"
    # A label the scrape jobs attach is on every scraped series: asked through the jobs' `up`.
    assert variables["env"]["query"]["query"] == 'label_values(up{job=~"web"}, env)'


def test_derived_queries_filter_on_the_variables(small: dict[str, Any]) -> None:
    [expr] = exprs(panel(small, "Request rate"))

    assert expr == ('sum by (route) (rate(http_requests_total{service=~"$service"}'
                    '[$__rate_interval]))')


# -- derived panels ---------------------------------------------------------------------------

def test_histogram_panel_shows_p50_p95_p99_over_bucket_rates_keeping_le(
        small: dict[str, Any]) -> None:
    latency = panel(small, "Latency")

    assert exprs(latency) == [
        f"histogram_quantile({q}, sum by (le, route) (rate(http_request_duration_seconds_bucket"
        '{service=~"$service"}[$__rate_interval])))'
        for q in ("0.5", "0.95", "0.99")]
    assert [t["legendFormat"] for t in latency["targets"]] == [
        "p50 {{route}}", "p95 {{route}}", "p99 {{route}}"]
    assert [t["refId"] for t in latency["targets"]] == ["A", "B", "C"]
    assert latency["fieldConfig"]["defaults"]["unit"] == "s"


def test_counter_panel_shows_its_rate_and_gauge_panel_its_value(
        write_catalog: WriteCatalog) -> None:
    catalog = shop_catalog(write_catalog, """\
  shop:
    title: Shop
    panels:
      - {title: Requests, metric: http_requests_total, by: [method, route]}
      - {title: Carts, type: stat, metric: cart_items}
""")
    dashboard = only_dashboard(catalog)

    requests, carts = panel(dashboard, "Requests"), panel(dashboard, "Carts")

    assert exprs(requests) == [
        "sum by (method, route) (rate(http_requests_total[$__rate_interval]))"]
    assert requests["targets"][0]["legendFormat"] == "{{method}} {{route}}"
    assert exprs(carts) == ["cart_items"]
    assert "legendFormat" not in carts["targets"][0]


def test_histogram_heatmap_reads_precomputed_buckets(small: dict[str, Any]) -> None:
    heatmap = panel(small, "Latency distribution")

    [target] = heatmap["targets"]
    assert target["expr"] == ('sum by (le) (rate(http_request_duration_seconds_bucket'
                              '{service=~"$service"}[$__rate_interval]))')
    assert (target["format"], target["legendFormat"]) == ("heatmap", "{{le}}")
    options = heatmap["options"]
    assert options["calculate"] is False
    assert options["rowsFrame"] == {"layout": "le"}  # each bucket is an upper bound
    assert options["yAxis"]["unit"] == "s"
    # The Angular heatmap's fields would make Grafana migrate the panel and drop these options.
    assert not {"heatmap", "dataFormat", "cards", "yBucketBound", "xAxis"} & set(heatmap)


# -- panel options ----------------------------------------------------------------------------

@pytest.mark.parametrize(("unit", "grafana_unit"), [
    ("seconds", "s"), ("bytes", "bytes"), ("ratio", "percentunit"), ("usd", "currencyUSD"),
    ("tokens", "short"), (None, "short")])
def test_derived_panels_take_the_grafana_unit_of_their_metric(
        write_catalog: WriteCatalog, unit: str | None, grafana_unit: str) -> None:
    name = f"thing_{unit}" if unit else "thing"
    unit_line = f"    unit: {unit}\n" if unit else ""
    root = write_catalog({"d.yaml": f"""\
domain: d
metrics:
  {name}:
    type: gauge
    help: A thing.
{unit_line}dashboards:
  d:
    title: D
    panels: [{{title: Thing, metric: {name}}}]
"""})

    [only] = only_dashboard(load(root))["panels"]

    assert only["fieldConfig"]["defaults"]["unit"] == grafana_unit


def test_panel_unit_decimals_and_range_win(write_catalog: WriteCatalog) -> None:
    catalog = shop_catalog(write_catalog, """\
  shop:
    title: Shop
    panels:
      - {title: Latency, metric: http_request_duration_seconds, unit: ms, decimals: 2,
         min: 0.5, max: 2.5}
      - {title: Handwritten, expr: up}
""")
    dashboard = only_dashboard(catalog)

    defaults = panel(dashboard, "Latency")["fieldConfig"]["defaults"]

    assert (defaults["unit"], defaults["decimals"], defaults["min"], defaults["max"]) == (
        "ms", 2, 0.5, 2.5)
    # A hand-written query has no metric to take a unit from: Grafana's automatic unit.
    assert "unit" not in panel(dashboard, "Handwritten")["fieldConfig"]["defaults"]


def test_thresholds_start_with_a_base_step(write_catalog: WriteCatalog) -> None:
    catalog = shop_catalog(write_catalog, """\
  shop:
    title: Shop
    panels:
      - {title: With base, type: stat, metric: cart_items,
         thresholds: [{color: blue}, {value: 0.1, color: red}]}
      - {title: Without base, type: gauge, metric: cart_items,
         thresholds: [{value: 10, color: yellow}, {value: 400, color: red}]}
      - {title: None given, type: stat, metric: cart_items}
""")
    dashboard = only_dashboard(catalog)

    def steps(title: str) -> list[dict[str, Any]]:
        thresholds = panel(dashboard, title)["fieldConfig"]["defaults"]["thresholds"]
        assert thresholds["mode"] == "absolute"
        return list(thresholds["steps"])

    assert steps("With base") == [{"color": "blue", "value": None},
                                  {"color": "red", "value": 0.1}]
    assert steps("Without base") == [{"color": "green", "value": None},
                                     {"color": "yellow", "value": 10},
                                     {"color": "red", "value": 400}]
    assert steps("None given") == [{"color": "green", "value": None}]


def test_numbers_print_in_their_shortest_form() -> None:
    text = grafana.render(load(SMALL_CATALOG))["grafana/dashboards/shop-overview.json"]

    assert '"value": 400\n' in text and '"max": 500,' in text and '"value": 0.01\n' in text
    assert ".0\n" not in text and ".0," not in text and "000000" not in text


@pytest.mark.parametrize(("stack", "mode", "fill"), [
    ("true", "normal", 25), ('"percent"', "percent", 25), ("false", "none", 0)])
def test_stacking(write_catalog: WriteCatalog, stack: str, mode: str, fill: int) -> None:
    catalog = shop_catalog(write_catalog, f"""\
  shop:
    title: Shop
    panels: [{{title: Requests, metric: http_requests_total, by: [route], stack: {stack}}}]
""")

    custom = panel(only_dashboard(catalog), "Requests")["fieldConfig"]["defaults"]["custom"]

    assert custom["stacking"]["mode"] == mode
    assert custom["fillOpacity"] == fill


def test_time_series_legend_is_a_table_with_mean_max_last(small: dict[str, Any]) -> None:
    legend = panel(small, "Request rate")["options"]["legend"]

    assert legend == {"calcs": ["mean", "max", "lastNotNull"], "displayMode": "table",
                      "placement": "bottom", "showLegend": True}


def test_single_value_panels_show_the_latest_value(small: dict[str, Any]) -> None:
    for title in ("Error ratio", "Checkouts", "Open cart items"):
        options = panel(small, title)["options"]
        assert options["reduceOptions"] == {"calcs": ["lastNotNull"], "fields": "",
                                            "values": False}, title
    # Grafana 6's bar gauge options are gone; Grafana now reads reduceOptions.
    assert "fieldOptions" not in panel(small, "Checkouts")["options"]
    gauge = panel(small, "Open cart items")["fieldConfig"]["defaults"]
    assert (gauge["min"], gauge["max"]) == (0, 500)


def test_instant_table_hides_the_timestamp_and_sorts_by_value(small: dict[str, Any]) -> None:
    table = panel(small, "Top routes")

    [target] = table["targets"]
    assert (target["instant"], target["range"], target["format"]) == (True, False, "table")
    assert table["transformations"] == [{"id": "organize", "options": {
        "excludeByName": {"Time": True}, "indexByName": {}, "renameByName": {}}}]
    assert table["options"]["sortBy"] == [{"desc": True, "displayName": "Value"}]


def test_text_panel_renders_markdown(small: dict[str, Any]) -> None:
    about = panel(small, "About")

    assert about["options"] == {
        "code": {"language": "plaintext", "showLineNumbers": False, "showMiniMap": False},
        "content": "Generated from the shop catalog. **Do not edit in Grafana.**",
        "mode": "markdown"}
    assert about["gridPos"] == {"h": 3, "w": 24, "x": 0, "y": 0}
    assert "targets" not in about


def test_panel_description_defaults_to_the_metric_help(write_catalog: WriteCatalog) -> None:
    catalog = shop_catalog(write_catalog, """\
  shop:
    title: Shop
    panels:
      - {title: Carts, metric: cart_items, description: Open carts right now.}
      - {title: Requests, metric: http_requests_total}
      - {title: Handwritten, expr: up}
""")
    dashboard = only_dashboard(catalog)

    assert panel(dashboard, "Carts")["description"] == "Open carts right now."
    assert panel(dashboard, "Requests")["description"] == "HTTP requests served."
    assert "description" not in panel(dashboard, "Handwritten")


def test_heatmap_of_raw_series_lets_grafana_bucket_them(write_catalog: WriteCatalog) -> None:
    catalog = shop_catalog(write_catalog, """\
  shop:
    title: Shop
    panels: [{title: Carts, type: heatmap, expr: cart_items, unit: short}]
""")

    options = panel(only_dashboard(catalog), "Carts")["options"]

    assert options["calculate"] is True
    assert "rowsFrame" not in options
    assert options["yAxis"]["unit"] == "short"


def test_table_of_several_queries_merges_them_across_the_page(
        write_catalog: WriteCatalog) -> None:
    catalog = shop_catalog(write_catalog, """\
  shop:
    title: Shop
    panels:
      - title: Routes
        type: table
        queries:
          - {expr: 'sum by (route) (rate(http_requests_total[1h]))', instant: true, format: table}
          - {expr: 'count by (route) (http_request_duration_seconds_count)', instant: true,
             format: table}
""")

    table = panel(only_dashboard(catalog), "Routes")

    assert [t["refId"] for t in table["targets"]] == ["A", "B"]
    assert [t["id"] for t in table["transformations"]] == ["merge", "organize"]
    assert table["gridPos"]["w"] == 24
    assert table["options"]["sortBy"] == []


def test_time_series_draw_their_thresholds(write_catalog: WriteCatalog) -> None:
    catalog = shop_catalog(write_catalog, """\
  shop:
    title: Shop
    panels:
      - {title: Carts, metric: cart_items, thresholds: [{color: green}, {value: 9, color: red}]}
      - {title: Plain, metric: cart_items}
""")
    dashboard = only_dashboard(catalog)

    def style(title: str) -> Any:
        return panel(dashboard, title)["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]

    assert style("Carts") == {"mode": "line"}
    assert style("Plain") == {"mode": "off"}


# -- rows and layout --------------------------------------------------------------------------

def test_expanded_rows_are_followed_by_their_panels(small: dict[str, Any]) -> None:
    titles = [p["title"] for p in small["panels"]]
    traffic = panel(small, "Traffic")

    assert titles[:6] == ["About", "Traffic", "Request rate", "Latency",
                          "Latency distribution", "Error ratio"]
    assert (traffic["type"], traffic["collapsed"], traffic["panels"]) == ("row", False, [])
    assert traffic["gridPos"] == {"h": 1, "w": 24, "x": 0, "y": 3}


def test_collapsed_rows_carry_their_panels(small: dict[str, Any]) -> None:
    business = small["panels"][-1]

    assert (business["title"], business["type"], business["collapsed"]) == (
        "Business", "row", True)
    assert [p["title"] for p in business["panels"]] == [
        "Checkouts", "Open cart items", "Top routes", "Price lookup"]
    assert not {"Checkouts", "Top routes"} & {p["title"] for p in small["panels"]}
    # Once expanded, its panels sit right under its header.
    assert min(p["gridPos"]["y"] for p in business["panels"]) == business["gridPos"]["y"] + 1


def overlaps(first: dict[str, int], second: dict[str, int]) -> bool:
    return (first["x"] < second["x"] + second["w"] and second["x"] < first["x"] + first["w"]
            and first["y"] < second["y"] + second["h"] and second["y"] < first["y"] + first["h"])


@pytest.mark.parametrize("specs", [SMALL_CATALOG, SHIPPED_SPECS], ids=["small", "shipped"])
def test_layout_has_no_overlaps_and_unique_ids(specs: Path) -> None:
    for dashboard in grafana.build_dashboards(load(specs)).values():
        on_page = [p["gridPos"] for p in dashboard["panels"]]
        for first, second in itertools.combinations(on_page, 2):
            assert not overlaps(first, second), (dashboard["uid"], first, second)
        for row in dashboard["panels"]:
            for first, second in itertools.combinations(
                    [p["gridPos"] for p in row.get("panels", [])], 2):
                assert not overlaps(first, second), (dashboard["uid"], first, second)
        ids = [p["id"] for p in panels_of(dashboard)]
        assert ids == list(range(1, len(ids) + 1)), dashboard["uid"]
        for p in panels_of(dashboard):
            assert p["gridPos"]["w"] >= 1 and p["gridPos"]["x"] + p["gridPos"]["w"] <= 24


# -- shape Grafana expects --------------------------------------------------------------------

@pytest.mark.parametrize("specs", [SMALL_CATALOG, SHIPPED_SPECS], ids=["small", "shipped"])
def test_every_panel_has_the_fields_grafana_needs(specs: Path) -> None:
    for dashboard in grafana.build_dashboards(load(specs)).values():
        for p in panels_of(dashboard):
            assert p["type"] in PANEL_TYPES
            assert isinstance(p["id"], int) and isinstance(p["title"], str)
            assert set(p["gridPos"]) == {"x", "y", "w", "h"}
            assert all(isinstance(v, int) for v in p["gridPos"].values())
            if p["type"] == "row":
                assert isinstance(p["panels"], list) and isinstance(p["collapsed"], bool)
                continue
            if p["type"] == "text":
                assert isinstance(p["options"]["content"], str)
                continue
            assert p["targets"], p["title"]
            for index, target in enumerate(p["targets"]):
                assert target["refId"] == "ABCDEFGH"[index]
                assert target["expr"] and target["datasource"] == DATASOURCE
            assert isinstance(p["fieldConfig"]["defaults"], dict)
            assert isinstance(p["fieldConfig"]["overrides"], list)
            assert isinstance(p["options"], dict)


def nulls(value: Any, path: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if item is None:
                yield f"{path}.{key}"
            yield from nulls(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nulls(item, f"{path}[{index}]")


def test_no_nulls_but_the_threshold_base_steps(small: dict[str, Any]) -> None:
    found = list(nulls(small))

    assert found
    assert all(path.endswith(".thresholds.steps[0].value") for path in found), found


def test_no_angular_era_or_legacy_fields(small: dict[str, Any]) -> None:
    assert not {"rows", "style", "sharedCrosshair", "hideControls", "gnetId", "__inputs"} & set(
        small)
    for p in panels_of(small):
        assert not {"span", "height", "editable", "error", "maxDataPoints", "minSpan",
                    "cacheTimeout", "repeat"} & set(p), p["title"]
        for target in p.get("targets", []):
            # intervalFactor 2 and step 10 would halve every query's resolution.
            assert set(target) <= {"datasource", "editorMode", "expr", "format", "instant",
                                   "legendFormat", "range", "refId"}
