"""Dashboards read from a running Grafana (`metricsctl import --grafana-url URL`), with the
same connection settings, credentials, TLS and redaction as `metricsctl push`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from metricsctl.adopt.dashboards import read_dashboard_json
from metricsctl.diagnostics import Location

if TYPE_CHECKING:
    from metricsctl.adopt.sources import ImportRun
    from metricsctl.grafana.client import GrafanaClient
    from metricsctl.grafana.settings import ConnectionSettings

_SEARCH_LIMIT = 5000


def read_grafana(run: ImportRun, settings: ConnectionSettings, uids: Sequence[str],
                 folders: Sequence[str]) -> None:
    """The dashboards `uids`, those in `folders`, or (neither given) every dashboard."""
    from metricsctl.grafana.client import GrafanaClient
    from metricsctl.grafana.errors import GrafanaError

    where = Location(settings.url)
    with GrafanaClient(settings) as client:
        try:
            wanted = list(uids)
            if folders or not uids:
                found = _search(run, client, folders)
                if found is None:
                    return
                wanted.extend(found)
            for uid in dict.fromkeys(wanted):
                _dashboard(run, client, settings.url, uid)
        except GrafanaError as error:
            run.error("import/grafana", error.message, where,
                      "check --grafana-url, the credentials (GRAFANA_TOKEN) and TLS settings")


def _search(run: ImportRun, client: GrafanaClient, folders: Sequence[str]) -> list[str] | None:
    params: dict[str, Any] = {"type": "dash-db", "limit": _SEARCH_LIMIT}
    if folders:
        params["folderUIDs"] = list(folders)
    response = client.get("/api/search", params)
    if not response.ok or not isinstance(response.body, list):
        run.error("import/grafana", f"searching dashboards failed: {response.describe()}",
                  Location(client.url))
        return None
    return [hit["uid"] for hit in response.body
            if isinstance(hit, dict) and isinstance(hit.get("uid"), str)]


def _dashboard(run: ImportRun, client: GrafanaClient, url: str, uid: str) -> None:
    from metricsctl.grafana.client import path_segment

    display = f"{url}/d/{uid}"
    response = client.get(f"/api/dashboards/uid/{path_segment(uid)}")
    if response.status == 404:
        run.error("import/grafana", "Grafana has no dashboard with this uid", Location(display))
        return
    if not response.ok or not response.is_json_object:
        run.error("import/grafana", f"could not read it: {response.describe()}",
                  Location(display))
        return
    # Messages point into the answer as pretty-printed here (and shown with them).
    text = json.dumps(response.body, indent=2, ensure_ascii=False)
    run.texts[display] = text
    read_dashboard_json(run, display, text)
