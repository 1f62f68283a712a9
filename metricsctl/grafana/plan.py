"""Plan a push by reading Grafana: what each folder and dashboard needs. Nothing is written.

Per dashboard (GET /api/dashboards/uid/<uid>), comparing normalized content and folder:
- create: Grafana has no dashboard with that uid;
- unchanged: Grafana's copy has the same content in the same folder (no write: Grafana's
  version history stays clean);
- update: it differs, and Grafana's copy is exactly what metricsctl pushed last (its
  `metricsctlHash` marker matches its content, see normalize.py);
- conflict: it differs, and someone changed Grafana's copy since metricsctl pushed it (the
  marker does not match), or metricsctl never pushed it (no marker: created by hand, or
  saved from Grafana's UI, which drops the marker), or it belongs to another project (it
  lacks our `metricsctl:<project>` tag, or carries another project's), or it is
  provisioned from files.
  A conflict is reported and left intact; `--force` turns it into an update that
  overwrites (`overwrite: true`). Between this plan and the write, Grafana's optimistic
  concurrency check (the live `version` sent back, `overwrite: false`) catches any edit
  made in the meantime: a 412 is a conflict too.
- prune (with --prune): a dashboard tagged `metricsctl` and `metricsctl:<project>` whose
  uid is no longer in the catalog. One edited in Grafana since the push, or also tagged
  for another project, is a conflict instead (not deleted without --force); apply reads
  each again right before deleting it. Folders are never deleted.
Only Grafana's JSON answers count: a 404 that is not JSON (a proxy's page) does not mean
"absent", it means the dashboard could not be read.
Folders are read (GET /api/folders/<uid>) and created parents first when missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from metricsctl.grafana.client import ApiResponse, GrafanaClient, path_segment
from metricsctl.grafana.errors import GrafanaError
from metricsctl.grafana.normalize import Provenance, provenance, same_content, with_marker
from metricsctl.grafana.parallel import in_parallel
from metricsctl.grafana.search import managed_dashboards, managed_tags

if TYPE_CHECKING:
    from metricsctl.catalog.model import Catalog

class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    PRUNE = "prune"
    FAILED = "failed"  # could not be planned (Grafana could not be read)


WRITING_ACTIONS = frozenset({Action.CREATE, Action.UPDATE, Action.PRUNE})


class FolderAction(StrEnum):
    CREATE = "create"
    EXISTS = "exists"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FolderSpec:
    """A folder the catalog declares."""

    uid: str
    title: str
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class DesiredDashboard:
    """A dashboard as the catalog generates it, and the folder it belongs in."""

    uid: str
    title: str
    folder: str | None
    dashboard: dict[str, Any]  # exactly what `generate` writes


@dataclass(frozen=True, slots=True)
class PushRequest:
    """What to push: dashboards, the folders they need (parents first), the project."""

    project: str
    dashboards: tuple[DesiredDashboard, ...]
    folders: tuple[FolderSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class FolderStep:
    uid: str
    title: str
    parent: str | None
    action: FolderAction
    mismatch: str | None = None  # how an existing folder differs from the catalog
    reason: str | None = None  # why it could not be read
    can_write: bool | None = None  # an existing folder: may we save dashboards in it


@dataclass(frozen=True, slots=True)
class DashboardStep:
    uid: str
    title: str
    action: Action
    folder: str | None  # where it goes (prune: where it is)
    payload: dict[str, Any] | None = None  # what a create/update sends (with the marker)
    live: dict[str, Any] | None = None  # Grafana's copy, for --diff
    live_version: int | None = None
    live_folder: str | None = None
    overwrite: bool = False  # --force on what would have been a conflict
    reason: str | None = None  # why: what changed, what conflicts, what failed
    removal: bool = False  # found by --prune: Grafana has it, the catalog no longer does
    owner_tags: tuple[str, ...] = ()  # prune: the tags it must still carry when deleted
    can_write: bool | None = None  # Grafana's copy: may we save it (prune: delete it)

    @property
    def writes(self) -> bool:
        return self.action in WRITING_ACTIONS


@dataclass(frozen=True, slots=True)
class Plan:
    folders: tuple[FolderStep, ...]
    dashboards: tuple[DashboardStep, ...]
    prune: tuple[DashboardStep, ...] = ()

    def steps(self) -> tuple[DashboardStep, ...]:
        return self.dashboards + self.prune

    def count(self, action: Action) -> int:
        return sum(1 for step in self.steps() if step.action is action)

    @property
    def folders_to_create(self) -> tuple[FolderStep, ...]:
        return tuple(f for f in self.folders if f.action is FolderAction.CREATE)


# -- what the catalog asks for ----------------------------------------------------------------

def push_request(catalog: Catalog, only: Sequence[str] = ()) -> PushRequest:
    """The catalog's dashboards (all, or the `only` uids) as `generate` renders them."""
    from metricsctl.targets.grafana import build_dashboards

    built = build_dashboards(catalog)
    selected = [uid for uid in catalog.dashboards if not only or uid in only]
    dashboards = tuple(DesiredDashboard(uid, catalog.dashboards[uid].title,
                                        catalog.dashboards[uid].folder, built[uid])
                       for uid in selected)
    declared = {uid: FolderSpec(uid, folder.title, folder.parent)
                for uid, folder in catalog.project.folders.items()}
    wanted = list(declared) if not only else [d.folder for d in dashboards if d.folder]
    return PushRequest(catalog.project.name, dashboards, folders_parents_first(declared, wanted))


