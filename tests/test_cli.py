"""The command line itself: version, entry points, the command registry."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from metricsctl import __version__
from metricsctl.cli import COMMAND_MODULES
from tests.conftest import run_metricsctl


def test_version(cli: Callable[..., Any]) -> None:
    result = cli("--version")
    assert (result.exit_code, result.stdout) == (0, f"metricsctl {__version__}\n")


def test_python_dash_m_runs_the_same_cli() -> None:
    result = run_metricsctl("--version")
    assert (result.returncode, result.stdout) == (0, f"metricsctl {__version__}\n")


def test_help_lists_every_registered_command(cli: Callable[..., Any]) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("validate", "list", "init", "schema"):
        assert command in result.stdout


def test_every_command_module_registers_itself() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"metricsctl.commands.{name}")
        assert callable(module.register), name


def test_no_arguments_shows_help_as_a_usage_error() -> None:
    result = run_metricsctl()
    assert result.returncode == 2
    assert "Usage: metricsctl [OPTIONS] COMMAND" in result.stdout + result.stderr


def test_a_command_runs_alone_exactly_as_in_the_whole_app() -> None:
    from typer.testing import CliRunner

    from metricsctl.cli import app, app_for

    runner = CliRunner()
    for name in ("generate", "import", "live-check", "list"):
        for args in ([name, "--help"], [name, "--no-such-option"]):
            lean = runner.invoke(app_for(args), args)
            whole = runner.invoke(app, args)
            assert app_for(args) is not app
            assert (lean.exit_code, lean.output) == (whole.exit_code, whole.output), args


def test_help_completion_and_unknown_commands_get_the_whole_app() -> None:
    from metricsctl.cli import app, app_for

    assert app_for([]) is app
    assert app_for(["--help"]) is app
    assert app_for(["generat"]) is app
