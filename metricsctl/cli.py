"""The `metricsctl` command line: a registry of commands, one module each under commands/."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated

import typer

from metricsctl import __version__

# Each module defines `register(app)`; its heavy imports happen inside the command body so
# that `metricsctl --help` and `generate --check` start fast.
COMMAND_MODULES = ("validate", "listing", "init", "schema", "generate", "diff", "push", "pull",
                   "lint", "import_", "live_check", "test", "preview")

def _typer() -> typer.Typer:
    return typer.Typer(
        name="metricsctl",
        help="Metrics as code: one YAML catalog in; dashboards, rules, scrape configs, "
        "instrumentation and docs out.",
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )


app = _typer()


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


def _command_name(info: typer.models.CommandInfo) -> str:
    return info.name or typer.main.get_command_name(info.callback.__name__)  # type: ignore[union-attr]


def app_for(args: list[str]) -> typer.Typer:
    """The app to run `args` with: when they start with a command's name, an app holding the
    root options and that command alone, which behaves the same for it and starts faster
    (typer inspects the signature of every registered command on each run, about 70 ms for
    all of them); else (help, completion, a mistyped command) the whole app."""
    if not args or "_METRICSCTL_COMPLETE" in os.environ:
        return app
    chosen = [info for info in app.registered_commands if _command_name(info) == args[0]]
    if len(chosen) != 1:
        return app
    lean = _typer()
    lean.registered_callback = app.registered_callback
    lean.registered_commands = chosen
    return lean


def main() -> None:
    """Console-script entry point."""
    try:
        app_for(sys.argv[1:])(prog_name="metricsctl")
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
