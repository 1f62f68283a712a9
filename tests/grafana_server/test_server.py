"""The loopback Grafana answers like Grafana 11 (shared/reference/grafana-http-api.md)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.grafana_server import GRAFANA_VERSION, GrafanaServer
from tests.grafana_server.certificates import make_pki

ADMIN = "admin-token"
VIEWER = "viewer-token"


@pytest.fixture
def grafana() -> Iterator[GrafanaServer]:
    with GrafanaServer(tokens={ADMIN: "Admin", VIEWER: "Viewer"},
                       users={"bob": ("s3cret", "Editor")}) as server:
        yield server


class Api:
    """A minimal client for poking at the server (the real client is metricsctl's)."""

    def __init__(self, url: str, token: str | None = ADMIN) -> None:
        self.url = url
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.url + path, params=params, timeout=5)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.session.post(self.url + path, json=body, timeout=5)

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(self.url + path, timeout=5)

    def save(self, dashboard: dict[str, Any], **fields: Any) -> requests.Response:
        return self.post("/api/dashboards/db", {"dashboard": dashboard, **fields})


@pytest.fixture
def api(grafana: GrafanaServer) -> Api:
    return Api(grafana.url)


def board(uid: str = "a", title: str = "A", **fields: Any) -> dict[str, Any]:
    return {"uid": uid, "title": title, "id": None, **fields}


# -- health and auth --------------------------------------------------------------------------

def test_health_needs_no_credentials(grafana: GrafanaServer) -> None:
    response = requests.get(grafana.url + "/api/health", timeout=5)
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["version"] == GRAFANA_VERSION


@pytest.mark.parametrize(("token", "message"), [(None, "Unauthorized"),
                                                ("wrong", "Invalid API key")])
def test_api_calls_without_valid_credentials_are_401(grafana: GrafanaServer, token: str | None,
                                                     message: str) -> None:
    response = Api(grafana.url, token).get("/api/search")
    assert response.status_code == 401
    assert response.json()["message"] == message


def test_basic_auth_works_and_a_wrong_password_is_401(grafana: GrafanaServer) -> None:
    ok = requests.get(grafana.url + "/api/search", auth=("bob", "s3cret"), timeout=5)
    wrong = requests.get(grafana.url + "/api/search", auth=("bob", "nope"), timeout=5)
    assert ok.status_code == 200
    assert (wrong.status_code, wrong.json()["message"]) == (401, "Invalid username or password")


def test_a_viewer_token_reads_but_cannot_write(grafana: GrafanaServer) -> None:
    viewer = Api(grafana.url, VIEWER)
    assert viewer.get("/api/search").status_code == 200
    denied = viewer.save(board())
    assert denied.status_code == 403
    assert "dashboards:create" in denied.json()["message"]
    assert viewer.post("/api/folders", {"uid": "f", "title": "F"}).status_code == 403


def test_the_request_log_never_keeps_the_credentials(grafana: GrafanaServer, api: Api) -> None:
    api.get("/api/search", tag="x")
    (record,) = grafana.requests("GET", "/api/search")
    assert record.identity == "service-account"
    assert record.query == {"tag": ["x"]}
    assert "authorization" not in record.headers
    assert ADMIN not in repr(record)


# -- dashboards -------------------------------------------------------------------------------

def test_creating_a_dashboard_starts_at_version_1(api: Api) -> None:
    response = api.save(board(title="Shop Overview"), message="first")
    assert response.status_code == 200
    body = response.json()
    assert body == {"id": body["id"], "uid": "a", "status": "success", "version": 1,
                    "url": "/d/a/shop-overview", "slug": "shop-overview", "folderUid": ""}


def test_get_by_uid_returns_the_dashboard_and_its_meta(grafana: GrafanaServer, api: Api) -> None:
    grafana.seed_folder("f", "Shop")
    api.save(board(tags=["x"]), folderUid="f")
    body = api.get("/api/dashboards/uid/a").json()
    assert body["dashboard"]["version"] == 1 and body["dashboard"]["uid"] == "a"
    meta = body["meta"]
    assert (meta["folderUid"], meta["folderTitle"], meta["provisioned"], meta["canSave"],
            meta["version"]) == ("f", "Shop", False, True, 1)
    assert meta["created"] and meta["updated"]


