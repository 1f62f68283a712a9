"""Before planning: is this Grafana, which version, and do the credentials work?"""

from __future__ import annotations

from dataclasses import dataclass

from metricsctl.grafana.client import GrafanaClient
from metricsctl.grafana.errors import (
    ForbiddenError,
    NotGrafanaError,
    UnauthorizedError,
    UnavailableError,
    UnexpectedResponseError,
)
from metricsctl.grafana.settings import TOKEN_VARIABLE

UNKNOWN_VERSION = "(version hidden)"


@dataclass(frozen=True, slots=True)
class GrafanaInfo:
    url: str
    version: str


def preflight(client: GrafanaClient) -> GrafanaInfo:
    """GET /api/health (no auth: is it Grafana, which version), then one authenticated read.

    Raises a GrafanaError subclass with a one-line message when any of it fails.
    """
    url = client.url
    health = client.get("/api/health")
    body = health.body
    if isinstance(body, dict) and body.get("database") not in (None, "ok"):
        tries = f", after {health.attempts} attempts" if health.attempts > 1 else ""
        raise UnavailableError(f"Grafana at {url} reports its database as "
                               f"{body.get('database')!r} (HTTP {health.status}{tries})")
    if health.status != 200 or not isinstance(body, dict) or "database" not in body:
        kind = health.content_type.split(";")[0] or "no content type"
        raise NotGrafanaError(
            f"{url} does not look like Grafana: GET /api/health answered "
            f"HTTP {health.status} ({kind})",
            "check the URL (--grafana-url, GRAFANA_URL); include the sub-path when Grafana "
            "is served under one, e.g. https://example.com/grafana")
    # Grafana hides its version from /api/health when configured to (hide_version).
    version = str(body.get("version") or UNKNOWN_VERSION)

    check = client.get("/api/search", {"type": "dash-db", "limit": 1})
    credentials = client.settings.credentials.describe()
    if check.status == 401:
        raise UnauthorizedError(
            f"Grafana {version} at {url} rejected {credentials} (HTTP 401: {check.message})",
            f"set {TOKEN_VARIABLE} to a valid service-account token")
    if check.status == 403:
        raise ForbiddenError(
            f"Grafana {version} at {url} does not let {credentials} search dashboards "
            f"(HTTP 403: {check.message})",
            "give the service account the Editor role, or dashboards and folders permissions")
    if not check.ok:
        raise UnexpectedResponseError(
            f"Grafana {version} at {url} could not search dashboards: {check.describe()}")
    if not isinstance(check.body, list) or "json" not in check.content_type.lower():
        kind = check.content_type.split(";")[0] or "no content type"
        raise NotGrafanaError(
            f"GET /api/search at {url} answered HTTP {check.status} ({kind}) but not with "
            "Grafana's JSON list: a login proxy or another server may be in front of Grafana",
            "check the URL, and that the token reaches Grafana itself (no single sign-on "
            "proxy in between)")
    return GrafanaInfo(url, version)
