"""parse_exposition on real expositions (node_exporter, Prometheus, prometheus_client) and on
broken ones: families, types, help, units, samples, buckets, and errors at line:column."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, Summary
from prometheus_client.exposition import generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics
from prometheus_client.parser import text_string_to_metric_families

from metricsctl.diagnostics import Severity
from metricsctl.exposition import ExpositionFormat, parse_exposition, parse_exposition_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "expositions"
NODE_EXPORTER = FIXTURES / "node-exporter-1.5.0.prom"
PROMETHEUS = FIXTURES / "prometheus-2.42.0.prom"


def instrumented_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    requests = Counter("http_requests_total", "Requests handled.", ["method", "route"],
                       registry=registry)
    requests.labels("GET", "/a").inc(3)
    requests.labels("POST", '/b"quoted"\\').inc()
    latency = Histogram("http_request_duration_seconds", "Latency.", ["route"],
                        unit="seconds", buckets=(0.1, 0.5, 2.5), registry=registry)
    latency.labels("/a").observe(0.3)
    Gauge("queue_depth", "Messages waiting.\nSecond line.", registry=registry).set(7)
    Summary("job_seconds", "Job time.", registry=registry).observe(1.5)
    Info("build", "Build information.", registry=registry).info({"version": "1.2.3"})
    return registry


@pytest.mark.parametrize("fixture", [NODE_EXPORTER, PROMETHEUS], ids=lambda p: p.name)
def test_real_exporters_read_as_prometheus_client_reads_them(fixture: Path) -> None:
    text = fixture.read_text(encoding="utf-8")
    exposition = parse_exposition(fixture.read_bytes(), str(fixture))

    assert exposition.ok, exposition.diagnostics
    assert exposition.format is ExpositionFormat.PROMETHEUS_TEXT
    reference = list(text_string_to_metric_families(text))
    ours = [sample for family in exposition.families.values() for sample in family.samples]
    theirs = [sample for family in reference for sample in family.samples]
    assert [(s.name, dict(s.labels)) for s in ours] == [(s.name, s.labels) for s in theirs]
    assert all(a.value == b.value or (math.isnan(a.value) and math.isnan(b.value))
               for a, b in zip(ours, theirs, strict=True))


def test_node_exporter_families_types_help_and_lines() -> None:
    exposition = parse_exposition(NODE_EXPORTER.read_bytes(), str(NODE_EXPORTER))

    load = exposition.families["node_load1"]
    assert (load.type, load.help) == ("gauge", "1m load average.")
    assert exposition.families["go_gc_duration_seconds"].type == "summary"
    assert exposition.families["node_memory_MemTotal_bytes"].type == "gauge"
    uname = exposition.families["node_uname_info"]
    assert {"sysname", "release", "machine"} <= uname.label_names
    lines = NODE_EXPORTER.read_text(encoding="utf-8").splitlines()
    assert lines[load.line - 1].startswith("# HELP node_load1 ")
    sample = load.samples[0]
    assert lines[sample.line - 1].startswith("node_load1 ")


def test_prometheus_histogram_buckets_and_series() -> None:
    exposition = parse_exposition(PROMETHEUS.read_bytes(), str(PROMETHEUS))

    family = exposition.families["prometheus_tsdb_compaction_chunk_range_seconds"]
    assert family.type == "histogram"
    assert family.bucket_bounds == tuple(100.0 * 4**n for n in range(10))
    assert family.series() == [{}]
    codes = exposition.families["promhttp_metric_handler_requests_total"].series()
    assert codes == [{"code": "200"}, {"code": "500"}, {"code": "503"}]


def test_openmetrics_from_prometheus_client_has_units_and_counter_families() -> None:
    data = generate_openmetrics(instrumented_registry())
    exposition = parse_exposition(data, "app", "application/openmetrics-text; version=1.0.0")

    assert exposition.ok, exposition.diagnostics
    assert exposition.format is ExpositionFormat.OPENMETRICS
    families = exposition.families
    assert families["http_requests"].type == "counter"
    assert {s.name for s in families["http_requests"].samples} == {
        "http_requests_total", "http_requests_created"}
    assert {"method": "POST", "route": '/b"quoted"\\'} in families["http_requests"].series()
    latency = families["http_request_duration_seconds"]
    assert (latency.type, latency.unit) == ("histogram", "seconds")
    assert latency.bucket_bounds == (0.1, 0.5, 2.5)
    assert families["queue_depth"].help == "Messages waiting.\nSecond line."
    assert families["build"].type == "info"
    assert families["job_seconds"].type == "summary"


def test_text_format_from_prometheus_client_names_counters_with_total() -> None:
    exposition = parse_exposition(generate_latest(instrumented_registry()), "app",
                                  "text/plain; version=0.0.4; charset=utf-8")

    assert exposition.ok, exposition.diagnostics
    assert exposition.families["http_requests_total"].type == "counter"
    assert exposition.families["http_requests_created"].type == "gauge"
    assert exposition.families["build_info"].samples[0].labels == {"version": "1.2.3"}


def test_openmetrics_is_recognised_without_a_content_type() -> None:
    exposition = parse_exposition(generate_openmetrics(instrumented_registry()), "file.txt")

    assert exposition.format is ExpositionFormat.OPENMETRICS
    assert exposition.ok


def test_gzip_compressed_input_reads_like_the_plain_one() -> None:
    plain = parse_exposition(PROMETHEUS.read_bytes(), "p")
    packed = parse_exposition(gzip.compress(PROMETHEUS.read_bytes()), "p")

    assert packed.ok
    assert list(packed.families) == list(plain.families)
    assert packed.sample_count == plain.sample_count == 271


def test_lines_prometheus_client_reads_beyond_the_canonical_shape() -> None:
    text = ('# TYPE weird gauge\n'
            'weird{a="x" , b="y",}\t3 1700000000000\n'
            'weird{a="tab\\\\n"}   +Inf\n'
            '{"dotted.name", a="1"} 2\n')
    exposition = parse_exposition_text(text, "odd.prom")

    assert exposition.ok, exposition.diagnostics
    weird = exposition.families["weird"].samples
    assert weird[0].labels == {"a": "x", "b": "y"}
    assert weird[0].timestamp == 1_700_000_000.0
    assert weird[1].labels == {"a": "tab\\n"} and weird[1].value == math.inf
    assert exposition.families["dotted.name"].samples[0].labels == {"a": "1"}


@pytest.mark.parametrize(("text", "line", "column", "fragment"), [
    ('# TYPE a gauge\na{x="1"} one\n', 2, 10, "syntax error"),
    ('a 1\nb{x=1} 2\n', 2, 5, "syntax error"),
    ('a 1\nb{x="1" 2\n', 2, 9, "syntax error"),
    ('1abc 2\n', 1, 1, "syntax error"),
    ('a 1_000\n', 1, 3, "syntax error"),
    ('a 1 abc\n', 1, 5, "syntax error"),
    ('a{x="1",x="2"} 1\n', 1, 2, "duplicate label name"),
    ('# TYPE a countr\na 1\n', 1, 10, "unknown metric type 'countr'"),
    ('a 1\nb 2', 2, 4, "truncated: its last line has no newline"),
])
def test_syntax_errors_are_located(text: str, line: int, column: int, fragment: str) -> None:
    exposition = parse_exposition(text.encode(), "bad.prom")

    assert not exposition.ok
    [error] = exposition.diagnostics
    assert error.severity is Severity.ERROR
    assert (error.line, error.column) == (line, column), error.message
    assert fragment in error.message


def test_openmetrics_without_eof_is_truncated() -> None:
    data = generate_openmetrics(instrumented_registry())
    cut = data[: data.rindex(b"# EOF")]

    exposition = parse_exposition(cut, "app", "application/openmetrics-text")

    [error] = exposition.diagnostics
    assert error.code == "exposition/truncated"
    assert "does not end with `# EOF`" in error.message
    assert error.line == cut.count(b"\n") + 1


def test_openmetrics_refuses_content_after_eof() -> None:
    exposition = parse_exposition_text("a 1\n# EOF\nb 2\n", "x", "application/openmetrics-text")

    [error] = exposition.diagnostics
    assert (error.code, error.line) == ("exposition/syntax", 3)


def test_reading_stops_at_the_first_error_and_keeps_what_came_before() -> None:
    exposition = parse_exposition_text("a 1\nb{ 2\nc 3\n", "x")

    assert list(exposition.families) == ["a"]
    assert len(exposition.diagnostics) == 1


def test_a_family_typed_twice_differently_is_a_warning() -> None:
    exposition = parse_exposition_text("# TYPE a gauge\na 1\n# TYPE a counter\n", "x")

    [warning] = exposition.diagnostics
    assert (warning.code, warning.severity, warning.line) == (
        "exposition/conflicting-type", Severity.WARNING, 3)
    assert exposition.ok and exposition.families["a"].type == "gauge"
