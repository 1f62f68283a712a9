"""Preflight: is it Grafana, which version, do the credentials work."""

from __future__ import annotations

import pytest

from metricsctl.grafana.client import GrafanaClient
from metricsctl.grafana.errors import (
    ForbiddenError,
    NotGrafanaError,
    UnauthorizedError,
    UnavailableError,
)
from metricsctl.grafana.preflight import preflight
from tests.grafana.conftest import VIEWER_TOKEN, MakeClient
from tests.grafana_server import GRAFANA_VERSION, GrafanaServer


def test_reports_the_version_after_one_authenticated_read(grafana: GrafanaServer,
                                                          make_client: MakeClient) -> None:
    info = preflight(make_client())
    assert (info.url, info.version) == (grafana.url, GRAFANA_VERSION)
    assert [(r.method, r.path, r.identity) for r in grafana.requests()] == [
        ("GET", "/api/health", None), ("GET", "/api/search", "service-account")]


def test_a_read_only_token_passes_preflight(make_client: MakeClient) -> None:
    assert preflight(make_client(token=VIEWER_TOKEN)).version == GRAFANA_VERSION


def test_a_hidden_version_is_said_so(grafana: GrafanaServer, make_client: MakeClient) -> None:
    grafana.state.version = ""
    assert preflight(make_client()).version == "(version hidden)"


def test_a_wrong_token_is_401(grafana: GrafanaServer, make_client: MakeClient) -> None:
    with pytest.raises(UnauthorizedError) as raised:
        preflight(make_client(token="nope"))
    assert str(raised.value) == (f"Grafana {GRAFANA_VERSION} at {grafana.url} rejected the "
                                 "token in GRAFANA_TOKEN (HTTP 401: Invalid API key)")
    assert raised.value.hint == "set GRAFANA_TOKEN to a valid service-account token"
    assert "nope" not in str(raised.value)


def test_no_permission_to_search_is_403(grafana: GrafanaServer, make_client: MakeClient) -> None:
    grafana.faults.fail(403, path="/api/search")
    with pytest.raises(ForbiddenError):
        preflight(make_client())


@pytest.mark.parametrize(("mode", "answer"), [
    ("html", "HTTP 200 (text/html)"), ("not-found", "HTTP 404 (text/plain)"),
    ("other-json", "HTTP 200 (application/json)")])
def test_other_servers_are_not_grafana(grafana: GrafanaServer, make_client: MakeClient,
                                       mode: str, answer: str) -> None:
    grafana.impersonate(mode)
    with pytest.raises(NotGrafanaError) as raised:
        preflight(make_client())
    assert str(raised.value) == (f"{grafana.url} does not look like Grafana: GET /api/health "
                                 f"answered {answer}")


def test_a_failing_database_is_reported(grafana: GrafanaServer, make_client: MakeClient) -> None:
    grafana.state.database = "failing"
    with pytest.raises(UnavailableError) as raised:
        preflight(make_client(attempts=2))
    assert str(raised.value) == (f"Grafana at {grafana.url} reports its database as 'failing' "
                                 "(HTTP 503, after 2 attempts)")


def test_a_login_proxy_answering_the_search_is_not_grafana(grafana: GrafanaServer,
                                                           client: GrafanaClient) -> None:
    """/api/health passes through (it needs no login), the authenticated search does not."""
    grafana.faults.login_page(path="/api/search")
    with pytest.raises(NotGrafanaError) as raised:
        preflight(client)
    assert str(raised.value) == (f"GET /api/search at {grafana.url} answered HTTP 200 "
                                 "(text/html) but not with Grafana's JSON list: a login proxy "
                                 "or another server may be in front of Grafana")
