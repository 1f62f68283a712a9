"""`metricsctl pull`: Grafana's dashboards into files, normalized, never outside --out."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from metricsctl.catalog import load_catalog
from metricsctl.targets.grafana import build_dashboards, dashboard_text
from tests.grafana.conftest import PROXY_VARIABLES
from tests.grafana_server import GrafanaServer
from tests.grafana_server.catalogs import PushCatalog, make_push_catalog
from tests.grafana_server.targets import GrafanaTarget, loopback_target

TOKEN = "glsa_pullTestToken_93be11c0aa"  # a test token: it must never leak

Cli = Callable[..., Any]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GRAFANA_URL", "GRAFANA_USER", "GRAFANA_PASSWORD", *PROXY_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GRAFANA_TOKEN", TOKEN)
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def grafana() -> Iterator[GrafanaTarget]:
    with loopback_target(TOKEN) as target:
        yield target


@pytest.fixture
def pushed(grafana: GrafanaTarget, tmp_path: Path, cli: Cli) -> PushCatalog:
    """A catalog of three dashboards, pushed."""
    catalog = make_push_catalog(tmp_path, grafana, count=3)
    assert cli("push", catalog.root, "--grafana-url", grafana.url).exit_code == 0
    return catalog


@pytest.fixture
def pull(cli: Cli, grafana: GrafanaTarget, tmp_path: Path) -> Callable[..., Any]:
    def run(catalog: PushCatalog, *flags: str | Path) -> Any:
        result = cli("pull", catalog.root, "--grafana-url", grafana.url, *flags)
        assert TOKEN not in result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        for path in tmp_path.rglob("*"):
            if path.is_file():
                assert TOKEN not in path.read_text(encoding="utf-8", errors="replace")
        return result

    return run


def server(target: GrafanaTarget) -> GrafanaServer:
    assert target.server is not None
    return target.server


def test_pulls_every_dashboard_the_project_pushed_normalized_like_generate(
        pushed: PushCatalog, pull: Callable[..., Any], grafana: GrafanaTarget,
        tmp_path: Path) -> None:
    server(grafana).seed_dashboard({"uid": "not-ours", "title": "Someone else's"})
    out = tmp_path / "pulled"

    result = pull(pushed, "--out", out)

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["board-0.json", "board-1.json",
                                                     "board-2.json"]
    generated = build_dashboards(load_catalog(pushed.root).catalog)  # type: ignore[arg-type]
    for uid, dashboard in generated.items():
        text = (out / f"{uid}.json").read_text(encoding="utf-8")
        expected = {key: value for key, value in dashboard.items() if key != "version"}
        assert text == dashboard_text(expected)
        assert text.endswith("}\n") and "\n  \"annotations\"" in text
        assert not {"id", "version", "iteration", "metricsctlHash"} & set(json.loads(text))
    assert f"wrote {out / 'board-0.json'} (same as the catalog)" in result.stdout
    assert "pulled 3 dashboards" in result.stdout
    assert server(grafana).writes()[-1].method == "POST"  # pull itself wrote nothing
    assert all(r.method == "GET" for r in server(grafana).requests()[-5:])


def test_an_edit_made_in_grafana_shows_up_as_a_difference(
        pushed: PushCatalog, pull: Callable[..., Any], grafana: GrafanaTarget,
        tmp_path: Path) -> None:
    grafana.edit_in_ui("board-1", lambda d: d.update(title="Tuned"))
    out = tmp_path / "pulled"

    result = pull(pushed, "--out", out, "--uid", "board-1")

    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'board-1.json'} (differs from the catalog)" in result.stdout
    assert json.loads((out / "board-1.json").read_text())["title"] == "Tuned"
    assert [p.name for p in out.iterdir()] == ["board-1.json"]


def test_a_hostile_uid_never_escapes_the_output_folder(
        pushed: PushCatalog, pull: Callable[..., Any], grafana: GrafanaTarget,
        tmp_path: Path) -> None:
    out = tmp_path / "deep" / "pulled"
    for uid in ("../../etc", "..", "a/b", "/abs"):
        server(grafana).seed_dashboard({"uid": uid, "title": f"Hostile {uid}",
                                        "tags": ["metricsctl", f"metricsctl:{pushed.project}"]})
    before = set(tmp_path.rglob("*"))

    result = pull(pushed, "--out", out)

    assert result.exit_code == 0, result.output
    created = set(tmp_path.rglob("*")) - before
    assert created - {out.parent, out} == set(out.iterdir())
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 7
    assert all(name.endswith(".json") and "/" not in name and not name.startswith(".")
               for name in names)
    assert any(name.startswith("______etc-") for name in names)
    hostile = next(out.glob("______etc-*.json"))
    assert json.loads(hostile.read_text())["title"] == "Hostile ../../etc"
    assert "(not in the catalog)" in result.stdout


def test_a_missing_dashboard_is_listed_and_the_others_are_pulled(
        pushed: PushCatalog, pull: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "pulled"

    result = pull(pushed, "--out", out, "--uid", "board-0,gone")

    assert result.exit_code == 1
    assert "error[pull/failed]: dashboard `gone`: Grafana has no dashboard with this uid" \
        in result.stdout
    assert (out / "board-0.json").is_file()
    assert "1 of 2 dashboards could not be downloaded" in result.stdout


def test_nothing_to_pull_is_not_an_error(grafana: GrafanaTarget, pull: Callable[..., Any],
                                         tmp_path: Path) -> None:
    catalog = make_push_catalog(tmp_path, grafana, count=1)
    result = pull(catalog, "--out", tmp_path / "pulled")
    assert result.exit_code == 0, result.output
    assert "Grafana has no dashboards of project shop" in result.stdout


def test_out_must_be_a_directory(pushed: PushCatalog, pull: Callable[..., Any],
                                 tmp_path: Path) -> None:
    file = tmp_path / "file.json"
    file.write_text("{}\n")
    result = pull(pushed, "--out", file)
    assert result.exit_code == 2
    assert f"--out: {file} is not a directory" in result.stderr


def test_pull_reports_an_unreachable_grafana(pushed: PushCatalog, cli: Cli,
                                             tmp_path: Path) -> None:
    result = cli("pull", pushed.root, "--grafana-url", "http://grafana.invalid",
                 "--out", tmp_path / "pulled")
    assert result.exit_code == 1
    assert "error[grafana/dns]: cannot resolve the host name 'grafana.invalid'" in result.stderr
    assert not (tmp_path / "pulled").exists()


def test_pulled_files_replace_older_copies_atomically(
        pushed: PushCatalog, pull: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "pulled"
    out.mkdir()
    (out / "board-0.json").write_text("stale\n")
    (out / "notes.txt").write_text("mine\n")

    assert pull(pushed, "--out", out).exit_code == 0

    assert (out / "board-0.json").read_text().startswith("{\n")
    assert (out / "notes.txt").read_text() == "mine\n"
    assert not list(out.glob(".*.tmp"))



def test_errors_echoing_the_token_and_login_pages_are_reported_redacted(
        grafana: GrafanaTarget, pushed: PushCatalog, pull: Callable[..., Any],
        tmp_path: Path) -> None:
    loopback = server(grafana)
    loopback.faults.echo_headers(400, path="/api/dashboards/uid/board-0")
    loopback.faults.login_page(path="/api/dashboards/uid/board-1")
    loopback.faults.answer(404, b"<html>gone</html>", "text/html",
                           path="/api/dashboards/uid/board-2")

    result = pull(pushed, "--out", tmp_path / "out", "--quiet")

    assert result.exit_code == 1
    assert "dashboard `board-0`: could not read it: HTTP 400" in result.stdout
    assert "Authorization: Bearer ***" in result.stdout
    assert "dashboard `board-1`: could not read it: HTTP 200: <!doctype html>" in result.stdout
    assert "dashboard `board-2`: could not read it: HTTP 404: <html>gone</html>" \
        in result.stdout
    assert not (tmp_path / "out" / "board-1.json").exists()
