"""Dashboards read from a running Grafana (the loopback Grafana-compatible server), with
push's credentials and redaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adopt.conftest import DASHBOARD_FIXTURES
from tests.conftest import load_valid_catalog
from tests.grafana_server import GrafanaServer

TOKEN = "glsa_importTestToken_5e6f7a8b"


@pytest.fixture
def grafana(monkeypatch: pytest.MonkeyPatch) -> Iterator[GrafanaServer]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy", "GRAFANA_USER", "GRAFANA_PASSWORD", "GRAFANA_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GRAFANA_TOKEN", TOKEN)
    with GrafanaServer(tokens={TOKEN: "Admin"}) as server:
        server.seed_folder("nodes", "Nodes")
        nodes = json.loads((DASHBOARD_FIXTURES / "node-exporter-nodes.json").read_text())
        nodes.pop("id")
        server.seed_dashboard(nodes, folder_uid="nodes")
        server.seed_dashboard({"uid": "other", "title": "Other", "panels": [
            {"title": "Up", "type": "stat", "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
             "targets": [{"expr": "sum(up)", "refId": "A"}]}]})
        yield server


def test_the_dashboards_of_a_folder(cli, grafana: GrafanaServer, tmp_path: Path) -> None:
    specs = tmp_path / "specs"

    result = cli("import", "--grafana-url", grafana.url, "--folder", "nodes", "--into", specs)

    assert result.exit_code == 0, result.output
    catalog = load_valid_catalog(specs)
    assert list(catalog.dashboards) == ["7d57716318ee0dddbac5a7f451fb7753"]
    dashboard = catalog.dashboards["7d57716318ee0dddbac5a7f451fb7753"]
    assert (dashboard.domain, dashboard.folder) == ("nodes", "nodes")
    assert f"{grafana.url}/d/7d57716318ee0dddbac5a7f451fb7753" in result.stdout


def test_one_uid_and_a_missing_one(cli, grafana: GrafanaServer, tmp_path: Path) -> None:
    found = cli("import", "--grafana-url", grafana.url, "--uid", "other", "--into",
                tmp_path / "a")
    missing = cli("import", "--grafana-url", grafana.url, "--uid", "nope", "--into",
                  tmp_path / "b")

    assert found.exit_code == 0, found.output
    assert list(load_valid_catalog(tmp_path / "a").dashboards) == ["other"]
    assert missing.exit_code == 1
    assert f"{grafana.url}/d/nope: error[import/grafana]: Grafana has no dashboard" \
        in missing.stderr
    assert not (tmp_path / "b").exists()


def test_a_rejected_token_is_an_error_that_never_shows_the_token(
        cli, grafana: GrafanaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAFANA_TOKEN", "glsa_wrongToken_1234")

    result = cli("import", "--grafana-url", grafana.url, "--into", tmp_path / "specs")

    assert result.exit_code == 1
    assert "error[import/grafana]" in result.stderr
    assert "glsa_wrongToken_1234" not in result.output
