"""`metricsctl generate` refuses a catalog with lint errors unless --no-lint is given."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import WriteCatalog
from tests.lint.conftest import WARNINGS_ONLY, Cli

RATE_OVER_GAUGE = """\
domain: app
metrics:
  queue_depth:
    type: gauge
    help: Jobs waiting.
dashboards:
  queues:
    title: Queues
    panels:
      - {title: Depth change, expr: 'sum(rate(queue_depth[5m]))'}
"""



def test_lint_errors_stop_generate_before_anything_is_written(
        cli: Cli, write_catalog: WriteCatalog, tmp_path: Path) -> None:
    specs = write_catalog({"app.yaml": RATE_OVER_GAUGE})
    out = tmp_path / "generated"

    result = cli("generate", specs, "--out", out)

    assert result.exit_code == 1
    assert "app.yaml:10:47: error[promql/rate-on-gauge]: rate() over the gauge `queue_depth`" \
        in result.stderr
    assert ("1 error from `metricsctl lint`: nothing was generated (fix them, or pass "
            "--no-lint)") in result.stderr
    assert not out.exists()


def test_no_lint_generates_anyway(cli: Cli, write_catalog: WriteCatalog,
                                  tmp_path: Path) -> None:
    specs = write_catalog({"app.yaml": RATE_OVER_GAUGE})
    out = tmp_path / "generated"

    result = cli("generate", specs, "--out", out, "--no-lint", "--quiet")

    assert result.exit_code == 0, result.stderr
    assert any(out.rglob("*.json"))


def test_check_is_refused_too(cli: Cli, write_catalog: WriteCatalog, tmp_path: Path) -> None:
    specs = write_catalog({"app.yaml": RATE_OVER_GAUGE})

    result = cli("generate", specs, "--out", tmp_path / "generated", "--check")

    assert result.exit_code == 1
    assert "error[promql/rate-on-gauge]" in result.stderr
    assert "not checked (fix them, or pass --no-lint)" in result.stderr


def test_warnings_do_not_stop_generate(cli: Cli, write_catalog: WriteCatalog,
                                       tmp_path: Path) -> None:
    specs = write_catalog({"app.yaml": WARNINGS_ONLY})
    out = tmp_path / "generated"

    result = cli("generate", specs, "--out", out, "--quiet")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert any(out.rglob("*.yml")) or any(out.rglob("*.yaml"))


def test_a_rule_turned_off_in_the_project_lets_generate_run(
        cli: Cli, write_catalog: WriteCatalog, tmp_path: Path) -> None:
    specs = write_catalog({"app.yaml": RATE_OVER_GAUGE},
                          project="project: test\nlint:\n  rules: {promql/rate-on-gauge: off}\n")

    result = cli("generate", specs, "--out", tmp_path / "generated", "--quiet")

    assert result.exit_code == 0, result.stderr
