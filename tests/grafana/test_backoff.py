"""Backoff: exponential waits with jitter, and Retry-After in both of its forms."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from metricsctl.grafana.backoff import RetryPolicy, is_retryable_status, parse_retry_after


def test_waits_double_up_to_the_cap_with_jitter_in_the_upper_half() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0)
    rng = random.Random(7)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (9, 3.0)]:
        waits = [policy.delay(attempt, rng) for _ in range(200)]
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert max(waits) - min(waits) > ceiling / 4  # jitter spreads parallel workers out


@pytest.mark.parametrize(("status", "retryable"), [
    (429, True), (500, True), (502, True), (503, True), (504, True),
    (400, False), (401, False), (403, False), (404, False), (409, False), (412, False)])
def test_only_429_and_5xx_are_worth_retrying(status: int, retryable: bool) -> None:
    assert is_retryable_status(status) is retryable


NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("header", "seconds"), [
    ("120", 120.0), (" 2.5 ", 2.5), ("0", 0.0), ("-3", 0.0),
    ("Sat, 01 Mar 2025 12:00:30 GMT", 30.0), ("Sat, 01 Mar 2025 11:00:00 GMT", 0.0),
    (None, None), ("", None), ("soon", None)])
def test_retry_after_in_seconds_or_as_a_date(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds
