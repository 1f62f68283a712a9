"""`diff` on SLOs: lower objectives and wider windows are risky, a removed SLO breaking when
something still reads its series; every change names the alerts and dashboard it moves."""

from __future__ import annotations

from pathlib import Path

from metricsctl.catalog import load_catalog
from metricsctl.review.changes import CatalogSide, Change, Classification, DiffReport, plain
from metricsctl.review.compare import compare_catalogs

API = """
domain: api
labels:
  code: {values: ["200", "500"]}
metrics:
  requests_total: {type: counter, help: h, labels: [code]}
slos:
  availability:
    objective: 99.9
    sli: {errors: 'requests_total{code="500"}', total: requests_total}
"""
READER = """
dashboards:
  status:
    title: Status
    panels:
      - title: Budget left
        expr: slo:period_error_budget_remaining:ratio{sloth_id="api-availability"}
"""


def diff(tmp_path: Path, base: str, head: str) -> DiffReport:
    catalogs = []
    for side, text in (("base", base), ("head", head)):
        root = tmp_path / side
        root.mkdir()
        (root / "metricsctl.yaml").write_text("project: t\n")
        (root / "api.yaml").write_text(text)
        result = load_catalog(root)
        assert result.ok and result.catalog is not None, [str(d) for d in result.errors]
        catalogs.append(result.catalog)
    return compare_catalogs(catalogs[0], catalogs[1], CatalogSide("base", "specs"),
                            CatalogSide("head", "specs"))


def slo_change(report: DiffReport) -> Change:
    [change] = [c for c in report.changes if c.kind.startswith("slo.")]
    return change


def test_a_lower_objective_is_risky_and_names_the_alerts_and_dashboard(tmp_path: Path) -> None:
    change = slo_change(diff(tmp_path, API, API.replace("99.9", "99.5")))
    assert (change.kind, change.classification) == ("slo.objective-changed",
                                                    Classification.RISKY)
    assert plain(change.summary) == "SLO `api-availability` objective `99.9%` → `99.5%`"
    assert [(d.kind, d.name) for d in change.dependents] == [
        ("alert", "ApiAvailabilityBurnRatePage"), ("alert", "ApiAvailabilityBurnRateTicket"),
        ("panel", "api-slos / availability")]


def test_a_higher_objective_is_safe(tmp_path: Path) -> None:
    change = slo_change(diff(tmp_path, API, API.replace("99.9", "99.95")))
    assert change.classification is Classification.SAFE


def test_a_wider_window_is_risky(tmp_path: Path) -> None:
    head = API.replace("    objective: 99.9\n", "    objective: 99.9\n    window: 90d\n")
    change = slo_change(diff(tmp_path, API, head))
    assert (change.kind, change.classification, change.before, change.after) == (
        "slo.window-changed", Classification.RISKY, "30d", "90d")


def test_a_removed_slo_still_read_by_a_dashboard_is_breaking(tmp_path: Path) -> None:
    head = API.split("slos:")[0] + READER
    change = slo_change(diff(tmp_path, API + READER, head))
    assert (change.kind, change.classification) == ("slo.removed", Classification.BREAKING)
    assert ("panel", "status / Budget left", "head") in [
        (d.kind, d.name, d.side.value) for d in change.dependents]


def test_a_removed_slo_nobody_reads_is_risky(tmp_path: Path) -> None:
    change = slo_change(diff(tmp_path, API, API.split("slos:")[0]))
    assert change.classification is Classification.RISKY
    assert "nobody is paged" in plain(change.reason)
