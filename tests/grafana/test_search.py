"""Finding a project's managed dashboards: both tags, every page."""

from __future__ import annotations

import pytest

from metricsctl.grafana.client import GrafanaClient
from metricsctl.grafana.errors import UnexpectedResponseError
from metricsctl.grafana.search import managed_dashboards, managed_tags
from tests.grafana_server import GrafanaServer


def test_pages_until_a_short_page(grafana: GrafanaServer, client: GrafanaClient) -> None:
    for n in range(5):
        grafana.seed_dashboard({"uid": f"d{n}", "title": f"D{n}", "tags": managed_tags("p")})
    grafana.seed_dashboard({"uid": "other", "title": "Other",
                            "tags": ["metricsctl", "metricsctl:q"]})
    grafana.seed_dashboard({"uid": "half", "title": "Half", "tags": ["metricsctl:p"]})

    hits = managed_dashboards(client, "p", page_size=2)

    assert [hit["uid"] for hit in hits] == ["d0", "d1", "d2", "d3", "d4"]
    pages = [r.query for r in grafana.requests("GET", "/api/search")]
    assert [q["page"] for q in pages] == [["1"], ["2"], ["3"]]
    assert all(q["tag"] == ["metricsctl", "metricsctl:p"] and q["type"] == ["dash-db"]
               for q in pages)


def test_a_failed_search_is_an_error(grafana: GrafanaServer, make_client: object) -> None:
    grafana.faults.fail(404, path="/api/search")
    with pytest.raises(UnexpectedResponseError, match="searching Grafana for the dashboards of "
                                                      "project 'p' failed: HTTP 404"):
        managed_dashboards(make_client(), "p")  # type: ignore[operator]
