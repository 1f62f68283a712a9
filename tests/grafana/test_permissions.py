"""Before a dry run says "would succeed": may the credentials make every write of the plan?"""

from __future__ import annotations

from typing import Any

from metricsctl.grafana.client import GrafanaClient
from metricsctl.grafana.normalize import with_marker
from metricsctl.grafana.permissions import ACTIONS_PATH, Access, check_write_access
from metricsctl.grafana.plan import DesiredDashboard, FolderSpec, PushRequest, make_plan
from tests.grafana.conftest import VIEWER_TOKEN, MakeClient
from tests.grafana_server import GrafanaServer

WHO = "the token in GRAFANA_TOKEN"


def board(uid: str, title: str = "T") -> dict[str, Any]:
    return {"uid": uid, "title": title, "tags": ["metricsctl", "metricsctl:p"]}


def request() -> PushRequest:
    """`new` in the folder the push creates, `root` at the top, `kept` in folder `ops`."""
    return PushRequest("p", (DesiredDashboard("new", "T", "team", board("new")),
                             DesiredDashboard("root", "T", None, board("root")),
                             DesiredDashboard("kept", "Changed", "ops", board("kept", "Changed"))),
                       (FolderSpec("team", "Team"), FolderSpec("ops", "Ops")))


def checked(grafana: GrafanaServer, client: GrafanaClient) -> dict[str, tuple[str, str]]:
    grafana.seed_folder("ops", "Ops")
    grafana.seed_dashboard(with_marker(board("kept")), folder_uid="ops")
    plan = make_plan(client, request())
    return {f"{a.kind}:{a.uid}": (a.access.value, a.detail)
            for a in check_write_access(client, plan, WHO)}


def test_an_admin_token_may_make_every_write(grafana: GrafanaServer,
                                             client: GrafanaClient) -> None:
    assert {key: access for key, (access, _) in checked(grafana, client).items()} == {
        "folder:team": "granted", "dashboard:new": "granted", "dashboard:root": "granted",
        "dashboard:kept": "granted"}


def test_a_viewer_token_may_make_none(grafana: GrafanaServer, make_client: MakeClient) -> None:
    found = checked(grafana, make_client(token=VIEWER_TOKEN))
    assert found == {
        "folder:team": ("denied", f"{WHO} cannot create folders (its permissions lack "
                                  "folders:create)"),
        "dashboard:new": ("denied", f"its folder 'team' is created by this push: {WHO} cannot "
                                    "create folders (its permissions lack folders:create)"),
        "dashboard:root": ("denied", f"{WHO} cannot create dashboards in the General folder "
                                     "(its permissions lack dashboards:create)"),
        "dashboard:kept": ("denied", f"{WHO} cannot save it (Grafana reports canSave: false)"),
    }


def test_an_editor_locked_out_of_one_folder(grafana: GrafanaServer,
                                            make_client: MakeClient) -> None:
    grafana.tokens["editor-token"] = "Editor"
    grafana.seed_folder("ops", "Ops")
    grafana.state.read_only_folders.add("ops")  # folder permissions: Editors may only view
    editor = make_client(token="editor-token")
    plan = make_plan(editor, PushRequest("p", (DesiredDashboard("new", "T", "ops",
                                                                board("new")),),
                                         (FolderSpec("ops", "Ops"),)))
    (access,) = check_write_access(editor, plan, WHO)
    assert (access.access, access.detail) == (
        Access.DENIED, f"{WHO} cannot save to folder 'ops' (Grafana reports canSave: false)")


def test_without_grafanas_answer_access_is_unknown_never_granted(
        grafana: GrafanaServer, client: GrafanaClient) -> None:
    grafana.faults.answer(404, b"404 page not found\n", "text/plain", path=ACTIONS_PATH)
    plan = make_plan(client, PushRequest("p", (DesiredDashboard("root", "T", None,
                                                                board("root")),)))
    (access,) = check_write_access(client, plan, WHO)
    assert (access.access, access.detail) == (
        Access.UNKNOWN, f"could not check that {WHO} may create dashboards in the General "
                        f"folder: GET {ACTIONS_PATH} answered HTTP 404: 404 page not found")
