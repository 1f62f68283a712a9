"""Applying a plan: safe saves, 412s told apart, folders first, failures kept apart."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from metricsctl.grafana.apply import (
    FolderResult,
    Result,
    apply_folder,
    apply_plan,
    apply_step,
    save_body,
)
from metricsctl.grafana.client import GrafanaClient
from metricsctl.grafana.normalize import with_marker
from metricsctl.grafana.plan import (
    Action,
    DashboardStep,
    DesiredDashboard,
    FolderAction,
    FolderSpec,
    FolderStep,
    Plan,
    PushRequest,
    make_plan,
    plan_dashboard,
    plan_prune,
)
from tests.grafana_server import GrafanaServer


def board(uid: str = "a", title: str = "A") -> dict[str, Any]:
    return {"uid": uid, "title": title, "version": 1, "tags": ["metricsctl"]}


def desired(uid: str = "a", title: str = "A", folder: str | None = None) -> DesiredDashboard:
    return DesiredDashboard(uid, title, folder, board(uid, title))


def test_save_body_sends_uid_folder_version_and_never_overwrites_by_default() -> None:
    update = DashboardStep("a", "A", Action.UPDATE, None, payload=with_marker(board()),
                           live_version=7)
    body = save_body(update, "msg")
    assert (body["folderUid"], body["overwrite"], body["message"]) == ("", False, "msg")
    assert (body["dashboard"]["uid"], body["dashboard"]["id"], body["dashboard"]["version"]) == (
        "a", None, 7)
    create = replace(update, action=Action.CREATE, folder="f", live_version=None)
    assert "version" not in save_body(create, "msg")["dashboard"]
    assert save_body(create, "msg")["folderUid"] == "f"


def test_an_edit_between_plan_and_save_is_a_conflict_left_intact(
        grafana: GrafanaServer, client: GrafanaClient) -> None:
    grafana.seed_dashboard(with_marker(board()))
    step = plan_dashboard(client, desired(title="Renamed"))
    assert step.action is Action.UPDATE
    grafana.edit_in_ui("a", lambda d: d.update(title="Someone else"))

    outcome = apply_step(client, step, "m")

    assert outcome.result is Result.CONFLICT
    assert outcome.message == ("it was changed in Grafana while pushing (planned against "
                               "version 1); Grafana refused to overwrite it (412 "
                               "version-mismatch)")
    assert grafana.dashboard("a")["title"] == "Someone else"  # type: ignore[index]


def test_a_uid_created_by_someone_between_plan_and_save_is_not_overwritten(
        grafana: GrafanaServer, client: GrafanaClient) -> None:
    step = plan_dashboard(client, desired())
    assert step.action is Action.CREATE
    grafana.seed_dashboard({"uid": "a", "title": "Theirs"})

    assert apply_step(client, step, "m").result is Result.CONFLICT
    assert grafana.dashboard("a")["title"] == "Theirs"  # type: ignore[index]


def test_a_plugin_dashboard_is_a_conflict_unless_forced(grafana: GrafanaServer,
                                                       client: GrafanaClient) -> None:
    grafana.seed_dashboard(with_marker(board()), plugin_id="grafana-k8s-app")
    step = plan_dashboard(client, desired(title="Renamed"))

    outcome = apply_step(client, step, "m")

    assert outcome.result is Result.CONFLICT
    assert outcome.message == ("The dashboard belongs to plugin grafana-k8s-app. Grafana saves "
                               "a plugin's dashboard only with --force, which detaches it from "
                               "the plugin")
    assert apply_step(client, replace(step, overwrite=True), "m").result is Result.UPDATED


def test_a_folder_created_meanwhile_counts_as_existing(grafana: GrafanaServer,
                                                      client: GrafanaClient) -> None:
    grafana.seed_folder("f", "F")
    outcome = apply_folder(client, FolderStep("f", "F", None, FolderAction.CREATE))
    assert (outcome.result, outcome.message) == (FolderResult.EXISTS, None)
    other = apply_folder(client, FolderStep("f", "Other", None, FolderAction.CREATE))
    assert other.message == "its title is 'F', the catalog says 'Other'"


def test_a_folder_that_cannot_be_created_fails_its_dashboards_only(
        grafana: GrafanaServer, client: GrafanaClient) -> None:
    grafana.faults.fail(400, method="POST", path="/api/folders", times=None)
    plan = make_plan(client, PushRequest("p", (desired("a", folder="f"), desired("b")),
                                         (FolderSpec("f", "F"),)))
    applied = apply_plan(client, plan, message="m")

    assert [f.result for f in applied.folders] == [FolderResult.FAILED]
    results = {o.uid: (o.result, o.message) for o in applied.dashboards}
    assert results["b"] == (Result.CREATED, None)
    assert results["a"] == (Result.FAILED, "its folder 'f' could not be created: Grafana did "
                                           "not create the folder: HTTP 400: injected failure")
    assert [r.body["dashboard"]["uid"] for r in grafana.requests("POST", "/api/dashboards/db")] \
        == ["b"]


def test_prune_deletes_and_treats_already_gone_as_done(grafana: GrafanaServer,
                                                       client: GrafanaClient) -> None:
    grafana.seed_dashboard(with_marker(board("old")))
    step = DashboardStep("old", "Old", Action.PRUNE, None, removal=True)
    assert apply_step(client, step, "m").result is Result.PRUNED
    assert grafana.dashboard("old") is None
    assert apply_step(client, step, "m").result is Result.PRUNED


def test_a_provisioned_dashboard_cannot_be_pruned_or_saved(grafana: GrafanaServer,
                                                          client: GrafanaClient) -> None:
    grafana.seed_dashboard(with_marker(board()), provisioned=True)
    prune = apply_step(client, DashboardStep("a", "A", Action.PRUNE, None), "m")
    assert (prune.result, prune.message) == (
        Result.FAILED, "Grafana cannot delete it: it is provisioned from a file")
    save = apply_step(client, DashboardStep("a", "A", Action.UPDATE, None,
                                            payload=with_marker(board()), live_version=1,
                                            overwrite=True), "m")
    assert save.result is Result.FAILED
    assert save.message is not None and save.message.startswith(
        "Grafana cannot save it through the API: it is provisioned from a file")


def test_unchanged_and_conflicting_steps_send_nothing(grafana: GrafanaServer,
                                                      client: GrafanaClient) -> None:
    plan = Plan((), (DashboardStep("a", "A", Action.UNCHANGED, None, live_version=3),
                     DashboardStep("b", "B", Action.CONFLICT, None, reason="edited")))
    applied = apply_plan(client, plan, message="m", concurrency=2)
    assert [(o.result, o.message, o.version) for o in applied.dashboards] == [
        (Result.UNCHANGED, None, 3), (Result.CONFLICT, "edited", None)]
    assert grafana.requests() == []


def test_outcomes_are_reported_as_they_happen(grafana: GrafanaServer,
                                              client: GrafanaClient) -> None:
    plan = make_plan(client, PushRequest("p", tuple(desired(f"d{n}") for n in range(6)), ()))
    seen: list[str] = []
    applied = apply_plan(client, plan, message="m", concurrency=3,
                         on_outcome=lambda outcome: seen.append(outcome.uid))
    assert sorted(seen) == [f"d{n}" for n in range(6)]
    assert [o.uid for o in applied.dashboards] == [f"d{n}" for n in range(6)]  # plan order


# -- answers that are not Grafana's, and prunes re-checked ------------------------------------

def create_step(uid: str = "a") -> DashboardStep:
    return DashboardStep(uid, uid.upper(), Action.CREATE, None, payload=with_marker(board(uid)))


def test_a_login_page_answering_a_save_is_a_failure_not_a_creation(
        grafana: GrafanaServer, client: GrafanaClient) -> None:
    grafana.faults.login_page(method="POST", path="/api/dashboards/db")
    outcome = apply_step(client, create_step(), "m")
    assert outcome.result is Result.FAILED
    assert outcome.message is not None and outcome.message.startswith(
        "the answer to the save is not Grafana's (HTTP 200, text/html: '<!doctype html>")
    assert grafana.dashboard("a") is None


@pytest.mark.parametrize(("payload", "declared", "what"), [
    (b'{"id":1,"uid":"a","status":"succ', None, "a body that is not JSON"),
    (b'{"id":1,"uid":"a","status":"succ', 200, None),  # the connection closes mid-body
    (b'["success"]', None, "JSON that is not an object"),
])
def test_a_cut_or_invalid_answer_to_a_save_is_a_failure(
        grafana: GrafanaServer, client: GrafanaClient, payload: bytes, declared: int | None,
        what: str | None) -> None:
    grafana.faults.answer(200, payload, "application/json", method="POST", times=None,
                          declared_length=declared, after_processing=True)
    outcome = apply_step(client, create_step(), "m")
    assert outcome.result is Result.FAILED, outcome
    if what is not None:
        assert f"is not Grafana's (HTTP 200, {what}" in (outcome.message or "")


@pytest.mark.parametrize(("answer", "missing"), [
    ({"id": 1, "uid": "a", "version": 1}, "`status`"),
    ({"status": "success", "version": 1}, "`uid`"),
    ({"status": "success", "uid": "a", "version": "1"}, "`version`"),
    ({}, "`status`, `uid`, `version`"),
])
def test_a_json_answer_without_grafanas_fields_is_a_failure(
        grafana: GrafanaServer, client: GrafanaClient, answer: dict[str, Any],
        missing: str) -> None:
    grafana.faults.answer(200, json.dumps(answer).encode(), "application/json",
                          method="POST", after_processing=True)
    outcome = apply_step(client, create_step(), "m")
    assert (outcome.result, outcome.message) == (
        Result.FAILED, f"the answer to the save (HTTP 200) lacks Grafana's {missing}: it may "
                       "or may not be saved; push again to find out")


def test_an_html_404_is_not_grafana_saying_absent(grafana: GrafanaServer,
                                                  client: GrafanaClient) -> None:
    grafana.faults.answer(404, b"<html>Not Found</html>", "text/html", method="GET")
    step = plan_dashboard(client, desired())
    assert step.action is Action.FAILED
    assert step.reason == "could not read it from Grafana: HTTP 404: <html>Not Found</html>"


def planned_prune(grafana: GrafanaServer, client: GrafanaClient) -> DashboardStep:
    grafana.seed_dashboard(with_marker({**board("old"), "tags": ["metricsctl", "metricsctl:p"]}))
    (step,) = plan_prune(client, "p", set())
    assert step.action is Action.PRUNE and step.live_version == 1
    return step


def test_a_prune_rereads_the_dashboard_and_keeps_one_saved_since_the_plan(
        grafana: GrafanaServer, client: GrafanaClient) -> None:
    step = planned_prune(grafana, client)
    grafana.edit_in_ui("old", lambda d: d.update(description="still in use"), actor="carol")

    outcome = apply_step(client, step, "m")

    assert (outcome.result, outcome.message) == (
        Result.CONFLICT, "no longer in the catalog, but not deleted: it was saved in Grafana "
                         "by carol after the plan (version 1 then, 2 now)")
    assert grafana.dashboard("old") is not None
    assert grafana.requests("DELETE") == []


def test_a_prune_keeps_a_dashboard_that_lost_the_projects_tag(
        grafana: GrafanaServer, client: GrafanaClient) -> None:
    step = planned_prune(grafana, client)
    # Same version, other tags: Grafana's versions only grow, so a reseed plays a restore.
    grafana.seed_dashboard(with_marker({**board("old"), "tags": ["metricsctl"]}))
    with grafana.state.lock:
        grafana.state.dashboards["old"].version = 1

    outcome = apply_step(client, step, "m")

    assert (outcome.result, outcome.message) == (
        Result.CONFLICT, "no longer in the catalog, but not deleted: it no longer carries the "
                         "tag metricsctl:p")
    assert grafana.dashboard("old") is not None


def test_a_prune_of_a_dashboard_deleted_meanwhile_is_done(grafana: GrafanaServer,
                                                          client: GrafanaClient) -> None:
    step = planned_prune(grafana, client)
    client.delete("/api/dashboards/uid/old")
    outcome = apply_step(client, step, "m")
    assert (outcome.result, outcome.message) == (Result.PRUNED, "already deleted in Grafana")


def test_a_delete_answered_by_a_login_page_is_a_failure(grafana: GrafanaServer,
                                                        client: GrafanaClient) -> None:
    step = planned_prune(grafana, client)
    grafana.faults.login_page(method="DELETE")
    outcome = apply_step(client, step, "m")
    assert outcome.result is Result.FAILED
    assert (outcome.message or "").startswith("the answer to the delete is not Grafana's")
    assert grafana.dashboard("old") is not None


def test_another_projects_dashboard_with_our_uid_is_a_conflict_unless_forced(
        grafana: GrafanaServer, client: GrafanaClient) -> None:
    theirs = with_marker({**board(), "tags": ["metricsctl", "metricsctl:team-b"]})
    grafana.seed_dashboard(theirs, actor="team-b-ci")
    step = plan_dashboard(client, desired(title="Ours"), project="team-a")
    assert (step.action, step.reason) == (
        Action.CONFLICT, "it belongs to another metricsctl project (tagged metricsctl:team-b; "
                         "version 1, last saved by team-b-ci)")
    forced = plan_dashboard(client, desired(title="Ours"), project="team-a", force=True)
    assert forced.action is Action.UPDATE and forced.overwrite


def test_a_dashboard_without_the_projects_tag_is_a_conflict(grafana: GrafanaServer,
                                                            client: GrafanaClient) -> None:
    grafana.seed_dashboard(with_marker(board()))  # tagged `metricsctl` only, marker intact
    step = plan_dashboard(client, desired(title="Ours"), project="team-a")
    assert step.action is Action.CONFLICT
    assert step.reason is not None and step.reason.startswith(
        "it is not a dashboard of project 'team-a': it lacks the tag metricsctl:team-a")