def folders_parents_first(declared: Mapping[str, FolderSpec],
                          wanted: Iterable[str]) -> tuple[FolderSpec, ...]:
    """The wanted folders and their ancestors, each after its parent, else in given order."""
    ordered: list[FolderSpec] = []
    seen: set[str] = set()

    def visit(uid: str, trail: frozenset[str]) -> None:
        if uid in seen or uid not in declared or uid in trail:
            return
        parent = declared[uid].parent
        if parent is not None:
            visit(parent, trail | {uid})
        seen.add(uid)
        ordered.append(declared[uid])

    for uid in wanted:
        visit(uid, frozenset())
    return tuple(ordered)


# -- reading Grafana --------------------------------------------------------------------------

def make_plan(client: GrafanaClient, request: PushRequest, *, force: bool = False,
              prune: bool = False, concurrency: int = 4) -> Plan:
    """Read what Grafana has and decide every step; only GET requests."""
    folders = tuple(in_parallel(lambda spec: plan_folder(client, spec), request.folders,
                                concurrency))
    dashboards = tuple(in_parallel(
        lambda d: plan_dashboard(client, d, force=force, project=request.project),
        request.dashboards, concurrency))
    pruned: tuple[DashboardStep, ...] = ()
    if prune:
        keep = {d.uid for d in request.dashboards}
        pruned = plan_prune(client, request.project, keep, force=force, concurrency=concurrency)
    return Plan(folders, dashboards, pruned)


def plan_folder(client: GrafanaClient, spec: FolderSpec) -> FolderStep:
    step = FolderStep(spec.uid, spec.title, spec.parent, FolderAction.EXISTS)
    try:
        response = client.get(f"/api/folders/{path_segment(spec.uid)}")
    except GrafanaError as error:
        return replace(step, action=FolderAction.FAILED, reason=error.message)
    if response.status == 404 and response.is_json_object:
        return replace(step, action=FolderAction.CREATE)
    if not response.ok or not response.is_json_object:
        return replace(step, action=FolderAction.FAILED,
                       reason=f"could not read the folder: {response.describe()}")
    return replace(step, mismatch=folder_mismatch(spec, response.body),
                   can_write=permission(response.body, "canSave", "canEdit"))


def folder_mismatch(spec: FolderSpec, live: Mapping[str, Any]) -> str | None:
    """How Grafana's folder differs from the catalog's (title, parent), None when it does not."""
    problems = []
    if live.get("title") != spec.title:
        problems.append(f"its title is {live.get('title')!r}, the catalog says {spec.title!r}")
    live_parent = live.get("parentUid") or None
    if live_parent != spec.parent:
        where = f"under {live_parent!r}" if live_parent else "at the top level"
        wanted = f"under {spec.parent!r}" if spec.parent else "at the top level"
        problems.append(f"it is {where}, the catalog puts it {wanted}")
    return "; ".join(problems) or None


def plan_dashboard(client: GrafanaClient, desired: DesiredDashboard, *,
                   force: bool = False, project: str | None = None) -> DashboardStep:
    """Read one dashboard from Grafana and decide what it needs."""
    step = DashboardStep(desired.uid, desired.title, Action.CREATE, desired.folder)
    try:
        response = client.get(f"/api/dashboards/uid/{path_segment(desired.uid)}")
    except GrafanaError as error:
        return replace(step, action=Action.FAILED, reason=error.message)
    if response.status == 404 and response.is_json_object:
        return replace(step, payload=with_marker(desired.dashboard))
    live = _live_dashboard(response)
    if live is None:
        return replace(step, action=Action.FAILED,
                       reason=f"could not read it from Grafana: {response.describe()}")
    dashboard, meta = live
    live_folder = meta.get("folderUid") or None
    version = _int(meta.get("version"), _int(dashboard.get("version"), 0))
    step = replace(step, live=dashboard, live_version=version, live_folder=live_folder,
                   can_write=permission(meta, "canSave", "canEdit"))
    changes = []
    if not same_content(dashboard, desired.dashboard):
        changes.append("content changed")
    if live_folder != desired.folder:
        changes.append(f"moves from {_folder_name(live_folder)} to {_folder_name(desired.folder)}")
    if not changes:
        return replace(step, action=Action.UNCHANGED)  # no payload: nothing to hash or send
    step = replace(step, payload=with_marker(desired.dashboard))
    what = ", ".join(changes)
    owner = _ownership_problem(dashboard, meta, version, project)
    if owner is None:
        return replace(step, action=Action.UPDATE, reason=what)
    if force:
        return replace(step, action=Action.UPDATE, overwrite=True,
                       reason=f"{what}; overwrites: {owner} (--force)")
    return replace(step, action=Action.CONFLICT, reason=owner)


