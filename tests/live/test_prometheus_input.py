"""How stored series names map back to families, and how --job becomes a selector (the
end-to-end test runs the rest against a real Prometheus)."""

from __future__ import annotations

from metricsctl.live.prometheus_input import family_of_sample, job_selector

METADATA = {
    "store_checkouts": [{"type": "counter", "help": "Checkouts.", "unit": ""}],  # OpenMetrics
    "store_requests_total": [{"type": "counter", "help": "Requests.", "unit": ""}],  # text
    "store_request_duration_seconds": [{"type": "histogram", "help": "Latency.", "unit": ""}],
    "store_queue_depth": [{"type": "gauge", "help": "Depth.", "unit": ""}],
}


def test_sample_names_map_to_one_family_key_whatever_the_format() -> None:
    assert family_of_sample("store_checkouts_total", METADATA) == ("store_checkouts", "counter")
    assert family_of_sample("store_checkouts_created", METADATA) == ("store_checkouts", "counter")
    assert family_of_sample("store_requests_total", METADATA) == ("store_requests", "counter")
    assert family_of_sample("store_request_duration_seconds_bucket", METADATA) == (
        "store_request_duration_seconds", "histogram")
    assert family_of_sample("store_queue_depth", METADATA) == ("store_queue_depth", "gauge")
    # a suffix the family's type does not have, and a name without metadata
    assert family_of_sample("store_queue_depth_count", METADATA) == ("store_queue_depth_count",
                                                               "unknown")
    assert family_of_sample("never_seen", METADATA) == ("never_seen", "unknown")


def test_jobs_become_an_anchored_alternation_of_literals() -> None:
    assert job_selector([]) is None
    assert job_selector(["store", "store-drifted"]) == '{job=~"store|store-drifted"}'
    assert job_selector(["api.gateway", 'odd"name']) == '{job=~"api\\\\.gateway|odd\\"name"}'
