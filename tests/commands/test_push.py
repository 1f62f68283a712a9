"""`metricsctl push` against a Grafana: what users see, and what Grafana receives.

Scenario tests run against the loopback server and, with the `grafana` marker and
GRAFANA_URL/GRAFANA_TOKEN set, against a real Grafana too (`target` fixture). Tests that
inject faults or read the request log use the loopback server only (`loopback` fixture).
Every CLI run is checked for the token: it must never show up in any output or file.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from metricsctl.grafana.backoff import RetryPolicy
from tests.conftest import run_metricsctl
from tests.grafana.conftest import PROXY_VARIABLES
from tests.grafana_server import GrafanaServer, RequestRecord, silent_url
from tests.grafana_server.catalogs import PushCatalog as Catalog
from tests.grafana_server.catalogs import make_push_catalog
from tests.grafana_server.certificates import make_pki
from tests.grafana_server.fault_matrix import TOKEN as MATRIX_TOKEN
from tests.grafana_server.fault_matrix import FaultCase, fault_cases, run_case
from tests.grafana_server.targets import GrafanaTarget, loopback_target, real_target
from tests.terminal import run_on_a_terminal, terminal_text

TOKEN = "glsa_loopbackTestToken_5f2c9a7e1d"  # a test token: it must never leak
PASSWORD = "pa55-word-never-shown"
SECRETS = (TOKEN, PASSWORD)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GRAFANA_URL", "GRAFANA_TOKEN", "GRAFANA_USER", "GRAFANA_PASSWORD",
                 *PROXY_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture(params=["loopback", pytest.param("real", marks=pytest.mark.grafana)])
def target(request: pytest.FixtureRequest) -> Iterator[GrafanaTarget]:
    """The loopback server, then (opt-in) a real Grafana: the same test against both."""
    if request.param == "loopback":
        with loopback_target(TOKEN) as loopback:
            yield loopback
    else:
        with real_target() as grafana:
            yield grafana


@pytest.fixture
def loopback() -> Iterator[GrafanaTarget]:
    with loopback_target(TOKEN, tokens={"viewer-token": "Viewer"},
                         users={"editor": (PASSWORD, "Editor")}) as grafana:
        yield grafana


def server_of(target: GrafanaTarget) -> GrafanaServer:
    assert target.server is not None
    return target.server


@pytest.fixture
def make_catalog(tmp_path: Path) -> Callable[..., Catalog]:
    return partial(make_push_catalog, tmp_path)


# -- running the CLI --------------------------------------------------------------------------

@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def assert_no_secret(text: str, where: str, *more: str) -> None:
    for secret in (*SECRETS, *more):
        if secret:
            assert secret not in text, f"a secret leaked into {where}"


def assert_no_secret_in_files(root: Path, *more: str) -> None:
    for path in root.rglob("*"):
        if path.is_file() and path.stat().st_size < 10_000_000:
            assert_no_secret(path.read_bytes().decode("utf-8", "replace"), str(path), *more)


@pytest.fixture
def push(cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
         tmp_path: Path) -> Callable[..., Run]:
    """`push(target, catalog, *flags)`: run `metricsctl push` in-process with the target's
    URL and token; every output and every file under tmp_path is checked for secrets."""

    def run(target: GrafanaTarget, catalog: Catalog | Path, *flags: str,
            url: str | None = None, token: str | None = None) -> Run:
        monkeypatch.setenv("GRAFANA_TOKEN", token if token is not None else target.token)
        root = catalog.root if isinstance(catalog, Catalog) else catalog
        result = cli("push", root, "--grafana-url", url or target.url, *flags)
        outcome = Run(result.exit_code, result.stdout, result.stderr)
        assert_no_secret(outcome.output, "the output", target.token)
        assert "Traceback" not in outcome.output
        assert_no_secret_in_files(tmp_path, target.token)
        return outcome

    return run


def versions(target: GrafanaTarget, uids: list[str]) -> dict[str, int | None]:
    return {uid: target.version(uid) for uid in uids}


def saves(server: GrafanaServer, uid: str | None = None) -> list[RequestRecord]:
    return [r for r in server.requests("POST", "/api/dashboards/db")
            if uid is None or r.body["dashboard"]["uid"] == uid]


# -- scenarios (loopback and, opt-in, a real Grafana) -----------------------------------------

def test_first_push_creates_folders_parents_first_then_the_dashboards(
        target: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(target, count=3)
    result = push(target, catalog)

    assert result.exit_code == 0, result.output
    assert "3 to create, 2 folders to create" in result.stdout
    assert "Grafana matches the catalog" in result.stdout
    top, child = catalog.uid("shop"), catalog.uid("shop-business")
    folder = target.api("GET", f"/api/folders/{child}").json()
    assert (folder["title"], folder.get("parentUid")) == ("Business", top)
    for uid, (title, folder_uid) in catalog.dashboards.items():
        found = target.dashboard(uid)
        assert found is not None
        dashboard, meta = found
        assert (dashboard["title"], meta["folderUid"]) == (title, folder_uid)
        assert {"metricsctl", f"metricsctl:{catalog.project}"} <= set(dashboard["tags"])
    if target.server is not None:
        folder_posts = [r.body for r in target.server.requests("POST", "/api/folders")]
        assert folder_posts == [{"uid": top, "title": "Shop"},
                                {"uid": child, "title": "Business", "parentUid": top}]
        for save in saves(target.server):
            assert save.body["overwrite"] is False
            assert save.body["folderUid"] == catalog.dashboards[save.body["dashboard"]["uid"]][1]
            assert "version" not in save.body["dashboard"]
            assert save.body["dashboard"]["id"] is None


def test_a_second_push_without_catalog_changes_writes_nothing(
        target: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(target, count=3)
    assert push(target, catalog).exit_code == 0
    before = versions(target, list(catalog.dashboards))
    if target.server is not None:
        target.server.clear_log()

    result = push(target, catalog)

    assert result.exit_code == 0, result.output
    assert "plan: 3 unchanged" in result.stdout
    assert versions(target, list(catalog.dashboards)) == before
    if target.server is not None:
        assert target.server.writes() == []


def test_a_catalog_change_updates_with_the_live_version_and_a_message(
        target: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(target, count=2)
    push(target, catalog)
    uid = catalog.uid("board-0")
    live_version = target.version(uid)
    assert live_version is not None
    catalog.dashboards[uid] = ("Board zero", catalog.dashboards[uid][1])
    catalog.write()

    result = push(target, catalog, "--message", "rename board zero")

    assert result.exit_code == 0, result.output
    assert f"~ update    {uid}  'Board zero': content changed" in result.stdout
    found = target.dashboard(uid)
    assert found is not None
    assert found[0]["title"] == "Board zero"
    assert found[1]["version"] == live_version + 1
    if target.server is not None:
        (update,) = saves(target.server, uid)[1:]
        assert update.body["dashboard"]["version"] == live_version
        assert (update.body["overwrite"], update.body["message"]) == (False, "rename board zero")


def test_a_dashboard_edited_in_the_ui_is_a_conflict_and_left_intact(
        target: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(target, count=2)
    push(target, catalog)
    uid, other = catalog.uid("board-0"), catalog.uid("board-1")
    target.edit_in_ui(uid, lambda d: d.update(title="Tuned by hand"))
    edited_version = target.version(uid)
    catalog.dashboards[other] = ("Board one renamed", catalog.dashboards[other][1])
    catalog.write()

    result = push(target, catalog)

    assert result.exit_code == 1
    assert "error[push/conflict]" in result.stdout
    assert f"dashboard `{uid}`: it was not pushed by metricsctl, or was saved from " \
           "Grafana's UI since" in result.stdout
    assert "app.yaml:7:3" in result.stdout  # the dashboard's entry in the catalog
    assert "--force" in result.stdout
    found = target.dashboard(uid)
    assert found is not None
    assert found[0]["title"] == "Tuned by hand"
    assert found[1]["version"] == edited_version
    other_found = target.dashboard(other)
    assert other_found is not None and other_found[0]["title"] == "Board one renamed"


def test_force_overwrites_the_edit_made_in_grafana(
        target: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(target, count=1, nested=False)
    push(target, catalog)
    uid = catalog.uid("board-0")
    target.edit_in_ui(uid, lambda d: d.update(title="Tuned by hand"))

    result = push(target, catalog, "--force")

    assert result.exit_code == 0, result.output
    assert "overwrites: it was not pushed by metricsctl" in result.stdout
    found = target.dashboard(uid)
    assert found is not None and found[0]["title"] == "Board 0"
    assert "plan: 1 unchanged" in push(target, catalog).stdout


def test_dry_run_prints_the_plan_and_a_diff_and_changes_nothing(
        target: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(target, count=2)
    push(target, catalog)
    uid = catalog.uid("board-1")
    catalog.dashboards[uid] = ("Board one renamed", catalog.dashboards[uid][1])
    catalog.dashboards[catalog.uid("board-new")] = ("Brand new", None)
    catalog.write()
    before = versions(target, list(catalog.dashboards))
    if target.server is not None:
        target.server.clear_log()

    result = push(target, catalog, "--dry-run", "--diff")

    assert result.exit_code == 0, result.output
    assert "plan: 1 to create, 1 to update, 1 unchanged" in result.stdout
    assert f"--- grafana/{uid} (version 1)" in result.stdout
    assert '-  "title": "Board 1",' in result.stdout
    assert '+  "title": "Board one renamed",' in result.stdout
    assert "dry run: nothing was changed in Grafana" in result.stdout
    assert versions(target, list(catalog.dashboards)) == before
    if target.server is not None:
        assert target.server.writes() == []


def test_prune_deletes_only_this_projects_dashboards_that_left_the_catalog(
        target: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run], tmp_path: Path) -> None:
    catalog = make_catalog(target, count=3)
    neighbour = make_catalog(target, count=1, project="other", nested=False, name="other")
    neighbour.dashboards = {target.name("their-board"): ("Theirs", None)}
    neighbour.write()
    push(target, catalog)
    push(target, neighbour)
    hand_made = target.name("hand-made")
    target.api("POST", "/api/dashboards/db", {
        "dashboard": {"uid": hand_made, "title": "Hand made", "tags": ["metricsctl"]},
        "folderUid": "", "overwrite": False})
    target.uses(dashboards=(hand_made,))
    gone = catalog.uid("board-2")
    del catalog.dashboards[gone]
    catalog.write()

    planned = push(target, catalog, "--prune", "--dry-run")
    assert f"- prune     {gone}  'Board 2': no longer in the catalog" in planned.stdout
    assert target.dashboard(gone) is not None

    result = push(target, catalog, "--prune")

    assert result.exit_code == 0, result.output
    assert target.dashboard(gone) is None
    assert target.dashboard(target.name("their-board")) is not None
    assert target.dashboard(hand_made) is not None
    assert target.api("GET", f"/api/folders/{catalog.uid('shop-business')}").status_code == 200
    if target.server is not None:
        deletes = target.server.requests("DELETE")
        assert [r.path for r in deletes] == [f"/api/dashboards/uid/{gone}"]
        searches = target.server.requests("GET", "/api/search")
        assert searches[-1].query["tag"] == ["metricsctl", f"metricsctl:{catalog.project}"]


# -- loopback only: request details, faults, errors -------------------------------------------

def test_prune_never_deletes_a_dashboard_edited_in_grafana_without_force(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=2)
    push(loopback, catalog)
    server_of(loopback).edit_in_ui("board-1", lambda d: d.update(description="notes"))
    del catalog.dashboards["board-1"]
    catalog.write()

    result = push(loopback, catalog, "--prune")

    assert result.exit_code == 1
    assert ("dashboard `board-1`: no longer in the catalog, but not deleted: it was edited in "
            "Grafana since metricsctl pushed it") in result.stdout
    assert loopback.dashboard("board-1") is not None
    assert push(loopback, catalog, "--prune", "--force").exit_code == 0
    assert loopback.dashboard("board-1") is None


def test_a_dashboard_edited_with_our_marker_kept_is_still_a_conflict(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    push(loopback, catalog)
    server_of(loopback).edit_in_ui("board-0", lambda d: d["panels"][0].update(title="Mine"))
    catalog.dashboards["board-0"] = ("Renamed in the catalog", None)
    catalog.write()

    result = push(loopback, catalog)

    assert result.exit_code == 1
    assert "it was edited in Grafana since metricsctl pushed it (version 2, last saved by " \
           "alice)" in result.stdout
    assert loopback.dashboard("board-0")[0]["panels"][0]["title"] == "Mine"  # type: ignore[index]


def test_only_pushes_the_named_dashboards_and_their_folders(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=4)

    result = push(loopback, catalog, "--only", "board-1")

    assert result.exit_code == 0, result.output
    server = server_of(loopback)
    assert [r.body["dashboard"]["uid"] for r in saves(server)] == ["board-1"]
    assert [r.body["uid"] for r in server.requests("POST", "/api/folders")] == [
        "shop", "shop-business"]


def test_only_with_an_unknown_uid_is_a_usage_error(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    result = push(loopback, make_catalog(loopback), "--only", "board-0,nope")
    assert result.exit_code == 2
    assert "--only: no dashboard 'nope' in the catalog (its dashboards: board-0, board-1)" \
        in result.stderr
    assert server_of(loopback).requests() == []


def test_prune_with_only_is_a_usage_error(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    result = push(loopback, make_catalog(loopback), "--prune", "--only", "board-0")
    assert result.exit_code == 2
    assert "--prune cannot be combined with --only" in result.stderr


def test_retries_500_429_and_a_dropped_connection_then_succeeds(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=2, nested=False)
    server = server_of(loopback)
    server.faults.fail(500, method="POST", path="/api/dashboards/db", uid="board-0", times=2)
    server.faults.rate_limit("1", method="GET", path="/api/dashboards/uid/board-1")
    server.faults.drop(method="GET", path="/api/folders/*")

    started = time.monotonic()
    result = push(loopback, catalog, "--concurrency", "1")

    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 1.0  # Retry-After: 1 was honoured
    assert [r.status for r in saves(server, "board-0")] == [500, 500, 200]
    assert [r.status for r in server.requests("GET", "/api/dashboards/uid/board-1")] == [429, 404]
    assert [r.status for r in server.requests("GET", "/api/folders/shop")] == [0, 404]
    assert loopback.dashboard("board-0") is not None


def test_a_dashboard_failing_for_good_is_listed_while_the_others_are_pushed(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=3, nested=False)
    server = server_of(loopback)
    server.faults.fail(503, method="POST", uid="board-1", times=None)

    result = push(loopback, catalog)

    assert result.exit_code == 1
    assert len(saves(server, "board-1")) == 5  # bounded: 5 attempts, then it gives up
    assert loopback.dashboard("board-0") is not None
    assert loopback.dashboard("board-2") is not None
    assert loopback.dashboard("board-1") is None
    assert ("error[push/failed]: dashboard `board-1`: Grafana did not save the dashboard: "
            "HTTP 503: injected failure (after 5 attempts)") in result.stdout
    assert "✗ 1 failed" in result.stdout


def test_client_errors_other_than_429_are_not_retried(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    server = server_of(loopback)
    server.faults.fail(400, method="POST", uid="board-0", times=None)

    result = push(loopback, catalog)

    assert result.exit_code == 1
    assert len(saves(server, "board-0")) == 1
    assert "HTTP 400: injected failure" in result.stdout


def test_a_slow_grafana_is_retried_after_the_timeout(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    server = server_of(loopback)
    server.faults.delay(1.5, method="GET", path="/api/dashboards/uid/board-0")

    result = push(loopback, catalog, "--timeout", "0.5")

    assert result.exit_code == 0, result.output
    assert len(server.requests("GET", "/api/dashboards/uid/board-0")) == 2


def test_a_save_whose_answer_was_lost_is_not_reported_as_a_conflict(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    """Grafana saved, the answer came too late; the retry gets 412; it was our own save."""
    catalog = make_catalog(loopback, count=1, nested=False)
    push(loopback, catalog)
    catalog.dashboards["board-0"] = ("Board zero", None)
    catalog.write()
    server = server_of(loopback)
    server.faults.delay(1.5, method="POST", uid="board-0", after_processing=True)

    result = push(loopback, catalog, "--timeout", "0.5", "--format", "json")

    assert result.exit_code == 0, result.output
    assert [r.status for r in saves(server, "board-0")][1:] == [200, 412]
    assert server.write_count("board-0") == 2
    assert json.loads(result.stdout)["summary"]["updated"] == 1


def test_provisioned_dashboards_are_conflicts_and_force_reports_grafana_refusing(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    server_of(loopback).seed_dashboard({"uid": "board-0", "title": "From a file"},
                                       provisioned=True)

    result = push(loopback, catalog)
    assert result.exit_code == 1
    assert "it is provisioned from a file in Grafana, which cannot be saved through the API" \
        in result.stdout

    forced = push(loopback, catalog, "--force")
    assert forced.exit_code == 1
    assert ("dashboard `board-0`: Grafana cannot save it through the API: it is provisioned "
            "from a file") in forced.stdout
    assert loopback.dashboard("board-0")[0]["title"] == "From a file"  # type: ignore[index]


def test_a_read_only_token_fails_each_write_with_a_clear_message(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=2, nested=False)

    result = push(loopback, catalog, token="viewer-token")

    assert result.exit_code == 1
    assert "error[push/folder]: folder `shop`: permission denied: the credentials may not " \
           "create the folder (HTTP 403" in result.stdout
    assert result.stdout.count("could not be created") == 2  # both dashboards, not attempted
    assert saves(server_of(loopback)) == []


def test_basic_auth_from_user_and_password(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    monkeypatch.setenv("GRAFANA_USER", "editor")
    monkeypatch.setenv("GRAFANA_PASSWORD", PASSWORD)

    result = push(loopback, catalog, token="")

    assert result.exit_code == 0, result.output
    assert server_of(loopback).requests("POST")[0].identity == "editor"


@pytest.mark.parametrize(("token", "expected"), [
    ("wrong-token", "rejected the token in GRAFANA_TOKEN (HTTP 401: Invalid API key)"),
])
def test_bad_credentials_stop_before_any_change(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run], token: str, expected: str) -> None:
    result = push(loopback, make_catalog(loopback), token=token)
    assert result.exit_code == 1
    assert "error[grafana/unauthorized]" in result.stderr
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2  # the error and its help line
    assert server_of(loopback).writes() == []


def test_a_token_without_read_permission_is_403(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    server_of(loopback).faults.fail(403, path="/api/search")
    result = push(loopback, make_catalog(loopback))
    assert result.exit_code == 1
    assert "error[grafana/forbidden]" in result.stderr
    assert "does not let the token in GRAFANA_TOKEN search dashboards (HTTP 403" in result.stderr


@pytest.mark.parametrize("mode", ["html", "not-found", "other-json"])
def test_a_server_that_is_not_grafana_is_named_as_such(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run], mode: str) -> None:
    server_of(loopback).impersonate(mode)
    result = push(loopback, make_catalog(loopback))
    assert result.exit_code == 1
    assert f"error[grafana/not-grafana]: {loopback.url} does not look like Grafana: " \
           "GET /api/health answered HTTP" in result.stderr


def test_connection_refused(loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
                            push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback)
    server = server_of(loopback)
    url = server.url
    server.stop()

    result = push(loopback, catalog, url=url)

    assert result.exit_code == 1
    host = url.removeprefix("http://")
    assert f"error[grafana/connection-refused]: connection refused by {host} (after 5 attempts)" \
        in result.stderr


def test_dns_failure(loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
                     push: Callable[..., Run]) -> None:
    result = push(loopback, make_catalog(loopback), url="http://grafana.invalid:3000")
    assert result.exit_code == 1
    assert "error[grafana/dns]: cannot resolve the host name 'grafana.invalid'" in result.stderr


@pytest.mark.parametrize(("environment", "flags", "message"), [
    ({"GRAFANA_TOKEN": "t"}, [], "no Grafana URL: pass --grafana-url, set GRAFANA_URL, or set "
                                 "grafana.url in metricsctl.yaml"),
    ({"GRAFANA_URL": "http://127.0.0.1:9"}, [], "no Grafana credentials: set GRAFANA_TOKEN"),
    ({"GRAFANA_URL": "http://127.0.0.1:9", "GRAFANA_USER": "u"}, [],
     "GRAFANA_PASSWORD is not set: basic auth needs both GRAFANA_USER and GRAFANA_PASSWORD"),
    ({"GRAFANA_TOKEN": "t"}, ["--grafana-url", "grafana:3000"],
     "--grafana-url: 'grafana:3000' is not an http:// or https:// URL"),
    ({"GRAFANA_TOKEN": "t"}, ["--grafana-url", "https://admin:hunter2@grafana"],
     "--grafana-url: do not put credentials in the URL"),
    ({"GRAFANA_TOKEN": "t", "GRAFANA_URL": "http://127.0.0.1:9"}, ["--insecure", "--ca-cert",
                                                                   "ca.pem"],
     "--ca-cert and --insecure contradict each other"),
])
def test_missing_or_bad_connection_settings_are_usage_errors(
        cli: Callable[..., Any], loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], flags: list[str],
        message: str) -> None:
    catalog = make_catalog(loopback)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    result = cli("push", catalog.root, *flags)

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[0].startswith(f"error: {message}")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "hunter2" not in result.stderr


def test_the_url_can_come_from_the_environment_or_the_project_file(
        cli: Callable[..., Any], loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    monkeypatch.setenv("GRAFANA_TOKEN", TOKEN)
    monkeypatch.setenv("GRAFANA_URL", loopback.url)
    assert cli("push", catalog.root, "--dry-run").exit_code == 0
    monkeypatch.delenv("GRAFANA_URL")
    catalog.grafana_url = loopback.url + "/"
    catalog.write()
    result = cli("push", catalog.root)
    assert result.exit_code == 0, result.output
    assert f"Grafana 11.5.2 at {loopback.url}\n" in result.stdout


def test_json_output_for_ci(loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
                            push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=2)
    push(loopback, catalog)
    loopback.edit_in_ui("board-1", lambda d: d.update(title="Mine"))

    result = push(loopback, catalog, "--format", "json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert sorted(report) == ["dashboards", "diagnostics", "dry_run", "folders", "grafana", "ok",
                              "summary"]
    assert report["ok"] is False and report["dry_run"] is False
    assert report["summary"] == {"created": 0, "updated": 0, "unchanged": 1, "conflict": 1,
                                 "failed": 0, "pruned": 0}
    assert report["grafana"] == {"url": loopback.url, "version": "11.5.2"}
    conflict = next(d for d in report["dashboards"] if d["uid"] == "board-1")
    assert (conflict["action"], conflict["result"], conflict["folder"]) == (
        "conflict", "conflict", "shop-business")
    (diagnostic,) = report["diagnostics"]
    assert (diagnostic["code"], diagnostic["file"].endswith("app.yaml"), diagnostic["line"]) == (
        "push/conflict", True, 12)
    assert [f["result"] for f in report["folders"]] == ["exists", "exists"]


def test_json_output_when_grafana_cannot_be_reached(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    server_of(loopback).impersonate("html")
    result = push(loopback, make_catalog(loopback), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["diagnostics"][0]["code"] == "grafana/not-grafana"


def test_a_folder_existing_with_another_title_is_a_warning(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    server_of(loopback).seed_folder("shop", "Boutique")
    result = push(loopback, make_catalog(loopback, count=1, nested=False))
    assert result.exit_code == 0, result.output
    assert ("warning[push/folder-mismatch]: folder `shop` exists in Grafana but its title is "
            "'Boutique', the catalog says 'Shop'") in result.stdout


def test_the_default_message_is_the_git_commit(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run], tmp_path: Path) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Add the shop boards"], check=True)
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()

    push(loopback, catalog)

    (save,) = saves(server_of(loopback))
    assert save.body["message"] == f"metricsctl push: {commit} Add the shop boards"


def test_a_long_message_is_cut_to_grafanas_500_bytes(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    result = push(loopback, make_catalog(loopback, count=1, nested=False), "--message", "é" * 400)
    assert result.exit_code == 0, result.output
    (save,) = saves(server_of(loopback))
    assert len(save.body["message"].encode("utf-8")) <= 500
    assert save.body["message"].endswith("…")


def test_many_dashboards_in_parallel(loopback: GrafanaTarget,
                                     make_catalog: Callable[..., Catalog],
                                     push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=24)
    result = push(loopback, catalog, "--concurrency", "8")
    assert result.exit_code == 0, result.output
    assert len(saves(server_of(loopback))) == 24
    assert "plan: 24 unchanged" in push(loopback, catalog, "--concurrency", "8").stdout


# -- TLS --------------------------------------------------------------------------------------

@pytest.fixture
def https_grafana(tmp_path: Path) -> Iterator[tuple[GrafanaTarget, Path]]:
    pki = make_pki(tmp_path / "pki")
    with loopback_target(TOKEN, tls=pki.server, ca_certificate=pki.ca_certificate) as grafana:
        yield grafana, pki.ca_certificate


def test_tls_is_verified_by_default(https_grafana: tuple[GrafanaTarget, Path],
                                    make_catalog: Callable[..., Catalog],
                                    push: Callable[..., Run]) -> None:
    grafana, _ = https_grafana
    result = push(grafana, make_catalog(grafana))
    assert result.exit_code == 1
    assert "error[grafana/tls]: TLS with 127.0.0.1" in result.stderr
    assert "certificate verify failed: unable to get local issuer certificate" in result.stderr
    assert "help: pass --ca-cert" in result.stderr
    assert server_of(grafana).requests() == []


def test_ca_cert_makes_the_internal_ca_trusted(https_grafana: tuple[GrafanaTarget, Path],
                                               make_catalog: Callable[..., Catalog],
                                               push: Callable[..., Run]) -> None:
    grafana, ca = https_grafana
    result = push(grafana, make_catalog(grafana), "--ca-cert", str(ca))
    assert result.exit_code == 0, result.output
    assert grafana.dashboard("board-0") is not None


def test_insecure_skips_verification(https_grafana: tuple[GrafanaTarget, Path],
                                     make_catalog: Callable[..., Catalog],
                                     push: Callable[..., Run]) -> None:
    grafana, _ = https_grafana
    result = push(grafana, make_catalog(grafana), "--insecure")
    assert result.exit_code == 0, result.output
    assert result.stderr == ("warning: --insecure: Grafana's TLS certificate is not verified\n")


# -- as a real process ------------------------------------------------------------------------

def test_as_a_process_no_progress_bar_without_a_terminal(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog]) -> None:
    catalog = make_catalog(loopback, count=8)
    result = run_metricsctl("push", catalog.root, "--grafana-url", loopback.url,
                            env={"GRAFANA_TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert_no_secret(result.stdout, "stdout")


def test_a_progress_bar_shows_on_a_terminal(loopback: GrafanaTarget,
                                           make_catalog: Callable[..., Catalog]) -> None:
    catalog = make_catalog(loopback, count=8)
    server_of(loopback).faults.delay(0.05, method="POST", times=None)
    code, terminal, stdout = run_on_a_terminal(
        "push", str(catalog.root), "--grafana-url", loopback.url, "--concurrency", "1",
        env={"GRAFANA_TOKEN": TOKEN, "COLUMNS": "120"})
    assert code == 0
    assert b"pushing" in terminal and b"/8" in terminal
    assert TOKEN.encode() not in terminal and TOKEN.encode() not in stdout


# -- moves ------------------------------------------------------------------------------------

def test_moves_between_folders_and_to_the_root_are_planned_and_pushed(
        target: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(target, count=3)  # board-0, board-2 in shop; board-1 in shop-business
    push(target, catalog)
    top, child = catalog.uid("shop"), catalog.uid("shop-business")
    to_child, to_root = catalog.uid("board-0"), catalog.uid("board-1")
    catalog.dashboards[to_child] = ("Board 0", child)
    catalog.dashboards[to_root] = ("Board 1", None)
    catalog.write()

    planned = push(target, catalog, "--dry-run")

    assert "plan: 2 to update, 1 unchanged" in planned.stdout
    assert (f"~ update    {to_child}  'Board 0': moves from folder '{top}' to folder "
            f"'{child}'") in planned.stdout
    assert (f"~ update    {to_root}  'Board 1': moves from folder '{child}' to the root folder "
            "(General)") in planned.stdout
    assert push(target, catalog).exit_code == 0
    moved, rooted = target.dashboard(to_child), target.dashboard(to_root)
    assert moved is not None and moved[1]["folderUid"] == child
    assert rooted is not None and rooted[1]["folderUid"] == ""
    assert "plan: 3 unchanged" in push(target, catalog).stdout


# -- trust under faults: nothing lost, clobbered or leaked (issue 9) --------------------------

def test_a_login_page_answering_the_saves_fails_the_push_and_claims_nothing(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=2, nested=False)
    server_of(loopback).faults.login_page(method="POST", path="/api/dashboards/db", times=None)

    result = push(loopback, catalog, "--format", "json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["ok"], report["summary"]["created"], report["summary"]["failed"]) == (
        False, 0, 2)
    assert {d["result"] for d in report["dashboards"]} == {"failed"}
    assert report["dashboards"][0]["message"].startswith(
        "the answer to the save is not Grafana's (HTTP 200, text/html: '<!doctype html>")
    assert loopback.dashboard("board-0") is None and loopback.dashboard("board-1") is None


def test_a_cut_answer_to_a_save_is_a_failure_and_the_next_push_finds_out(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    server_of(loopback).faults.answer(200, b'{"id":1,"uid":"board-0","status":"succ',
                                      "application/json", method="POST",
                                      path="/api/dashboards/db", after_processing=True)

    result = push(loopback, catalog)

    assert result.exit_code == 1
    assert ("dashboard `board-0`: the answer to the save is not Grafana's (HTTP 200, a body "
            "that is not JSON") in result.stdout
    assert "✗ 1 failed" in result.stdout
    # Grafana had saved it: the next push sees exactly our dashboard and leaves it.
    again = push(loopback, catalog)
    assert again.exit_code == 0 and "plan: 1 unchanged" in again.stdout


def test_a_dripping_server_cannot_hold_push_past_its_announced_bound(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    """One byte every 0.5 s answers every read in time; --timeout bounds the whole request,
    so push ends within attempts x timeout + backoff, not after minutes."""
    catalog = make_catalog(loopback, count=1, nested=False)
    server_of(loopback).faults.drip(0.5, times=None)
    policy = RetryPolicy()

    started = time.monotonic()
    result = push(loopback, catalog, "--timeout", "0.5")
    elapsed = time.monotonic() - started

    assert result.exit_code == 1
    port = server_of(loopback).port
    assert (f"error[grafana/timeout]: 127.0.0.1:{port} did not answer within 0.5 s (after 5 "
            "attempts)") in result.stderr
    assert elapsed < policy.attempts * 0.5 + policy.longest_backoff() + 2.0  # + start-up
    assert elapsed < policy.longest_request(0.5)


def test_a_save_dripping_its_answer_fails_in_bounded_time_and_others_go_on(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=2, nested=False)
    server_of(loopback).faults.drip(0.5, method="POST", uid="board-0", times=None)
    started = time.monotonic()
    result = push(loopback, catalog, "--timeout", "0.4", "--format", "json")
    assert time.monotonic() - started < 5 * 0.4 + RetryPolicy().longest_backoff() + 2.0
    results = {d["uid"]: d["result"] for d in json.loads(result.stdout)["dashboards"]}
    assert results == {"board-0": "failed", "board-1": "created"}
    assert result.exit_code == 1


@pytest.mark.parametrize("force", [False, True])
def test_prune_keeps_a_dashboard_saved_between_the_plan_and_the_delete(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run], force: bool) -> None:
    catalog = make_catalog(loopback, count=2, nested=False)
    push(loopback, catalog)
    del catalog.dashboards["board-1"]
    catalog.write()
    server = server_of(loopback)
    # Right after the plan read it, someone saves it in Grafana.
    server.faults.hook(lambda: server.edit_in_ui("board-1", lambda d: d.update(description="x"),
                                                 actor="carol"),
                       method="GET", path="/api/dashboards/uid/board-1", skip=1)

    result = push(loopback, catalog, "--prune", *(["--force"] if force else []))

    assert result.exit_code == 1
    assert ("dashboard `board-1`: no longer in the catalog, but not deleted: it was saved in "
            "Grafana by carol after the plan (version 1 then, 2 now)") in result.stdout
    assert loopback.dashboard("board-1") is not None
    assert server.requests("DELETE") == []


def test_another_projects_dashboard_with_the_same_uid_is_a_conflict_unless_forced(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    theirs = make_catalog(loopback, count=1, project="team-b", nested=False, name="theirs")
    theirs.dashboards["board-0"] = ("Team B's board", "shop")
    theirs.write()
    assert push(loopback, theirs).exit_code == 0
    ours = make_catalog(loopback, count=1, project="team-a", nested=False)

    result = push(loopback, ours)

    assert result.exit_code == 1
    assert ("error[push/conflict]: dashboard `board-0`: it belongs to another metricsctl "
            "project (tagged metricsctl:team-b; version 1") in result.stdout
    kept = loopback.dashboard("board-0")
    assert kept is not None and kept[0]["title"] == "Team B's board"
    assert push(loopback, theirs, "--prune").exit_code == 0  # still theirs, untouched

    forced = push(loopback, ours, "--force")
    assert forced.exit_code == 0, forced.output
    assert "overwrites: it belongs to another metricsctl project" in forced.stdout
    taken = loopback.dashboard("board-0")
    assert taken is not None and "metricsctl:team-a" in taken[0]["tags"]
    assert "metricsctl:team-b" not in taken[0]["tags"]


def test_a_catalog_cannot_claim_another_projects_tag(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    app = catalog.root / "app.yaml"
    board = '    title: "Board 0"\n'
    app.write_text(app.read_text().replace(board, board + "    tags: [metricsctl:team-b]\n"))
    result = push(loopback, catalog)
    assert result.exit_code == 1
    assert "catalog/reserved-tag" in result.output
    assert server_of(loopback).requests() == []


def test_dry_run_with_a_viewer_token_says_the_push_would_fail(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=2)

    result = push(loopback, catalog, "--dry-run", token="viewer-token")

    assert result.exit_code == 1
    assert ("error[push/permission]: folder `shop`: would fail: the token in GRAFANA_TOKEN "
            "cannot create folders (its permissions lack folders:create)") in result.stdout
    assert ("error[push/permission]: dashboard `board-0`: would fail: its folder 'shop' is "
            "created by this push: the token in GRAFANA_TOKEN cannot create folders") \
        in result.stdout
    assert "✗ the push would fail: 4 writes the credentials may not make" in result.stdout
    assert "would succeed" not in result.stdout
    assert server_of(loopback).writes() == []


def test_dry_run_names_the_folder_the_token_cannot_save_to(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=2, nested=False)
    push(loopback, catalog)
    catalog.dashboards["board-0"] = ("Board zero", "shop")
    catalog.write()
    server = server_of(loopback)
    server.tokens["editor-token"] = "Editor"
    server.state.read_only_folders.add("shop")  # folder permissions: Editors may only view

    result = push(loopback, catalog, "--dry-run", "--format", "json", token="editor-token")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["dry_run"], report["ok"]) == (True, False)
    assert [(d["uid"], d["action"], d["access"]) for d in report["dashboards"]] == [
        ("board-0", "update", "denied"), ("board-1", "unchanged", None)]
    (diagnostic,) = report["diagnostics"]
    assert diagnostic["message"] == ("dashboard `board-0`: would fail: the token in "
                                     "GRAFANA_TOKEN cannot save it (Grafana reports canSave: "
                                     "false)")
    real = push(loopback, catalog, token="editor-token")
    assert real.exit_code == 1 and "permission denied" in real.stdout  # as the dry run said


def test_dry_run_with_write_access_says_the_push_would_succeed(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    result = push(loopback, make_catalog(loopback, count=2), "--dry-run", "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["dry_run"] is True and report["ok"] is True
    assert {d["access"] for d in report["dashboards"]} == {"granted"}
    assert [f["access"] for f in report["folders"]] == ["granted", "granted"]
    text = push(loopback, make_catalog(loopback, count=2), "--dry-run")
    assert "✓ the push would succeed" in text.stdout


def test_json_says_dry_run_even_when_grafana_cannot_be_reached(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    server_of(loopback).impersonate("html")
    for flags, expected in ((["--dry-run"], True), ([], False)):
        result = push(loopback, make_catalog(loopback), "--format", "json", *flags)
        assert result.exit_code == 1
        assert json.loads(result.stdout)["dry_run"] is expected


def test_error_bodies_echoing_the_token_never_show_it(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    server_of(loopback).faults.echo_headers(400, method="POST", times=None)
    for output_format in ("text", "json"):
        result = push(loopback, catalog, "--format", output_format)
        assert result.exit_code == 1
        assert "Authorization: Bearer ***" in result.stdout
        assert "glsa_" not in result.output  # not even the start of it


def test_error_bodies_echoing_basic_auth_never_show_the_password(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    monkeypatch.setenv("GRAFANA_USER", "editor")
    monkeypatch.setenv("GRAFANA_PASSWORD", PASSWORD)
    server_of(loopback).faults.echo_headers(502, path="/api/search", times=None)

    result = push(loopback, catalog, token="")

    assert result.exit_code == 1
    header = base64.b64encode(f"editor:{PASSWORD}".encode()).decode()
    assert header not in result.output and header.rstrip("=") not in result.output
    assert "Authorization: Basic ***" in result.stderr


def test_a_token_with_a_non_latin1_character_is_a_usage_error(
        loopback: GrafanaTarget, make_catalog: Callable[..., Catalog],
        push: Callable[..., Run]) -> None:
    pasted = "glsa_“pasted-with-quotes”"
    result = push(loopback, make_catalog(loopback), token=pasted)
    assert result.exit_code == 2
    assert result.stderr == ("error: GRAFANA_TOKEN cannot be sent to Grafana: it contains a "
                             "character outside Latin-1 at position 6 (a typographic quote or "
                             "dash pasted with it?)\n")
    assert pasted not in result.output
    assert server_of(loopback).requests() == []


def test_waiting_for_a_port_that_never_answers_is_visible_on_a_terminal(
        make_catalog: Callable[..., Catalog], loopback: GrafanaTarget) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    with silent_url() as url:
        code, terminal, stdout = run_on_a_terminal(
            "push", str(catalog.root), "--grafana-url", url, "--timeout", "0.3",
            env={"GRAFANA_TOKEN": TOKEN, "NO_COLOR": "1"})
    shown = terminal_text(terminal)
    assert code == 1
    host = url.removeprefix("http://")
    for attempt in range(1, 5):
        assert (f"GET {url}/api/health: {host} did not answer within 0.3 s; attempt {attempt} "
                "of 5 failed, next try in ") in shown
    assert f"error[grafana/timeout]: {host} did not answer within 0.3 s (after 5 attempts)" \
        in shown
    assert TOKEN not in shown and TOKEN.encode() not in stdout


def test_quiet_silences_the_waiting_but_not_the_error(
        make_catalog: Callable[..., Catalog], loopback: GrafanaTarget) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    with silent_url() as url:
        code, terminal, _ = run_on_a_terminal(
            "push", str(catalog.root), "--grafana-url", url, "--timeout", "0.3", "--quiet",
            env={"GRAFANA_TOKEN": TOKEN, "NO_COLOR": "1"})
    shown = terminal_text(terminal)
    assert code == 1
    assert "attempt 1 of 5" not in shown and "next try" not in shown
    assert "error[grafana/timeout]" in shown


def test_waiting_is_not_printed_when_stderr_is_not_a_terminal(
        make_catalog: Callable[..., Catalog], loopback: GrafanaTarget) -> None:
    catalog = make_catalog(loopback, count=1, nested=False)
    with silent_url() as url:
        result = run_metricsctl("push", catalog.root, "--grafana-url", url, "--timeout", "0.2",
                                env={"GRAFANA_TOKEN": TOKEN})
    assert result.returncode == 1
    assert "next try" not in result.stderr
    assert result.stderr.startswith("error[grafana/timeout]")


# -- the fault matrix: every fault at every request, nothing lost, clobbered or leaked --------

@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same retries with short waits: the matrix tests outcomes, not backoff timing."""
    import metricsctl.grafana.client as client_module

    monkeypatch.setattr(client_module, "RetryPolicy",
                        partial(RetryPolicy, base_delay=0.01, max_delay=0.05))


@pytest.mark.parametrize("case", fault_cases(), ids=lambda case: case.name)
def test_no_fault_loses_clobbers_or_leaks(
        case: FaultCase, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path, fast_retries: None) -> None:
    def run_push(root: Path, url: str, flags: list[str]) -> tuple[int, str]:
        monkeypatch.setenv("GRAFANA_TOKEN", MATRIX_TOKEN)
        result = cli("push", root, "--grafana-url", url, *flags)
        assert "Traceback" not in result.stdout + result.stderr
        assert MATRIX_TOKEN not in result.stdout + result.stderr
        return result.exit_code, result.stdout

    outcome = run_case(case, tmp_path, run_push)

    assert (outcome.lost, outcome.clobbered, outcome.false_claims, outcome.not_converged,
            outcome.leaked) == ([], [], [], [], False)
