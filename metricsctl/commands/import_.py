"""`metricsctl import`: bring an existing estate into the catalog."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from metricsctl.commands.push import CaCertOption, InsecureOption

if TYPE_CHECKING:
    from metricsctl.grafana.settings import ConnectionSettings

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
    grafana_url: Annotated[str | None, typer.Option(
        "--grafana-url", metavar="URL",
        help="Also import dashboards from this Grafana (credentials from GRAFANA_TOKEN or "
             "GRAFANA_USER/GRAFANA_PASSWORD, as for push).")] = None,
    uids: Annotated[list[str] | None, typer.Option(
        "--uid", metavar="UID", help="With --grafana-url: this dashboard (repeatable).")] = None,
    folders: Annotated[list[str] | None, typer.Option(
        "--folder", metavar="UID",
        help="With --grafana-url: the dashboards of this folder (repeatable) [default: every "
             "dashboard, unless --uid].")] = None,
    ca_cert: CaCertOption = None,
    insecure: InsecureOption = False,
    prometheus: Annotated[str | None, typer.Option(
        "--prometheus", metavar="URL",
        help="Also import metric metadata from this Prometheus server (/api/v1/metadata, "
             "its series' labels and values), one domain per job.")] = None,
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

    if not sources and not grafana_url and not prometheus:
        raise typer.BadParameter("give at least one SOURCE, --grafana-url or --prometheus",
                                 param_hint="SOURCE")
    if (uids or folders) and not grafana_url:
        raise typer.BadParameter("--uid and --folder need --grafana-url", param_hint="--uid")
    if domain is not None and not _DOMAIN.fullmatch(domain):
        raise typer.BadParameter("use lower-case letters, digits, '_' and '-', starting with a "
                                 "letter", param_hint="--domain")
    options = ImportOptions(domain=domain, timeout=timeout, prometheus=prometheus)
    if grafana_url:
        options.grafana = (_grafana_settings(grafana_url, timeout, ca_cert, insecure),
                           tuple(uids or ()), tuple(folders or ()))
    run, files = import_estate(sources or [], options, into, force=force)
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


def _grafana_settings(url: str, timeout: float, ca_cert: Path | None,
                      insecure: bool) -> ConnectionSettings:
    """Connection settings as `push` builds them; a usage error (exit 2) when incomplete."""
    import os

    from metricsctl.grafana.settings import (
        ConnectionSettings,
        Credentials,
        SettingsError,
        resolve_url,
        tls_verification,
    )

    try:
        return ConnectionSettings(resolve_url(url, os.environ, None),
                                  Credentials.from_environment(os.environ), timeout,
                                  tls_verification(ca_cert, insecure))
    except SettingsError as error:
        raise typer.BadParameter(str(error), param_hint="--grafana-url") from None


def register(app: typer.Typer) -> None:
    app.command(name="import")(import_)
