"""Grafana's dashboards, folders and search as an in-memory model (no HTTP in this module).

Each public method takes what a request carries (decoded JSON body, query parameters, the
caller's identity) and returns a `Reply` with the status and JSON body Grafana 11 answers.
Semantics follow shared/reference/grafana-http-api.md and Grafana's source:
pkg/api/dashboard.go (PostDashboard, GetDashboard, deleteDashboard),
pkg/services/dashboards/database (optimistic concurrency: a save whose `dashboard.version`
differs from the stored one is refused with 412 unless `overwrite`), pkg/api/apierrors
(error bodies), pkg/services/dashboards/models.go (error messages) and the search service
(folders first, then titles; `limit` defaults to 1000, at most 5000; `page` from 1).

Where Grafana versions disagree the newest behaviour is modelled (titles are not unique
since 11.3, so there is no 412 `name-exists`). A folder created under a parent that does
not exist answers 400 here; Grafana answers 400 or 404 depending on version and storage.
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GRAFANA_VERSION = "11.5.2"
GRAFANA_COMMIT = "598e0338d5374d6bc404b02d60dc91e8c4d1a6a4"
MAX_UID_LENGTH = 40
MAX_MESSAGE_BYTES = 500  # Grafana compares len(message) in Go: bytes, not characters
MAX_TAG_LENGTH = 50
MAX_FOLDER_DEPTH = 4
DEFAULT_SEARCH_LIMIT = 1000
MAX_SEARCH_LIMIT = 5000
ROOT_FOLDER_TITLE = "General"

_UID_CHARACTERS = re.compile(r"^[A-Za-z0-9_-]*$")

Json = Any


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is calling: a service-account token or a user, with an organisation role."""

    name: str
    role: str  # "Viewer", "Editor" or "Admin"

    @property
    def can_write(self) -> bool:
        return self.role in ("Editor", "Admin")


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: Json


@dataclass(slots=True)
class DashboardVersion:
    """One entry of a dashboard's version history (what the UI's "Versions" tab lists)."""

    version: int
    message: str
    data: dict[str, Json]
    created: str
    created_by: str


@dataclass(slots=True)
class StoredFolder:
    id: int
    uid: str
    title: str
    parent_uid: str | None
    created: str
    updated: str
    created_by: str
    version: int = 1


@dataclass(slots=True)
class StoredDashboard:
    id: int
    uid: str
    data: dict[str, Json]
    folder_uid: str | None
    version: int
    created: str
    updated: str
    created_by: str
    updated_by: str
    provisioned: bool = False
    provisioned_external_id: str = ""
    plugin_id: str | None = None
    history: list[DashboardVersion] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.data.get("title", ""))


def slugify(title: str) -> str:
    """Grafana's URL slug of a title: lower case, runs of other characters become `-`."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _message(text: str, status: str | None = None) -> dict[str, str]:
    body = {"message": text}
    if status is not None:
        body["status"] = status
    return body


def _access_denied(action: str) -> Reply:
    """The body of Grafana's RBAC middleware when the caller lacks a permission."""
    return Reply(403, {
        "accessErrorId": f"ACE{abs(hash(action)) % 10**10:010d}",
        "message": "You'll need additional permissions to perform this action. "
                   f"Permissions needed: {action}",
        "title": "Access denied",
    })


def _version_of(dashboard: Mapping[str, Json]) -> int:
    """`dashboard.version` as Grafana reads it (MustInt: 0 when absent or not a number)."""
    value = dashboard.get("version")
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return 0


def _uid_problem(uid: str) -> str | None:
    if not _UID_CHARACTERS.match(uid):
        return "uid contains illegal characters"
    if len(uid) > MAX_UID_LENGTH:
        return "uid too long, max 40 characters"
    return None


