"""The `metricsctl` command line: a registry of commands, one module each under commands/."""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer

from metricsctl import __version__

# Each module defines `register(app)`; its heavy imports happen inside the command body so
# that `metricsctl --help` and `generate --check` start fast.
COMMAND_MODULES = ("validate", "listing", "init", "schema", "generate", "diff", "push", "pull",
                   "lint", "import_", "live_check", "test", "preview")

app = typer.Typer(
    name="metricsctl",
    help="Metrics as code: one YAML catalog in; dashboards, rules, scrape configs, "
    "instrumentation and docs out.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"metricsctl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Metrics as code."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"metricsctl.commands.{_name}").register(app)


def main() -> None:
    """Console-script entry point."""
    try:
        app(prog_name="metricsctl")
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
