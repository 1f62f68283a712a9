"""A whole-request deadline: a server dripping its answer cannot hold a request past it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests

from metricsctl.grafana.deadline import DeadlineAdapter, Watchdog, request_deadline
from tests.grafana.conftest import TOKEN
from tests.grafana_server import GrafanaServer
from tests.grafana_server.certificates import make_pki


def session() -> requests.Session:
    made = requests.Session()
    made.trust_env = False
    made.mount("http://", DeadlineAdapter(max_retries=0))
    made.headers["Authorization"] = f"Bearer {TOKEN}"
    return made


def test_a_dripping_answer_is_cut_off_at_the_deadline(grafana: GrafanaServer) -> None:
    grafana.faults.drip(0.2, path="/api/search")
    started = time.monotonic()
    with request_deadline(1.0) as deadline:
        try:
            session().get(grafana.url + "/api/search", timeout=deadline.socket_timeout())
        except requests.RequestException:
            pass
        else:
            raise AssertionError("a 60-byte answer at 5 bytes a second cannot arrive in 1 s")
    elapsed = time.monotonic() - started
    assert deadline.expired
    assert 0.9 < elapsed < 1.6  # each read came in time (0.2 s): only the deadline ended it


def test_a_request_within_its_deadline_is_untouched_and_keeps_its_connection(
        grafana: GrafanaServer) -> None:
    client = session()
    for _ in range(3):
        with request_deadline(5.0) as deadline:
            response = client.get(grafana.url + "/api/search",
                                  timeout=deadline.socket_timeout())
        assert response.status_code == 200 and not deadline.expired
    time.sleep(0.1)
    with request_deadline(5.0):
        assert client.get(grafana.url + "/api/search", timeout=5).status_code == 200


def test_the_watchdog_runs_alarms_in_time_order_and_skips_cancelled_ones() -> None:
    dog = Watchdog()
    fired: list[str] = []
    done = threading.Event()
    dog.schedule(0.15, lambda: fired.append("late"))
    dog.schedule(0.05, lambda: fired.append("early"))
    dog.schedule(0.1, lambda: fired.append("cancelled")).cancel()
    dog.schedule(0.2, done.set)
    assert done.wait(5)
    assert fired == ["early", "late"]


def test_the_deadline_cuts_a_dripping_tls_answer_too(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    with GrafanaServer(tokens={TOKEN: "Admin"}, tls=pki.server) as https:
        https.faults.drip(0.2, path="/api/search")
        client = session()
        client.mount("https://", DeadlineAdapter(max_retries=0))
        client.verify = str(pki.ca_certificate)
        started = time.monotonic()
        with request_deadline(1.0) as deadline, pytest.raises(requests.RequestException):
            client.get(https.url + "/api/search", timeout=deadline.socket_timeout())
        assert deadline.expired
        assert time.monotonic() - started < 1.8
        https.faults.clear()
        with request_deadline(5.0) as deadline:  # the pool recovers: a fresh connection
            assert client.get(https.url + "/api/search",
                              timeout=deadline.socket_timeout()).status_code == 200
