"""How a push reads: plan lines, diffs, summary counts, problems located in the catalog."""

from __future__ import annotations

import json
from typing import Any

from metricsctl.diagnostics import Location
from metricsctl.grafana.apply import Applied, Outcome, Result
from metricsctl.grafana.normalize import with_marker
from metricsctl.grafana.permissions import Access, WriteAccess
from metricsctl.grafana.plan import Action, DashboardStep, FolderAction, FolderStep, Plan
from metricsctl.grafana.preflight import GrafanaInfo
from metricsctl.grafana.report import (
    PushReport,
    dashboard_diff,
    json_report,
    plan_headline,
    plan_lines,
    push_diagnostics,
)

INFO = GrafanaInfo("https://grafana.example.com", "11.5.2")


def step(uid: str, action: Action, **fields: Any) -> DashboardStep:
    return DashboardStep(uid, uid.upper(), action, fields.pop("folder", None), **fields)


PLAN = Plan(
    (FolderStep("f", "F", None, FolderAction.CREATE),
     FolderStep("g", "G", None, FolderAction.EXISTS, mismatch="its title is 'H'")),
    (step("new", Action.CREATE, folder="f"), step("same", Action.UNCHANGED),
     step("mine", Action.UPDATE, reason="content changed"),
     step("theirs", Action.CONFLICT, reason="it was edited in Grafana")),
    (step("old", Action.PRUNE, reason="no longer in the catalog", removal=True),))


def test_the_headline_counts_what_the_plan_will_do() -> None:
    assert plan_headline(PLAN) == ("plan: 1 to create, 1 to update, 1 unchanged, 1 conflicting, "
                                   "1 to prune, 1 folder to create")
    assert plan_headline(Plan((), ())) == "plan: nothing to do"


def test_plan_lines_list_changes_and_count_the_unchanged() -> None:
    lines = [line.plain for line in plan_lines(PLAN)]
    assert lines[0] == "  + folder    f  'F'"
    assert "new  'NEW' in f" in lines[1]
    assert "theirs  'THEIRS': it was edited in Grafana" in lines[3]
    assert lines[-1] == "  = unchanged 1 dashboard"


def test_plan_lines_are_literal_and_redacted() -> None:
    plan = Plan((), (step("a", Action.CONFLICT, reason="[bold]x[/] :x: by glsa_secret_99"),))
    (line,) = plan_lines(plan, ("glsa_secret_99",))
    assert line.plain == "  ! conflict  a  'A': [bold]x[/] :x: by ***"


def test_a_diff_goes_from_grafanas_copy_to_the_catalogs() -> None:
    live = {"uid": "a", "title": "Old", "id": 4, "version": 3}
    update = step("a", Action.UPDATE, payload=with_marker({"uid": "a", "title": "New"}),
                  live=live, live_version=3)
    patch = dashboard_diff(update)
    assert patch is not None
    assert patch.splitlines()[:2] == ["--- grafana/a (version 3)", "+++ catalog/a"]
    assert '-  "title": "Old",' in patch and '+  "title": "New",' in patch
    assert "metricsctlHash" not in patch and '"id"' not in patch
    assert dashboard_diff(step("a", Action.UNCHANGED)) is None


def test_a_dry_run_summarises_the_plan_and_fails_on_conflicts() -> None:
    report = PushReport(INFO, PLAN, None)
    assert report.summary() == {"created": 1, "updated": 1, "unchanged": 1, "conflict": 1,
                                "failed": 0, "pruned": 1}
    assert report.ok is False


def test_problems_are_located_at_the_dashboard_in_the_catalog() -> None:
    where = Location("specs/app.yaml", 12, 3)
    diagnostics = push_diagnostics(PushReport(INFO, PLAN, None), lambda uid: where)
    assert [(d.code, d.severity.label, d.location) for d in diagnostics] == [
        ("push/folder-mismatch", "warning", None), ("push/conflict", "error", where)]
    assert diagnostics[1].message == "dashboard `theirs`: it was edited in Grafana"
    assert diagnostics[1].hint is not None and "--force" in diagnostics[1].hint


def test_json_after_a_push_has_results_and_stable_keys() -> None:
    outcomes = tuple(Outcome(s, result) for s, result in zip(
        PLAN.steps(), (Result.CREATED, Result.UNCHANGED, Result.FAILED, Result.CONFLICT,
                       Result.PRUNED), strict=True))
    report = PushReport(INFO, PLAN, Applied((), outcomes))
    document = json.loads(json_report(report, push_diagnostics(report, lambda uid: None)))
    assert document["summary"] == {"conflict": 1, "created": 1, "failed": 1, "pruned": 1,
                                   "unchanged": 1, "updated": 0}
    assert [d["result"] for d in document["dashboards"]] == [
        "created", "unchanged", "failed", "conflict", "pruned"]
    assert set(document["dashboards"][0]) == {"uid", "title", "folder", "action", "result",
                                              "message", "version", "url", "access"}
    assert document["dashboards"][0]["access"] is None  # checked in dry runs only
    assert [d["code"] for d in document["diagnostics"]] == ["push/failed", "push/conflict"]


def test_a_dry_run_reports_what_the_credentials_may_not_write() -> None:
    access = (WriteAccess("folder", "f", Access.GRANTED, "the token may create folders"),
              WriteAccess("dashboard", "new", Access.DENIED,
                          "the token cannot save to folder 'f' (Grafana reports canSave: "
                          "false)"),
              WriteAccess("dashboard", "mine", Access.UNKNOWN,
                          "could not check that the token may save it: Grafana reported no "
                          "canSave"))
    report = PushReport(INFO, PLAN, None, access=access)
    assert not report.ok and report.dry_run
    diagnostics = push_diagnostics(report, lambda uid: None)
    assert [(d.code, d.message) for d in diagnostics if d.code.startswith("push/perm")] == [
        ("push/permission", "dashboard `new`: would fail: the token cannot save to folder "
                            "'f' (Grafana reports canSave: false)"),
        ("push/permission-unknown", "dashboard `mine`: could not check that the token may "
                                    "save it: Grafana reported no canSave")]
    document = json.loads(json_report(report, diagnostics))
    assert document["dry_run"] is True
    assert [(d["uid"], d["access"]) for d in document["dashboards"]] == [
        ("new", "denied"), ("same", None), ("mine", "unknown"), ("theirs", None),
        ("old", None)]
    assert [f["access"] for f in document["folders"]] == ["granted", None]