def test_get_and_delete_of_an_unknown_uid_are_404(api: Api) -> None:
    assert api.get("/api/dashboards/uid/nope").status_code == 404
    assert api.delete("/api/dashboards/uid/nope").status_code == 404


def test_a_dashboard_in_the_root_folder_reports_general(api: Api) -> None:
    api.save(board())
    meta = api.get("/api/dashboards/uid/a").json()["meta"]
    assert (meta["folderUid"], meta["folderTitle"]) == ("", "General")


def test_an_update_must_send_the_stored_version(grafana: GrafanaServer, api: Api) -> None:
    api.save(board())
    stale = api.save(board(title="B", version=0))
    assert stale.status_code == 412
    assert stale.json() == {"status": "version-mismatch",
                            "message": "The dashboard has been changed by someone else"}
    current = api.save(board(title="B", version=1))
    assert (current.status_code, current.json()["version"]) == (200, 2)
    assert grafana.write_count("a") == 2


def test_overwrite_saves_whatever_the_version(api: Api) -> None:
    api.save(board())
    api.save(board(version=1))
    forced = api.save(board(title="Forced", version=0), overwrite=True)
    assert (forced.status_code, forced.json()["version"]) == (200, 3)


def test_an_update_without_folder_uid_moves_the_dashboard_to_the_root(
        grafana: GrafanaServer, api: Api) -> None:
    grafana.seed_folder("f", "F")
    api.save(board(), folderUid="f")
    api.save(board(version=1))
    assert api.get("/api/dashboards/uid/a").json()["meta"]["folderUid"] == ""


def test_saving_into_a_missing_folder_is_400(api: Api) -> None:
    response = api.save(board(), folderUid="missing")
    assert (response.status_code, response.json()["message"]) == (400, "folder not found")


def test_provisioned_dashboards_cannot_be_saved_or_deleted(grafana: GrafanaServer,
                                                           api: Api) -> None:
    grafana.seed_dashboard(board(), provisioned=True)
    assert api.get("/api/dashboards/uid/a").json()["meta"]["provisioned"] is True
    saved = api.save(board(version=1), overwrite=True)
    assert (saved.status_code, saved.json()["message"]) == (
        400, "Cannot save provisioned dashboard")
    deleted = api.delete("/api/dashboards/uid/a")
    assert (deleted.status_code, deleted.json()["message"]) == (
        400, "provisioned dashboard cannot be deleted")


def test_plugin_dashboards_are_only_saved_with_overwrite(grafana: GrafanaServer, api: Api) -> None:
    grafana.seed_dashboard(board(), plugin_id="grafana-k8s-app")
    refused = api.save(board(version=1))
    assert refused.status_code == 412
    assert refused.json() == {"status": "plugin-dashboard",
                              "message": "The dashboard belongs to plugin grafana-k8s-app."}
    assert api.save(board(version=1), overwrite=True).status_code == 200


@pytest.mark.parametrize(("dashboard", "fields", "message"), [
    (board(title="  "), {}, "Dashboard title cannot be empty"),
    (board(uid="a/b"), {}, "uid contains illegal characters"),
    (board(uid="x" * 41), {}, "uid too long, max 40 characters"),
    (board(tags=["t" * 51]), {}, "dashboard tag too long, max 50 characters"),
    (board(), {"message": "é" * 251}, "message too long, max 500 characters"),
])
def test_invalid_saves_are_400(api: Api, dashboard: dict[str, Any], fields: dict[str, Any],
                               message: str) -> None:
    response = api.save(dashboard, **fields)
    assert (response.status_code, response.json()["message"]) == (400, message)


def test_a_message_of_exactly_500_bytes_is_accepted(api: Api) -> None:
    assert api.save(board(), message="m" * 500).status_code == 200


