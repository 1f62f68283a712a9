"""Find the dashboards metricsctl manages for a project: GET /api/search, page by page."""

from __future__ import annotations

from typing import Any

from metricsctl.grafana.client import GrafanaClient
from metricsctl.grafana.errors import UnexpectedResponseError

PAGE_SIZE = 1000  # Grafana's default; it accepts up to 5000
MAX_PAGES = 1000  # a server that never sends a short page must not keep us paging for ever


def managed_tags(project: str) -> list[str]:
    """The tags every pushed dashboard carries (Grafana ANDs repeated `tag` parameters)."""
    from metricsctl.targets.grafana import MANAGED_TAG, project_tag

    return [MANAGED_TAG, project_tag(project)]


def managed_dashboards(client: GrafanaClient, project: str,
                       page_size: int = PAGE_SIZE) -> list[dict[str, Any]]:
    """Search hits of the project's managed dashboards (each a dict with at least `uid`)."""
    hits: list[dict[str, Any]] = []
    seen: set[str] = set()
    for page in range(1, MAX_PAGES + 1):
        response = client.get("/api/search", {"type": "dash-db", "tag": managed_tags(project),
                                              "limit": page_size, "page": page})
        if not response.ok or not isinstance(response.body, list):
            raise UnexpectedResponseError(
                f"searching Grafana for the dashboards of project {project!r} failed: "
                f"{response.describe()}")
        batch = [hit for hit in response.body
                 if isinstance(hit, dict) and isinstance(hit.get("uid"), str)]
        hits.extend(hit for hit in batch if hit["uid"] not in seen)
        seen.update(hit["uid"] for hit in batch)
        if len(response.body) < page_size:
            break
    return hits
