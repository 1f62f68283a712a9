"""Inputs live-check cannot read: a clear one-line error, exit 1, never a traceback (real
processes against real loopback servers); and usage errors, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.openmetrics.exposition import generate_latest

from tests.conftest import REPO_ROOT, run_metricsctl
from tests.exposition.body_server import Reply, serve
from tests.grafana_server.certificates import make_pki
from tests.live.conftest import STORE
from tests.live.processes import free_port

LOGIN_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
              b"<body><form method=post></form></body></html>\n")
SECRET = "prom-s3cret-token"


def openmetrics_body() -> bytes:
    registry = CollectorRegistry()
    Counter("store_checkouts_total", "Checkouts by outcome.", ["outcome"],
            registry=registry).labels("paid").inc()
    return generate_latest(registry)


def live_check(*args: str) -> tuple[int, str, str]:
    result = run_metricsctl("live-check", STORE, *args, cwd=REPO_ROOT,
                            env={"PROMETHEUS_TOKEN": SECRET})
    return result.returncode, result.stdout, result.stderr


def assert_one_line_error(code: int, stderr: str, *fragments: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert code == 1, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert SECRET not in stderr


def test_unreachable_url() -> None:
    port = free_port()
    code, _, stderr = live_check("--url", f"http://127.0.0.1:{port}/metrics", "--timeout", "2")

    assert_one_line_error(code, stderr, f"connection refused by 127.0.0.1:{port}")


def test_tls_failure(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    with serve({"/metrics": Reply(openmetrics_body())},
               (pki.server.certificate, pki.server.key)) as server:
        code, _, stderr = live_check("--url", server.url + "/metrics")
        trusted = live_check("--url", server.url + "/metrics", "--ca-cert",
                             str(pki.ca_certificate))

    assert_one_line_error(code, stderr, "TLS with 127.0.0.1:", "certificate verify failed",
                          "--ca-cert")
    assert trusted[0] == 0, trusted


def test_401_from_prometheus_never_shows_the_token() -> None:
    reply = Reply(f'{{"status":"error","error":"bad token {SECRET}"}}'.encode(), status=401,
                  content_type="application/json")
    with serve({"/api/v1/label/__name__/values": reply}) as server:
        code, stdout, stderr = live_check("--prometheus", server.url)

    assert_one_line_error(code, stderr, "401 Unauthorized", "***",
                          "the token in PROMETHEUS_TOKEN was refused")
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in stdout


def test_an_html_page_is_not_an_exposition() -> None:
    with serve({"/": Reply(LOGIN_PAGE, content_type="text/html; charset=utf-8")}) as server:
        code, _, stderr = live_check("--url", server.url + "/")

    assert_one_line_error(code, stderr, "the body is an HTML page, not a metrics exposition")


def test_a_prometheus_url_that_is_a_web_page() -> None:
    with serve({"/api/v1/label/__name__/values": Reply(LOGIN_PAGE, content_type="text/html")}
               ) as server:
        code, _, stderr = live_check("--prometheus", server.url)

    assert_one_line_error(code, stderr, "is not a Prometheus API", "answered text/html")


@pytest.mark.parametrize(("reply", "fragment"), [
    (Reply(openmetrics_body()[:-len(b"# EOF\n")],
           content_type="application/openmetrics-text; version=1.0.0; charset=utf-8"),
     "does not end with `# EOF`"),
    (Reply(b"# TYPE store_queue_depth gauge\nstore_queue_depth 1"),
     "last line has no newline"),
    (Reply(openmetrics_body(), cut_at=40), "broken or truncated body"),
], ids=["openmetrics-without-eof", "text-without-final-newline", "connection-cut"])
def test_a_truncated_exposition(reply: Reply, fragment: str) -> None:
    with serve({"/metrics": reply}) as server:
        code, _, stderr = live_check("--url", server.url + "/metrics")

    assert_one_line_error(code, stderr, fragment)


def test_a_syntax_error_is_located(tmp_path: Path) -> None:
    path = tmp_path / "metrics.prom"
    path.write_text("store_queue_depth 1\nstore_checkouts_total{outcome=paid} 2\n")

    code, _, stderr = live_check("--file", str(path))

    assert_one_line_error(code, stderr, f"{path}:2:31: error[exposition/syntax]")


def test_a_missing_file(tmp_path: Path) -> None:
    code, _, stderr = live_check("--file", str(tmp_path / "nope.prom"))

    assert_one_line_error(code, stderr, "no such file")


def test_json_output_carries_the_error_too() -> None:
    port = free_port()
    code, stdout, _ = live_check("--url", f"http://127.0.0.1:{port}/m", "--format", "json")

    assert code == 1 and '"code": "live/unreadable-input"' in stdout and '"ok": false' in stdout


@pytest.mark.parametrize(("args", "message"), [
    ((), "nothing to check: pass --url, --file or --prometheus"),
    (("--prometheus", "http://127.0.0.1:9", "--url", "http://127.0.0.1:9/metrics"),
     "--prometheus cannot be combined with --url or --file"),
    (("--url", "http://127.0.0.1:9/metrics", "--job", "x"), "--job applies to --prometheus"),
    (("--prometheus", "127.0.0.1:9090"), "is not an http:// or https:// URL"),
    (("--url", "ftp://127.0.0.1/metrics"), "--url: 'ftp://127.0.0.1/metrics' is not an http"),
    (("--prometheus", "https://admin:hunter2@127.0.0.1:9090"),
     "--prometheus: do not put credentials in the URL"),
])
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    code, _, stderr = live_check(*args)

    assert code == 2 and message in stderr and "Traceback" not in stderr
    assert "hunter2" not in stderr


def test_a_token_that_cannot_be_sent_is_a_usage_error() -> None:
    result = run_metricsctl("live-check", STORE, "--prometheus", "http://127.0.0.1:9",
                            cwd=REPO_ROOT, env={"PROMETHEUS_TOKEN": "abc\ndef-secret"})

    assert result.returncode == 2
    assert "PROMETHEUS_TOKEN cannot be sent: it contains a control character at position 4" \
        in result.stderr
    assert "def-secret" not in result.stderr
