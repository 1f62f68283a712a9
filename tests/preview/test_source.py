"""Grafana's variables in a preview's queries: every variable at All, intervals from the
time range."""

from __future__ import annotations

import itertools

from metricsctl.preview.source import TimeRange, with_variables
from metricsctl.preview.synthetic import sample_seconds, sample_times


def test_dashboard_variables_are_all_and_intervals_follow_the_range() -> None:
    six_hours = TimeRange(0, 6 * 3600)

    assert six_hours.step == 90
    expr = 'sum(rate(x{service=~"$service", model=~"${model}"}[$__rate_interval]))'
    assert with_variables(expr, six_hours) == \
        'sum(rate(x{service=~".*", model=~".*"}[105s]))'
    assert with_variables("increase(x[$__range])", six_hours) == "increase(x[21600s])"


def test_synthetic_samples_hold_two_points_per_rate_window_and_nest() -> None:
    for span in (3600, 6 * 3600, 24 * 3600):
        window = TimeRange(0, span)
        rate_window = max(window.step + 15, 60)
        assert rate_window >= 2 * sample_seconds(span), span
    week, day = sample_seconds(7 * 86400), sample_seconds(86400)
    assert week % day == 0  # the grids nest: the recent day stays evenly spaced
    times = sample_times(1_000_000, [7 * 86400, 86400])
    recent = [t for t in times if t >= 1_000_000 - 86400 + week]
    assert {b - a for a, b in itertools.pairwise(recent)} == {day}


def test_the_cli_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = ("import sys, metricsctl.cli, metricsctl.commands.preview; "
            "print('matplotlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
