"""Everything the console prints is data printed literally: no emoji codes, no markup.

Rich reads `:100:` as an emoji code and `[bold]` as markup; a finding at line 100 of a file
named with brackets, about a rule named `job:x:rate5m`, must print exactly as written, with
and without colour.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_metricsctl

ANSI = re.compile(r"\x1b\[[0-9;]*m")
FILE_NAME = "team[bold]:x:[\\].yaml"
DASHBOARD_TITLE = "Costs [red]:fire: [/]"


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "specs"
    root.mkdir()
    (root / "metricsctl.yaml").write_text("project: p\n", encoding="utf-8")
    padding = "".join("#\n" for _ in range(4, 98))
    (root / FILE_NAME).write_text(
        "domain: team\n"
        "metrics:\n"
        "  a_total: {type: counter, help: 'Requests [bold]:x:[/]'}\n"
        f"{padding}"
        "recording_rules:\n"
        '  "job:x:rate5m":\n'
        "    expr: sum(rate(nosuch_total[5m]))\n"
        "dashboards:\n"
        "  costs:\n"
        f"    title: '{DASHBOARD_TITLE}'\n"
        "    panels:\n"
        "      - {title: Requests, metric: a_total}\n",
        encoding="utf-8")
    return root


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
def test_a_finding_at_line_100_about_job_x_rate5m_prints_as_written(
        catalog: Path, colour: bool) -> None:
    # An empty NO_COLOR does not disable colour (no-color.org).
    env = {"FORCE_COLOR": "1", "TERM": "xterm-256color", "NO_COLOR": ""} if colour else {}
    result = run_metricsctl("lint", catalog, env=env)
    assert bool(ANSI.search(result.stdout)) is colour
    output = ANSI.sub("", result.stdout + result.stderr)

    assert result.returncode == 1
    assert f"{catalog}/{FILE_NAME}:100:" in output
    assert "job:x:rate5m" in output
    assert '    expr: sum(rate(nosuch_total[5m]))' in output  # the quoted source line
    assert "💯" not in output and "❌" not in output


def test_listings_print_names_and_help_as_written(catalog: Path) -> None:
    metrics = run_metricsctl("list", catalog)
    dashboards = run_metricsctl("list", catalog, "--kind", "dashboards")

    assert "Requests [bold]:x:[/]" in metrics.stdout
    assert DASHBOARD_TITLE in dashboards.stdout
    assert "🔥" not in dashboards.stdout


def test_an_invalid_catalog_names_its_file_as_written(catalog: Path) -> None:
    path = catalog / FILE_NAME
    path.write_text(path.read_text(encoding="utf-8").replace("type: counter", "type: countr"),
                    encoding="utf-8")
    result = run_metricsctl("validate", catalog)

    assert result.returncode == 1
    assert f"{catalog}/{FILE_NAME}:3:" in result.stdout + result.stderr
