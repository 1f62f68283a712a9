"""Alert conditions read as query, comparison and threshold."""

from __future__ import annotations

import pytest

from metricsctl.review.conditions import Condition, alert_condition, canonical


@pytest.mark.parametrize(("expr", "expected"), [
    ("sum(rate(errors_total[5m])) > 10", Condition("sum(rate(errors_total{}[5m]))", ">", 10)),
    ("venice_balance_diem < 10", Condition("venice_balance_diem{}", "<", 10)),
    ("10 < venice_balance_diem", Condition("venice_balance_diem{}", ">", 10)),
    ("(up) == 0", Condition("up{}", "==", 0)),
    ("x >= -2.5", Condition("x{}", ">=", -2.5)),
    ("(x <= 1e3)", Condition("x{}", "<=", 1000)),
])
def test_conditions_with_one_threshold(expr: str, expected: Condition) -> None:
    assert alert_condition(expr) == expected


@pytest.mark.parametrize("expr", [
    "x > bool 3",  # a 0/1 value, not a filter
    "x > 3 and y < 2",
    "x > y",
    "absent(up)",
    "sum(rate(x[",  # does not parse
])
def test_conditions_without_a_single_threshold(expr: str) -> None:
    assert alert_condition(expr) is None


def test_sensitivity_grows_with_the_threshold_for_greater_than() -> None:
    lower, higher = Condition("x", ">", 1), Condition("x", ">", 2)
    inclusive = Condition("x", ">=", 2)

    assert lower.sensitivity_key() < higher.sensitivity_key()  # type: ignore[operator]
    assert inclusive.sensitivity_key() < higher.sensitivity_key()  # type: ignore[operator]


def test_sensitivity_grows_as_the_threshold_falls_for_less_than() -> None:
    assert (Condition("x", "<", 10).sensitivity_key()
            < Condition("x", "<", 5).sensitivity_key())  # type: ignore[operator]
    assert Condition("x", "==", 1).sensitivity_key() is None


def test_canonical_text_ignores_formatting() -> None:
    assert canonical("sum  by(a) ( x )") == canonical("sum by (a) (x)")
    assert canonical("sum(") is None
