"""Where the push tests push: the loopback server, or a real Grafana (opt-in).

The same scenario tests run against both. Everything a scenario does besides running
metricsctl (reading a dashboard, editing it "in the UI") goes over Grafana's HTTP API, so
it works on a real Grafana too; fault injection and the request log exist only on the
loopback server (`target.server`). Against a real Grafana (pytest marker `grafana`, with
GRAFANA_URL and an Admin GRAFANA_TOKEN), every name gets a per-run prefix and everything a
test created is deleted afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.grafana_server.server import GrafanaServer

REAL_GRAFANA_REASON = ("set GRAFANA_URL and GRAFANA_TOKEN (an Admin service-account token) "
                       "to run the push tests against a real Grafana")
MARKER_KEY = "metricsctlHash"
# Read when the tests are collected: test fixtures clear GRAFANA_* from the environment so
# that the CLI under test only sees what each test sets.
_REAL_GRAFANA = (os.environ.get("GRAFANA_URL", ""), os.environ.get("GRAFANA_TOKEN", ""))


@dataclass
class GrafanaTarget:
    url: str
    token: str
    server: GrafanaServer | None  # the loopback server; None on a real Grafana
    prefix: str = ""  # prepended to project, folder and dashboard names on a real Grafana
    verify: bool | str = True  # how the test's own requests check TLS (a CA file for HTTPS)
    _folders: set[str] = field(default_factory=set)
    _projects: set[str] = field(default_factory=set)
    _dashboards: set[str] = field(default_factory=set)

    def name(self, base: str) -> str:
        """A uid or project name unique to this run (unchanged on the loopback server)."""
        return f"{self.prefix}{base}"

    def uses(self, *, folders: tuple[str, ...] = (), projects: tuple[str, ...] = (),
             dashboards: tuple[str, ...] = ()) -> None:
        """Remember what to delete afterwards on a real Grafana."""
        self._folders.update(folders)
        self._projects.update(projects)
        self._dashboards.update(dashboards)

    def api(self, method: str, path: str, body: Any = None, **params: Any) -> requests.Response:
        return requests.request(method, self.url + path, json=body, params=params or None,
                                headers={"Authorization": f"Bearer {self.token}"}, timeout=30,
                                verify=self.verify)

    def dashboard(self, uid: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """Grafana's copy of a dashboard and its meta, None when absent."""
        response = self.api("GET", f"/api/dashboards/uid/{uid}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        body = response.json()
        return body["dashboard"], body["meta"]

    def version(self, uid: str) -> int | None:
        found = self.dashboard(uid)
        return int(found[1]["version"]) if found else None

    def edit_in_ui(self, uid: str, change: Callable[[dict[str, Any]], None]) -> None:
        """What a person saving the dashboard from Grafana's UI does: the UI keeps only the
        keys it knows (so our marker goes) and saves with the version it loaded."""
        found = self.dashboard(uid)
        assert found is not None, uid
        dashboard, meta = found
        dashboard.pop(MARKER_KEY, None)
        change(dashboard)
        response = self.api("POST", "/api/dashboards/db", {
            "dashboard": dashboard, "folderUid": meta.get("folderUid", ""),
            "overwrite": False, "message": "edited in the UI"})
        response.raise_for_status()

    def cleanup(self) -> None:
        for project in self._projects:
            hits = self.api("GET", "/api/search", tag=f"metricsctl:{project}", limit=5000).json()
            for hit in hits:
                self.api("DELETE", f"/api/dashboards/uid/{hit['uid']}")
        for uid in self._dashboards:
            self.api("DELETE", f"/api/dashboards/uid/{uid}")
        # Children before parents: deleting a parent first would take the children along.
        for folder in sorted(self._folders, key=len, reverse=True):
            self.api("DELETE", f"/api/folders/{folder}")


@contextmanager
def loopback_target(token: str, *, ca_certificate: Path | None = None,
                    **server_options: Any) -> Iterator[GrafanaTarget]:
    """The loopback server with `token` as an Admin token (`ca_certificate`: for HTTPS)."""
    tokens = {token: "Admin", **server_options.pop("tokens", {})}
    with GrafanaServer(tokens=tokens, **server_options) as server:
        verify = str(ca_certificate) if ca_certificate is not None else True
        yield GrafanaTarget(server.url, token, server, verify=verify)


@contextmanager
def real_target() -> Iterator[GrafanaTarget]:
    """A real Grafana from the environment; skips the test (with the reason) without one."""
    url, token = _REAL_GRAFANA
    if not url or not token:
        pytest.skip(REAL_GRAFANA_REASON)
    target = GrafanaTarget(url.rstrip("/"), token, None, prefix=f"mt{secrets.token_hex(3)}-")
    try:
        yield target
    finally:
        target.cleanup()
