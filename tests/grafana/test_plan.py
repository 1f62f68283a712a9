"""Planning reads Grafana (GET only) and classifies every folder and dashboard."""

from __future__ import annotations

from typing import Any

import pytest

from metricsctl.grafana.client import GrafanaClient
from metricsctl.grafana.normalize import MARKER_KEY, with_marker
from metricsctl.grafana.plan import (
    Action,
    DesiredDashboard,
    FolderAction,
    FolderSpec,
    PushRequest,
    folders_parents_first,
    make_plan,
    plan_dashboard,
    plan_folder,
    push_request,
)
from tests.conftest import SMALL_CATALOG
from tests.grafana_server import GrafanaServer


def board(uid: str = "a", title: str = "A", **fields: Any) -> dict[str, Any]:
    return {"uid": uid, "title": title, "version": 1, "tags": ["metricsctl", "metricsctl:p"],
            **fields}


def desired(uid: str = "a", title: str = "A", folder: str | None = None,
            **fields: Any) -> DesiredDashboard:
    return DesiredDashboard(uid, title, folder, board(uid, title, **fields))


def pushed_earlier(grafana: GrafanaServer, item: DesiredDashboard) -> None:
    """Grafana holds what metricsctl pushed for `item` (marker included)."""
    if item.folder and item.folder not in grafana.state.folders:
        grafana.seed_folder(item.folder, item.folder.title())
    grafana.seed_dashboard(with_marker(item.dashboard), folder_uid=item.folder)


def test_a_missing_dashboard_is_created_with_the_marker(client: GrafanaClient) -> None:
    step = plan_dashboard(client, desired())
    assert step.action is Action.CREATE
    assert step.payload is not None and step.payload[MARKER_KEY].startswith("sha256:")
    assert "version" not in step.payload


def test_same_content_in_the_same_folder_is_unchanged(grafana: GrafanaServer,
                                                      client: GrafanaClient) -> None:
    item = desired(folder="f")
    pushed_earlier(grafana, item)
    step = plan_dashboard(client, item)
    assert (step.action, step.live_version, step.live_folder) == (Action.UNCHANGED, 1, "f")


def test_what_we_pushed_is_updated_when_the_catalog_changes(grafana: GrafanaServer,
                                                           client: GrafanaClient) -> None:
    pushed_earlier(grafana, desired())
    step = plan_dashboard(client, desired(title="Renamed"))
    assert (step.action, step.reason, step.overwrite) == (Action.UPDATE, "content changed", False)


def test_a_folder_change_is_an_update(grafana: GrafanaServer, client: GrafanaClient) -> None:
    pushed_earlier(grafana, desired())
    grafana.seed_folder("g", "G")
    step = plan_dashboard(client, desired(folder="g"))
    assert step.action is Action.UPDATE
    assert step.reason == "moves from the root folder (General) to folder 'g'"


def test_an_edit_in_grafana_makes_a_conflict(grafana: GrafanaServer,
                                             client: GrafanaClient) -> None:
    pushed_earlier(grafana, desired())
    grafana.edit_in_ui("a", lambda d: d.update(description="mine"))
    step = plan_dashboard(client, desired(title="Renamed"))
    assert step.action is Action.CONFLICT
    assert step.reason == ("it was edited in Grafana since metricsctl pushed it (version 2, "
                           "last saved by alice)")


def test_an_edit_that_matches_the_catalog_is_simply_unchanged(
        grafana: GrafanaServer, client: GrafanaClient) -> None:
    pushed_earlier(grafana, desired())
    grafana.edit_in_ui("a", lambda d: d.update(title="Renamed"))
    assert plan_dashboard(client, desired(title="Renamed")).action is Action.UNCHANGED


def test_a_dashboard_metricsctl_never_pushed_is_a_conflict(grafana: GrafanaServer,
                                                          client: GrafanaClient) -> None:
    grafana.seed_dashboard({"uid": "a", "title": "Made by hand"}, actor="carol")
    step = plan_dashboard(client, desired())
    assert step.action is Action.CONFLICT
    assert step.reason == ("it was not pushed by metricsctl, or was saved from Grafana's UI "
                           "since (version 1, last saved by carol)")


