"""The JSON report for scripts."""

from __future__ import annotations

import json
from collections.abc import Callable

from metricsctl.review.changes import DiffReport
from metricsctl.review.json_report import render_json
from tests.review.catalogs import SAMPLE_CHANGES
from tests.review.golden import assert_matches_golden

Review = Callable[..., DiffReport]


def test_the_sample_report_matches_the_golden_file(review: Review) -> None:
    assert_matches_golden("report.json", render_json(review(*SAMPLE_CHANGES)))


def test_changes_with_their_classification_location_and_dependents(review: Review) -> None:
    document = json.loads(render_json(review(*SAMPLE_CHANGES)))

    assert document["counts"] == {"breaking": 6, "risky": 2, "safe": 3}
    removed = next(c for c in document["changes"] if c["kind"] == "label.removed")
    assert removed["classification"] == "breaking"
    assert removed["summary"] == "label `route` removed from `http_requests_total`"
    assert removed["location"]["file"] == "head/shop.yaml"
    assert [(d["kind"], d["name"], d["side"]) for d in removed["dependents"]] == [
        ("alert", "HighErrorRate", "head"),
        ("recording rule", "route:http_requests:rate5m", "head"),
        ("panel", "shop / Request rate", "base"),
    ]
    buckets = next(c for c in document["changes"] if c["kind"] == "metric.buckets-changed")
    assert buckets["before"] == [0.1, 0.5, 1, 5]
    assert buckets["cardinality"][0]["delta"] == 20


def test_cardinality_totals_and_unbounded_metrics(review: Review) -> None:
    report = review(("shop.yaml", "  route:\n    max_cardinality: 20",
                     "  route:\n    description: any route"))

    total = json.loads(render_json(report))["cardinality"]["total"]

    assert total["unbounded_before"] == []
    assert total["unbounded_after"] == ["http_request_duration_seconds", "http_requests_total"]
    assert total["after"] == total["before"] - 400 - 140