def plan_prune(client: GrafanaClient, project: str, keep: set[str], *, force: bool = False,
               concurrency: int = 4) -> tuple[DashboardStep, ...]:
    """Managed dashboards of the project whose uid the catalog no longer has."""
    try:
        hits = managed_dashboards(client, project)
    except GrafanaError as error:
        return (DashboardStep("*", "managed dashboards", Action.FAILED, None, removal=True,
                              reason=f"could not search Grafana for them: {error.message}"),)
    gone = sorted((hit for hit in hits if hit["uid"] not in keep), key=lambda hit: hit["uid"])
    steps = in_parallel(lambda hit: _plan_removal(client, hit, project, force=force), gone,
                        concurrency)
    return tuple(step for step in steps if step is not None)


def _plan_removal(client: GrafanaClient, hit: Mapping[str, Any], project: str, *,
                  force: bool) -> DashboardStep | None:
    uid, title = str(hit["uid"]), str(hit.get("title", ""))
    step = DashboardStep(uid, title, Action.PRUNE, hit.get("folderUid") or None,
                         reason="no longer in the catalog", removal=True,
                         owner_tags=tuple(managed_tags(project)))
    try:
        response = client.get(f"/api/dashboards/uid/{path_segment(uid)}")
    except GrafanaError as error:
        return replace(step, action=Action.FAILED, reason=error.message)
    if response.status == 404 and response.is_json_object:
        return None  # deleted since the search: nothing to do
    live = _live_dashboard(response)
    if live is None:
        return replace(step, action=Action.FAILED,
                       reason=f"could not read it from Grafana: {response.describe()}")
    dashboard, meta = live
    step = replace(step, live=dashboard, live_version=_int(meta.get("version"), 0),
                   live_folder=meta.get("folderUid") or None,
                   can_write=permission(meta, "canDelete") if "canDelete" in meta else
                   permission(meta, "canSave"))
    owner = _ownership_problem(dashboard, meta, step.live_version or 0, project)
    if owner is None:
        return step
    if force and not meta.get("provisioned"):
        return replace(step, reason=f"no longer in the catalog; deletes: {owner} (--force)")
    return replace(step, action=Action.CONFLICT,
                   reason=f"no longer in the catalog, but not deleted: {owner}")


def _ownership_problem(dashboard: dict[str, Any], meta: Mapping[str, Any],
                       version: int, project: str | None = None) -> str | None:
    """Why Grafana's copy is not this project's to change; None when it is."""
    if meta.get("provisioned"):
        return ("it is provisioned from a file in Grafana, which cannot be saved through the "
                "API")
    who = f", last saved by {meta['updatedBy']}" if meta.get("updatedBy") else ""
    if project is not None:
        from metricsctl.targets.grafana import MANAGED_TAG, project_tag

        tags = _tags(dashboard)
        ours = project_tag(project)
        others = sorted({tag for tag in tags
                         if tag.startswith(f"{MANAGED_TAG}:") and tag != ours})
        if others:
            return (f"it belongs to another metricsctl project (tagged {', '.join(others)}; "
                    f"version {version}{who})")
        if ours not in tags:
            return (f"it is not a dashboard of project {project!r}: it lacks the tag {ours} "
                    f"(made by hand or by another tool; version {version}{who})")
    origin = provenance(dashboard)
    if origin is Provenance.PUSHED:
        return None
    if origin is Provenance.EDITED:
        return f"it was edited in Grafana since metricsctl pushed it (version {version}{who})"
    return (f"it was not pushed by metricsctl, or was saved from Grafana's UI since "
            f"(version {version}{who})")


def permission(meta: Mapping[str, Any], *flags: str) -> bool | None:
    """What Grafana's `canSave`/`canEdit`/`canDelete` flags say: False when any is false,
    True when all present are true, None when Grafana sent none."""
    values = [meta[flag] for flag in flags if isinstance(meta.get(flag), bool)]
    if not values:
        return None
    return all(values)


def _tags(dashboard: Mapping[str, Any]) -> list[str]:
    tags = dashboard.get("tags")
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def _live_dashboard(response: ApiResponse) -> tuple[dict[str, Any], dict[str, Any]] | None:
    body = response.body
    if response.status != 200 or not response.is_json_object:
        return None
    dashboard, meta = body.get("dashboard"), body.get("meta")
    if not isinstance(dashboard, dict) or not isinstance(meta, dict):
        return None
    return dashboard, meta


def _folder_name(uid: str | None) -> str:
    return f"folder {uid!r}" if uid else "the root folder (General)"


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
