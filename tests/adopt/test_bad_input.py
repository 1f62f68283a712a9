"""Bad input: a located error, exit 1, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adopt.conftest import RULE_FIXTURES
from tests.live.processes import free_port

CASES = {
    "not-rules.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
                       "not-rules.yaml:1:1: error[import/unknown-source]: not a rule file"),
    "not-a-dashboard.json": ('{"name": "web", "version": "1.0.0"}\n',
                             "not-a-dashboard.json:1:1: error[import/unknown-source]: JSON "
                             "that is not a Grafana dashboard"),
    "broken.json": ('{"title": "x",\n  "panels": [}\n',
                    "broken.json:2:14: error[import/invalid-json]: JSON syntax error"),
    "broken.prom": ("# HELP up Up.\n# TYPE up gauge\nup{job=\"a\" 1\n",
                    "broken.prom:3:"),
    "broken.yaml": ("groups:\n  - name: a\n    rules: [\n",
                    "broken.yaml:4:1: error[catalog/yaml-syntax]"),
    "half-valid.yaml": ("""groups:
  - name: good
    rules:
      - alert: Fine
        expr: up == 0
        labels: {severity: warning}
  - name: bad
    rules:
      - alert: Broken
        expr: sum(rate(http_requests_total[5m]) > 1
      - record: job:up:sum
        expr: sum by (job) (up)
        annotations: {summary: recording rules have none}
""", "half-valid.yaml:10:18: error[import/invalid-promql]: invalid PromQL"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_located_error_exit_1_and_nothing_written(name: str, cli, tmp_path: Path) -> None:
    text, expected = CASES[name]
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    specs = tmp_path / "specs"

    result = cli("import", source, RULE_FIXTURES / "node-exporter-mixin-rules.yaml",
                 "--into", specs)

    assert result.exit_code == 1, result.output
    assert expected in result.stderr.replace(str(tmp_path) + "/", "")
    assert "Traceback" not in result.output
    assert not specs.exists()


def test_every_error_of_a_half_valid_file_is_reported(cli, tmp_path: Path) -> None:
    source = tmp_path / "half-valid.yaml"
    source.write_text(CASES["half-valid.yaml"][0], encoding="utf-8")

    result = cli("import", source, "--into", tmp_path / "specs")

    errors = [line for line in result.stderr.splitlines() if ": error[" in line]
    assert [line.split(": ", 1)[0].rsplit(":", 2)[-2:] for line in errors] == [
        ["10", "18"], ["13", "9"]]


def test_an_unreachable_url(cli, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/metrics"

    result = cli("import", url, "--into", tmp_path / "specs", "--timeout", "2")

    assert result.exit_code == 1
    assert f"{url}: error[import/unreachable]" in result.stderr
    assert not (tmp_path / "specs").exists()


def test_a_missing_file_and_a_usage_error(cli, tmp_path: Path) -> None:
    missing = cli("import", tmp_path / "nope.yaml", "--into", tmp_path / "specs")
    bad_domain = cli("import", RULE_FIXTURES, "--domain", "Not A Domain")

    assert missing.exit_code == 1
    assert "nope.yaml: error[import/missing-source]: no such file or directory" in missing.stderr
    assert bad_domain.exit_code == 2
