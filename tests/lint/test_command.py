"""`metricsctl lint`: formats, --fail-on and exit codes, as users and CI see them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from metricsctl.lint import all_rules
from tests.conftest import WriteCatalog, run_metricsctl
from tests.lint.conftest import WARNINGS_ONLY, Cli

SEED_MISTAKES = Path(__file__).parent / "fixtures" / "seed_mistakes"

INFO_ONLY = """\
domain: app
labels:
  queue: {values: [mail, billing]}
metrics:
  queue_depth:
    type: gauge
    help: Jobs waiting.
    labels: [queue]
dashboards:
  queues:
    title: Queues
    panels:
      - {title: Mail, expr: 'queue_depth{queue=~"mail"}'}
"""



def test_text_output_shows_the_source_line_and_a_caret(cli: Cli) -> None:
    result = cli("lint", SEED_MISTAKES)

    assert result.exit_code == 1
    out = result.stdout
    assert (f"{SEED_MISTAKES}/chatkit.yaml:29:16: error[promql/rate-on-gauge]: rate() over the "
            "gauge `active_users_total`") in out
    assert ("29 |     expr: rate(active_users_total[5m]) < -1\n"
            "   |                ^^^^^^^^^^^^^^^^^^\n"
            "  help: rate() is for counters; use deriv() or delta() for a gauge\n") in out
    assert out.count("why: A fixed number of errors") == 1  # explained once per rule
    assert out.rstrip().endswith("✗ 2 errors, 5 warnings (failing on error and above)")


def test_warnings_pass_by_default_and_fail_with_fail_on_warning(
        cli: Cli, write_catalog: WriteCatalog) -> None:
    specs = write_catalog({"app.yaml": WARNINGS_ONLY})

    passing = cli("lint", specs)
    failing = cli("lint", specs, "--fail-on", "warning")

    assert passing.exit_code == 0
    assert "warning[alert/missing-for]" in passing.stdout
    assert passing.stdout.rstrip().endswith("✓ 1 warning (failing on error and above)")
    assert failing.exit_code == 1


def test_fail_on_info(cli: Cli, write_catalog: WriteCatalog) -> None:
    specs = write_catalog({"app.yaml": INFO_ONLY})

    assert cli("lint", specs, "--fail-on", "warning").exit_code == 0
    assert cli("lint", specs, "--fail-on", "info").exit_code == 1


def test_json_output(cli: Cli) -> None:
    result = cli("lint", SEED_MISTAKES, "--format", "json")

    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["failed"] is True
    assert document["fail_on"] == "error"
    assert document["summary"] == "2 errors, 5 warnings"
    first = document["diagnostics"][0]
    assert first == {
        "code": "naming/non-counter-total", "severity": "error",
        "message": 'active_users_total: non-counter metrics should not have "_total" suffix',
        "file": f"{SEED_MISTAKES}/chatkit.yaml", "line": 7, "column": 3, "path": None,
        "hint": "rename it to `active_users`, or make it a counter if it counts events",
        "explanation": all_rules()["naming/non-counter-total"].explanation,
    }


def test_github_output_annotates_each_finding(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SEED_MISTAKES.parent.parent.parent.parent)

    result = cli("lint", "tests/lint/fixtures/seed_mistakes", "--format", "github")

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 7
    assert lines[3] == (
        "::error file=tests/lint/fixtures/seed_mistakes/chatkit.yaml,line=29,col=16,"
        "endColumn=34,title=promql/rate-on-gauge::rate() over the gauge `active_users_total`"
        "%0Ahelp: rate() is for counters; use deriv() or delta() for a gauge")
    assert lines[0].startswith("::error file=tests/lint/fixtures/seed_mistakes/chatkit.yaml,"
                               "line=7,col=3,title=naming/non-counter-total::")
    assert sum(line.startswith("::warning ") for line in lines) == 5


def test_sarif_output_is_json_with_every_rule(cli: Cli) -> None:
    result = cli("lint", SEED_MISTAKES, "--format", "sarif")

    assert result.exit_code == 1
    log = json.loads(result.stdout)
    run = log["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == list(all_rules())
    assert len(run["results"]) == 7


def test_an_invalid_catalog_reports_its_errors(cli: Cli, write_catalog: WriteCatalog) -> None:
    specs = write_catalog({"app.yaml": "domain: app\nmetrics:\n  x: {type: gauge}\n"})

    text = cli("lint", specs)
    as_json = cli("lint", specs, "--format", "json")

    assert text.exit_code == 1
    assert ("app.yaml:3:3: error[catalog/missing-key]: `metrics.x` is missing the required key "
            "`help`") in text.stdout
    assert "catalog is invalid" in text.stderr
    assert as_json.exit_code == 1
    document = json.loads(as_json.stdout)
    assert document["valid"] is False
    assert document["diagnostics"][0]["code"].startswith("catalog/")


def test_usage_errors_exit_2(cli: Cli, tmp_path: Path) -> None:
    assert cli("lint", tmp_path / "missing").exit_code == 2
    assert cli("lint", SEED_MISTAKES, "--format", "xml").exit_code == 2
    assert cli("lint", SEED_MISTAKES, "--fail-on", "fatal").exit_code == 2


def test_list_rules(cli: Cli) -> None:
    result = cli("lint", "--list-rules")

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(all_rules())
    assert any(line.split()[:2] == ["promql/rate-on-gauge", "error"] for line in lines)


def test_the_shipped_specs_lint_clean_in_a_real_process() -> None:
    result = run_metricsctl("lint", "specs", cwd=Path(__file__).resolve().parents[2],
                            env={"PATH": os.environ.get("PATH", "")})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "error[" not in result.stdout
    assert "Traceback" not in result.stderr