def test_force_turns_a_conflict_into_an_overwriting_update(grafana: GrafanaServer,
                                                          client: GrafanaClient) -> None:
    grafana.seed_dashboard({"uid": "a", "title": "Made by hand"})
    step = plan_dashboard(client, desired(), force=True)
    assert (step.action, step.overwrite) == (Action.UPDATE, True)
    assert step.reason is not None and step.reason.endswith("(--force)")


def test_a_provisioned_dashboard_that_differs_is_a_conflict(grafana: GrafanaServer,
                                                           client: GrafanaClient) -> None:
    grafana.seed_dashboard(with_marker(board()), provisioned=True)
    step = plan_dashboard(client, desired(title="Renamed"))
    assert step.action is Action.CONFLICT
    assert step.reason is not None and "provisioned from a file" in step.reason


def test_reading_failures_are_steps_not_exceptions(grafana: GrafanaServer,
                                                   make_client: Any) -> None:
    grafana.faults.fail(500, path="/api/dashboards/uid/a", times=None)
    step = plan_dashboard(make_client(attempts=2), desired())
    assert step.action is Action.FAILED
    assert step.reason == "could not read it from Grafana: HTTP 500: injected failure " \
                          "(after 2 attempts)"


def test_folders_come_parents_first_with_their_ancestors() -> None:
    declared = {"c": FolderSpec("c", "C", "b"), "a": FolderSpec("a", "A"),
                "b": FolderSpec("b", "B", "a"), "x": FolderSpec("x", "X")}
    assert [f.uid for f in folders_parents_first(declared, ["c"])] == ["a", "b", "c"]
    assert [f.uid for f in folders_parents_first(declared, declared)] == ["a", "b", "c", "x"]


def test_a_folder_cycle_does_not_hang() -> None:
    declared = {"a": FolderSpec("a", "A", "b"), "b": FolderSpec("b", "B", "a")}
    assert sorted(f.uid for f in folders_parents_first(declared, ["a", "b"])) == ["a", "b"]


def test_an_existing_folder_is_compared_with_the_catalog(grafana: GrafanaServer,
                                                        client: GrafanaClient) -> None:
    grafana.seed_folder("top", "Top")
    grafana.seed_folder("f", "Old name", parent_uid="top")
    step = plan_folder(client, FolderSpec("f", "New name"))
    assert step.action is FolderAction.EXISTS
    assert step.mismatch == ("its title is 'Old name', the catalog says 'New name'; it is under "
                             "'top', the catalog puts it at the top level")
    assert plan_folder(client, FolderSpec("missing", "M")).action is FolderAction.CREATE


def test_planning_sends_only_reads(grafana: GrafanaServer, client: GrafanaClient) -> None:
    pushed_earlier(grafana, desired("a"))
    grafana.seed_dashboard(with_marker(board("old")))
    request = PushRequest("p", (desired("a", "Renamed"), desired("b")),
                          (FolderSpec("f", "F"),))
    plan = make_plan(client, request, prune=True, concurrency=4)
    assert [(s.uid, s.action) for s in plan.steps()] == [
        ("a", Action.UPDATE), ("b", Action.CREATE), ("old", Action.PRUNE)]
    assert grafana.writes() == []


@pytest.mark.parametrize("only", [(), ("shop-overview",)])
def test_push_request_renders_the_catalog_like_generate(only: tuple[str, ...]) -> None:
    from metricsctl.catalog import load_catalog
    from metricsctl.targets.grafana import build_dashboards

    catalog = load_catalog(SMALL_CATALOG).catalog
    assert catalog is not None
    request = push_request(catalog, only)
    (item,) = request.dashboards
    assert (item.uid, item.title, item.folder) == ("shop-overview", "Shop Overview", "shop")
    assert item.dashboard == build_dashboards(catalog)["shop-overview"]
    assert [f.uid for f in request.folders] == (["shop"] if only else ["shop", "shop-business"])
    assert request.project == "shop"
