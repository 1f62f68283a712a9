"""Each finding family of live-check, from real prometheus_client expositions against the
store catalog (tests/live/catalogs/store): true positives and the clean case."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import generate_latest as text_exposition

from metricsctl.diagnostics import Severity
from tests.conftest import WriteCatalog, load_valid_catalog
from tests.live.conftest import check_expositions, check_registry, codes, store_catalog


def conforming_registry(*, outcomes: tuple[str, ...] = ("paid",),
                        cache_entries: bool = True) -> CollectorRegistry:
    """The store service instrumented exactly as the catalog says (unless told otherwise)."""
    registry = CollectorRegistry()
    requests = Counter("store_requests_total", "Requests served by the store.",
                       ["method", "route"], registry=registry)
    requests.labels("GET", "/cart").inc()
    requests.labels("POST", "/cart").inc()
    Histogram("store_request_duration_seconds", "Time to serve a store request.", ["route"],
              unit="seconds", buckets=(0.1, 0.5, 1), registry=registry
              ).labels("/cart").observe(0.2)
    checkouts = Counter("store_checkouts_total", "Checkouts by outcome.", ["outcome"],
                        registry=registry)
    for outcome in outcomes:
        checkouts.labels(outcome).inc()
    Gauge("store_queue_depth", "Orders waiting to be packed.", registry=registry).set(3)
    if cache_entries:
        Gauge("store_cache_entries", "Entries in the price cache.", registry=registry).set(10)
    return registry


def test_a_conforming_service_has_no_findings_and_full_coverage() -> None:
    report = check_registry(store_catalog(), conforming_registry())

    assert report.diagnostics == ()
    assert report.coverage.lines() == ["catalog metrics seen: 5/5 (100%)",
                                       "exposed metrics in the catalog: 5/5 (100%)"]


def test_unknown_metric_with_did_you_mean() -> None:
    registry = conforming_registry()
    Gauge("store_queue_dept", "Typo.", registry=registry).set(1)
    Gauge("build_age_seconds", "Unrelated.", registry=registry).set(1)

    [typo, unrelated] = sorted(check_registry(store_catalog(), registry).diagnostics,
                               key=lambda d: d.message, reverse=True)

    assert typo.code == "live/unknown-metric" and typo.severity is Severity.WARNING
    assert typo.message == ("store_queue_dept (gauge) is exposed but not in the catalog "
                            "(at http://app/metrics)")
    assert typo.hint == "did you mean store_queue_depth?"
    assert unrelated.hint == "add it to the catalog, or --ignore it if you do not own it"


def test_ignore_patterns_silence_unknown_metrics_and_leave_coverage() -> None:
    registry = conforming_registry()
    Gauge("go_goroutines", "Goroutines.", registry=registry).set(1)

    report = check_expositions(store_catalog(),
                               ("app", text_exposition(registry)),
                               ignore=["go_*"])

    assert report.diagnostics == ()
    assert report.coverage.ignored == 1


def test_missing_metric_points_at_its_catalog_entry() -> None:
    registry = conforming_registry(cache_entries=False)

    [missing] = check_registry(store_catalog(), registry).diagnostics

    assert (missing.code, missing.severity) == ("live/missing-metric", Severity.WARNING)
    assert missing.message == ("store_cache_entries is in the catalog but exposed nowhere "
                               "(checked http://app/metrics)")
    assert missing.file is not None and missing.file.endswith("store/store.yaml")
    assert missing.line == 29


def test_a_gauge_exposed_as_counter_is_a_type_mismatch() -> None:
    registry = CollectorRegistry()
    Counter("store_queue_depth", "Orders waiting to be packed.", registry=registry).inc()

    report = check_registry(store_catalog(), registry)

    [mismatch] = [d for d in report.diagnostics if d.code == "live/type-mismatch"]
    assert mismatch.message.startswith(
        "store_queue_depth is a gauge in the catalog but exposed as counter")
    assert mismatch.path == "metrics.store_queue_depth.type"


def test_a_percentile_exported_as_a_gauge() -> None:
    registry = conforming_registry()
    Gauge("store_request_duration_seconds_p95", "95th percentile.", ["route"],
          registry=registry).labels("/cart").set(0.4)

    [finding] = check_registry(store_catalog(), registry).diagnostics

    assert (finding.code, finding.severity) == ("live/percentile-as-gauge", Severity.ERROR)
    assert finding.message.startswith("store_request_duration_seconds_p95 (gauge) exports a "
                                      "percentile of store_request_duration_seconds")


def test_a_histogram_replaced_by_a_quantile_labelled_gauge() -> None:
    text = (b"# TYPE store_request_duration_seconds gauge\n"
            b'store_request_duration_seconds{route="/cart",quantile="0.99"} 0.7\n')
    report = check_expositions(store_catalog(), ("svc.prom", text))

    assert [d.code for d in report.diagnostics if d.severity is Severity.ERROR] == [
        "live/percentile-as-gauge"]


def test_help_and_unit_differences_are_information() -> None:
    registry = CollectorRegistry()
    Gauge("store_queue_depth", "Orders in the queue.", registry=registry).set(1)
    Histogram("store_request_duration_seconds", "Time to serve a store request.", ["route"],
              unit="seconds", buckets=(0.1, 0.5, 1), registry=registry)
    text = check_registry(store_catalog(), registry)

    [help_differs] = [d for d in text.diagnostics if d.code == "live/help-differs"]
    assert help_differs.severity is Severity.INFO
    assert "exposed help 'Orders in the queue.' differs" in help_differs.message
    om = (b"# TYPE store_queue_depth gauge\n# UNIT store_queue_depth orders\n"
          b"# HELP store_queue_depth Orders waiting to be packed.\nstore_queue_depth 1\n# EOF\n")
    [unit] = [d for d in check_expositions(store_catalog(), ("om", om)).diagnostics
              if d.code == "live/unit-differs"]
    assert unit.message.startswith("store_queue_depth: exposed unit 'orders', the catalog's is "
                                   "none")


def test_extra_and_missing_labels() -> None:
    registry = CollectorRegistry()
    Counter("store_requests_total", "Requests served by the store.", ["method", "region"],
            registry=registry).labels("GET", "eu").inc()

    found = codes(check_registry(store_catalog(), registry).diagnostics)

    assert ("live/extra-label", "metrics.store_requests_total.labels") in found
    assert ("live/missing-label", "metrics.store_requests_total.labels.1") in found


def test_label_values_outside_the_allowed_set_name_what_was_seen() -> None:
    registry = conforming_registry(outcomes=("paid", "refunded", "lost"))

    [finding] = check_registry(store_catalog(), registry).diagnostics

    assert finding.code == "live/label-value-not-allowed"
    assert "label 'outcome' has values outside the allowed set: 'lost', 'refunded'" in (
        finding.message)
    assert finding.hint is not None and finding.hint.startswith("allowed: paid, declined")


def test_histogram_buckets_that_differ() -> None:
    registry = CollectorRegistry()
    Histogram("store_request_duration_seconds", "Time to serve a store request.", ["route"],
              buckets=(0.1, 0.25, 1, 5), registry=registry).labels("/").observe(1)

    [finding] = [d for d in check_registry(store_catalog(), registry).diagnostics
                 if d.code == "live/buckets-differ"]

    assert finding.message == (
        "store_request_duration_seconds is exposed with buckets [0.1, 0.25, 1, 5], the catalog "
        "has [0.1, 0.5, 1] (added [0.25, 5]; removed [0.5]) at http://app/metrics")
    assert finding.path == "metrics.store_request_duration_seconds.buckets"


def test_cardinality_against_the_catalog_bounds() -> None:
    registry = CollectorRegistry()
    requests = Counter("store_requests_total", "Requests served by the store.",
                       ["method", "route"], registry=registry)
    for number in range(7):
        requests.labels("GET", f"/item/{number}").inc()

    found = codes(check_registry(store_catalog(), registry).diagnostics)

    assert ("live/label-over-bound", "metrics.store_requests_total.labels.1") in found
    [over] = [d for d in check_registry(store_catalog(), registry).diagnostics
              if d.code == "live/label-over-bound"]
    assert "label 'route' has 7 distinct values, more than its max_cardinality of 5" in (
        over.message)
    for number in range(7, 11):
        requests.labels("POST", f"/item/{number}").inc()
    [series] = [d for d in check_registry(store_catalog(), registry).diagnostics
                if d.code == "live/series-over-bound"]
    assert "store_requests_total has 11 series, more than the 10" in series.message


def test_replicas_merge_and_name_their_sources() -> None:
    registry = conforming_registry()
    body = text_exposition(registry)
    drifted = CollectorRegistry()
    Gauge("store_queue_depth", "Orders waiting to be packed.", ["shard"],
          registry=drifted).labels("1").set(1)

    report = check_expositions(store_catalog(), ("replica-a", body), ("replica-b", body),
                               ("replica-c", text_exposition(drifted)))

    [extra] = report.diagnostics
    assert extra.code == "live/extra-label"
    assert extra.message.endswith("(at replica-a, replica-b, replica-c)")


def test_an_unknown_metric_the_catalog_renamed_says_its_new_name(
        write_catalog: WriteCatalog) -> None:
    root = write_catalog({"store.yaml": """
        domain: store
        metrics:
          store_orders_total:
            type: counter
            help: Orders placed.
            renamed_from: shop_orders_total
        """})
    registry = CollectorRegistry()
    Counter("shop_orders_total", "Orders placed.", registry=registry).inc()

    report = check_registry(load_valid_catalog(root), registry)

    [unknown] = [d for d in report.diagnostics if d.code == "live/unknown-metric"]
    assert unknown.message.startswith("shop_orders_total (counter) is exposed")
    assert unknown.hint == ("the catalog renamed it to store_orders_total: update the code "
                            "that exposes it")


def test_metrics_exposed_without_metadata() -> None:
    text = (b"store_queue_depth 3\n"
            b'store_request_duration_seconds_bucket{route="/",le="0.1"} 1\n'
            b'store_request_duration_seconds_bucket{route="/",le="+Inf"} 1\n'
            b'store_request_duration_seconds_count{route="/"} 1\n'
            b'store_request_duration_seconds_sum{route="/"} 0.05\n')

    report = check_expositions(store_catalog(), ("bare.prom", text))

    [untyped] = [d for d in report.diagnostics if d.code == "live/untyped-metric"]
    assert untyped.severity is Severity.INFO
    assert untyped.message.startswith("store_queue_depth is exposed without a type (the "
                                      "catalog says gauge)")
    # the histogram's samples, each an untyped family of its own, belong to the catalog entry
    assert not [d for d in report.diagnostics if d.code == "live/unknown-metric"]
    assert report.coverage.exposed_known == report.coverage.exposed_total == 2
