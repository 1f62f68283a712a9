"""Objectives, budgets and thresholds are exact decimals: no float noise in generated rules."""

from __future__ import annotations

from fractions import Fraction

import pytest

from metricsctl.slo.numbers import decimal_text, exact
from metricsctl.slo.windows import BURN_ROWS


def test_the_page_threshold_of_a_999_objective_is_printed_exactly() -> None:
    assert 14.4 * 0.001 == 0.014400000000000001  # what float arithmetic would print
    budget = 1 - exact("99.9") / 100
    assert decimal_text(budget) == "0.001"
    assert decimal_text(BURN_ROWS[0].burn_rate * budget) == "0.0144"


@pytest.mark.parametrize(("objective", "thresholds"), [
    ("99.9", ["0.0144", "0.006", "0.003", "0.001"]),
    ("99.95", ["0.0072", "0.003", "0.0015", "0.0005"]),
    ("99", ["0.144", "0.06", "0.03", "0.01"]),
    ("99.5", ["0.072", "0.03", "0.015", "0.005"]),
])
def test_every_row_of_the_burn_rate_table_is_exact(objective: str,
                                                   thresholds: list[str]) -> None:
    budget = 1 - exact(objective) / 100
    assert [decimal_text(row.burn_rate * budget) for row in BURN_ROWS] == thresholds


def test_other_windows_scale_the_burn_rates_and_keep_twelve_digits_when_infinite() -> None:
    page = BURN_ROWS[0]
    assert page.scaled_burn_rate("30d") == Fraction(72, 5)
    assert decimal_text(page.scaled_burn_rate("7d")) == "3.36"
    assert decimal_text(page.scaled_burn_rate("28d")) == "13.44"
    assert decimal_text(Fraction(1, 3)) == "0.333333333333"


def test_integers_and_trailing_zeros() -> None:
    assert decimal_text(Fraction(30)) == "30"
    assert decimal_text(exact("1.50")) == "1.5"
