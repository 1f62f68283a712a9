"""The rule engine reproduces Prometheus' arithmetic where tests depend on it."""

from __future__ import annotations

import pytest

from metricsctl.alert_tests.evaluator import Engine, Series, UnmodelledError, extrapolated_rate
from metricsctl.alert_tests.promtool_file import values_text
from metricsctl.alert_tests.runner import compile_expr
from metricsctl.alert_tests.templates import go_float, humanize, render_template


def test_a_full_window_rate_is_the_slope() -> None:
    series = Series((("__name__", "x_total"),), [1000.0 + 60 * m for m in range(11)])
    window = series.counter_window(600 - 300, 600)
    assert extrapolated_rate(window, 300, 600, 300, is_rate=True) == 1.0


def test_a_young_counter_extrapolates_half_an_interval_towards_the_window_start() -> None:
    series = Series((("__name__", "x_total"),), [1e9 + 60 * m for m in range(3)])
    # samples at 0..120s in a 300s window: 120s sampled, 30s extrapolated at the start
    rate = extrapolated_rate(series.counter_window(-180, 120), -180, 120, 300, is_rate=True)
    assert rate == pytest.approx(120 * 150 / 120 / 300)


def test_comparisons_filter_and_keep_the_left_value() -> None:
    engine = Engine([Series((("__name__", "g"), ("a", "1")), [5.0]),
                     Series((("__name__", "g"), ("a", "2")), [15.0])])
    assert engine.eval(compile_expr("g > 10"), 0) == {(("__name__", "g"), ("a", "2")): 15.0}
    assert engine.eval(compile_expr("sum(g) / 2"), 0) == {(): 10.0}


def test_what_it_does_not_model_says_so() -> None:
    engine = Engine([])
    with pytest.raises(UnmodelledError, match="the function histogram_quantile"):
        engine.eval(compile_expr("histogram_quantile(0.9, rate(x_bucket[5m]))"), 0)


def test_values_use_promtools_expanding_notation() -> None:
    assert values_text([1, 2, 3, 3, 3, None, None, 7]) == "1+1x2 3x1 _x2 7"
    assert values_text([10.5, 10.5]) == "10.5x1"


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (1234.5, "1.234k"), (0.0125, "12.5m"), (5e6, "5M"), (9.5, "9.5")])
def test_humanize_matches_prometheus(value: float, text: str) -> None:
    assert humanize(value) == text


def test_templates_render_labels_and_values_as_prometheus_does() -> None:
    text = "{{ $labels.route }}: {{ $value | humanizePercentage }}, {{ $value | printf \"%.2f\" }}"
    assert render_template(text, {"route": "/a"}, 0.0525) == "/a: 5.25%, 0.05"
    assert go_float(3.0) == "3" and go_float(2.5) == "2.5"
    with pytest.raises(UnmodelledError, match="humanizeDuration"):
        render_template("{{ $value | humanizeDuration }}", {}, 1.0)
