"""SLO rules follow Sloth's names and labels (its dashboards work), minus its float noise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from metricsctl.catalog.model import Catalog
from metricsctl.slo.rules import slo_rule_groups
from metricsctl.targets import prometheus_rules
from tests.conftest import REPO_ROOT, load_valid_catalog
from tests.promtool.promtool import promtool, write_files

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "slo"
SLOTH = yaml.safe_load((FIXTURES / "sloth_getting_started_rules.yml").read_text())


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_valid_catalog(FIXTURES / "sloth-getting-started")


@pytest.fixture(scope="module")
def rule_file(catalog: Catalog) -> dict[str, Any]:
    text = prometheus_rules.render(catalog)["prometheus/rules/myservice.slos.rules.yml"]
    document: dict[str, Any] = yaml.safe_load(text)
    return document


def test_the_groups_are_sloths(rule_file: dict[str, Any]) -> None:
    assert [group["name"] for group in rule_file["groups"]] == [
        "sloth-slo-sli-recordings-myservice-requests-availability",
        "sloth-slo-meta-recordings-myservice-requests-availability",
        "sloth-slo-alerts-myservice-requests-availability"]


def test_sli_records_have_sloths_names_and_labels(rule_file: dict[str, Any]) -> None:
    sli = rule_file["groups"][0]["rules"]
    assert [(r["record"], r["labels"]["sloth_window"]) for r in sli] == [
        (item["record"], item["sloth_window"]) for item in SLOTH["sli_records"]]
    for rule in sli:
        assert {k: v for k, v in rule["labels"].items() if k != "sloth_window"} == \
            SLOTH["labels"]


def test_the_5m_ratio_reads_the_events_and_the_slo_window_averages_it(
        rule_file: dict[str, Any]) -> None:
    sli = {r["record"]: r["expr"] for r in rule_file["groups"][0]["rules"]}
    assert sli["slo:sli_error:ratio_rate5m"] == (
        '(\n  sum(rate(http_request_duration_seconds_count{job="myservice", '
        'code=~"(5..|429)"}[5m]))\n)\n/\n(\n'
        '  sum(rate(http_request_duration_seconds_count{job="myservice"}[5m]))\n)')
    ids = ('sloth_id="myservice-requests-availability", sloth_service="myservice", '
           'sloth_slo="requests-availability"')
    assert sli["slo:sli_error:ratio_rate30d"] == (
        f"sum_over_time(slo:sli_error:ratio_rate5m{{{ids}}}[30d])\n/ ignoring (sloth_window)\n"
        f"count_over_time(slo:sli_error:ratio_rate5m{{{ids}}}[30d])")


def test_metadata_records_and_exact_budget(rule_file: dict[str, Any]) -> None:
    meta = rule_file["groups"][1]["rules"]
    assert [r["record"] for r in meta] == SLOTH["meta_records"]
    values = {r["record"]: r["expr"] for r in meta}
    assert values["slo:objective:ratio"] == "vector(0.999)"
    assert values["slo:error_budget:ratio"] == "vector(0.001)"
    assert values["slo:time_period:days"] == "vector(30)"
    assert values["slo:period_error_budget_remaining:ratio"].startswith(
        "1 - slo:period_burn_rate:ratio{")


def test_alert_thresholds_are_sloths_products_without_the_noise(
        rule_file: dict[str, Any]) -> None:
    page, ticket = rule_file["groups"][2]["rules"]
    assert SLOTH["page_thresholds"] == ["(14.4 * 0.0009999999999999432)",
                                        "(6 * 0.0009999999999999432)"]
    assert "> 0.0144) without (sloth_window)" in page["expr"]
    assert "> 0.006) without (sloth_window)" in page["expr"]
    assert "> 0.003) without (sloth_window)" in ticket["expr"]
    assert "> 0.001) without (sloth_window)" in ticket["expr"]
    assert "0000000" not in page["expr"] + ticket["expr"]
    assert (page["alert"], page["labels"]["sloth_severity"], page["labels"]["severity"]) == (
        "MyServiceHighErrorRate", "page", "critical")
    assert page["annotations"]["summary"] == "High error rate on 'myservice' requests responses"


def test_each_alert_row_pairs_the_workbooks_windows(catalog: Catalog) -> None:
    groups = slo_rule_groups(catalog.slos["myservice-requests-availability"])
    page, ticket = (item.alert.expr for item in groups.alerts)
    assert page.index("ratio_rate5m{") < page.index("ratio_rate1h{") < page.index("\nor\n") \
        < page.index("ratio_rate30m{") < page.index("ratio_rate6h{")
    assert ticket.index("ratio_rate2h{") < ticket.index("ratio_rate1d{") \
        < ticket.index("\nor\n") < ticket.index("ratio_rate6h{") < ticket.index("ratio_rate3d{")


def test_a_latency_slo_counts_observations_above_its_bound_and_guards_low_traffic(
        write_catalog: Any) -> None:
    root = write_catalog({"api.yaml": """
        domain: api
        metrics:
          latency_seconds: {type: histogram, help: h, buckets: [0.1, 0.5, 1, 2.5]}
        slos:
          fast:
            objective: 99
            window: 28d
            sli:
              latency: {metric: latency_seconds, threshold: 1}
        """})
    catalog = load_valid_catalog(root)
    groups = slo_rule_groups(catalog.slos["api-fast"])
    assert groups.sli[0].expr == (
        '1 - (\n  sum(rate(latency_seconds_bucket{le=~"1|1\\\\.0"}[5m]))\n  /\n'
        '  sum(rate(latency_seconds_count[5m]))\n)')
    page = groups.alerts[0].alert.expr
    assert "> 0.1344) without" in page  # 14.4 x 28/30 x 1%
    assert page.endswith("and on ()\nsum(rate(latency_seconds_count[1h])) >= 0.1")


def test_promtool_accepts_every_generated_rule_with_all_lints_fatal(
        catalog: Catalog, tmp_path: Path) -> None:
    written = write_files(prometheus_rules.render(catalog), tmp_path)
    checked = promtool("check", "rules", "--lint=all", "--lint-fatal", *written)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 17 rules found" in checked.stdout