def test_malformed_json_is_400(grafana: GrafanaServer) -> None:
    response = requests.post(grafana.url + "/api/dashboards/db", data=b"{not json",
                             headers={"Authorization": f"Bearer {ADMIN}"}, timeout=5)
    assert (response.status_code, response.json()["message"]) == (400, "bad request data")


def test_delete_removes_the_dashboard(api: Api) -> None:
    api.save(board(title="Gone"))
    response = api.delete("/api/dashboards/uid/a")
    assert response.json()["message"] == "Dashboard Gone deleted"
    assert api.get("/api/dashboards/uid/a").status_code == 404


def test_version_history_keeps_each_save_and_its_message(grafana: GrafanaServer, api: Api) -> None:
    api.save(board(), message="one")
    grafana.edit_in_ui("a", lambda d: d.update(title="Edited"))
    assert [(v.version, v.message, v.created_by) for v in grafana.versions("a")] == [
        (1, "one", "service-account"), (2, "edited in the UI", "alice")]
    assert grafana.dashboard("a") is not None
    assert grafana.dashboard("a")["title"] == "Edited"  # type: ignore[index]


# -- folders ----------------------------------------------------------------------------------

def test_nested_folders_report_their_parents(api: Api) -> None:
    assert api.post("/api/folders", {"uid": "top", "title": "Top"}).status_code == 200
    child = api.post("/api/folders", {"uid": "child", "title": "Child", "parentUid": "top"})
    assert child.status_code == 200
    body = api.get("/api/folders/child").json()
    assert body["parentUid"] == "top"
    assert [parent["uid"] for parent in body["parents"]] == ["top"]
    assert "parentUid" not in api.get("/api/folders/top").json()


def test_listing_folders_shows_only_immediate_children(api: Api) -> None:
    api.post("/api/folders", {"uid": "top", "title": "Top"})
    api.post("/api/folders", {"uid": "child", "title": "Child", "parentUid": "top"})
    assert [f["uid"] for f in api.get("/api/folders").json()] == ["top"]
    assert [f["uid"] for f in api.get("/api/folders", parentUid="top").json()] == ["child"]


def test_creating_an_existing_folder_uid_is_409(api: Api) -> None:
    api.post("/api/folders", {"uid": "f", "title": "F"})
    again = api.post("/api/folders", {"uid": "f", "title": "Other"})
    assert again.status_code == 409


def test_a_folder_under_a_missing_parent_is_refused(api: Api) -> None:
    response = api.post("/api/folders", {"uid": "c", "title": "C", "parentUid": "nope"})
    assert response.status_code == 400
    assert api.get("/api/folders/c").status_code == 404


def test_unknown_folder_is_404(api: Api) -> None:
    assert api.get("/api/folders/nope").status_code == 404


# -- search -----------------------------------------------------------------------------------

def test_search_ands_tags_and_filters_by_type_folder_and_uid(grafana: GrafanaServer,
                                                            api: Api) -> None:
    grafana.seed_folder("f", "Folder")
    api.save(board("a", "Alpha", tags=["metricsctl", "metricsctl:shop"]), folderUid="f")
    api.save(board("b", "Beta", tags=["metricsctl", "metricsctl:other"]))
    api.save(board("c", "Gamma", tags=["metricsctl:shop"]))

    def uids(**params: Any) -> list[str]:
        return [hit["uid"] for hit in api.get("/api/search", **params).json()]

    assert uids(tag=["metricsctl", "metricsctl:shop"]) == ["a"]
    assert uids(tag="metricsctl") == ["a", "b"]
    assert uids() == ["f", "a", "b", "c"]  # folders first, then by title
    assert uids(type="dash-db") == ["a", "b", "c"]
    assert uids(type="dash-folder") == ["f"]
    assert uids(folderUIDs="f") == ["a"]
    assert uids(folderUIDs="general", type="dash-db") == ["b", "c"]
    assert uids(dashboardUIDs=["b", "c"]) == ["b", "c"]
    assert uids(query="alp") == ["a"]
    hit = api.get("/api/search", dashboardUIDs="a").json()[0]
    assert (hit["type"], hit["folderUid"], hit["url"], hit["tags"]) == (
        "dash-db", "f", "/d/a/alpha", ["metricsctl", "metricsctl:shop"])


