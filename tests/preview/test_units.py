"""Values in a panel's unit, as Grafana shows them."""

from __future__ import annotations

import pytest

from metricsctl.preview.units import format_value


@pytest.mark.parametrize(("value", "unit", "decimals", "shown"), [
    (0.25, "s", None, "250 ms"),
    (90, "s", None, "1.5 min"),
    (7200, "s", None, "2 hour"),
    (1500, "short", None, "1.5 K"),
    (2_500_000, None, None, "2.5 Mil"),
    (0.0071, "percentunit", None, "0.71%"),
    (3 * 2**20, "bytes", None, "3 MiB"),
    (12.345, "reqps", 1, "12.3 req/s"),
    (28.8, "suffix: Diem", None, "28.8 Diem"),
    (1200, "currencyUSD", None, "$1.2 K"),
    (None, "s", None, "No data"),
])
def test_values_read_as_grafana_shows_them(value: float | None, unit: str | None,
                                           decimals: int | None, shown: str) -> None:
    assert format_value(value, unit, decimals) == shown
