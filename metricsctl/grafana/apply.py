"""Carry a plan out: create missing folders (parents first), then save and delete dashboards.

Saves send the version read while planning with `overwrite: false` (unless --force), so
Grafana refuses with 412 if someone saved the dashboard in between: that is a conflict, and
the dashboard is left as they saved it. A 412 can also answer our own retry of a save that
went through before the connection dropped; the dashboard is read again and, when it holds
exactly what we sent, the save counts as done. One dashboard failing never stops the others.

A save counts as done only when Grafana's own answer says so: a JSON object with
`status: success`, our uid and the new version. Anything else that comes back with a 2xx (a
login proxy's HTML page, a body cut short, JSON without those fields) is a failure: nobody
can tell whether Grafana saved. A prune reads the dashboard again right before deleting it:
a dashboard whose version or ownership tags changed since the plan is a conflict, kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from metricsctl.grafana.client import ApiResponse, GrafanaClient, path_segment
from metricsctl.grafana.errors import GrafanaError
from metricsctl.grafana.normalize import MARKER_KEY, same_content
from metricsctl.grafana.parallel import in_parallel
from metricsctl.grafana.plan import (
    Action,
    DashboardStep,
    FolderAction,
    FolderSpec,
    FolderStep,
    Plan,
    folder_mismatch,
)


class Result(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    FAILED = "failed"
    PRUNED = "pruned"


class FolderResult(StrEnum):
    CREATED = "created"
    EXISTS = "exists"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one dashboard."""

    step: DashboardStep
    result: Result
    message: str | None = None
    version: int | None = None
    url: str | None = None

    @property
    def uid(self) -> str:
        return self.step.uid


@dataclass(frozen=True, slots=True)
class FolderOutcome:
    step: FolderStep
    result: FolderResult
    message: str | None = None  # why it failed, or how an existing folder differs


@dataclass(frozen=True, slots=True)
class Applied:
    folders: tuple[FolderOutcome, ...]
    dashboards: tuple[Outcome, ...]


def apply_plan(client: GrafanaClient, plan: Plan, *, message: str, concurrency: int = 4,
               on_outcome: Callable[[Outcome], None] | None = None) -> Applied:
    """Execute every step of `plan`; `on_outcome` hears of each dashboard as it is done."""
    folders = tuple(apply_folder(client, step) for step in plan.folders)
    broken = {f.step.uid: f.message or "" for f in folders if f.result is FolderResult.FAILED}

    def run(step: DashboardStep) -> Outcome:
        if step.action in (Action.CREATE, Action.UPDATE) and step.folder in broken:
            outcome = Outcome(step, Result.FAILED,
                              f"its folder {step.folder!r} could not be created: "
                              f"{broken[step.folder]}")
        else:
            outcome = apply_step(client, step, message)
        if on_outcome is not None:
            on_outcome(outcome)
        return outcome

    steps = plan.steps()
    # Only writes go through the pool: a push with nothing to change starts no threads.
    writing = [step for step in steps if step.writes]
    written = iter(in_parallel(run, writing, concurrency))  # in the order of `writing`
    return Applied(folders, tuple(next(written) if step.writes else run(step)
                                  for step in steps))


def apply_folder(client: GrafanaClient, step: FolderStep) -> FolderOutcome:
    if step.action is FolderAction.FAILED:
        return FolderOutcome(step, FolderResult.FAILED, step.reason)
    if step.action is FolderAction.EXISTS:
        return FolderOutcome(step, FolderResult.EXISTS, step.mismatch)
    body: dict[str, Any] = {"uid": step.uid, "title": step.title}
    if step.parent is not None:
        body["parentUid"] = step.parent
    try:
        response = client.post("/api/folders", body)
        if response.status == 409 and response.is_json_object:
            # Created meanwhile, by someone else or by our own retried request.
            return _existing_folder(client, step)
    except GrafanaError as error:
        return FolderOutcome(step, FolderResult.FAILED, error.message)
    if response.ok:
        if not (response.is_json_object and isinstance(response.body.get("uid"), str)):
            return FolderOutcome(step, FolderResult.FAILED,
                                 not_grafanas_answer(response, "creating the folder"))
        return FolderOutcome(step, FolderResult.CREATED)
    return FolderOutcome(step, FolderResult.FAILED, _refusal(response, "create the folder"))


def _existing_folder(client: GrafanaClient, step: FolderStep) -> FolderOutcome:
    response = client.get(f"/api/folders/{path_segment(step.uid)}")
    if not response.ok or not response.is_json_object:
        return FolderOutcome(step, FolderResult.FAILED,
                             f"Grafana says the uid exists but the folder cannot be read "
                             f"({response.describe()}); is it a dashboard's uid?")
    spec = FolderSpec(step.uid, step.title, step.parent)
    return FolderOutcome(step, FolderResult.EXISTS, folder_mismatch(spec, response.body))


def apply_step(client: GrafanaClient, step: DashboardStep, message: str) -> Outcome:
    """One dashboard: the request its action needs, or none."""
    if step.action is Action.UNCHANGED:
        return Outcome(step, Result.UNCHANGED, version=step.live_version)
    if step.action is Action.CONFLICT:
        return Outcome(step, Result.CONFLICT, step.reason)
    if step.action is Action.FAILED:
        return Outcome(step, Result.FAILED, step.reason)
    try:
        if step.action is Action.PRUNE:
            return _delete(client, step)
        return _save(client, step, message)
    except GrafanaError as error:
        return Outcome(step, Result.FAILED, error.message)


def save_body(step: DashboardStep, message: str) -> dict[str, Any]:
    """The POST /api/dashboards/db body: always a uid and a folderUid ("" is the root)."""
    assert step.payload is not None
    dashboard = dict(step.payload, id=None)
    if step.action is Action.UPDATE:
        dashboard["version"] = step.live_version
    else:
        # No version on a create: if the uid appeared since the plan, Grafana answers 412
        # (its version is not 0) instead of letting us overwrite it.
        dashboard.pop("version", None)
    return {"dashboard": dashboard, "folderUid": step.folder or "",
            "overwrite": step.overwrite, "message": message}


def _save(client: GrafanaClient, step: DashboardStep, message: str) -> Outcome:
    done = Result.CREATED if step.action is Action.CREATE else Result.UPDATED
    response = client.post("/api/dashboards/db", save_body(step, message))
    body = response.body if isinstance(response.body, dict) else {}
    if response.ok:
        problem = save_answer_problem(response, step.uid)
        if problem is not None:
            return Outcome(step, Result.FAILED, problem)
        return Outcome(step, done, version=_int(body.get("version")),
                       url=body.get("url") if isinstance(body.get("url"), str) else None)
    status = response.status_field if response.is_json_object else None
    if response.status == 412 and status == "version-mismatch":
        return _after_version_mismatch(client, step, done)
    if response.status == 412 and status == "plugin-dashboard":
        return Outcome(step, Result.CONFLICT,
                       f"{response.message} Grafana saves a plugin's dashboard only with "
                       "--force, which detaches it from the plugin")
    if response.status == 400 and "provisioned" in response.message.lower():
        return Outcome(step, Result.FAILED,
                       "Grafana cannot save it through the API: it is provisioned from a file "
                       "(change it there, or remove it from Grafana's provisioning)")
    if response.status == 400 and response.message == "folder not found":
        return Outcome(step, Result.FAILED, f"Grafana has no folder {step.folder!r}")
    return Outcome(step, Result.FAILED, _refusal(response, "save the dashboard"))


def save_answer_problem(response: ApiResponse, uid: str) -> str | None:
    """Why a 2xx answer to POST /api/dashboards/db does not confirm the save (None: it does).

    Grafana answers `{"status": "success", "uid": ..., "version": ..., "id": ..., "url": ...}`.
    """
    if not response.is_json_object:
        return not_grafanas_answer(response, "the save")
    body = response.body
    missing = [key for key, valid in (("status", body.get("status") == "success"),
                                      ("uid", isinstance(body.get("uid"), str)),
                                      ("version", _int(body.get("version")) is not None))
               if not valid]
    if missing:
        fields = ", ".join(f"`{key}`" for key in missing)
        return (f"the answer to the save (HTTP {response.status}) lacks Grafana's {fields}: "
                "it may or may not be saved; push again to find out")
    if body["uid"] != uid:
        return (f"Grafana answered the save with another dashboard's uid ({body['uid']!r}): "
                "it may or may not be saved; push again to find out")
    return None


