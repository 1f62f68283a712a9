"""May these credentials carry the plan out? Checked before a dry run says "would succeed".

What Grafana itself reports, for each write of the plan:
- an update: the dashboard's `meta.canSave`/`canEdit` (read while planning);
- a prune: its `meta.canDelete`;
- a dashboard created in an existing folder: the folder's `canSave`/`canEdit`;
- a folder to create, and a dashboard created at the root (General): the caller's RBAC
  actions, `folders:create` and `dashboards:create` (GET /api/access-control/user/actions);
  a folder created by the push itself is writable by its creator, so creating it is enough.
Where Grafana reports nothing (an older Grafana, an unreadable folder), access is unknown:
never assumed granted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from metricsctl.grafana.client import GrafanaClient
from metricsctl.grafana.errors import GrafanaError
from metricsctl.grafana.plan import Action, DashboardStep, FolderAction, FolderStep, Plan

ACTIONS_PATH = "/api/access-control/user/actions"


class Access(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class WriteAccess:
    """Whether one write of the plan is allowed, and what says so."""

    kind: str  # "dashboard" or "folder"
    uid: str
    access: Access
    detail: str  # what was checked and what Grafana answered


class _Actions:
    """The caller's RBAC actions, read once when first needed; None with why if unreadable."""

    def __init__(self, client: GrafanaClient) -> None:
        self._client = client
        self._read = False
        self.granted: frozenset[str] | None = None
        self.problem = ""

    def has(self, action: str) -> bool | None:
        if not self._read:
            self._read = True
            try:
                response = self._client.get(ACTIONS_PATH)
            except GrafanaError as error:
                self.problem = error.message
            else:
                if response.ok and response.is_json_object:
                    self.granted = frozenset(name for name, allowed in response.body.items()
                                             if allowed is True)
                else:
                    self.problem = f"GET {ACTIONS_PATH} answered {response.describe()}"
        return None if self.granted is None else action in self.granted


def check_write_access(client: GrafanaClient, plan: Plan, who: str) -> tuple[WriteAccess, ...]:
    """One WriteAccess per folder to create and per dashboard write; `who` names the
    credentials in messages (`the token in GRAFANA_TOKEN`)."""
    actions = _Actions(client)
    folders = {folder.uid: folder for folder in plan.folders}
    folder_access = {folder.uid: _folder_creation(folder, folders, actions, who)
                     for folder in plan.folders_to_create}
    checked = list(folder_access.values())
    for step in plan.steps():
        if step.writes:
            checked.append(_dashboard_write(step, folders, folder_access, actions, who))
    return tuple(checked)


def _folder_creation(folder: FolderStep, folders: dict[str, FolderStep], actions: _Actions,
                     who: str) -> WriteAccess:
    parent = folders.get(folder.parent) if folder.parent else None
    if parent is not None and parent.action is FolderAction.EXISTS:
        return _from_flag("folder", folder.uid, parent.can_write, who,
                          f"create folders in folder {parent.uid!r}", "canSave")
    return _from_action("folder", folder.uid, actions, "folders:create", who, "create folders")


def _dashboard_write(step: DashboardStep, folders: dict[str, FolderStep],
                     created: dict[str, WriteAccess], actions: _Actions,
                     who: str) -> WriteAccess:
    if step.action is Action.PRUNE:
        return _from_flag("dashboard", step.uid, step.can_write, who, "delete it", "canDelete")
    if step.action is Action.UPDATE:
        own = _from_flag("dashboard", step.uid, step.can_write, who, "save it", "canSave")
        if own.access is not Access.GRANTED or step.folder == step.live_folder:
            return own
    # A create, or an update moving the dashboard: the folder it goes to decides.
    if step.folder is None:
        return _from_action("dashboard", step.uid, actions, "dashboards:create", who,
                            "create dashboards in the General folder")
    if step.folder in created:
        access = created[step.folder]
        return WriteAccess("dashboard", step.uid, access.access,
                           f"its folder {step.folder!r} is created by this push: "
                           f"{access.detail}")
    folder = folders.get(step.folder)
    if folder is None or folder.action is not FolderAction.EXISTS:
        return WriteAccess("dashboard", step.uid, Access.UNKNOWN,
                           f"could not check that {who} may save to folder {step.folder!r}: "
                           "the folder could not be read")
    return _from_flag("dashboard", step.uid, folder.can_write, who,
                      f"save to folder {step.folder!r}", "canSave")


def _from_flag(kind: str, uid: str, flag: bool | None, who: str, what: str,
               name: str) -> WriteAccess:
    if flag is None:
        return WriteAccess(kind, uid, Access.UNKNOWN,
                           f"could not check that {who} may {what}: Grafana reported no {name}")
    if flag:
        return WriteAccess(kind, uid, Access.GRANTED, f"{who} may {what}")
    return WriteAccess(kind, uid, Access.DENIED,
                       f"{who} cannot {what} (Grafana reports {name}: false)")


def _from_action(kind: str, uid: str, actions: _Actions, action: str, who: str,
                 what: str) -> WriteAccess:
    allowed = actions.has(action)
    if allowed is None:
        return WriteAccess(kind, uid, Access.UNKNOWN,
                           f"could not check that {who} may {what}: {actions.problem}")
    if allowed:
        return WriteAccess(kind, uid, Access.GRANTED, f"{who} may {what} ({action})")
    return WriteAccess(kind, uid, Access.DENIED,
                       f"{who} cannot {what} (its permissions lack {action})")
