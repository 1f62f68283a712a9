"""`metricsctl lint`: Prometheus best practices and catalog-aware PromQL checks, offline."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from metricsctl.commands.catalog_input import (
    DiagnosticFormat,
    SpecsDirArgument,
    document_texts,
    load,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from metricsctl.catalog import Catalog
    from metricsctl.diagnostics import Diagnostic
    from metricsctl.diagnostics.sarif import RuleDescription


class FailOn(StrEnum):
    info = "info"
    warning = "warning"
    error = "error"


def rule_descriptions() -> dict[str, RuleDescription]:
    """What SARIF tells about each lint rule."""
    from metricsctl.diagnostics.sarif import RuleDescription
    from metricsctl.lint import all_rules

    return {rule.id: RuleDescription(rule.summary, rule.explanation, rule.severity)
            for rule in all_rules().values()}


def render_diagnostics(diagnostics: Sequence[Diagnostic], output_format: DiagnosticFormat,
                       texts: Mapping[str, str], extra: Mapping[str, object]) -> None:
    """Print diagnostics in a machine format (json, sarif, github) to stdout."""
    from metricsctl import console

    if output_format is DiagnosticFormat.json:
        from metricsctl.diagnostics.json_format import render_json

        console.write(render_json(diagnostics, extra))
    elif output_format is DiagnosticFormat.sarif:
        from metricsctl.diagnostics.sarif import render_sarif

        console.write(render_sarif(diagnostics, rule_descriptions()))
    elif output_format is DiagnosticFormat.github:
        from metricsctl.diagnostics.github import render_github

        console.write(render_github(diagnostics))


def _print_text(diagnostics: Sequence[Diagnostic], texts: Mapping[str, str]) -> None:
    """Like a compiler: each finding with its source line; a rule's why only the first time."""
    from dataclasses import replace

    from metricsctl import console
    from metricsctl.diagnostics.text import format_diagnostic, source_lines_from

    out = console.stdout()
    lines = source_lines_from(texts)
    explained: set[str] = set()
    for diagnostic in diagnostics:
        if diagnostic.code in explained:
            diagnostic = replace(diagnostic, explanation=None)
        explained.add(diagnostic.code)
        out.print(format_diagnostic(diagnostic, lines, markup=True), markup=True)


def _list_rules() -> None:
    from metricsctl import console
    from metricsctl.lint import all_rules

    out = console.stdout()
    rules = all_rules().values()
    width = max(len(rule.id) for rule in rules)
    for rule in rules:
        out.print(f"{rule.id:<{width}}  {rule.severity.label:<7}  {rule.summary}")


def refuse_lint_errors(catalog: Catalog, action: str) -> None:
    """Exit 1 after printing the catalog's lint errors (on stderr), if it has any.

    Commands that turn the catalog into artefacts (generate) call this so that a catalog
    with an alert that can never fire or a rate() over a gauge is not shipped; their
    `--no-lint` skips it.
    """
    from metricsctl import console
    from metricsctl.diagnostics import Severity
    from metricsctl.diagnostics.text import summarize
    from metricsctl.lint import lint_catalog

    errors = [d for d in lint_catalog(catalog) if d.severity is Severity.ERROR]
    if not errors:
        return
    from metricsctl.commands.catalog_input import print_diagnostics

    texts = {path: document.text for path, document in catalog.documents.items()}
    print_diagnostics(errors, texts, to_stderr=True)
    console.stderr().print(console.styled(
        ("✗", "red"), f" {summarize(errors)} from `metricsctl lint`: {action} "
        "(fix them, or pass --no-lint)"))
    raise typer.Exit(1)


def lint(
    specs_dir: SpecsDirArgument = None,
    output_format: Annotated[DiagnosticFormat, typer.Option(
        "--format", "-f", help="Output format: text for people; json, sarif (GitHub code "
        "scanning) or github (workflow annotations) for CI.")] = DiagnosticFormat.text,
    fail_on: Annotated[FailOn, typer.Option(
        "--fail-on", help="Exit 1 when a finding is at least this severe.")] = FailOn.error,
    list_rules: Annotated[bool, typer.Option(
        "--list-rules", help="Print every rule id, its default severity and summary, "
        "and exit.")] = False,
) -> None:
    """Check PromQL, naming, alerts and cardinality against the catalog, offline.

    Exit 0 when no finding reaches --fail-on, 1 when one does (or the catalog is invalid),
    2 on usage errors. Rules are configured under `lint.rules` in metricsctl.yaml and
    disabled per entry with `lint: {disable: [rule-id]}`.
    """
    if list_rules:
        _list_rules()
        raise typer.Exit(0)
    from metricsctl import console
    from metricsctl.diagnostics import Severity, sorted_diagnostics
    from metricsctl.diagnostics.text import summarize

    result = load(specs_dir)
    texts = document_texts(result)
    catalog = result.catalog
    if not result.ok or catalog is None:
        if output_format is DiagnosticFormat.text:
            _print_text(result.diagnostics, texts)
            console.stderr().print(console.styled(
                ("✗", "red"), f" catalog is invalid: {summarize(result.errors)}; "
                "fix it before linting"))
        else:
            render_diagnostics(result.diagnostics, output_format, texts,
                               {"valid": False, "summary": summarize(result.diagnostics)})
        raise typer.Exit(1)

    from metricsctl.lint import lint_catalog

    diagnostics = sorted_diagnostics([*result.diagnostics, *lint_catalog(catalog)])
    threshold = Severity.parse(fail_on.value)
    failed = any(d.severity >= threshold for d in diagnostics)
    if output_format is DiagnosticFormat.text:
        _print_text(diagnostics, texts)
        mark = ("✗", "red") if failed else ("✓", "green")
        console.stdout().print(console.styled(
            mark, f" {summarize(diagnostics)} (failing on {fail_on.value} and above)"))
    else:
        render_diagnostics(diagnostics, output_format, texts,
                           {"valid": True, "summary": summarize(diagnostics),
                            "fail_on": fail_on.value, "failed": failed})
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    app.command()(lint)
