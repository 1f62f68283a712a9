"""The HTTP client against a real loopback server: retries, their bounds, typed errors, and
credentials that never leak."""

from __future__ import annotations

import base64
import logging
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from metricsctl.grafana.backoff import RetryPolicy
from metricsctl.grafana.client import GrafanaClient, path_segment
from metricsctl.grafana.errors import (
    DnsError,
    DroppedConnectionError,
    GrafanaError,
    GrafanaTimeoutError,
    RefusedConnectionError,
    TlsError,
)
from metricsctl.grafana.progress import RetryNotice, SlowNotice
from metricsctl.grafana.settings import ConnectionSettings, Credentials
from tests.grafana.conftest import TOKEN, FakeClock, MakeClient
from tests.grafana_server import GrafanaServer
from tests.grafana_server.certificates import make_pki


def test_sends_the_token_as_a_bearer_header(grafana: GrafanaServer,
                                            client: GrafanaClient) -> None:
    response = client.get("/api/search", {"tag": ["a", "b"], "limit": 1})
    assert response.status == 200 and response.body == []
    (record,) = grafana.requests("GET", "/api/search")
    assert record.identity == "service-account"
    assert record.query == {"tag": ["a", "b"], "limit": ["1"]}
    assert record.headers["user-agent"].startswith("metricsctl/")


def test_basic_auth_from_user_and_password(grafana: GrafanaServer) -> None:
    grafana.users["editor"] = ("secret-pw", "Editor")
    settings = ConnectionSettings(grafana.url, Credentials(user="editor", password="secret-pw"))
    with GrafanaClient(settings) as client:
        assert client.get("/api/search").status == 200
    assert grafana.requests()[-1].identity == "editor"


def test_json_bodies_and_grafana_messages(client: GrafanaClient) -> None:
    created = client.post("/api/folders", {"uid": "f", "title": "F"})
    again = client.post("/api/folders", {"uid": "f", "title": "F"})
    assert created.ok and created.body["uid"] == "f"
    assert (again.status, again.message) == (409, "A folder/dashboard with the same uid "
                                                   "already exists")
    assert again.describe() == "HTTP 409: A folder/dashboard with the same uid already exists"


def test_5xx_is_retried_with_growing_waits_then_succeeds(
        grafana: GrafanaServer, make_client: MakeClient, clock: FakeClock) -> None:
    grafana.faults.fail(503, path="/api/search", times=3)
    client = make_client(base_delay=0.2, max_delay=10)

    response = client.get("/api/search")

    assert (response.status, response.attempts) == (200, 4)
    assert [r.status for r in grafana.requests()] == [503, 503, 503, 200]
    ceilings = [0.2, 0.4, 0.8]
    assert all(c / 2 <= wait <= c for wait, c in zip(clock.sleeps, ceilings, strict=True))


def test_retries_are_bounded_in_count(grafana: GrafanaServer, make_client: MakeClient,
                                      clock: FakeClock) -> None:
    grafana.faults.fail(502, path="/api/search", times=None)
    response = make_client(attempts=4).get("/api/search")
    assert (response.status, response.attempts) == (502, 4)
    assert len(grafana.requests()) == 4 and len(clock.sleeps) == 3
    assert response.describe() == "HTTP 502: injected failure (after 4 attempts)"


def test_retries_are_bounded_in_total_time(grafana: GrafanaServer, make_client: MakeClient,
                                           clock: FakeClock) -> None:
    grafana.faults.fail(500, path="/api/search", times=None)
    response = make_client(attempts=50, base_delay=1.0, max_delay=4.0, budget=10.0).get(
        "/api/search")
    assert response.status == 500
    assert sum(clock.sleeps) < 10.0
    assert 3 <= len(grafana.requests()) < 50


def test_429_waits_as_long_as_retry_after_says(grafana: GrafanaServer,
                                               client: GrafanaClient, clock: FakeClock) -> None:
    grafana.faults.rate_limit("7", path="/api/search")
    assert client.get("/api/search").status == 200
    assert clock.sleeps == [7.0]


