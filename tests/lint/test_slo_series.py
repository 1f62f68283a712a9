"""The series SLOs record are known to lint, with their labels: the generated SLO dashboards
lint like any other, and hand-written queries over them are checked."""

from __future__ import annotations

from metricsctl.catalog import load_catalog
from tests.conftest import SHIPPED_SPECS
from tests.lint.conftest import RunLint

SLO = """\
slos:
  availability:
    objective: 99.9
    sli:
      errors: 'http_requests_total{method="POST"}'
      total: http_requests_total
    by: [route]
"""


def panel(expr: str) -> str:
    return ("dashboards:\n"
            "  slo-view:\n"
            "    title: SLO view\n"
            "    panels:\n"
            f"      - {{title: Budget, expr: '{expr}'}}\n")


def test_a_panel_over_the_slo_series_and_their_labels_lints_clean(run_lint: RunLint) -> None:
    run = run_lint(SLO + panel(
        'max by (route, sloth_window) (slo:sli_error:ratio_rate5m{sloth_slo="availability"})'
        ' / on () group_left slo:error_budget:ratio{sloth_id="app-availability"}'))

    assert run.diagnostics == []


def test_a_misspelt_slo_series_is_an_unknown_metric(run_lint: RunLint) -> None:
    run = run_lint(SLO + panel('slo:sli_eror:ratio_rate5m{sloth_slo="availability"}'))

    finding = run.one("promql/unknown-metric")
    assert "slo:sli_error:ratio_rate5m" in (finding.hint or "")


def test_a_label_the_slo_series_do_not_carry_is_unknown(run_lint: RunLint) -> None:
    run = run_lint(SLO + panel('slo:sli_error:ratio_rate1h{method="POST"}'))

    assert run.where("promql/unknown-label") == run.at("method=", nth=2)


def test_without_slos_their_series_are_unknown(run_lint: RunLint) -> None:
    run = run_lint(panel("slo:sli_error:ratio_rate5m"))

    assert "promql/unknown-metric" in run.codes()


def test_the_generated_slo_dashboards_do_not_disable_lint() -> None:
    result = load_catalog(SHIPPED_SPECS)
    assert result.catalog is not None

    slo_boards = [board for board in result.catalog.dashboards.values()
                  if "slo" in board.tags]
    assert slo_boards
    assert all(board.lint_disable == frozenset() for board in slo_boards)
