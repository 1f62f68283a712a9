"""Exact decimal arithmetic for objectives, budgets and thresholds, printed without noise."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

# Digits kept when a value has no finite decimal form (a 28d window scales 14.4 by 14/15).
SIGNIFICANT_DIGITS = 12


def exact(text: str) -> Fraction:
    """The number written as `text` (`99.9`, `1e-3`), exactly."""
    return Fraction(Decimal(text))


def decimal_text(value: Fraction) -> str:
    """The shortest plain decimal for `value`: 0.0144, 30, 0.001 (12 digits if infinite)."""
    denominator = value.denominator
    for factor in (2, 5):
        while denominator % factor == 0:
            denominator //= factor
    if denominator != 1:
        return f"{float(value):.{SIGNIFICANT_DIGITS}g}"
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
