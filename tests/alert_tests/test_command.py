"""`metricsctl test`: runs promtool on the generated tests, or says how to get promtool."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import REPO_ROOT, run_metricsctl

SLOTH_EXAMPLE = REPO_ROOT / "tests" / "fixtures" / "slo" / "sloth-getting-started"


def test_it_runs_every_test_file_with_promtool() -> None:
    result = run_metricsctl("test", SLOTH_EXAMPLE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["✓ prometheus/tests/myservice.slos.test.yml",
                                          "✓ all 1 test files pass"]


def test_without_promtool_it_says_how_to_get_it(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}
    result = run_metricsctl("test", SLOTH_EXAMPLE, env=env)
    assert result.returncode == 1
    assert "promtool not found" in result.stderr
    assert "apt-get install prometheus" in result.stderr
    assert "Traceback" not in result.stderr
