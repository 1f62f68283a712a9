"""Fixtures for the metricsctl.grafana tests: a loopback Grafana and clients for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from metricsctl.grafana.backoff import RetryPolicy
from metricsctl.grafana.client import GrafanaClient
from metricsctl.grafana.settings import ConnectionSettings, Credentials
from tests.grafana_server import GrafanaServer

TOKEN = "glsa_unitTestToken_0c1d2e3f4a"  # a test token: it must never leak
VIEWER_TOKEN = "glsa_viewerToken_77aa"


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy",
                   "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests talk to 127.0.0.1 directly, whatever proxy the machine is configured with."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def grafana() -> Iterator[GrafanaServer]:
    with GrafanaServer(tokens={TOKEN: "Admin", VIEWER_TOKEN: "Viewer"}) as server:
        yield server


@dataclass
class FakeClock:
    """Time that passes only when the client sleeps: retry tests run instantly and exactly."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


MakeClient = Callable[..., GrafanaClient]


@pytest.fixture
def make_client(grafana: GrafanaServer, clock: FakeClock) -> Iterator[MakeClient]:
    """`make_client(url=..., token=..., timeout=..., **retry_policy)`; closed afterwards."""
    made: list[GrafanaClient] = []

    def make(*, url: str | None = None, token: str = TOKEN, timeout: float = 5.0,
             verify: bool | str = True, **retry: Any) -> GrafanaClient:
        settings = ConnectionSettings(url or grafana.url, Credentials(token=token), timeout,
                                      verify)
        client = GrafanaClient(settings, retry=RetryPolicy(**retry), sleep=clock.sleep,
                               clock=clock)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> GrafanaClient:
    return make_client()