def test_search_paginates_with_limit_and_page(grafana: GrafanaServer, api: Api) -> None:
    for n in range(7):
        grafana.seed_dashboard(board(f"d{n}", f"Dash {n}", tags=["t"]))
    pages = [[hit["uid"] for hit in api.get("/api/search", tag="t", limit=3, page=p).json()]
             for p in (1, 2, 3, 4)]
    assert pages == [["d0", "d1", "d2"], ["d3", "d4", "d5"], ["d6"], []]


def test_search_limit_defaults_to_1000_and_caps_at_5000(grafana: GrafanaServer, api: Api) -> None:
    for n in range(1001):
        grafana.seed_dashboard(board(f"d{n:04d}", f"D {n:04d}"))
    assert len(api.get("/api/search", limit="nonsense").json()) == 1000
    assert len(api.get("/api/search", limit=9999).json()) == 1001


def test_unknown_api_paths_are_404(api: Api) -> None:
    assert api.get("/api/nothing-here").status_code == 404


# -- fault injection --------------------------------------------------------------------------

def test_injected_status_fires_the_given_number_of_times(grafana: GrafanaServer, api: Api) -> None:
    grafana.faults.fail(503, method="GET", path="/api/search", times=2)
    assert [api.get("/api/search").status_code for _ in range(3)] == [503, 503, 200]


def test_faults_can_target_one_dashboard_uid(grafana: GrafanaServer, api: Api) -> None:
    grafana.faults.fail(500, method="POST", uid="b", times=None)
    assert api.save(board("a")).status_code == 200
    assert api.save(board("b")).status_code == 500
    assert api.save(board("b")).status_code == 500


def test_rate_limit_sends_retry_after(grafana: GrafanaServer, api: Api) -> None:
    grafana.faults.rate_limit("7", path="/api/search")
    response = api.get("/api/search")
    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")


def test_delay_slows_the_response(grafana: GrafanaServer, api: Api) -> None:
    grafana.faults.delay(0.3, path="/api/search")
    started = time.monotonic()
    assert api.get("/api/search").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_drop_closes_the_connection_without_a_response(grafana: GrafanaServer, api: Api) -> None:
    grafana.faults.drop(path="/api/search")
    with pytest.raises(requests.ConnectionError):
        api.get("/api/search")
    assert grafana.requests("GET", "/api/search")[0].status == 0
    assert api.get("/api/search").status_code == 200


@pytest.mark.parametrize(("mode", "status", "content_type"), [
    ("html", 200, "text/html"), ("not-found", 404, "text/plain"),
    ("other-json", 200, "application/json")])
def test_impersonation_modes_stop_looking_like_grafana(grafana: GrafanaServer, mode: str,
                                                       status: int, content_type: str) -> None:
    grafana.impersonate(mode)
    response = requests.get(grafana.url + "/api/health", timeout=5)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith(content_type)
    assert "version" not in response.text


def test_writes_lists_only_changing_requests(grafana: GrafanaServer, api: Api) -> None:
    api.get("/api/search")
    api.save(board())
    api.delete("/api/dashboards/uid/a")
    assert [(r.method, r.path) for r in grafana.writes()] == [
        ("POST", "/api/dashboards/db"), ("DELETE", "/api/dashboards/uid/a")]


def test_an_encoded_slash_stays_inside_the_uid(grafana: GrafanaServer, api: Api) -> None:
    grafana.seed_dashboard(board("../../etc", "Hostile"))
    response = api.get("/api/dashboards/uid/..%2F..%2Fetc")
    assert response.status_code == 200
    assert response.json()["dashboard"]["uid"] == "../../etc"


