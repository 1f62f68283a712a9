"""Read Prometheus expositions: the text format (0.0.4) and OpenMetrics, gzip-compressed or not.

Shared by `metricsctl live-check` and `metricsctl import`. The API::

    from metricsctl.exposition import parse_exposition, fetch_exposition, read_exposition_file

    raw = fetch_exposition("http://127.0.0.1:9100/metrics")   # or read_exposition_file(path)
    exposition = parse_exposition(raw.data, raw.source, raw.content_type)
    if not exposition.ok:                       # an error diagnostic: nothing to trust
        ...exposition.diagnostics...
    for family in exposition.families.values():  # in the order the exposition declares them
        family.name, family.type, family.help, family.unit    # as its # TYPE/# HELP/# UNIT say
        family.line                              # 1-based line where the family starts
        family.label_names, family.bucket_bounds, family.series()
        for sample in family.samples:            # Sample(name, labels, value, line, timestamp)
            ...

`parse_exposition(data: bytes, source: str, content_type: str | None = None, *,
max_bytes=256 MiB) -> Exposition`:

- `data` may be gzip-compressed (detected by its magic bytes; decompressed within `max_bytes`,
  so a gzip bomb stops there); it must be UTF-8.
- The format comes from `content_type` (`application/openmetrics-text` or `text/plain`), else
  from the body (OpenMetrics ends with `# EOF`).
- `Exposition(source, format, families: dict[str, MetricFamily], diagnostics: list[Diagnostic])`;
  `exposition.ok` is False when a diagnostic is an error. Reading stops at the first error, as
  Prometheus refuses such a scrape; the families read until then stay.
- Diagnostics are the project's one `Diagnostic` type, located at `source:line:column`:
  `exposition/syntax` (a line neither we nor prometheus_client can read),
  `exposition/truncated` (text without its final newline, OpenMetrics without `# EOF`, gzip
  cut short), `exposition/not-an-exposition` (an HTML page, JSON, protobuf),
  `exposition/encoding` (not UTF-8), `exposition/bad-compression`, `exposition/too-large`,
  and the warning `exposition/conflicting-type` (a family declared with two types).

Family names are those of the `# TYPE` lines: in the text format prometheus_client and
client_golang write a counter as `x_total`, in OpenMetrics as `x` (samples `x_total`,
`x_created`). A sample with no metadata before it makes an `untyped` (text) or `unknown`
(OpenMetrics) family of its own name. Sample lines are parsed as prometheus_client does (see
sample_line.py for the fast path that keeps 100,000 series well under a second).

`fetch_exposition(url, settings: HttpSettings | None = None, getter: HttpGetter | None = None)
-> RawExposition(source, data, content_type)` GETs with OpenMetrics preferred, a timeout
that bounds each request as a whole (connect and every read: a dripping server is cut off),
bounded retries (429/5xx, refused and dropped connections, timeouts), a size bound, TLS
verified by default; it raises `FetchError` (`.message` one line, `.hint`) on failure
(refused, timeout, TLS, 401/403/404, a body cut short ...). `read_exposition_file(path)` does
the same for files. `HttpGetter` (metricsctl.exposition.http) is the GET layer itself, with an
optional bearer token that is never printed (server text is redacted of it in every form).
"""

from metricsctl.exposition.decode import DEFAULT_MAX_BYTES
from metricsctl.exposition.fetch import RawExposition, fetch_exposition, read_exposition_file
from metricsctl.exposition.http import FetchError, HttpGetter, HttpSettings
from metricsctl.exposition.model import Exposition, ExpositionFormat, MetricFamily, Sample
from metricsctl.exposition.parse import parse_exposition, parse_exposition_text

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Exposition",
    "ExpositionFormat",
    "FetchError",
    "HttpGetter",
    "HttpSettings",
    "MetricFamily",
    "RawExposition",
    "Sample",
    "fetch_exposition",
    "parse_exposition",
    "parse_exposition_text",
    "read_exposition_file",
]
