"""`metricsctl push`: deliver the catalog's dashboards to Grafana, safely and idempotently."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from metricsctl.commands.catalog_input import SpecsDirArgument, load_valid_catalog
from metricsctl.grafana.backoff import RetryPolicy

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.text import Text

    from metricsctl.catalog.model import Catalog
    from metricsctl.diagnostics import Diagnostic, Location
    from metricsctl.grafana.apply import Applied, Outcome
    from metricsctl.grafana.client import GrafanaClient
    from metricsctl.grafana.plan import Plan
    from metricsctl.grafana.preflight import GrafanaInfo
    from metricsctl.grafana.report import Locate, PushReport
    from metricsctl.grafana.settings import ConnectionSettings

# Above this many writes, a progress bar (on stderr, on a terminal) shows the push moving.
PROGRESS_THRESHOLD = 5


class PushFormat(StrEnum):
    text = "text"
    json = "json"


GrafanaUrlOption = Annotated[str | None, typer.Option(
    "--grafana-url", metavar="URL",
    help="Grafana's base URL [default: $GRAFANA_URL, else grafana.url in the project file].")]
_RETRY = RetryPolicy()
TimeoutOption = Annotated[float, typer.Option(
    "--timeout", metavar="S", min=0.1,
    help=f"Seconds one HTTP request may take as a whole (connect and every read). A "
         f"request is tried at most {_RETRY.attempts} times, so it ends within "
         f"{_RETRY.attempts} x S plus at most {_RETRY.longest_backoff():g} s of backoff "
         f"({(_RETRY.attempts - 1) * _RETRY.max_delay:g} s if Grafana asks to wait), and "
         f"never after {_RETRY.budget:g} s.")]
QuietOption = Annotated[bool, typer.Option(
    "--quiet", "-q",
    help="Do not say what is awaited (retries, slow answers) on stderr; it is only said "
         "when stderr is a terminal.")]
ConcurrencyOption = Annotated[int, typer.Option(
    "--concurrency", metavar="N", min=1, max=32, help="Requests in flight at once.")]
CaCertOption = Annotated[Path | None, typer.Option(
    "--ca-cert", metavar="PATH", help="CA bundle (PEM) to verify Grafana's TLS certificate.")]
InsecureOption = Annotated[bool, typer.Option(
    "--insecure", help="Do not verify Grafana's TLS certificate (not recommended).")]


def push(
    specs_dir: SpecsDirArgument = None,
    grafana_url: GrafanaUrlOption = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print the plan; change nothing in Grafana.")] = False,
    diff: Annotated[bool, typer.Option(
        "--diff", help="With the plan, a unified diff against each live dashboard.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite dashboards changed in Grafana (and prune them).")] = False,
    prune: Annotated[bool, typer.Option(
        "--prune", help="Delete this project's dashboards that left the catalog.")] = False,
    only: Annotated[list[str] | None, typer.Option(
        "--only", metavar="UID", help="Push only these dashboards (repeat, or a,b,c).")] = None,
    concurrency: ConcurrencyOption = 4,
    timeout: TimeoutOption = 10.0,
    message: Annotated[str | None, typer.Option(
        "--message", "-m", metavar="TEXT",
        help="Version-history message [default: the catalog's git commit].")] = None,
    output_format: Annotated[PushFormat, typer.Option(
        "--format", "-f", help="Output format (json: for CI, stable keys).")] = PushFormat.text,
    ca_cert: CaCertOption = None,
    insecure: InsecureOption = False,
    quiet: QuietOption = False,
) -> None:
    """Push the catalog's dashboards to Grafana: plan, then apply.

    Each dashboard is read from Grafana first and is created, updated, left unchanged (no
    new version) or reported as a conflict: a dashboard changed in Grafana since metricsctl
    pushed it is never overwritten without --force. Saves carry Grafana's current version
    (optimistic concurrency), a message and the folder; folders are created parents
    first. Credentials: GRAFANA_TOKEN (service-account token) or GRAFANA_USER and
    GRAFANA_PASSWORD. A save counts only when Grafana's own answer confirms it. With
    --dry-run the plan also checks that the credentials may make every write (what
    Grafana reports: canSave/canEdit, folders:create...). Exit 0 when every dashboard is in
    place (a dry run: would be), 1 on any conflict, failure or missing permission, 2 on
    usage errors.
    """
    from metricsctl.grafana.version_message import version_message

    catalog = load_valid_catalog(specs_dir)
    selected = _selected_uids(catalog, only or [])
    if prune and selected:
        _usage_error("--prune cannot be combined with --only (it would delete the others)")
    settings = connection_settings(catalog, grafana_url, timeout, ca_cert, insecure)
    text = output_format is PushFormat.text
    history_message = version_message(message, catalog.root)

    from metricsctl.grafana.client import GrafanaClient
    from metricsctl.grafana.permissions import check_write_access
    from metricsctl.grafana.plan import make_plan, push_request
    from metricsctl.grafana.progress import wait_listener
    from metricsctl.grafana.report import PushReport

    request = push_request(catalog, selected)
    secrets = settings.credentials.secrets()
    with GrafanaClient(settings, listener=wait_listener(quiet=quiet)) as client:
        info = run_preflight(client, text, dry_run=dry_run)
        plan = make_plan(client, request, force=force, prune=prune, concurrency=concurrency)
        if text:
            _print_plan(info.version, info.url, plan, diff, secrets)
        if dry_run:
            applied = None
            access = check_write_access(client, plan, settings.credentials.describe())
        else:
            applied = _apply(client, plan, history_message, concurrency, text)
            access = ()
    report = PushReport(info, plan, applied, diffs=diff, access=access)
    _finish(report, catalog, text, secrets)


def _apply(client: GrafanaClient, plan: Plan, message: str, concurrency: int,
           text: bool) -> Applied:
    from metricsctl import console
    from metricsctl.grafana.apply import apply_plan

    writes = sum(1 for step in plan.steps() if step.writes)
    err = console.stderr()
    if not (text and err.is_terminal and writes > PROGRESS_THRESHOLD):
        return apply_plan(client, plan, message=message, concurrency=concurrency)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("pushing"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}"), console=err, transient=True) as progress:
        task = progress.add_task("", total=len(plan.steps()))

        def advance(outcome: Outcome) -> None:
            progress.update(task, advance=1, description=outcome.uid)

        return apply_plan(client, plan, message=message, concurrency=concurrency,
                          on_outcome=advance)


def _print_plan(version: str, url: str, plan: Plan, diff: bool,
                secrets: Sequence[str]) -> None:
    from metricsctl import console
    from metricsctl.grafana.redaction import redact
    from metricsctl.grafana.report import dashboard_diff, plan_headline, plan_lines

    out = console.stdout()
    out.print(redact(f"Grafana {version} at {url}", secrets))
    out.print(plan_headline(plan))
    for line in plan_lines(plan, secrets):
        out.print(line)
    if diff:
        for step in plan.steps():
            patch = dashboard_diff(step)
            if patch:
                out.print(colored_diff(redact(patch, secrets)), end="")


def colored_diff(patch: str) -> Text:
    """A unified diff with added lines green, removed red and hunk headers cyan."""
    from rich.text import Text

    styled = Text()
    for line in patch.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        else:
            style = ""
        styled.append(line, style=style)
    return styled


def _finish(report: PushReport, catalog: Catalog, text: bool,
            secrets: Sequence[str]) -> NoReturn:
    from metricsctl import console
    from metricsctl.grafana.redaction import redact
    from metricsctl.grafana.report import json_report, push_diagnostics, redacted, summary_table

    diagnostics = redacted(push_diagnostics(report, _locator(catalog)), secrets)
    if not text:
        console.write(redact(json_report(report, diagnostics), secrets))
        raise typer.Exit(0 if report.ok else 1)
    from metricsctl.commands.catalog_input import print_diagnostics

    out = console.stdout()
    out.print(summary_table(report))
    print_diagnostics(diagnostics, {path: document.text
                                    for path, document in catalog.documents.items()})
    if report.dry_run:
        out.print("dry run: nothing was changed in Grafana")
    unchecked = len(report.unchecked())
    if report.ok and not report.dry_run:
        out.print("[green]✓[/] Grafana matches the catalog", markup=True)
    elif report.ok and unchecked:
        out.print(f"[yellow]?[/] the plan holds, but whether the credentials may make "
                  f"{unchecked} of its writes could not be checked (see the warnings)",
                  markup=True)
    elif report.ok:
        out.print("[green]✓[/] the push would succeed", markup=True)
    else:
        summary = report.summary()
        conflicts, failed = summary["conflict"], summary["failed"]
        denied = len(report.denied())
        problems = [f"{conflicts} conflict{'s' if conflicts != 1 else ''}"] if conflicts else []
        problems += [f"{failed} failed"] if failed else []
        problems += [f"{denied} write{'s' if denied != 1 else ''} the credentials may not "
                     "make"] if denied else []
        verdict = "the push would fail: " if report.dry_run else ""
        out.print(f"[red]✗[/] {verdict}{', '.join(problems) or 'a folder failed'}",
                  markup=True)
    raise typer.Exit(0 if report.ok else 1)


def _locator(catalog: Catalog) -> Locate:
    def locate(uid: str) -> Location | None:
        dashboard = catalog.dashboards.get(uid)
        return dashboard.source.location if dashboard is not None else None

    return locate


def _selected_uids(catalog: Catalog, only: Sequence[str]) -> list[str]:
    uids = [uid.strip() for value in only for uid in value.split(",") if uid.strip()]
    unknown = [uid for uid in uids if uid not in catalog.dashboards]
    if unknown:
        known = ", ".join(sorted(catalog.dashboards)) or "none"
        _usage_error(f"--only: no dashboard {', '.join(map(repr, unknown))} in the catalog "
                     f"(its dashboards: {known})")
    return list(dict.fromkeys(uids))


def connection_settings(catalog: Catalog, grafana_url: str | None, timeout: float,
                        ca_cert: Path | None, insecure: bool) -> ConnectionSettings:
    """The connection from flags, environment and project file, or a usage error (exit 2)."""
    from metricsctl.grafana.settings import (
        ConnectionSettings,
        Credentials,
        SettingsError,
        resolve_url,
        tls_verification,
    )

    try:
        url = resolve_url(grafana_url, os.environ, catalog.project.grafana_url)
        settings = ConnectionSettings(url, Credentials.from_environment(os.environ), timeout,
                                      tls_verification(ca_cert, insecure))
    except SettingsError as error:
        _usage_error(str(error))
    if settings.verify is False and url.startswith("https:"):
        import urllib3

        from metricsctl import console

        # One line from us instead of urllib3's warning on every request.
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        console.stderr().print("[yellow]warning:[/] --insecure: Grafana's TLS certificate is "
                               "not verified", markup=True)
    return settings


def run_preflight(client: GrafanaClient, text: bool, *, dry_run: bool = False) -> GrafanaInfo:
    """Health and credentials check; exit 1 with one clear line when it fails."""
    from metricsctl.grafana.errors import GrafanaError
    from metricsctl.grafana.preflight import preflight
    from metricsctl.grafana.report import redacted

    try:
        return preflight(client)
    except GrafanaError as error:
        diagnostics = redacted([error.diagnostic()], client.settings.credentials.secrets())
        _connection_failure(client.url, diagnostics, text, dry_run)


def _connection_failure(url: str, diagnostics: Sequence[Diagnostic], text: bool,
                        dry_run: bool) -> NoReturn:
    from metricsctl import console

    if text:
        from metricsctl.commands.catalog_input import print_diagnostics

        print_diagnostics(diagnostics, {}, to_stderr=True)
    else:
        from metricsctl.grafana.report import failure_json

        console.write(failure_json(url, diagnostics, dry_run))
    raise typer.Exit(1)


def _usage_error(message: str) -> NoReturn:
    from rich.markup import escape

    from metricsctl import console

    console.stderr().print(f"[red]error:[/] {escape(message)}", markup=True)
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command()(push)