def test_429_retry_after_may_be_an_http_date(grafana: GrafanaServer, make_client: MakeClient,
                                             clock: FakeClock) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    grafana.faults.rate_limit(later, path="/api/search")
    assert make_client(max_delay=40.0).get("/api/search").status == 200
    (wait,) = clock.sleeps
    assert 25 < wait <= 30


def test_a_retry_after_is_obeyed_only_up_to_the_longest_backoff(
        grafana: GrafanaServer, client: GrafanaClient, clock: FakeClock) -> None:
    """The announced bound of a request (RetryPolicy.longest_request) holds even when a
    server asks for more."""
    grafana.faults.rate_limit("3600", path="/api/search")
    assert client.get("/api/search").status == 200
    assert clock.sleeps == [client.retry.max_delay]


def test_a_retry_after_beyond_the_budget_is_not_waited_for(
        grafana: GrafanaServer, make_client: MakeClient, clock: FakeClock) -> None:
    grafana.faults.rate_limit("3600", path="/api/search")
    response = make_client(budget=5).get("/api/search")  # 3600 s, obeyed up to 8 s: too long
    assert response.status == 429
    assert clock.sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 412, 422])
def test_other_client_errors_are_never_retried(grafana: GrafanaServer, client: GrafanaClient,
                                               clock: FakeClock, status: int) -> None:
    grafana.faults.fail(status, path="/api/search", times=None)
    assert client.get("/api/search").status == status
    assert len(grafana.requests()) == 1 and clock.sleeps == []


def test_a_dropped_connection_is_retried(grafana: GrafanaServer, client: GrafanaClient) -> None:
    grafana.faults.drop(path="/api/search", times=2)
    response = client.get("/api/search")
    assert (response.status, response.attempts) == (200, 3)


def test_a_connection_dropped_for_good_is_a_typed_error(
        grafana: GrafanaServer, make_client: MakeClient) -> None:
    grafana.faults.drop(path="/api/search", times=None)
    with pytest.raises(DroppedConnectionError) as raised:
        make_client(attempts=3).get("/api/search")
    assert str(raised.value) == (f"127.0.0.1:{grafana.port} closed the connection without "
                                 "answering (after 3 attempts)")


def test_timeouts_are_retried_then_reported(grafana: GrafanaServer,
                                            make_client: MakeClient) -> None:
    grafana.faults.delay(1.0, path="/api/search", times=None)
    with pytest.raises(GrafanaTimeoutError) as raised:
        make_client(timeout=0.2, attempts=2).get("/api/search")
    assert str(raised.value) == (f"127.0.0.1:{grafana.port} did not answer within 0.2 s "
                                 "(after 2 attempts)")
    assert raised.value.hint is not None and "--timeout" in raised.value.hint


def test_connection_refused_is_retried_then_reported(make_client: MakeClient,
                                                     clock: FakeClock) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(RefusedConnectionError) as raised:
        make_client(url=f"http://127.0.0.1:{port}", attempts=3).get("/api/health")
    assert str(raised.value) == f"connection refused by 127.0.0.1:{port} (after 3 attempts)"
    assert len(clock.sleeps) == 2


def test_an_unknown_host_is_a_dns_error_without_retries(make_client: MakeClient,
                                                        clock: FakeClock) -> None:
    with pytest.raises(DnsError) as raised:
        make_client(url="http://grafana.invalid:3000").get("/api/health")
    assert str(raised.value) == "cannot resolve the host name 'grafana.invalid'"
    assert clock.sleeps == []


def test_an_untrusted_certificate_is_a_tls_error_without_retries(
        tmp_path: Path, make_client: MakeClient, clock: FakeClock) -> None:
    pki = make_pki(tmp_path)
    with GrafanaServer(tokens={TOKEN: "Admin"}, tls=pki.server) as https:
        with pytest.raises(TlsError) as raised:
            make_client(url=https.url).get("/api/health")
        assert str(raised.value).startswith(f"TLS with 127.0.0.1:{https.port} failed: "
                                            "certificate verify failed")
        assert clock.sleeps == []
        trusting = make_client(url=https.url, verify=str(pki.ca_certificate))
        assert trusting.get("/api/health").status == 200


