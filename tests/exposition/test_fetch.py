"""fetch_exposition against real HTTP servers on 127.0.0.1: what it sends, what it reads, and a
one-line FetchError for every way it can fail."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from metricsctl.exposition import (
    FetchError,
    HttpSettings,
    fetch_exposition,
    parse_exposition,
    read_exposition_file,
)
from metricsctl.grafana.backoff import RetryPolicy
from tests.exposition.body_server import Reply, serve
from tests.grafana_server.certificates import make_pki

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "expositions"
NODE_EXPORTER = (FIXTURES / "node-exporter-1.5.0.prom").read_bytes()
FAST = HttpSettings(timeout=2, retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_fetches_and_parses_with_openmetrics_preferred() -> None:
    with serve({"/metrics": Reply(NODE_EXPORTER)}) as server:
        raw = fetch_exposition(server.url + "/metrics", FAST)

    assert raw.source == server.url + "/metrics"
    assert raw.data == NODE_EXPORTER
    accept = server.requests[0].headers["accept"]
    assert accept.startswith("application/openmetrics-text")
    assert parse_exposition(raw.data, raw.source, raw.content_type).ok


def test_content_encoding_gzip_is_undone() -> None:
    with serve({"/metrics": Reply(NODE_EXPORTER, gzip=True)}) as server:
        raw = fetch_exposition(server.url + "/metrics", FAST)

    assert raw.data == NODE_EXPORTER


def test_the_token_is_sent_as_bearer_and_never_repeated() -> None:
    secret = "glsa_s3cr3t-token"
    reply = Reply(f"invalid token {secret}\n".encode(), status=401, content_type="text/plain")
    settings = HttpSettings(timeout=2, token=secret, token_variable="PROMETHEUS_TOKEN")
    with serve({"/metrics": reply}) as server, pytest.raises(FetchError) as caught:
        fetch_exposition(server.url + "/metrics", settings)

    assert server.requests[0].headers["authorization"] == f"Bearer {secret}"
    assert secret not in caught.value.message
    assert "401 Unauthorized: invalid token ***" in caught.value.message
    assert caught.value.hint == "the token in PROMETHEUS_TOKEN was refused"
    assert secret not in repr(settings)


def test_server_errors_are_retried_then_succeed() -> None:
    reply = Reply(b"busy", status=503, then=Reply(NODE_EXPORTER))
    with serve({"/metrics": reply}) as server:
        raw = fetch_exposition(server.url + "/metrics", FAST)

    assert raw.data == NODE_EXPORTER
    assert len(server.requests) == 2


def test_persistent_server_errors_say_how_many_attempts() -> None:
    with serve({"/metrics": Reply(b"down for maintenance", status=502)}) as server, \
            pytest.raises(FetchError) as caught:
        fetch_exposition(server.url + "/metrics", FAST)

    assert caught.value.message.endswith(
        "answered HTTP 502: down for maintenance (after 3 attempts)")
    assert len(server.requests) == 3


def test_not_found_is_not_retried() -> None:
    with serve({}) as server, pytest.raises(FetchError) as caught:
        fetch_exposition(server.url + "/metricz", FAST)

    assert "404 Not Found for /metricz" in caught.value.message
    assert len(server.requests) == 1


def test_connection_refused() -> None:
    port = free_port()
    with pytest.raises(FetchError) as caught:
        fetch_exposition(f"http://127.0.0.1:{port}/metrics", FAST)

    assert caught.value.message == (
        f"connection refused by 127.0.0.1:{port} (after 3 attempts)")


def test_tls_is_verified_by_default_and_a_ca_bundle_makes_it_pass(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    certificate = (pki.server.certificate, pki.server.key)
    with serve({"/metrics": Reply(NODE_EXPORTER)}, certificate) as server:
        with pytest.raises(FetchError) as caught:
            fetch_exposition(server.url + "/metrics", FAST)
        trusted = HttpSettings(timeout=2, verify=str(pki.ca_certificate))
        raw = fetch_exposition(server.url + "/metrics", trusted)

    assert caught.value.message.startswith("TLS with 127.0.0.1:")
    assert "certificate verify failed" in caught.value.message
    assert raw.data == NODE_EXPORTER


def test_a_dripping_answer_is_cut_off_at_the_timeout() -> None:
    settings = HttpSettings(timeout=1, retry=RetryPolicy(attempts=1))
    with serve({"/metrics": Reply(NODE_EXPORTER, drip=0.05)}) as server, \
            pytest.raises(FetchError) as caught:
        started = time.monotonic()
        fetch_exposition(server.url + "/metrics", settings)

    assert time.monotonic() - started < 5  # 17 kB at 20 bytes a second: 14 minutes
    assert caught.value.message.endswith("did not answer within 1 s")


def test_the_token_is_redacted_in_every_form() -> None:
    settings = HttpSettings(token="tok/en+1")

    assert settings.redact("echo tok%2Fen%2B1 and Authorization: Bearer tok/en+1") == (
        "echo *** and Authorization: Bearer ***")


def test_a_body_cut_short_is_an_error() -> None:
    with serve({"/metrics": Reply(NODE_EXPORTER, cut_at=1000)}) as server, \
            pytest.raises(FetchError) as caught:
        fetch_exposition(server.url + "/metrics", FAST)

    assert "broken or truncated body" in caught.value.message


def test_size_bound() -> None:
    settings = HttpSettings(timeout=2, max_bytes=1024 * 1024)
    with serve({"/metrics": Reply(b"a 1\n" * 300_000)}) as server, \
            pytest.raises(FetchError) as caught:
        fetch_exposition(server.url + "/metrics", settings)

    assert "sent more than 1 MiB" in caught.value.message


def test_files(tmp_path: Path) -> None:
    path = tmp_path / "metrics.prom"
    path.write_bytes(NODE_EXPORTER)

    assert read_exposition_file(path).data == NODE_EXPORTER
    with pytest.raises(FetchError, match="no such file"):
        read_exposition_file(tmp_path / "missing.prom")
    with pytest.raises(FetchError, match="is a directory"):
        read_exposition_file(tmp_path)
