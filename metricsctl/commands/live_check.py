"""`metricsctl live-check`: the catalog against what actually runs (/metrics or Prometheus)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from metricsctl.commands.catalog_input import DiagnosticFormat, SpecsDirArgument

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from metricsctl.catalog.model import Catalog
    from metricsctl.diagnostics import Diagnostic
    from metricsctl.exposition.http import HttpGetter, HttpSettings
    from metricsctl.live.report import LiveReport
    from metricsctl.live.samples import Observation

TOKEN_VARIABLE = "PROMETHEUS_TOKEN"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


class _InputError(Exception):
    """Reading an input failed: one diagnostic, exit 1."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def live_check(
    specs_dir: SpecsDirArgument = None,
    url: Annotated[list[str] | None, typer.Option(
        "--url", metavar="URL", help="A /metrics endpoint (repeat for replicas).")] = None,
    file: Annotated[list[Path] | None, typer.Option(
        "--file", metavar="PATH", help="A saved exposition, text or OpenMetrics, gzip or not "
        "(repeat).")] = None,
    prometheus: Annotated[str | None, typer.Option(
        "--prometheus", metavar="URL", help="A Prometheus server's base URL: read its HTTP API "
        f"(bearer token from {TOKEN_VARIABLE}).")] = None,
    job: Annotated[list[str] | None, typer.Option(
        "--job", metavar="JOB", help="With --prometheus: only these scrape jobs (repeat).")
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        "--ignore", metavar="PATTERN", help="Exposed metrics to leave out, as glob patterns "
        "on names (repeat), e.g. 'go_*'.")] = None,
    fail_on: Annotated[FailOn, typer.Option(
        "--fail-on", help="Exit 1 when a finding is at least this severe (never: exit 0).")
    ] = FailOn.error,
    output_format: Annotated[DiagnosticFormat, typer.Option(
        "--format", "-f", help="Output format: text for people; json, sarif or github for CI.")
    ] = DiagnosticFormat.text,
    timeout: Annotated[float, typer.Option(
        "--timeout", metavar="S", min=0.1, help="Seconds to wait for each HTTP answer.")
    ] = 10.0,
    ca_cert: Annotated[Path | None, typer.Option(
        "--ca-cert", metavar="PATH", help="CA bundle (PEM) to verify the servers' TLS "
        "certificates.")] = None,
    insecure: Annotated[bool, typer.Option(
        "--insecure", help="Do not verify TLS certificates (not recommended).")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress bar, no notices of retries and slow answers "
        "(shown on a terminal only).")] = False,
) -> None:
    """Check what runs against the catalog: unknown and missing metrics, types, help and
    units, label sets and values, histogram buckets, cardinality; then coverage.

    Inputs: /metrics endpoints (--url) or saved expositions (--file), or a Prometheus
    server's HTTP API (--prometheus, optionally --job). Exit 0 when no finding reaches
    --fail-on, 1 when one does or an input cannot be read, 2 on usage errors.
    """
    urls, files, jobs = url or [], file or [], job or []
    if prometheus and (urls or files):
        _usage_error("--prometheus cannot be combined with --url or --file")
    if not (prometheus or urls or files):
        _usage_error("nothing to check: pass --url, --file or --prometheus")
    if jobs and not prometheus:
        _usage_error("--job applies to --prometheus only")
    for flag, value in [*(("--url", item) for item in urls),
                        *([("--prometheus", prometheus)] if prometheus else [])]:
        _check_url(flag, value)
    from metricsctl.commands.catalog_input import load_valid_catalog

    catalog = load_valid_catalog(specs_dir)
    settings = _http_settings(timeout, ca_cert, insecure, bool(prometheus))
    text = output_format is DiagnosticFormat.text
    try:
        observation, warnings = _observe(catalog, settings, urls, files, prometheus, jobs,
                                         text and not quiet, quiet)
    except _InputError as failure:
        _input_failure(failure.diagnostic, output_format)
    from metricsctl.live.check import live_check as check

    report = check(catalog, observation, ignore or [])
    _finish(catalog, report, warnings, output_format, fail_on)