class GrafanaState:
    """One Grafana organisation's folders and dashboards. Thread-safe: one lock for all."""

    def __init__(self, version: str = GRAFANA_VERSION) -> None:
        self.version = version
        self.database = "ok"  # "failing" makes /api/health answer 503, as Grafana does
        self.lock = threading.RLock()
        self.folders: dict[str, StoredFolder] = {}
        self.dashboards: dict[str, StoredDashboard] = {}
        # Folders (None: the root, "General") where only Admins may write: folder permissions
        # that give Editors view access only.
        self.read_only_folders: set[str | None] = set()
        self._ids = itertools.count(1)
        self._generated_uids = itertools.count(1)

    # -- health -------------------------------------------------------------------------------

    def health(self) -> Reply:
        body = {"commit": GRAFANA_COMMIT, "database": self.database, "version": self.version}
        if not self.version:  # Grafana's hide_version setting
            del body["commit"], body["version"]
        return Reply(200 if self.database == "ok" else 503, body)

    # -- folders ------------------------------------------------------------------------------

    def may_write(self, identity: Identity | None, folder_uid: str | None) -> bool:
        """Whether the caller may save, create or delete in the folder (None: the root)."""
        if identity is None or identity.role == "Admin":
            return True
        return identity.can_write and folder_uid not in self.read_only_folders

    def user_actions(self, identity: Identity) -> Reply:
        """GET /api/access-control/user/actions: the caller's RBAC actions (org-wide)."""
        actions = ["dashboards:read", "folders:read"]
        if identity.can_write:
            actions += ["dashboards:write", "dashboards:delete", "folders:write"]
            if self.may_write(identity, None):
                actions += ["dashboards:create", "folders:create"]
        return Reply(200, dict.fromkeys(sorted(actions), True))

    def folder_json(self, stored: StoredFolder,
                    identity: Identity | None = None) -> dict[str, Json]:
        writable = self.may_write(identity, stored.uid)
        body: dict[str, Json] = {
            "id": stored.id, "uid": stored.uid, "orgId": 1, "title": stored.title,
            "url": f"/dashboards/f/{stored.uid}/{slugify(stored.title)}",
            "hasAcl": False, "canSave": writable, "canEdit": writable,
            "canAdmin": identity is None or identity.role == "Admin",
            "canDelete": writable, "createdBy": stored.created_by, "created": stored.created,
            "updatedBy": stored.created_by, "updated": stored.updated, "version": stored.version,
        }
        if stored.parent_uid is not None:
            body["parentUid"] = stored.parent_uid
            body["parents"] = [self.folder_json(parent) for parent in self._ancestors(stored)]
        return body

    def _ancestors(self, stored: StoredFolder) -> list[StoredFolder]:
        """The folder's ancestors, the top-level one first."""
        chain: list[StoredFolder] = []
        parent = stored.parent_uid
        while parent is not None and parent in self.folders:
            chain.append(self.folders[parent])
            parent = self.folders[parent].parent_uid
        return list(reversed(chain))

    def get_folder(self, uid: str, identity: Identity | None = None) -> Reply:
        with self.lock:
            stored = self.folders.get(uid)
            if stored is None:
                return Reply(404, _message("folder not found", "not-found"))
            return Reply(200, self.folder_json(stored, identity))

    def list_folders(self, query: Mapping[str, Sequence[str]]) -> Reply:
        """GET /api/folders: the immediate children of `parentUid` (top level without it)."""
        parent = _first(query, "parentUid") or None
        limit = _positive_int(_first(query, "limit"), DEFAULT_SEARCH_LIMIT)
        page = _positive_int(_first(query, "page"), 1)
        with self.lock:
            children = sorted((f for f in self.folders.values() if f.parent_uid == parent),
                              key=lambda f: (f.title.lower(), f.uid))
            rows = []
            for stored in children[(page - 1) * limit: page * limit]:
                row: dict[str, Json] = {"id": stored.id, "uid": stored.uid, "title": stored.title}
                if stored.parent_uid is not None:
                    row["parentUid"] = stored.parent_uid
                rows.append(row)
            return Reply(200, rows)

    def create_folder(self, body: Json, identity: Identity) -> Reply:
        if not identity.can_write:
            return _access_denied("folders:create")
        if not isinstance(body, dict):
            return Reply(400, _message("bad request data"))
        title = str(body.get("title") or "").strip()
        if not title:
            return Reply(400, _message("folder title cannot be empty"))
        uid = str(body.get("uid") or "").strip()
        problem = _uid_problem(uid)
        if problem is not None:
            return Reply(400, _message(problem))
        parent = str(body.get("parentUid") or "").strip() or None
        with self.lock:
            if uid and (uid in self.folders or uid in self.dashboards):
                return Reply(409, _message("A folder/dashboard with the same uid already exists"))
            if not self.may_write(identity, parent):
                return _access_denied("folders:create")
            if parent is not None:
                if parent not in self.folders:
                    return Reply(400, _message("parent folder not found"))
                if len(self._ancestors(self.folders[parent])) + 1 >= MAX_FOLDER_DEPTH:
                    return Reply(400, _message("failed to validate parent folder: "
                                               "maximum folder depth reached"))
            if any(f.parent_uid == parent and f.title == title for f in self.folders.values()):
                return Reply(409, _message(
                    "a folder with the same name already exists in the current location"))
            stored = self._add_folder(uid or self._generate_uid(), title, parent, identity.name)
            return Reply(200, self.folder_json(stored))

    def _add_folder(self, uid: str, title: str, parent: str | None, actor: str) -> StoredFolder:
        now = _now()
        stored = StoredFolder(next(self._ids), uid, title, parent, now, now, actor)
        self.folders[uid] = stored
        return stored

    def delete_folder(self, uid: str, identity: Identity) -> Reply:
        """DELETE /api/folders/:uid removes the folder, its sub-folders and their dashboards."""
        if not identity.can_write:
            return _access_denied("folders:delete")
        with self.lock:
            stored = self.folders.get(uid)
            if stored is None:
                return Reply(404, _message("folder not found", "not-found"))
            doomed = {uid}
            grew = True
            while grew:
                children = {f.uid for f in self.folders.values() if f.parent_uid in doomed}
                grew = not children <= doomed
                doomed |= children
            for board_uid in [b.uid for b in self.dashboards.values() if b.folder_uid in doomed]:
                del self.dashboards[board_uid]
            for folder_uid in doomed:
                del self.folders[folder_uid]
            return Reply(200, {"id": stored.id, "title": stored.title,
                               "message": f"Folder {stored.title} deleted"})

    # -- dashboards ---------------------------------------------------------------------------

    def save_dashboard(self, body: Json, identity: Identity) -> Reply:
        """POST /api/dashboards/db, with Grafana's checks in Grafana's order."""
        if not identity.can_write:
            return _access_denied("dashboards:create")
        if not isinstance(body, dict) or not isinstance(body.get("dashboard"), dict):
            return Reply(400, _message("bad request data"))
        if body.get("isFolder"):
            return Reply(400, _message("Use folders endpoint for saving folders."))
        dashboard = copy.deepcopy(body["dashboard"])
        title = str(dashboard.get("title") or "").strip()
        if not title:
            return Reply(400, _message("Dashboard title cannot be empty", "empty-name"))
        dashboard["title"] = title
        message = body.get("message") or ""
        if not isinstance(message, str):
            return Reply(400, _message("bad request data"))
        if len(message.encode("utf-8")) > MAX_MESSAGE_BYTES:
            return Reply(400, _message("message too long, max 500 characters"))
        uid = str(dashboard.get("uid") or "").strip()
        problem = _uid_problem(uid)
        if problem is not None:
            return Reply(400, _message(problem))
        tags = dashboard.get("tags") or []
        if any(isinstance(tag, str) and len(tag) > MAX_TAG_LENGTH for tag in tags):
            return Reply(400, _message("dashboard tag too long, max 50 characters",
                                       "tag-too-long"))
        folder_uid = str(body.get("folderUid") or "").strip() or None
        overwrite = bool(body.get("overwrite"))
        with self.lock:
            if folder_uid is not None and folder_uid not in self.folders:
                return Reply(400, _message("folder not found"))
            current = self.dashboards.get(uid) if uid else None
            if not self.may_write(identity, folder_uid) or (
                    current is not None and not self.may_write(identity, current.folder_uid)):
                return _access_denied("dashboards:write")
            if uid in self.folders:
                return Reply(400, _message("Dashboard cannot be changed to a folder"))
            by_id = _positive_int(str(dashboard.get("id") or ""), 0)
            existing = self.dashboards.get(uid) if uid else None
            if by_id:
                match = next((b for b in self.dashboards.values() if b.id == by_id), None)
                if match is None:
                    return Reply(404, _message("Dashboard not found", "not-found"))
                if existing is not None and existing.id != match.id:
                    return Reply(400, _message("A dashboard with the same uid already exists"))
                existing = match
            if existing is not None:
                if existing.provisioned:
                    return Reply(400, _message("Cannot save provisioned dashboard"))
                if _version_of(dashboard) != existing.version and not overwrite:
                    return Reply(412, _message("The dashboard has been changed by someone else",
                                               "version-mismatch"))
                if existing.plugin_id and not overwrite:
                    return Reply(412, _message(
                        f"The dashboard belongs to plugin {existing.plugin_id}.",
                        "plugin-dashboard"))
            stored = self._store(dashboard, uid or self._generate_uid(), folder_uid, message,
                                 identity.name, existing)
            slug = slugify(stored.title)
            return Reply(200, {"id": stored.id, "uid": stored.uid, "status": "success",
                               "url": f"/d/{stored.uid}/{slug}", "version": stored.version,
                               "slug": slug, "folderUid": stored.folder_uid or ""})

    def _store(self, dashboard: dict[str, Json], uid: str, folder_uid: str | None, message: str,
               actor: str, existing: StoredDashboard | None) -> StoredDashboard:
        now = _now()
        if existing is None:
            stored = StoredDashboard(next(self._ids), uid, {}, folder_uid, 1, now, now, actor,
                                     actor)
            self.dashboards[uid] = stored
        else:
            stored = existing
            stored.version += 1
            stored.updated, stored.updated_by, stored.folder_uid = now, actor, folder_uid
            stored.plugin_id = None  # a save through the API detaches it from its plugin
        dashboard.update(id=stored.id, uid=uid, version=stored.version)
        stored.data = dashboard
        stored.history.append(DashboardVersion(stored.version, message,
                                               copy.deepcopy(dashboard), now, actor))
        return stored

    def get_dashboard(self, uid: str, identity: Identity | None = None) -> Reply:
        with self.lock:
            stored = self.dashboards.get(uid)
            if stored is None:
                return Reply(404, _message("Dashboard not found"))
            # A shallow copy is enough: stored JSON is replaced on save, never changed in place.
            data = dict(stored.data)
            data["version"] = stored.version  # Grafana syncs the JSON with the stored version
            folder = self.folders.get(stored.folder_uid) if stored.folder_uid else None
            slug = slugify(stored.title)
            writable = self.may_write(identity, stored.folder_uid)
            meta: dict[str, Json] = {
                "type": "db", "canSave": writable and not stored.provisioned,
                "canEdit": writable, "canAdmin": identity is None or identity.role == "Admin",
                "canStar": True, "canDelete": writable and not stored.provisioned,
                "slug": slug, "url": f"/d/{stored.uid}/{slug}", "expires": "0001-01-01T00:00:00Z",
                "created": stored.created, "updated": stored.updated,
                "updatedBy": stored.updated_by, "createdBy": stored.created_by,
                "version": stored.version, "hasAcl": False, "isFolder": False,
                "folderId": folder.id if folder else 0,
                "folderUid": folder.uid if folder else "",
                "folderTitle": folder.title if folder else ROOT_FOLDER_TITLE,
                "folderUrl": (f"/dashboards/f/{folder.uid}/{slugify(folder.title)}"
                              if folder else ""),
                "provisioned": stored.provisioned,
                "provisionedExternalId": stored.provisioned_external_id,
            }
            return Reply(200, {"dashboard": data, "meta": meta})

    def delete_dashboard(self, uid: str, identity: Identity) -> Reply:
        with self.lock:
            stored = self.dashboards.get(uid)
            if stored is None:
                return Reply(404, _message("Dashboard not found"))
            if not self.may_write(identity, stored.folder_uid):
                return _access_denied("dashboards:delete")
            if stored.provisioned:
                return Reply(400, _message("provisioned dashboard cannot be deleted"))
            del self.dashboards[uid]
            return Reply(200, {"id": stored.id, "uid": stored.uid, "title": stored.title,
                               "message": f"Dashboard {stored.title} deleted"})

    # -- search -------------------------------------------------------------------------------

    def search(self, query: Mapping[str, Sequence[str]]) -> Reply:
        """GET /api/search: every `tag` must match; folders sort before dashboards."""
        text = (_first(query, "query") or "").lower()
        tags = set(query.get("tag", ()))
        kind = _first(query, "type")
        uids = set(query.get("dashboardUIDs", ())) | set(query.get("dashboardUID", ()))
        in_folders = {None if uid == "general" else uid for uid in query.get("folderUIDs", ())}
        limit = min(_positive_int(_first(query, "limit"), DEFAULT_SEARCH_LIMIT), MAX_SEARCH_LIMIT)
        page = _positive_int(_first(query, "page"), 1)

        def wanted(uid: str, title: str, item_tags: set[str], parent: str | None) -> bool:
            return ((not text or text in title.lower()) and tags <= item_tags
                    and (not uids or uid in uids) and (not in_folders or parent in in_folders))

        with self.lock:
            hits: list[tuple[int, str, dict[str, Json]]] = []
            if kind in (None, "dash-folder"):
                for folder in self.folders.values():
                    if wanted(folder.uid, folder.title, set(), folder.parent_uid):
                        hits.append((0, folder.title.lower(), self._folder_hit(folder)))
            if kind in (None, "dash-db"):
                for board in self.dashboards.values():
                    board_tags = {t for t in board.data.get("tags") or [] if isinstance(t, str)}
                    if wanted(board.uid, board.title, board_tags, board.folder_uid):
                        hits.append((1, board.title.lower(), self._dashboard_hit(board)))
            hits.sort(key=lambda hit: (hit[0], hit[1], hit[2]["uid"]))
            return Reply(200, [hit for _, _, hit in hits[(page - 1) * limit: page * limit]])

    def _folder_hit(self, folder: StoredFolder) -> dict[str, Json]:
        slug = slugify(folder.title)
        hit: dict[str, Json] = {
            "id": folder.id, "uid": folder.uid, "title": folder.title, "uri": f"db/{slug}",
            "url": f"/dashboards/f/{folder.uid}/{slug}", "slug": "", "type": "dash-folder",
            "tags": [], "isStarred": False, "sortMeta": 0,
        }
        if folder.parent_uid is not None and folder.parent_uid in self.folders:
            hit.update(self._in_folder(self.folders[folder.parent_uid]))
        return hit

    def _dashboard_hit(self, board: StoredDashboard) -> dict[str, Json]:
        slug = slugify(board.title)
        hit: dict[str, Json] = {
            "id": board.id, "uid": board.uid, "title": board.title, "uri": f"db/{slug}",
            "url": f"/d/{board.uid}/{slug}", "slug": "", "type": "dash-db",
            "tags": sorted(t for t in board.data.get("tags") or [] if isinstance(t, str)),
            "isStarred": False, "sortMeta": 0,
        }
        if board.folder_uid is not None and board.folder_uid in self.folders:
            hit.update(self._in_folder(self.folders[board.folder_uid]))
        return hit

    @staticmethod
    def _in_folder(folder: StoredFolder) -> dict[str, Json]:
        return {"folderId": folder.id, "folderUid": folder.uid, "folderTitle": folder.title,
                "folderUrl": f"/dashboards/f/{folder.uid}/{slugify(folder.title)}"}

    # -- seeding (what other people did in Grafana before the test's push) ----------------------

    def seed_folder(self, uid: str, title: str, parent_uid: str | None = None) -> None:
        with self.lock:
            self._add_folder(uid, title, parent_uid, "admin")

    def seed_dashboard(self, dashboard: Mapping[str, Json], *, folder_uid: str | None = None,
                       provisioned: bool = False, plugin_id: str | None = None,
                       message: str = "", actor: str = "admin") -> int:
        """Store a dashboard as Grafana would after a save; returns its version.

        `provisioned` marks it as loaded from a provisioning file (the API cannot save or
        delete it); `plugin_id` as installed by an app plugin. The uid is not validated, so
        a test can play a server that hands out hostile uids.
        """
        data = copy.deepcopy(dict(dashboard))
        uid = str(data["uid"])
        with self.lock:
            stored = self._store(data, uid, folder_uid, message, actor, self.dashboards.get(uid))
            stored.provisioned = provisioned
            stored.provisioned_external_id = f"{uid}.json" if provisioned else ""
            stored.plugin_id = plugin_id
            return stored.version

    def edit_dashboard(self, uid: str, change: Callable[[dict[str, Json]], None], *,
                       actor: str = "alice", message: str = "edited in the UI") -> int:
        """Someone saves the dashboard from Grafana's UI: `change` mutates its JSON in place."""
        with self.lock:
            stored = self.dashboards[uid]
            data = copy.deepcopy(stored.data)
            change(data)
            return self._store(data, uid, stored.folder_uid, message, actor, stored).version

    def _generate_uid(self) -> str:
        return f"gen{next(self._generated_uids):06d}"


def _first(query: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _positive_int(text: str | None, default: int) -> int:
    """Grafana's QueryInt: anything that is not a positive integer means the default."""
    try:
        value = int(text) if text is not None else 0
    except ValueError:
        return default
    return value if value > 0 else default
