"""The semantic diff: each kind of change, its classification, and what depends on it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from metricsctl.review.changes import Change, Classification, DiffReport, Side, plain

Review = Callable[..., DiffReport]

BREAKING, RISKY, SAFE = Classification.BREAKING, Classification.RISKY, Classification.SAFE


def kinds(report: DiffReport) -> list[str]:
    return [change.kind for change in report.changes]


def only(report: DiffReport, kind: str) -> Change:
    found = [change for change in report.changes if change.kind == kind]
    assert len(found) == 1, f"{kind}: {[plain(c.summary) for c in report.changes]}"
    return found[0]


def dependents(change: Change) -> list[tuple[str, str, str]]:
    return [(d.kind, d.name, d.side.value) for d in change.dependents]


def test_an_unchanged_catalog_has_no_changes(review: Review) -> None:
    report = review()

    assert report.changes == ()
    assert report.cardinality == ()
    assert report.totals.before == report.totals.after


class TestMetrics:
    def test_a_rename_recorded_with_renamed_from_is_breaking_and_lists_readers(
            self, review: Review) -> None:
        report = review(("shop.yaml", "  cart_items:\n",
                         "  cart_items_open:\n    renamed_from: cart_items\n"))

        renamed = only(report, "metric.renamed")
        assert renamed.classification is BREAKING
        assert plain(renamed.summary) == "metric `cart_items` renamed to `cart_items_open`"
        assert (renamed.before, renamed.after) == ("cart_items", "cart_items_open")
        assert dependents(renamed) == [("panel", "shop / Cart items", "head")]
        assert renamed.hint is not None and "cart_items_open" in renamed.hint
        assert renamed.location is not None and renamed.location.file.endswith("shop.yaml")
        assert "metric.removed" not in kinds(report) and "metric.added" not in kinds(report)
        broken = only(report, "query.broken")
        assert plain(broken.reason) == ("it reads `cart_items`, which this change renames "
                                        "(metric `cart_items` is now `cart_items_open`).")

    def test_a_rename_with_its_queries_updated_lists_them_as_before_only(
            self, review: Review) -> None:
        report = review(("shop.yaml", "  cart_items:\n",
                         "  cart_items_open:\n    renamed_from: cart_items\n"),
                        ("shop.yaml", "expr: sum(cart_items)}", "expr: sum(cart_items_open)}"))

        renamed = only(report, "metric.renamed")
        assert dependents(renamed) == [("panel", "shop / Cart items", "base")]
        assert renamed.hint is None
        assert "query.broken" not in kinds(report)

    def test_a_removed_and_an_added_metric_alike_are_suggested_as_a_rename(
            self, review: Review) -> None:
        report = review(("shop.yaml", "  cart_items:\n", "  open_cart_items:\n"))

        suggested = only(report, "metric.rename-suggested")
        assert suggested.classification is BREAKING
        assert "looks like a rename" in plain(suggested.summary)
        assert plain(suggested.hint or "") == (
            "add `renamed_from: cart_items` to `open_cart_items` to record it")
        assert "metric.removed" not in kinds(report)

    def test_a_removed_metric_is_breaking_and_lists_the_alert_reading_it(
            self, review: Review) -> None:
        report = review(("shop.yaml", """  checkout_total:
    type: counter
    help: Checkouts by outcome.
    labels: [outcome]
""", ""))

        removed = only(report, "metric.removed")
        assert removed.classification is BREAKING
        assert dependents(removed) == [("alert", "CheckoutsDeclined", "head")]
        assert removed.location_side is Side.BASE
        assert removed.cardinality[0].after is None
        broken = only(report, "query.broken")
        assert broken.subject == "alert CheckoutsDeclined"
        assert plain(broken.reason) == "it reads `checkout_total`, which this change removes."

    def test_an_added_metric_is_safe(self, review: Review) -> None:
        report = review(("shop.yaml", "recording_rules:", """  orders_total:
    type: counter
    help: Orders placed.