def _http_settings(timeout: float, ca_cert: Path | None, insecure: bool,
                   with_token: bool) -> HttpSettings:
    from metricsctl.exposition.http import HttpSettings
    from metricsctl.grafana.settings import SettingsError, tls_verification

    try:
        verify = tls_verification(ca_cert, insecure)
    except SettingsError as error:
        _usage_error(str(error))
    if verify is False:
        import urllib3

        from metricsctl import console

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        console.stderr().print(console.styled(("warning:", "yellow"),
                                              " --insecure: TLS certificates are not verified"))
    token = os.environ.get(TOKEN_VARIABLE, "").strip() if with_token else ""
    if token:
        from metricsctl.grafana.redaction import header_safe_problem

        problem = header_safe_problem(token)
        if problem is not None:
            _usage_error(f"{TOKEN_VARIABLE} cannot be sent: {problem}")
    return HttpSettings(timeout=timeout, verify=verify, token=token or None,
                        token_variable=TOKEN_VARIABLE)


def _observe(catalog: Catalog, settings: HttpSettings, urls: Sequence[str],
             files: Sequence[Path], prometheus: str | None, jobs: Sequence[str],
             progress: bool, quiet: bool) -> tuple[Observation, list[Diagnostic]]:
    from metricsctl.exposition.http import HttpGetter
    from metricsctl.grafana.progress import wait_listener
    from metricsctl.live.samples import Observation

    observation = Observation()
    warnings: list[Diagnostic] = []
    steps = _step_count(urls, files, prometheus)
    with HttpGetter(settings, listener=wait_listener(quiet=quiet)) as getter, \
            _progress(steps, progress) as step:
        if prometheus:
            _observe_prometheus(observation, catalog, getter, prometheus, jobs, step)
        sources: list[str | Path] = [*urls, *files]
        for source in sources:
            step(str(source))
            warnings.extend(_observe_exposition(observation, catalog, getter, source))
    return observation, warnings


def _step_count(urls: Sequence[str], files: Sequence[Path], prometheus: str | None) -> int:
    from metricsctl.live.prometheus_input import STEPS

    return len(urls) + len(files) + (STEPS if prometheus else 0)


def _observe_prometheus(observation: Observation, catalog: Catalog, getter: HttpGetter,
                        base_url: str, jobs: Sequence[str], step: Callable[[str], None]) -> None:
    from metricsctl.exposition.http import FetchError
    from metricsctl.live.check import dropped_labels
    from metricsctl.live.prometheus_api import PrometheusApi
    from metricsctl.live.prometheus_input import ingest_prometheus

    api = PrometheusApi(base_url, getter)
    try:
        ingest_prometheus(observation, catalog, api, jobs, dropped_labels(catalog), step)
    except FetchError as error:
        raise _InputError(_fetch_diagnostic(error, api.base_url)) from None


def _observe_exposition(observation: Observation, catalog: Catalog, getter: HttpGetter,
                        source: str | Path) -> list[Diagnostic]:
    from metricsctl.diagnostics import Severity
    from metricsctl.exposition import parse_exposition
    from metricsctl.exposition.fetch import fetch_exposition, read_exposition_file
    from metricsctl.exposition.http import FetchError
    from metricsctl.live.check import dropped_labels
    from metricsctl.live.exposition_input import ingest_exposition

    try:
        if isinstance(source, Path):
            raw = read_exposition_file(source, getter.settings.max_bytes)
        else:
            raw = fetch_exposition(source, getter=getter)
    except FetchError as error:
        raise _InputError(_fetch_diagnostic(error, str(source))) from None
    exposition = parse_exposition(raw.data, raw.source, raw.content_type,
                                  max_bytes=getter.settings.max_bytes)
    errors = [d for d in exposition.diagnostics if d.severity is Severity.ERROR]
    if errors:
        raise _InputError(errors[0])
    ingest_exposition(observation, exposition, dropped_labels(catalog))
    return list(exposition.diagnostics)


