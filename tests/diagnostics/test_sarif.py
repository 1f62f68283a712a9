"""SARIF output: valid against the SARIF 2.1.0 schema, what GitHub code scanning needs,
deterministic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from metricsctl.catalog import load_catalog
from metricsctl.commands.lint import rule_descriptions
from metricsctl.diagnostics import Diagnostic, Location, Severity
from metricsctl.diagnostics.sarif import RuleDescription, render_sarif
from metricsctl.lint import lint_catalog

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0-rtm.5.json").read_text())
REPO = Path(__file__).resolve().parents[2]
SEED_MISTAKES = REPO / "tests" / "lint" / "fixtures" / "seed_mistakes"


def _validate(log: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(log)


@pytest.fixture(scope="module")
def seed_log() -> dict[str, Any]:
    result = load_catalog(SEED_MISTAKES)
    assert result.catalog is not None
    return json.loads(render_sarif(lint_catalog(result.catalog), rule_descriptions(),
                                   cwd=REPO))


def test_lint_findings_validate_against_the_sarif_schema(seed_log: dict[str, Any]) -> None:
    _validate(seed_log)
    assert seed_log["version"] == "2.1.0"


def test_results_carry_level_message_and_a_repository_relative_location(
        seed_log: dict[str, Any]) -> None:
    run = seed_log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    result = next(r for r in run["results"] if r["ruleId"] == "promql/rate-on-gauge")

    assert result == {
        "ruleId": "promql/rate-on-gauge",
        "ruleIndex": [rule["id"] for rule in rules].index("promql/rate-on-gauge"),
        "level": "error",
        "message": {"text": "rate() over the gauge `active_users_total` (help: rate() is for "
                            "counters; use deriv() or delta() for a gauge)"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "tests/lint/fixtures/seed_mistakes/chatkit.yaml",
                                 "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 29, "startColumn": 16, "endColumn": 34},
        }}],
    }
    assert {r["level"] for r in run["results"]} == {"error", "warning"}
    assert run["columnKind"] == "unicodeCodePoints"


def test_rules_have_descriptions_help_and_default_levels(seed_log: dict[str, Any]) -> None:
    driver = seed_log["runs"][0]["tool"]["driver"]
    rule = next(r for r in driver["rules"] if r["id"] == "naming/non-counter-total")

    assert driver["name"] == "metricsctl"
    assert rule["shortDescription"]["text"] == "a gauge, histogram or summary named _total"
    assert rule["fullDescription"]["text"].startswith("_total promises a counter")
    assert rule["help"]["text"] == rule["fullDescription"]["text"]
    assert rule["defaultConfiguration"] == {"level": "error"}
    info = next(r for r in driver["rules"] if r["id"] == "promql/regex-without-regex")
    assert info["defaultConfiguration"] == {"level": "note"}


def test_validation_errors_without_registered_rules_are_valid_sarif(tmp_path: Path) -> None:
    diagnostics = [
        Diagnostic("catalog/missing-key", Severity.ERROR, "`x` is missing `help`",
                   Location(str(tmp_path / "specs" / "app.yaml"), 3, 3)),
        Diagnostic("catalog/unreadable", Severity.ERROR, "cannot read directory",
                   Location(str(tmp_path / "specs"))),
        Diagnostic("catalog/empty", Severity.WARNING, "no files"),
    ]

    log = json.loads(render_sarif(diagnostics, cwd=tmp_path))

    _validate(log)
    results = log["runs"][0]["results"]
    assert results[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "specs/app.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 3}}
    assert "region" not in results[1]["locations"][0]["physicalLocation"]
    assert "locations" not in results[2]


def test_output_is_deterministic_and_ends_with_a_newline() -> None:
    diagnostics = [Diagnostic("promql/syntax", Severity.ERROR, "bad", Location("a.yaml", 1, 1))]
    rules = {"promql/syntax": RuleDescription("s", "e.", Severity.ERROR)}

    first = render_sarif(diagnostics, rules, cwd=REPO)

    assert first == render_sarif(diagnostics, rules, cwd=REPO)
    assert first.endswith("}\n") and "\r" not in first
    assert str(REPO) not in first  # no absolute paths


def test_validate_can_emit_sarif_too(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from metricsctl.cli import app

    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "metricsctl.yaml").write_text("project: test\n")
    (specs / "app.yaml").write_text("domain: app\nmetrics:\n  x: {type: gauge}\n")

    result = CliRunner().invoke(app, ["validate", str(specs), "--format", "sarif"])

    assert result.exit_code == 1
    log = json.loads(result.stdout)
    _validate(log)
    assert log["runs"][0]["results"][0]["ruleId"] == "catalog/missing-key"


def test_the_schema_check_would_catch_a_malformed_log(seed_log: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(seed_log))
    broken["runs"][0]["results"][0]["level"] = "fatal"

    with pytest.raises(jsonschema.ValidationError):
        _validate(broken)