def test_plain_http_to_a_tls_port_is_explained(tmp_path: Path, make_client: MakeClient) -> None:
    pki = make_pki(tmp_path)
    with GrafanaServer(tls=pki.server) as https, pytest.raises(GrafanaError):
        make_client(url=f"http://127.0.0.1:{https.port}", attempts=1).get("/api/health")


def test_https_to_a_plain_port_is_a_tls_error(grafana: GrafanaServer,
                                              make_client: MakeClient) -> None:
    with pytest.raises(TlsError) as raised:
        make_client(url=f"https://127.0.0.1:{grafana.port}").get("/api/health")
    assert "is the server speaking plain http?" in str(raised.value)


def test_the_token_never_leaks_into_errors_reprs_or_logs(
        grafana: GrafanaServer, make_client: MakeClient,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(attempts=2)
    grafana.faults.drop(times=None)
    with pytest.raises(GrafanaError) as raised:
        client.get("/api/search")
    error = raised.value
    texts = [str(error), repr(error), repr(client), repr(client.settings),
             repr(client.settings.credentials), caplog.text]
    assert all(TOKEN not in text for text in texts)
    # Nothing chains back to requests' exception (its request holds the header).
    assert error.__cause__ is None and error.__context__ is None
    assert error.__suppress_context__ is False


def test_the_proxy_from_the_environment_is_used(grafana: GrafanaServer, make_client: MakeClient,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # The loopback server plays the proxy: it answers an absolute-URI request itself.
    monkeypatch.setenv("HTTP_PROXY", grafana.url)
    response = make_client(url="http://grafana.invalid:3000").get("/api/health")
    assert response.status == 200


def test_a_netrc_entry_does_not_replace_the_token(grafana: GrafanaServer, make_client: MakeClient,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login mallory password stolen\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    make_client().get("/api/search")
    assert grafana.requests()[-1].identity == "service-account"


def test_the_ca_bundle_from_the_environment_is_trusted(tmp_path: Path, make_client: MakeClient,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    pki, other = make_pki(tmp_path / "ours"), make_pki(tmp_path / "other")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(pki.ca_certificate))
    with GrafanaServer(tls=pki.server) as https:
        assert make_client(url=https.url).get("/api/health").status == 200
        # --ca-cert wins over the environment
        with pytest.raises(TlsError, match="unable to get local issuer certificate"):
            make_client(url=https.url, verify=str(other.ca_certificate)).get("/api/health")


@pytest.mark.parametrize(("value", "segment"), [
    ("shop-overview", "shop-overview"), ("../../etc", "..%2F..%2Fetc"), ("..", "%2E%2E"),
    ("a b?c#d", "a%20b%3Fc%23d")])
def test_path_segments_are_escaped(value: str, segment: str) -> None:
    assert path_segment(value) == segment


# -- whole-request timeouts, redaction of server text, what is awaited ------------------------

def test_timeout_bounds_the_whole_request_not_each_read(grafana: GrafanaServer) -> None:
    """A server dripping one byte every 0.2 s answers every read in time; with a 0.5 s
    timeout and 3 attempts the request still ends within attempts x timeout + backoff."""
    grafana.faults.drip(0.2, path="/api/search", times=None)
    policy = RetryPolicy(attempts=3, base_delay=0.1)
    settings = ConnectionSettings(grafana.url, Credentials(token=TOKEN), timeout=0.5)
    started = time.monotonic()
    with GrafanaClient(settings, retry=policy) as client, \
            pytest.raises(GrafanaTimeoutError) as raised:
        client.get("/api/search")
    elapsed = time.monotonic() - started
    assert str(raised.value) == (f"127.0.0.1:{grafana.port} did not answer within 0.5 s "
                                 "(after 3 attempts)")
    assert len(grafana.requests("GET", "/api/search")) == 3
    assert elapsed < 3 * 0.5 + policy.longest_backoff() + 0.5
    assert elapsed <= policy.longest_request(0.5)


def test_longest_request_is_the_announced_bound() -> None:
    policy = RetryPolicy()  # 5 attempts, waits up to 8 s, within 60 s
    assert policy.longest_backoff() == 0.25 + 0.5 + 1 + 2
    assert policy.longest_request(1.0) == 5 * 1.0 + 4 * 8.0
    assert policy.longest_request(30.0) == 60.05  # the budget caps it


def test_error_bodies_echoing_the_credentials_are_redacted(grafana: GrafanaServer,
                                                           client: GrafanaClient) -> None:
    grafana.faults.echo_headers(400, path="/api/search")
    response = client.get("/api/search")
    assert response.status == 400
    assert "Authorization: Bearer ***" in response.message
    assert TOKEN not in response.message and TOKEN not in response.describe()


def test_basic_auth_echoed_in_a_text_body_is_redacted(grafana: GrafanaServer) -> None:
    grafana.users["editor"] = ("pässwört-123", "Editor")  # UTF-8, as Grafana reads it
    header = base64.b64encode("editor:pässwört-123".encode()).decode()
    grafana.faults.answer(502, f"upstream failed; Authorization: Basic {header}; "
                               "password=pässwört-123".encode(), "text/plain",
                          path="/api/folders/x")
    settings = ConnectionSettings(grafana.url, Credentials(user="editor",
                                                           password="pässwört-123"))
    with GrafanaClient(settings, retry=RetryPolicy(attempts=1)) as client:
        assert client.get("/api/search").status == 200  # the UTF-8 password works
        response = client.get("/api/folders/x")
    assert header not in response.text and "pässwört" not in response.describe()
    assert response.describe() == ("HTTP 502: upstream failed; Authorization: Basic ***; "
                                   "password=***")


def test_html_and_cut_bodies_are_not_json_objects(grafana: GrafanaServer,
                                                  client: GrafanaClient) -> None:
    grafana.faults.login_page(path="/api/search")
    page = client.get("/api/search")
    assert (page.status, page.is_json_object) == (200, False)
    assert page.content_type.startswith("text/html")
    grafana.faults.answer(200, b'{"status":"success","uid":"a"', "application/json",
                          path="/api/search")
    cut = client.get("/api/search")
    assert (cut.status, cut.body, cut.is_json_object) == (200, None, False)


def test_a_listener_hears_every_retry_with_url_attempt_and_wait(
        grafana: GrafanaServer, clock: FakeClock) -> None:
    heard: list[str] = []

    class Listener:
        def retrying(self, notice: RetryNotice) -> None:
            heard.append(notice.text())

        def slow(self, notice: SlowNotice) -> None:
            heard.append(notice.text())

    grafana.faults.fail(503, path="/api/search", times=2)
    settings = ConnectionSettings(grafana.url, Credentials(token=TOKEN))
    with GrafanaClient(settings, sleep=clock.sleep, clock=clock, listener=Listener()) as client:
        assert client.get("/api/search").status == 200
    assert len(heard) == 2
    first = heard[0]
    assert first.startswith(f"GET {grafana.url}/api/search: HTTP 503; attempt 1 of 5 failed, "
                            "next try in ")
    assert first.endswith(f"{clock.sleeps[0]:.1f} s")
    assert "attempt 2 of 5" in heard[1]


def test_a_slow_answer_is_announced_while_it_is_awaited(grafana: GrafanaServer) -> None:
    heard: list[SlowNotice] = []

    class Listener:
        def retrying(self, notice: RetryNotice) -> None:
            raise AssertionError("no retry expected")

        def slow(self, notice: SlowNotice) -> None:
            heard.append(notice)

    grafana.faults.delay(2.5, path="/api/search")
    settings = ConnectionSettings(grafana.url, Credentials(token=TOKEN), timeout=10)
    with GrafanaClient(settings, listener=Listener()) as client:
        assert client.get("/api/search").status == 200
    (notice,) = heard
    assert notice.text() == (f"GET {grafana.url}/api/search: waiting for the answer (2 s so "
                             "far, attempt 1 of 5 gives up after 10 s)")
