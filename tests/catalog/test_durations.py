"""Prometheus durations."""

from __future__ import annotations

import pytest

from metricsctl.catalog.durations import format_duration, is_duration, parse_duration


@pytest.mark.parametrize(("text", "seconds"), [
    ("0", 0), ("30s", 30), ("5m", 300), ("1h30m", 5400), ("1d", 86400), ("1w", 604800),
    ("1y", 31536000), ("250ms", 0.25), ("1m30s500ms", 90.5),
])
def test_valid_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds
    assert is_duration(text)


@pytest.mark.parametrize("text", ["", "5", "5 m", "1m1h", "-5m", "1.5h", "5M", "m"])
def test_invalid_durations(text: str) -> None:
    assert not is_duration(text)
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (90, "1m30s"), (3600, "1h"),
                                                (0.5, "500ms"), (86400 * 8, "1w1d")])
def test_format_duration_is_the_shortest_form(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
    if seconds:
        assert parse_duration(text) == seconds