def _fetch_diagnostic(error: Exception, source: str) -> Diagnostic:
    from metricsctl.diagnostics import Diagnostic, Location, Severity
    from metricsctl.exposition.http import FetchError

    hint = error.hint if isinstance(error, FetchError) else None
    message = error.message if isinstance(error, FetchError) else str(error)
    return Diagnostic("live/unreadable-input", Severity.ERROR, message, Location(source),
                      hint=hint)


@contextmanager
def _progress(total: int, shown: bool) -> Iterator[Callable[[str], None]]:
    """A transient progress bar on stderr when it is a terminal (text output, not --quiet);
    else nothing."""
    import sys

    if not (shown and sys.stderr.isatty()):  # checked first: rich costs a lot to import
        yield lambda description: None
        return
    from metricsctl import console

    err = console.stderr()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("reading"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}", markup=False), console=err,
                  transient=True) as progress:
        task = progress.add_task("", total=total)

        def step(description: str) -> None:
            progress.update(task, advance=1, description=description)

        yield step


def _input_failure(diagnostic: Diagnostic, output_format: DiagnosticFormat) -> NoReturn:
    """One line on stderr (and the diagnostic in the machine format on stdout); exit 1."""
    from metricsctl import console
    from metricsctl.diagnostics.text import format_diagnostic

    line = format_diagnostic(diagnostic, None)
    if diagnostic.hint:
        line = line.replace("\n  help: ", "; ")
    console.stderr().print(line)
    if output_format is not DiagnosticFormat.text:
        from metricsctl.commands.lint import render_diagnostics

        render_diagnostics([diagnostic], output_format, {}, {"ok": False})
    raise typer.Exit(1)


def _finish(catalog: Catalog, report: LiveReport, warnings: Sequence[Diagnostic],
            output_format: DiagnosticFormat, fail_on: FailOn) -> NoReturn:
    from metricsctl import console
    from metricsctl.diagnostics import Severity, sorted_diagnostics
    from metricsctl.diagnostics.text import summarize

    diagnostics = sorted_diagnostics([*warnings, *report.diagnostics])
    failed = fail_on is not FailOn.never and any(
        d.severity >= Severity.parse(fail_on.value) for d in diagnostics)
    texts = {path: document.text for path, document in catalog.documents.items()}
    if output_format is DiagnosticFormat.text:
        from metricsctl.commands.catalog_input import print_diagnostics

        print_diagnostics(diagnostics, texts)
        out = console.stdout()
        for line in report.coverage.lines():
            out.print(line)
        mark = ("✗", "red") if failed else ("✓", "green")
        threshold = "never" if fail_on is FailOn.never else f"{fail_on.value} and above"
        out.print(console.styled(mark, f" {summarize(diagnostics)} (failing on {threshold})"))
    else:
        _render_machine(diagnostics, output_format, report, failed, fail_on)
    raise typer.Exit(1 if failed else 0)


def _render_machine(diagnostics: Sequence[Diagnostic], output_format: DiagnosticFormat,
                    report: LiveReport, failed: bool, fail_on: FailOn) -> None:
    from metricsctl import console
    from metricsctl.diagnostics.text import summarize

    if output_format is DiagnosticFormat.sarif:
        from metricsctl.diagnostics.sarif import render_sarif
        from metricsctl.live.advisors import rule_descriptions

        console.write(render_sarif(diagnostics, rule_descriptions()))
        return
    from metricsctl.commands.lint import render_diagnostics

    render_diagnostics(diagnostics, output_format, {}, {
        "ok": True, "sources": list(report.sources), "coverage": report.coverage.to_dict(),
        "summary": summarize(diagnostics), "fail_on": fail_on.value, "failed": failed})


def _check_url(flag: str, url: str) -> None:
    """http(s) with a host, and no credentials: URLs are printed in every finding."""
    from urllib.parse import urlsplit

    from metricsctl.grafana.settings import display_url

    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid:
        _usage_error(f"{flag}: {display_url(url)!r} is not an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        _usage_error(f"{flag}: do not put credentials in the URL (it is printed); use "
                     f"{TOKEN_VARIABLE} for Prometheus")


def _usage_error(message: str) -> NoReturn:
    from metricsctl import console

    console.stderr().print(console.styled(("error:", "red"), f" {message}"))
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command("live-check")(live_check)
