"""`promtool test rules` on the alerts generated from specs/: each fires exactly when it should.

The cases live in shipped_alerts.test.yml; this module renders the shipped catalog, puts the
test file next to the generated prometheus.yml (its rule_files are relative to it) and runs
promtool. Two mutation tests prove the cases bite: loosening every threshold or dropping
every `for` must make promtool fail for every alert.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from metricsctl.catalog.loader import load_catalog
from metricsctl.catalog.model import Catalog
from metricsctl.targets import prometheus_rules
from tests.conftest import SHIPPED_SPECS
from tests.promtool.promtool import promtool, write_files

TEST_FILE = Path(__file__).with_name("shipped_alerts.test.yml")
# The contract of issue 2 (item 7): the shipped catalog's alerts, by name. Issue 12 replaced
# HighChatErrorRate and HighQueueFailureRate by SLOs (their tests are generated).
SHIPPED_ALERTS = (
    "LowDiemBalance", "CriticalDiemBalance", "HighErrorRate", "CriticalErrorRate",
    "PaymentFailures", "LowGenerationSuccessRate", "HighResponseTime",
    "ServiceDown", "ChatCostBudgetExceeded",
)
_COMPARISON = re.compile(r"(?<=\s)(>|<|==)(?=\s)")
_LOOSER = {">": ">=", "<": "<=", "==": ">="}


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    result = load_catalog(SHIPPED_SPECS)
    assert result.ok and result.catalog is not None, [str(d) for d in result.errors]
    return result.catalog


def alert_cases() -> list[dict[str, Any]]:
    document: dict[str, Any] = yaml.safe_load(TEST_FILE.read_text(encoding="utf-8"))
    return [case for group in document["tests"] for case in group["alert_rule_test"]]


def run_unit_tests(catalog: Catalog, directory: Path,
                   mutate: Callable[[dict[str, Any]], None] | None = None) -> str:
    """Generate the rules, run the test file on them; promtool's exit code and output.

    `mutate`, when given, rewrites each of the SHIPPED_ALERTS rules first.

    Asserts nothing about success: callers check the exit code they expect.
    """
    files = prometheus_rules.render(catalog)
    for path, text in files.items():
        document = yaml.safe_load(text)
        for group in document["groups"]:
            for rule in group["rules"]:
                # Grafana's links to the alert's panel follow the layout; tests/targets checks them.
                for key in ("__dashboardUid__", "__panelId__"):
                    rule.get("annotations", {}).pop(key, None)
                if mutate is not None and rule.get("alert") in SHIPPED_ALERTS:
                    mutate(rule)
        files[path] = yaml.safe_dump(document, sort_keys=False)
    write_files(files, directory)
    shutil.copy(TEST_FILE, directory / "prometheus" / TEST_FILE.name)
    result = promtool("test", "rules", TEST_FILE.name, cwd=directory / "prometheus")
    return f"exit {result.returncode}\n{result.stdout}{result.stderr}"


def failed_alerts(output: str) -> set[str]:
    return set(re.findall(r"alertname: (\w+),", output))


def test_the_test_file_covers_every_shipped_alert_both_ways(shipped: Catalog) -> None:
    assert set(SHIPPED_ALERTS) <= set(shipped.alerts)
    cases = alert_cases()
    assert {case["alertname"] for case in cases} == set(SHIPPED_ALERTS)
    for name in SHIPPED_ALERTS:
        firing = [case for case in cases if case["alertname"] == name and case["exp_alerts"]]
        quiet = [case for case in cases if case["alertname"] == name and not case["exp_alerts"]]
        assert firing and quiet, f"{name} needs a case where it fires and one where it does not"
        for case in firing:
            for expected in case["exp_alerts"]:
                assert expected["exp_labels"]["severity"] == shipped.alerts[name].severity
                assert set(expected["exp_annotations"]) == {
                    "summary", "description", "runbook_url"}, name


@pytest.mark.prometheus
def test_shipped_alerts_pass_their_unit_tests(shipped: Catalog, tmp_path: Path) -> None:
    output = run_unit_tests(shipped, tmp_path)
    assert output.startswith("exit 0\n"), output
    assert "SUCCESS" in output


@pytest.mark.prometheus
def test_the_cases_catch_a_threshold_that_is_no_longer_strict(
        shipped: Catalog, tmp_path: Path) -> None:
    def loosen(rule: dict[str, Any]) -> None:
        loosened = _COMPARISON.sub(lambda match: _LOOSER[match[1]], rule["expr"])
        assert loosened != rule["expr"], rule["alert"]
        rule["expr"] = loosened

    output = run_unit_tests(shipped, tmp_path, loosen)
    assert not output.startswith("exit 0\n"), output
    assert failed_alerts(output) == set(SHIPPED_ALERTS), output


@pytest.mark.prometheus
def test_the_cases_catch_an_alert_that_fires_without_waiting(
        shipped: Catalog, tmp_path: Path) -> None:
    def fire_at_once(rule: dict[str, Any]) -> None:
        assert rule.pop("for", None) is not None, rule["alert"]

    output = run_unit_tests(shipped, tmp_path, fire_at_once)
    assert not output.startswith("exit 0\n"), output
    assert failed_alerts(output) == set(SHIPPED_ALERTS), output
