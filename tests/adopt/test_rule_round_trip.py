"""Real-world rule files imported, then generated: every rule comes back as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricsctl.targets import prometheus_rules
from tests.adopt.conftest import RULE_FIXTURES
from tests.adopt.rule_groups import rule_files, rule_groups
from tests.conftest import load_valid_catalog
from tests.promtool.promtool import promtool, write_files

PROMTOOL_CHECKABLE = ("kube-prometheus-rules.yaml", "node-exporter-mixin-rules.yaml")


@pytest.mark.parametrize("fixture", sorted(p.name for p in RULE_FIXTURES.glob("*.yaml")))
def test_every_rule_comes_back_equal(fixture: str, cli, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    result = cli("import", RULE_FIXTURES / fixture, "--into", specs)
    assert result.exit_code == 0, result.output

    catalog = load_valid_catalog(specs)
    generated = prometheus_rules.render(catalog)

    expected = rule_groups([(RULE_FIXTURES / fixture).read_text(encoding="utf-8")])
    actual = rule_groups(list(generated.values()))
    assert list(actual) == sorted(actual) or set(actual) == set(expected)
    assert set(actual) == set(expected)
    for name, group in expected.items():
        assert actual[name] == group, f"group {name}"


@pytest.mark.parametrize("fixture", PROMTOOL_CHECKABLE)
def test_promtool_accepts_the_generated_rules(fixture: str, cli, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    assert cli("import", RULE_FIXTURES / fixture, "--into", specs).exit_code == 0
    written = write_files(prometheus_rules.render(load_valid_catalog(specs)), tmp_path / "out")

    checked = promtool("check", "rules", *written)

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_same_alert_name_four_times_and_recorded_name_twice(cli, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    cli("import", RULE_FIXTURES / "kube-prometheus-rules.yaml", "--into", specs)
    catalog = load_valid_catalog(specs)

    burns = [alert for alert in catalog.alerts.values() if alert.name == "KubeAPIErrorBudgetBurn"]
    recorded = [rule for rule in catalog.recording_rules.values()
                if rule.name == "apiserver_request:burnrate1h"]

    assert [dict(alert.labels) for alert in burns] == [
        {"long": "1h", "short": "5m"}, {"long": "6h", "short": "30m"},
        {"long": "1d", "short": "2h"}, {"long": "3d", "short": "6h"}]
    assert [dict(rule.labels) for rule in recorded] == [{"verb": "read"}, {"verb": "write"}]
    assert {alert.key for alert in burns} == {
        "KubeAPIErrorBudgetBurn", "KubeAPIErrorBudgetBurn_2", "KubeAPIErrorBudgetBurn_3",
        "KubeAPIErrorBudgetBurn_4"}


def test_all_fixtures_at_once_give_one_domain_per_group(cli, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    result = cli("import", RULE_FIXTURES, "--into", specs)
    assert result.exit_code == 0, result.output

    catalog = load_valid_catalog(specs)
    expected = rule_groups(rule_files(RULE_FIXTURES))

    assert {d.rule_group_name for d in catalog.domains.values()} == set(expected)
    assert rule_groups(list(prometheus_rules.render(catalog).values())) == expected


def test_domain_names_one_group_or_prefixes_several(cli, tmp_path: Path) -> None:
    one, several = tmp_path / "one", tmp_path / "several"

    cli("import", RULE_FIXTURES / "awesome-alerts-ssl.yaml", "--into", one, "--domain", "tls")
    cli("import", RULE_FIXTURES / "node-exporter-mixin-rules.yaml", "--into", several,
        "--domain", "nodes")

    assert list(load_valid_catalog(one).domains) == ["tls"]
    assert sorted(load_valid_catalog(several).domains) == [
        "nodes-node-exporter", "nodes-node-exporter-rules"]


def test_fields_prometheus_does_not_know_are_reported(cli, tmp_path: Path) -> None:
    source = tmp_path / "thanos.yml"
    source.write_text("groups:\n  - name: t\n    partial_response_strategy: warn\n    rules:\n"
                      "      - record: job:up:sum\n        expr: sum by (job) (up)\n",
                      encoding="utf-8")

    result = cli("import", source, "--into", tmp_path / "specs")

    assert result.exit_code == 0, result.output
    assert "thanos.yml:3:5: unmapped group field partial_response_strategy" in result.stdout


def test_rules_imported_with_dashboards_come_back_without_panel_links(
        cli, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    seeds = RULE_FIXTURES.parent / "seeds"

    result = cli("import", RULE_FIXTURES, seeds, "--into", specs)

    assert result.exit_code == 0, result.output
    expected = rule_groups(rule_files(RULE_FIXTURES)
                           + [p.read_text(encoding="utf-8") for p in seeds.glob("*rules*")])
    generated = prometheus_rules.render(load_valid_catalog(specs))
    assert rule_groups(list(generated.values())) == expected
