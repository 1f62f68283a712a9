"""Bodies that are not expositions are refused with one clear diagnostic."""

from __future__ import annotations

import gzip

import pytest

from metricsctl.exposition import parse_exposition

LOGIN_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><title>Sign in - Grafana</title></head>
<body><form action="/login"></form></body></html>
"""


@pytest.mark.parametrize(("data", "content_type", "code", "fragment"), [
    (LOGIN_PAGE, "text/html; charset=utf-8", "exposition/not-an-exposition", "HTML page"),
    (LOGIN_PAGE, None, "exposition/not-an-exposition", "HTML page"),
    (b'{"status":"success","data":[]}', "application/json", "exposition/not-an-exposition",
     "JSON"),
    (b"\x08\x01\x12\x03abc", "application/vnd.google.protobuf; proto=io.prometheus.client",
     "exposition/not-an-exposition", "protobuf"),
    (b"a 1\nb{x=\"\xff\"} 2\n", None, "exposition/encoding", "invalid UTF-8"),
    (gzip.compress(b"a 1\nb 2\n", mtime=0)[:-12], None, "exposition/truncated", "ends early"),
    (b"\x1f\x8bnot really gzip", None, "exposition/bad-compression", "cannot decompress"),
])
def test_refused_bodies(data: bytes, content_type: str | None, code: str, fragment: str) -> None:
    exposition = parse_exposition(data, "http://127.0.0.1:9/metrics", content_type)

    assert not exposition.ok
    [error] = exposition.diagnostics
    assert error.code == code
    assert fragment in error.message
    assert error.file == "http://127.0.0.1:9/metrics"


def test_invalid_utf8_is_located() -> None:
    [error] = parse_exposition(b"a 1\nb{x=\"\xff\"} 2\n", "f.prom").diagnostics

    assert (error.line, error.column) == (2, 6)


def test_a_gzip_bomb_stops_at_the_bound() -> None:
    bomb = gzip.compress(b"a 1\n" * 1_000_000)  # 4 MB from a few kB

    [error] = parse_exposition(bomb, "bomb.gz", max_bytes=1024 * 1024).diagnostics

    assert error.code == "exposition/too-large"
    assert "larger than 1 MiB" in error.message


def test_an_empty_body_is_an_empty_exposition() -> None:
    exposition = parse_exposition(b"", "empty")

    assert exposition.ok and not exposition.families