recording_rules:"""))

        added = only(report, "metric.added")
        assert added.classification is SAFE
        assert added.cardinality[0].after_series == 1

    def test_an_added_metric_with_an_unbounded_label_is_risky(self, review: Review) -> None:
        report = review(("shop.yaml", "recording_rules:", """  logins_total:
    type: counter
    help: Logins.
    labels: [{name: user_id}]
recording_rules:"""))

        added = only(report, "metric.added")
        assert added.classification is RISKY
        assert "`user_id`" in plain(added.reason)

    def test_a_type_change_is_breaking_and_lists_the_panel(self, review: Review) -> None:
        report = review(("shop.yaml", "  cart_items:\n    type: gauge",
                         "  cart_items:\n    type: summary"))

        changed = only(report, "metric.type-changed")
        assert changed.classification is BREAKING
        assert (changed.before, changed.after) == ("gauge", "summary")
        assert dependents(changed) == [("panel", "shop / Cart items", "head")]

    def test_a_bucket_change_is_breaking_with_the_histogram_panels_and_the_series_delta(
            self, review: Review) -> None:
        report = review(("shop.yaml", "buckets: [0.1, 0.5, 1, 5]",
                         "buckets: [0.1, 0.25, 0.5, 1, 5]"))

        changed = only(report, "metric.buckets-changed")
        assert changed.classification is BREAKING
        assert changed.before == (0.1, 0.5, 1.0, 5.0)
        assert changed.after == (0.1, 0.25, 0.5, 1.0, 5.0)
        assert dependents(changed) == [("panel", "shop / Latency", "head")]
        # 20 routes x (buckets + +Inf + _count + _sum)
        assert changed.cardinality[0].before_series == 20 * 7
        assert changed.cardinality[0].after_series == 20 * 8

    def test_removed_bucket_bounds_are_named(self, review: Review) -> None:
        report = review(("shop.yaml", "buckets: [0.1, 0.5, 1, 5]", "buckets: [0.1, 1, 5]"))

        assert "Bounds removed: `[0.5]`" in plain(only(report, "metric.buckets-changed").reason)

    def test_help_unit_and_deprecation_changes(self, review: Review) -> None:
        report = review(("shop.yaml", "help: Items currently in open carts.",
                         "help: Items in open carts.\n    deprecated: use cart_value"),
                        ("shop.yaml", "unit: seconds", "unit: milliseconds"))

        assert only(report, "metric.help-changed").classification is SAFE
        deprecated = only(report, "metric.deprecated")
        assert deprecated.classification is SAFE
        assert plain(deprecated.summary) == "metric `cart_items` deprecated: use cart_value"
        assert dependents(deprecated) == [("panel", "shop / Cart items", "head")]
        unit = only(report, "metric.unit-changed")
        assert unit.classification is RISKY
        assert dependents(unit) == [("panel", "shop / Latency", "head")]


class TestLabels:
    def test_a_removed_label_used_by_an_alert_is_breaking_and_lists_the_alert(
            self, review: Review) -> None:
        report = review(("shop.yaml", "labels: [service, route, status_code]",
                         "labels: [service, status_code]"),
                        ("shop.yaml", "metric: http_requests_total, by: [route]",
                         "metric: http_requests_total"))

        removed = only(report, "label.removed")
        assert removed.classification is BREAKING
        assert removed.subject == "http_requests_total{route}"
        assert dependents(removed) == [
            ("alert", "HighErrorRate", "head"),
            ("recording rule", "route:http_requests:rate5m", "head"),
            ("panel", "shop / Request rate", "base"),
        ]
        broken = {c.subject: plain(c.reason) for c in report.changes if c.kind == "query.broken"}
        assert broken == {
            "alert HighErrorRate": "it groups by `route`, which no metric it reads has any more.",
            "recording rule route:http_requests:rate5m":
                "it groups by `route`, which no metric it reads has any more.",
        }

    def test_a_label_only_matched_in_a_selector_is_found(self, review: Review) -> None:
        report = review(("shop.yaml", "labels: [service, route, status_code]",
                         "labels: [service, route]"))

        removed = only(report, "label.removed")
        assert dependents(removed) == [("alert", "HighErrorRate", "head")]
        broken = only(report, "query.broken")
        assert plain(broken.reason) == ("it matches `status_code` on `http_requests_total`, "
                                        "which no longer has that label.")

    def test_a_removed_and_added_label_with_the_same_values_is_a_suggested_rename(
            self, review: Review) -> None:
        report = review(("shop.yaml", "labels: [outcome]", "labels: [result]"),
                        ("shop.yaml", "  outcome:\n    values: [paid, declined]",
                         "  outcome:\n    values: [paid, declined]\n"
                         "  result:\n    values: [paid, declined]"))

        renamed = only(report, "label.rename-suggested")
        assert renamed.classification is BREAKING
        assert (renamed.before, renamed.after) == ("outcome", "result")
        assert dependents(renamed) == [("alert", "CheckoutsDeclined", "head")]
        assert "label.removed" not in kinds(report)

    def test_a_new_label_raising_cardinality_is_risky_with_the_delta(
            self, review: Review) -> None:
        report = review(("shop.yaml", "    labels: [route]\n    buckets",
                         "    labels: [route, status_code]\n    buckets"))

        added = only(report, "label.added")
        assert added.classification is RISKY
        delta = added.cardinality[0]
        assert (delta.before_series, delta.after_series, delta.delta) == (140, 1400, 1260)
        assert report.totals.delta == 1260

    def test_new_allowed_values_are_risky_with_the_delta(self, review: Review) -> None:
        report = review(("shop.yaml", "values: [paid, declined]",
                         "values: [paid, declined, refunded]"))

        changed = only(report, "label.values-changed")
        assert changed.classification is RISKY
        assert plain(changed.summary) == ("shared label `outcome` (shop): values added "
                                          "`refunded`; used by `checkout_total`")
        assert changed.before == {"values": ("paid", "declined")}
        assert [(d.metric, d.delta) for d in changed.cardinality] == [("checkout_total", 1)]

    def test_a_shared_label_change_is_one_change_listing_every_metric(
            self, review: Review) -> None:
        report = review(("metricsctl.yaml", "values: [web, worker]",
                         "values: [web, worker, batch]"),
                        base=[("shop.yaml", "    help: Items currently in open carts.",
                               "    help: Items currently in open carts.\n"
                               "    labels: [service]")])

        changed = only(report, "label.values-changed")
        assert "used by `http_requests_total`, `cart_items`" in plain(changed.summary)
        assert sorted(d.metric for d in changed.cardinality) == [
            "cart_items", "http_requests_total"]

    def test_a_removed_value_selected_by_an_alert_is_breaking(self, review: Review) -> None:
        report = review(("shop.yaml", "values: [paid, declined]", "values: [paid, failed]"))

        changed = only(report, "label.values-changed")
        assert changed.classification is BREAKING
        assert dependents(changed) == [("alert", "CheckoutsDeclined", "head")]
        broken = only(report, "query.broken")
        assert plain(broken.reason) == ("it selects `outcome=declined` on `checkout_total`, "
                                        "a value no longer allowed.")

    def test_a_label_becoming_unbounded_is_risky(self, review: Review) -> None:
        report = review(("shop.yaml", "  route:\n    max_cardinality: 20",
                         "  route:\n    description: any route"))

        changed = only(report, "label.values-changed")
        assert changed.classification is RISKY
        assert "no longer bounded" in plain(changed.summary)
        assert all(d.newly_unbounded for d in changed.cardinality)
        assert report.totals.unbounded_after == ("http_request_duration_seconds",
                                                 "http_requests_total")

    def test_a_lower_bound_is_safe(self, review: Review) -> None:
        report = review(("shop.yaml", "max_cardinality: 20", "max_cardinality: 10"))

        changed = only(report, "label.values-changed")
        assert changed.classification is SAFE
        assert plain(changed.summary) == (
            "shared label `route` (shop): max_cardinality 20 → 10; used by "
            "`http_requests_total`, `http_request_duration_seconds`")


    def test_values_replaced_by_a_larger_bound_is_risky(self, review: Review) -> None:
        report = review(("shop.yaml", "values: [paid, declined]", "max_cardinality: 5"))

        changed = only(report, "label.values-changed")
        assert changed.classification is RISKY
        assert plain(changed.summary).startswith(
            "shared label `outcome` (shop): values `paid`, `declined` replaced by "
            "max_cardinality 5")
        assert (changed.before, changed.after) == ({"values": ("paid", "declined")},
                                                   {"max_cardinality": 5})


class TestAlerts:
    def test_a_raised_threshold_on_greater_than_is_less_sensitive(self, review: Review) -> None:
        report = review(("shop.yaml", "> 0.05", "> 0.1"))

        changed = only(report, "alert.threshold-changed")
        assert changed.classification is RISKY
        assert (changed.before, changed.after) == (0.05, 0.1)
        assert plain(changed.summary) == ("alert `HighErrorRate` threshold changed: "
                                          "`> 0.05` → `> 0.1`")
        assert "less sensitive" in changed.reason

    def test_a_lowered_threshold_on_greater_than_fires_more_often(self, review: Review) -> None:
        report = review(("shop.yaml", "> 0.05", "> 0.01"))

        change = only(report, "alert.threshold-changed")
        assert change.classification is RISKY
        assert "more sensitive" in change.reason and "more often" in change.reason

    def test_a_lowered_threshold_on_less_than_is_less_sensitive(self, review: Review) -> None:
        below = ("shop.yaml", "[10m])) > 1", "[10m])) < 10")
        report = review(("shop.yaml", "[10m])) < 10", "[10m])) < 5"), base=[below])

        assert only(report, "alert.threshold-changed").classification is RISKY

    def test_a_longer_for_and_a_lower_severity_are_less_sensitive(self, review: Review) -> None:
        report = review(("shop.yaml", "for: 10m\n    severity: critical",
                         "for: 15m\n    severity: warning"))

        assert only(report, "alert.for-changed").classification is RISKY
        severity = only(report, "alert.severity-changed")
        assert severity.classification is RISKY
        assert (severity.before, severity.after) == ("critical", "warning")

    def test_a_shorter_for_fires_more_often_a_higher_severity_is_safe(
            self, review: Review) -> None:
        report = review(("shop.yaml", "for: 5m\n    severity: warning",
                         "for: 1m\n    severity: critical"))

        shorter = only(report, "alert.for-changed")
        assert shorter.classification is RISKY
        assert "more often" in shorter.reason
        assert only(report, "alert.severity-changed").classification is SAFE

    def test_another_condition_is_risky_and_says_why(self, review: Review) -> None:
        report = review(("shop.yaml", 'checkout_total{outcome="declined"}[10m]',
                         'checkout_total{outcome="declined"}[1h]'))

        changed = only(report, "alert.expr-changed")
        assert changed.classification is RISKY
        assert "cannot be compared automatically" in changed.reason

    def test_reformatting_only_is_safe(self, review: Review) -> None:
        report = review(("shop.yaml", "sum(rate(checkout_total", "sum( rate(checkout_total"))

        assert kinds(report) == ["alert.expr-reformatted"]
        assert report.changes[0].classification is SAFE

    def test_labels_removed_are_risky_annotations_are_safe(self, review: Review) -> None:
        report = review(("shop.yaml", "summary: Many declined checkouts",
                         "summary: Too many declined checkouts"),
                        ("shop.yaml", "for: 5m\n", "for: 5m\n    labels: {team: shop}\n"))

        assert only(report, "alert.annotations-changed").classification is SAFE
        assert only(report, "alert.labels-changed").classification is SAFE
        removed = review(("shop.yaml", "for: 5m\n    labels: {team: web}\n", "for: 5m\n"),
                         base=[("shop.yaml", "for: 5m\n", "for: 5m\n    labels: {team: web}\n")])
        assert only(removed, "alert.labels-changed").classification is RISKY

    def test_a_removed_alert_is_risky_and_an_added_one_safe(self, review: Review) -> None:
        report = review(("shop.yaml", "  CheckoutsDeclined:", "  CheckoutsRejected:"))

        assert only(report, "alert.removed").classification is RISKY
        assert only(report, "alert.added").classification is SAFE


class TestRecordingRules:
    def test_a_removed_rule_still_read_by_a_panel_is_breaking(self, review: Review) -> None:
        report = review(("shop.yaml", """  route:http_requests:rate5m:
    expr: sum by (route) (rate(http_requests_total[5m]))