def test_https_serves_with_the_test_certificate(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    with GrafanaServer(tokens={ADMIN: "Admin"}, tls=pki.server) as grafana:
        assert grafana.url.startswith("https://127.0.0.1:")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(grafana.url + "/api/health", timeout=5)
        trusted = requests.get(grafana.url + "/api/health", timeout=5,
                               verify=str(pki.ca_certificate))
        assert trusted.json()["version"] == GRAFANA_VERSION


def test_the_server_releases_its_port_when_stopped() -> None:
    server = GrafanaServer().start()
    port = server.port
    server.stop()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


# -- permissions as Grafana reports them ------------------------------------------------------

def test_can_save_follows_the_role_and_folder_permissions(grafana: GrafanaServer,
                                                          api: Api) -> None:
    grafana.seed_folder("ops", "Ops")
    api.save(board(), folderUid="ops")
    grafana.tokens["editor"] = "Editor"
    editor, viewer = Api(grafana.url, "editor"), Api(grafana.url, VIEWER)

    def flags(client: Api) -> tuple[bool, bool]:
        meta = client.get("/api/dashboards/uid/a").json()["meta"]
        folder = client.get("/api/folders/ops").json()
        return meta["canSave"], folder["canSave"]

    assert (flags(api), flags(editor), flags(viewer)) == ((True, True), (True, True),
                                                          (False, False))
    grafana.state.read_only_folders.add("ops")
    assert (flags(api), flags(editor)) == ((True, True), (False, False))
    assert editor.save(board(title="B"), folderUid="ops", overwrite=True).status_code == 403
    assert editor.delete("/api/dashboards/uid/a").status_code == 403


def test_user_actions_list_what_the_caller_may_do(grafana: GrafanaServer, api: Api) -> None:
    path = "/api/access-control/user/actions"
    assert {"dashboards:create", "folders:create"} <= set(api.get(path).json())
    assert Api(grafana.url, VIEWER).get(path).json() == {"dashboards:read": True,
                                                         "folders:read": True}
    grafana.state.read_only_folders.add(None)  # the General folder: Editors may only view
    grafana.tokens["editor"] = "Editor"
    assert "dashboards:create" not in Api(grafana.url, "editor").get(path).json()


# -- fault kinds added for issue 9 ------------------------------------------------------------

def test_a_login_page_and_a_cut_body_replace_the_answer(grafana: GrafanaServer,
                                                        api: Api) -> None:
    grafana.faults.login_page(path="/api/search")
    page = api.get("/api/search")
    assert (page.status_code, page.headers["content-type"]) == (200, "text/html; charset=utf-8")
    grafana.faults.answer(200, b'{"status":"succ', "application/json", path="/api/search",
                          declared_length=100)
    with pytest.raises(requests.exceptions.RequestException):
        api.get("/api/search")


def test_after_processing_the_work_is_done_whatever_the_answer(grafana: GrafanaServer,
                                                              api: Api) -> None:
    grafana.faults.login_page(method="POST", after_processing=True)
    assert api.save(board()).headers["content-type"].startswith("text/html")
    assert grafana.dashboard("a") is not None


def test_echo_repeats_the_request_headers(grafana: GrafanaServer, api: Api) -> None:
    grafana.faults.echo_headers(400, path="/api/search")
    answer = api.get("/api/search")
    assert answer.status_code == 400
    assert f"Authorization: Bearer {ADMIN}" in answer.json()["message"]


def test_drip_sends_the_whole_answer_one_byte_at_a_time(grafana: GrafanaServer) -> None:
    grafana.faults.drip(0.01, path="/api/health")
    started = time.monotonic()
    answer = requests.get(grafana.url + "/api/health", timeout=5)
    assert answer.status_code == 200 and answer.json()["database"] == "ok"
    assert time.monotonic() - started > 0.01 * 100  # status line, headers and body


def test_a_hook_runs_after_the_requests_it_lets_through(grafana: GrafanaServer,
                                                        api: Api) -> None:
    api.save(board())
    seen: list[int] = []
    grafana.faults.hook(lambda: seen.append(len(grafana.requests())), method="GET",
                        path="/api/dashboards/uid/a", skip=1)
    api.get("/api/dashboards/uid/a")
    api.get("/api/dashboards/uid/a")
    api.get("/api/dashboards/uid/a")
    assert seen == [3]  # fired once, on the second read (the save was the first request)
