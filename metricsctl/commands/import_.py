"""`metricsctl import`: bring an existing estate into the catalog."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

_DOMAIN = re.compile(r"[a-z][a-z0-9_-]{0,62}")


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


def import_(
    sources: Annotated[list[str] | None, typer.Argument(
        metavar="SOURCE...", show_default=False,
        help="Rule files, PrometheusRule manifests, Grafana dashboard JSON, prometheus.yml, "
             "/metrics files or URLs; directories are searched. Detected by content.")] = None,
    into: Annotated[Path, typer.Option(
        "--into", metavar="SPECS_DIR", help="Catalog directory to add to (created if needed).")
    ] = Path("specs"),
    domain: Annotated[str | None, typer.Option(
        "--domain", metavar="NAME",
        help="Domain for the imported entries [default: one per rule group / dashboard "
             "folder].")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print the plan and the report; write nothing.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace catalog entries that differ from the imported ones.")] = False,
    output_format: Annotated[ReportFormat, typer.Option(
        "--format", "-f", help="Report format.")] = ReportFormat.text,
    timeout: Annotated[float, typer.Option(
        "--timeout", min=0.1, metavar="SECONDS", help="Timeout of each HTTP request.")] = 10.0,
) -> None:
    """Import rule files, dashboards, scrape configs and expositions into the catalog.

    New entries are appended (each with a comment naming its source); an entry that exists
    with other content is a conflict, kept unless --force. Exit 0 when everything was
    imported, 1 on errors (nothing is written) or conflicts, 2 on usage errors.
    """
    from metricsctl import console
    from metricsctl.adopt.importer import import_estate
    from metricsctl.adopt.plan import write_files
    from metricsctl.adopt.report import render_json, render_text
    from metricsctl.adopt.sources import ImportOptions
    from metricsctl.commands.catalog_input import print_diagnostics

    if not sources:
        raise typer.BadParameter("give at least one SOURCE", param_hint="SOURCE")
    if domain is not None and not _DOMAIN.fullmatch(domain):
        raise typer.BadParameter("use lower-case letters, digits, '_' and '-', starting with a "
                                 "letter", param_hint="--domain")
    run, files = import_estate(sources, ImportOptions(domain=domain, timeout=timeout), into,
                               force=force)
    report = run.report
    if report.errors:
        files = {}
        report.files = []
    if files and not dry_run:
        write_files(into, files)
    if output_format is ReportFormat.json:
        console.write(render_json(report, dry_run=dry_run) + "\n")
    else:
        if report.errors:
            print_diagnostics(report.errors, run.texts, to_stderr=True)
        console.stdout().print(render_text(report, dry_run=dry_run))
    if report.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command(name="import")(import_)