""", ""), ("shop.yaml", "recording_rules:\n", ""))

        removed = only(report, "recording-rule.removed")
        assert removed.classification is BREAKING
        assert dependents(removed) == [("panel", "shop / Routes", "head")]
        assert only(report, "query.broken").subject == "panel shop / Routes"

    def test_a_changed_rule_read_by_a_panel_is_risky(self, review: Review) -> None:
        report = review(("shop.yaml", "rate(http_requests_total[5m]))\nalerts",
                         "rate(http_requests_total[10m]))\nalerts"))

        changed = only(report, "recording-rule.expr-changed")
        assert changed.classification is RISKY
        assert dependents(changed) == [("panel", "shop / Routes", "head")]


class TestDashboards:
    def test_a_panel_query_now_reading_a_removed_metric_is_breaking(
            self, review: Review) -> None:
        report = review(("shop.yaml", """  cart_items:
    type: gauge
    help: Items currently in open carts.
""", ""))

        broken = only(report, "query.broken")
        assert broken.classification is BREAKING
        assert broken.subject == "panel shop / Cart items"
        assert broken.after == "sum(cart_items)"
        assert broken.location is not None
        lines = Path(broken.location.file).read_text().splitlines()
        assert "expr: sum(cart_items)" in lines[broken.location.line - 1]
        removed = only(report, "metric.removed")
        assert dependents(removed) == [("panel", "shop / Cart items", "head")]

    def test_panels_added_removed_and_changed(self, review: Review) -> None:
        report = review(("shop.yaml", "{title: Cart items, expr: sum(cart_items)}",
                         "{title: Cart items, expr: max(cart_items), unit: short}"),
                        ("shop.yaml", "{title: Latency, metric: http_request_duration_seconds}",
                         "{title: Slow requests, metric: http_request_duration_seconds}"))

        assert only(report, "panel.removed").subject == "shop / Latency"
        assert only(report, "panel.added").subject == "shop / Slow requests"
        queries = only(report, "panel.queries-changed")
        assert (queries.before, queries.after) == (("sum(cart_items)",), ("max(cart_items)",))
        assert only(report, "panel.changed").field == "unit"
        assert all(c.classification is SAFE for c in report.changes)

    def test_derived_queries_follow_the_metric(self, review: Review) -> None:
        report = review(("shop.yaml", "{title: Latency, metric: http_request_duration_seconds}",
                         "{title: Latency, metric: http_request_duration_seconds, "
                         "quantiles: [0.9]}"))

        changed = only(report, "panel.queries-changed")
        assert "derived from `http_request_duration_seconds`" in plain(changed.summary)
        assert isinstance(changed.after, tuple) and len(changed.after) == 1

    def test_dashboards_added_removed_and_retitled(self, review: Review) -> None:
        report = review(("shop.yaml", "  shop:\n    title: Shop", "  store:\n    title: Shop"))
        assert only(report, "dashboard.removed").classification is RISKY
        assert only(report, "dashboard.added").classification is SAFE

        retitled = review(("shop.yaml", "title: Shop", "title: Web shop"))
        changed = only(retitled, "dashboard.changed")
        assert changed.before == {"title": "Shop"} and changed.after == {"title": "Web shop"}


class TestScrapeJobs:
    def test_scrape_job_changes(self, review: Review) -> None:
        report = review(("metricsctl.yaml", '    targets: ["web:9100"]\n    labels: {service: web}',
                         '    targets: ["web-1:9100", "web-2:9100"]\n'
                         '    labels: {service: web, tier: front}\n    interval: 1m'),
                        ("metricsctl.yaml", "  - job: worker", "  - job: jobs"))

        assert only(report, "scrape-job.removed").classification is RISKY
        assert only(report, "scrape-job.added").classification is SAFE
        targets = only(report, "scrape-job.targets-changed")
        assert targets.classification is SAFE
        assert plain(targets.summary) == ("scrape job `web` targets: added `web-1:9100`, "
                                          "`web-2:9100`; removed `web:9100`")
        assert only(report, "scrape-job.labels-changed").classification is SAFE
        interval = only(report, "scrape-job.interval-changed")
        assert (interval.before, interval.after, interval.classification) == ("15s", "1m", RISKY)

    def test_a_removed_job_still_selected_by_a_query_is_breaking(self, review: Review) -> None:
        selects_job = ("shop.yaml", "expr: sum(cart_items)}", "expr: 'sum(up{job=\"worker\"})'}")
        report = review(("metricsctl.yaml", """  - job: worker
    targets: ["worker-1:9100"]
    labels: {service: worker}
""", ""), base=[selects_job])

        removed = only(report, "scrape-job.removed")
        assert removed.classification is BREAKING
        assert dependents(removed) == [("panel", "shop / Cart items", "head")]

    def test_changed_target_labels_and_paths_are_risky(self, review: Review) -> None:
        report = review(("metricsctl.yaml", "labels: {service: worker}",
                         "labels: {service: jobs}\n    metrics_path: /stats"))

        assert only(report, "scrape-job.labels-changed").classification is RISKY
        assert only(report, "scrape-job.metrics-path-changed").classification is RISKY


def test_changes_are_ordered_breaking_then_risky_then_safe(review: Review) -> None:
    report = review(("shop.yaml", "help: Items currently in open carts.", "help: Open items."),
                    ("shop.yaml", "> 0.05", "> 0.1"),
                    ("shop.yaml", "buckets: [0.1, 0.5, 1, 5]", "buckets: [0.1, 1, 5]"))

    assert [c.classification for c in report.changes] == [BREAKING, RISKY, SAFE]
    assert kinds(report) == ["metric.buckets-changed", "alert.threshold-changed",
                             "metric.help-changed"]


def test_a_catalog_compared_with_itself_has_no_changes(tmp_path: Path) -> None:
    # Includes a histogram on default buckets (no `buckets:`), the case a planted bug hid in.
    from metricsctl.catalog import load_catalog
    from metricsctl.review.changes import CatalogSide
    from metricsctl.review.compare import compare_catalogs
    from tests.conftest import SHIPPED_SPECS

    root = tmp_path / "specs"
    root.mkdir()
    (root / "metricsctl.yaml").write_text("project: p\n", encoding="utf-8")
    (root / "d.yaml").write_text(
        "domain: d\nmetrics:\n"
        "  job_duration_seconds: {type: histogram, unit: seconds, help: Job time.}\n"
        "  job_size_bytes: {type: summary, unit: bytes, help: Job size.}\n",
        encoding="utf-8")
    for specs in (root, SHIPPED_SPECS):
        first, second = load_catalog(specs).catalog, load_catalog(specs).catalog
        assert first is not None and second is not None
        report = compare_catalogs(first, second, CatalogSide("base", "specs"),
                                  CatalogSide("head", "specs"))
        assert report.changes == ()
        assert report.cardinality == ()
