"""GitHub workflow annotations: one command per diagnostic, escaped as the runner expects."""

from __future__ import annotations

from pathlib import Path

from metricsctl.diagnostics import Diagnostic, Location, Severity
from metricsctl.diagnostics.github import (
    escape_data,
    escape_property,
    format_annotation,
    render_github,
)


def test_each_severity_maps_to_a_workflow_command(tmp_path: Path) -> None:
    diagnostics = [
        Diagnostic("promql/syntax", Severity.ERROR, "bad", Location("specs/a.yaml", 3, 9),
                   end_column=12),
        Diagnostic("alert/missing-for", Severity.WARNING, "no for", Location("specs/a.yaml", 5)),
        Diagnostic("cardinality/unknown-bound", Severity.INFO, "no bound",
                   Location("specs/a.yaml", 7, 3), hint="give max_cardinality"),
    ]

    assert render_github(diagnostics, cwd=tmp_path) == (
        "::error file=specs/a.yaml,line=3,col=9,endColumn=12,title=promql/syntax::bad\n"
        "::warning file=specs/a.yaml,line=5,title=alert/missing-for::no for\n"
        "::notice file=specs/a.yaml,line=7,col=3,title=cardinality/unknown-bound::no bound"
        "%0Ahelp: give max_cardinality\n")


def test_messages_escape_percent_and_line_breaks() -> None:
    assert escape_data("100% of\r\nrequests") == "100%25 of%0D%0Arequests"


def test_properties_also_escape_colons_and_commas() -> None:
    assert escape_property("dir,x/a:b.yaml%") == "dir%2Cx/a%3Ab.yaml%25"


def test_a_hostile_file_name_cannot_inject_properties(tmp_path: Path) -> None:
    diagnostic = Diagnostic("naming/help", Severity.ERROR, "msg::x",
                            Location("specs/a,line=1::b.yaml", 2, 1))

    line = format_annotation(diagnostic, cwd=tmp_path)

    assert line == ("::error file=specs/a%2Cline=1%3A%3Ab.yaml,line=2,col=1,title=naming/help"
                    "::msg::x")


def test_paths_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "deploy" / "specs").mkdir(parents=True)
    diagnostic = Diagnostic("naming/help", Severity.ERROR, "m",
                            Location("specs/a.yaml", 1, 1))

    line = format_annotation(diagnostic, cwd=repo / "deploy")

    assert line.startswith("::error file=deploy/specs/a.yaml,")


def test_no_location_still_gives_a_title() -> None:
    diagnostic = Diagnostic("catalog/empty", Severity.ERROR, "no catalog files")

    assert format_annotation(diagnostic) == "::error title=catalog/empty::no catalog files"


def test_validate_can_emit_annotations_too(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from metricsctl.cli import app

    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "metricsctl.yaml").write_text("project: test\n")
    (specs / "app.yaml").write_text("domain: app\nmetrics:\n  x: {type: gauge}\n")

    result = CliRunner().invoke(app, ["validate", str(specs), "--format", "github"])

    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=")
    assert ",line=3,col=3,endColumn=4,title=catalog/missing-key::" in result.stdout
