"""`metricsctl pull`: download Grafana's dashboards, to review what changed there."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from metricsctl.commands.catalog_input import SpecsDirArgument, load_valid_catalog
from metricsctl.commands.push import (
    CaCertOption,
    ConcurrencyOption,
    GrafanaUrlOption,
    InsecureOption,
    QuietOption,
    TimeoutOption,
    connection_settings,
    run_preflight,
)


def pull(
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="DIR", help="Folder to write <uid>.json files into.")],
    specs_dir: SpecsDirArgument = None,
    uids: Annotated[list[str] | None, typer.Option(
        "--uid", metavar="UID",
        help="Dashboards to download (repeat, or a,b,c) [default: every dashboard this "
             "project pushed].")] = None,
    grafana_url: GrafanaUrlOption = None,
    concurrency: ConcurrencyOption = 4,
    timeout: TimeoutOption = 10.0,
    ca_cert: CaCertOption = None,
    insecure: InsecureOption = False,
    quiet: QuietOption = False,
) -> None:
    """Download dashboards from Grafana into DIR/<uid>.json, normalized like `generate`.

    Files have no id/version/iteration (Grafana's bookkeeping), sorted keys and a trailing
    newline, so diffing DIR against generated/grafana/dashboards shows the edits made in
    Grafana (and the `version` line generate writes). Each file is also compared with what
    the catalog generates. Exit 1 when a dashboard could not be downloaded.
    """
    from rich.markup import escape

    from metricsctl import console

    if out.exists() and not out.is_dir():
        console.stderr().print(f"[red]error:[/] --out: {escape(str(out))} is not a directory",
                               markup=True)
        raise typer.Exit(2)
    catalog = load_valid_catalog(specs_dir)
    settings = connection_settings(catalog, grafana_url, timeout, ca_cert, insecure)
    wanted = [uid.strip() for value in uids or [] for uid in value.split(",") if uid.strip()]

    from metricsctl.diagnostics import Diagnostic, Severity
    from metricsctl.grafana.client import GrafanaClient
    from metricsctl.grafana.download import pull_dashboards
    from metricsctl.grafana.errors import GrafanaError
    from metricsctl.grafana.progress import wait_listener
    from metricsctl.grafana.search import managed_dashboards
    from metricsctl.targets.grafana import build_dashboards

    out_console = console.stdout()
    with GrafanaClient(settings, listener=wait_listener(quiet=quiet)) as client:
        info = run_preflight(client, text=True)
        out_console.print(f"Grafana {info.version} at {info.url}")
        if not wanted:
            try:
                wanted = [hit["uid"] for hit in managed_dashboards(client, catalog.project.name)]
            except GrafanaError as error:
                from metricsctl.commands.catalog_input import print_diagnostics

                print_diagnostics([error.diagnostic()], {}, to_stderr=True)
                raise typer.Exit(1) from None
            if not wanted:
                out_console.print(f"Grafana has no dashboards of project "
                                  f"{catalog.project.name} (tagged by metricsctl push)")
                raise typer.Exit(0)
        pulled = pull_dashboards(client, wanted, out, build_dashboards(catalog),
                                 concurrency=concurrency)

    failures = []
    for item in pulled:
        if item.error is not None:
            failures.append(Diagnostic("pull/failed", Severity.ERROR,
                                       f"dashboard `{item.uid}`: {item.error}"))
        else:
            out_console.print(f"  wrote {item.path} "
                              f"({item.comparison.value if item.comparison else ''})")
    if failures:
        from metricsctl.commands.catalog_input import print_diagnostics

        print_diagnostics(failures, {})
        out_console.print(f"[red]✗[/] {len(failures)} of {len(pulled)} dashboards could not "
                          "be downloaded", markup=True)
        raise typer.Exit(1)
    out_console.print(f"[green]✓[/] pulled {len(pulled)} dashboard"
                      f"{'s' if len(pulled) != 1 else ''} into {escape(str(out))}", markup=True)


def register(app: typer.Typer) -> None:
    app.command()(pull)
