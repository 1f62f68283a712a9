"""expr_references: what an expression reads, for diff, docs and lint."""

from __future__ import annotations

from metricsctl.promql.references import ExprRefs, SelectorRef, expr_references


def test_metrics_selectors_and_grouping_labels_are_collected() -> None:
    refs = expr_references(
        'histogram_quantile(0.95, sum by (le, route) '
        '(rate(http_request_duration_seconds_bucket{job="api", route=~"$route"}[5m])))'
        " / on (route) group_left (team) route_owner")

    assert refs == ExprRefs(
        metrics=frozenset({"http_request_duration_seconds_bucket", "route_owner"}),
        selectors=(
            SelectorRef("http_request_duration_seconds_bucket",
                        (("job", "=", "api"), ("route", "=~", "$route"))),
            SelectorRef("route_owner", ()),
        ),
        grouping_labels=frozenset({"le", "route", "team"}),
    )


def test_a_name_matcher_names_the_metric() -> None:
    refs = expr_references('count({__name__="up", job!~"test.*"})')

    assert refs is not None
    assert refs.metrics == frozenset({"up"})
    assert refs.selectors == (SelectorRef("up", (("__name__", "=", "up"),
                                                 ("job", "!~", "test.*"))),)


def test_without_and_ignoring_labels_count_as_grouping_labels() -> None:
    refs = expr_references("sum without (instance) (a) + ignoring (pod) b")

    assert refs is not None
    assert refs.grouping_labels == frozenset({"instance", "pod"})


def test_a_variable_metric_name_is_not_a_metric() -> None:
    refs = expr_references('sum(rate($metric{job="a"}[$__rate_interval]))')

    assert refs is not None
    assert refs.metrics == frozenset()
    assert refs.selectors == (SelectorRef(None, (("job", "=", "a"),)),)


def test_an_expression_that_does_not_parse_has_no_references() -> None:
    assert expr_references("sum(rate(x[5m])") is None