def not_grafanas_answer(response: ApiResponse, what: str) -> str:
    """The failure of a 2xx answer that is not Grafana's JSON (a proxy's page, a cut body)."""
    kind = response.content_type.split(";")[0].strip() or "no content type"
    excerpt = f": {response.message[:80]!r}" if response.message else ""
    body = "JSON that is not an object" if response.is_json else (
        "a body that is not JSON" if "json" in kind else kind)
    return (f"the answer to {what} is not Grafana's (HTTP {response.status}, {body}{excerpt}): "
            "a proxy or login page may have answered, or the body was cut short; it may or "
            "may not be done: check the URL and push again")


def _after_version_mismatch(client: GrafanaClient, step: DashboardStep,
                            done: Result) -> Outcome:
    """A 412 after a retried save may be our own first attempt having gone through."""
    assert step.payload is not None
    response = client.get(f"/api/dashboards/uid/{path_segment(step.uid)}")
    body = response.body if response.is_json_object else {}
    live, meta = body.get("dashboard"), body.get("meta")
    if (response.ok and isinstance(live, dict) and isinstance(meta, dict)
            and same_content(live, step.payload)
            and live.get(MARKER_KEY) == step.payload.get(MARKER_KEY)
            and (meta.get("folderUid") or None) == step.folder):
        return Outcome(step, done, version=_int(meta.get("version")))
    seen = f"version {step.live_version}" if step.live_version is not None else "none"
    return Outcome(step, Result.CONFLICT,
                   f"it was changed in Grafana while pushing (planned against {seen}); "
                   "Grafana refused to overwrite it (412 version-mismatch)")


def _delete(client: GrafanaClient, step: DashboardStep) -> Outcome:
    changed = _changed_since_plan(client, step)
    if changed is not None:
        return changed
    response = client.delete(f"/api/dashboards/uid/{path_segment(step.uid)}")
    if response.status == 404 and response.is_json_object:  # already gone (or our retry's echo)
        return Outcome(step, Result.PRUNED)
    if response.ok:
        if not response.is_json_object:
            return Outcome(step, Result.FAILED, not_grafanas_answer(response, "the delete"))
        return Outcome(step, Result.PRUNED)
    if response.status == 400 and "provisioned" in response.message.lower():
        return Outcome(step, Result.FAILED, "Grafana cannot delete it: it is provisioned "
                                            "from a file")
    return Outcome(step, Result.FAILED, _refusal(response, "delete the dashboard"))


def _changed_since_plan(client: GrafanaClient, step: DashboardStep) -> Outcome | None:
    """Read the dashboard again right before deleting it: the outcome instead of a delete
    when it is gone, unreadable, or changed since the plan (version, ownership tags)."""
    response = client.get(f"/api/dashboards/uid/{path_segment(step.uid)}")
    if response.status == 404 and response.is_json_object:
        return Outcome(step, Result.PRUNED, "already deleted in Grafana")
    body = response.body if response.ok and response.is_json_object else {}
    live, meta = body.get("dashboard"), body.get("meta")
    if not isinstance(live, dict) or not isinstance(meta, dict):
        return Outcome(step, Result.FAILED, "not deleted: it could not be read again right "
                                            f"before deleting it ({response.describe()})")
    version = _int(meta.get("version"))
    if step.live_version is not None and version != step.live_version:
        who = f" by {meta['updatedBy']}" if isinstance(meta.get("updatedBy"), str) else ""
        return Outcome(step, Result.CONFLICT,
                       f"no longer in the catalog, but not deleted: it was saved in Grafana"
                       f"{who} after the plan (version {step.live_version} then, {version} "
                       "now)")
    tags = live["tags"] if isinstance(live.get("tags"), list) else []
    missing = [tag for tag in step.owner_tags if tag not in tags]
    if missing:
        return Outcome(step, Result.CONFLICT,
                       "no longer in the catalog, but not deleted: it no longer carries the "
                       f"tag{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    return None


def _refusal(response: ApiResponse, what: str) -> str:
    if response.status == 401:
        return f"Grafana rejected the credentials while trying to {what} ({response.describe()})"
    if response.status == 403:
        return f"permission denied: the credentials may not {what} ({response.describe()})"
    return f"Grafana did not {what}: {response.describe()}"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
