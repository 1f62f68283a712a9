"""From the bytes of a /metrics body to text: gunzip within a bound, UTF-8, and refuse what is
plainly not an exposition (an HTML login page, JSON, protobuf) with one clear diagnostic."""

from __future__ import annotations

import zlib

from metricsctl.diagnostics import Diagnostic, Location, Severity
from metricsctl.exposition.model import ExpositionFormat

DEFAULT_MAX_BYTES = 256 * 1024 * 1024  # decompressed; ~2.5 million typical series
GZIP_MAGIC = b"\x1f\x8b"
_HTML_STARTS = (b"<!doctype", b"<html", b"<head", b"<body", b"<?xml", b"<!--")


def _error(code: str, message: str, source: str, line: int = 0, column: int = 0,
           hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, Location(source, line, column), hint=hint)


def too_large(source: str, max_bytes: int) -> Diagnostic:
    return _error("exposition/too-large",
                  f"the exposition is larger than {max_bytes // (1024 * 1024)} MiB "
                  "(decompressed); refusing to read further", source,
                  hint="check the target: an exposition this large is a cardinality problem "
                  "of its own")


def gunzip(data: bytes, source: str, max_bytes: int) -> bytes | Diagnostic:
    """`data` decompressed, reading at most `max_bytes` of output (gzip bombs stop there)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        output = inflater.decompress(data, max_bytes + 1)
    except zlib.error as error:
        return _error("exposition/bad-compression", f"cannot decompress the gzip data: {error}",
                      source)
    if len(output) > max_bytes:
        return too_large(source, max_bytes)
    if not inflater.eof:
        return _error("exposition/truncated",
                      "the gzip-compressed exposition ends early (truncated download or file)",
                      source)
    return output


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip()[:16].lower()
    return start.startswith(_HTML_STARTS) or (start.startswith(b"<") and b">" in head[:512])


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def sniff_format(text: str, content_type: str | None) -> ExpositionFormat:
    """OpenMetrics when the content type says so, or when the body ends with `# EOF`."""
    media = _media_type(content_type)
    if media == "application/openmetrics-text":
        return ExpositionFormat.OPENMETRICS
    if media == "text/plain":
        return ExpositionFormat.PROMETHEUS_TEXT
    tail = text[-64:].rstrip("\n").rsplit("\n", 1)[-1]
    return ExpositionFormat.OPENMETRICS if tail == "# EOF" else ExpositionFormat.PROMETHEUS_TEXT


def decode_exposition(data: bytes, source: str, content_type: str | None,
                      max_bytes: int = DEFAULT_MAX_BYTES) -> str | Diagnostic:
    """The exposition's text, or the one diagnostic saying why there is none."""
    media = _media_type(content_type)
    if data[:2] == GZIP_MAGIC:
        unpacked = gunzip(data, source, max_bytes)
        if isinstance(unpacked, Diagnostic):
            return unpacked
        data = unpacked
    if len(data) > max_bytes:
        return too_large(source, max_bytes)
    if media in ("application/vnd.google.protobuf", "application/x-protobuf"):
        return _error("exposition/not-an-exposition",
                      "the body is a protobuf exposition; only the text formats are read",
                      source, hint="ask for text: the target serves it to clients that do "
                      "not accept protobuf")
    if media == "text/html" or _looks_like_html(data[:1024]):
        return _error("exposition/not-an-exposition",
                      "the body is an HTML page, not a metrics exposition", source, 1, 1,
                      hint="check the URL and path (/metrics), and whether a login page or "
                      "proxy answered instead of the exporter")
    # `{"name"} 1` is a valid sample (quoted UTF-8 names); a Prometheus API answer is not.
    if media == "application/json" or data.lstrip().startswith(b'{"status"'):
        return _error("exposition/not-an-exposition",
                      "the body is JSON, not a metrics exposition", source, 1, 1,
                      hint="for a Prometheus server use --prometheus with its base URL")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        if b"\x00" in data[:1024]:
            message = "the body is binary data, not a text exposition"
        else:
            message = f"invalid UTF-8 (byte 0x{data[error.start]:02x}); expositions are UTF-8"
        return _error("exposition/encoding", message, source, line, column)
