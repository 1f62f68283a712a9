"""The SLI windows and the workbook's multiwindow, multi-burn-rate table."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from metricsctl.catalog.durations import parse_duration

# The windows the alerts read (Sloth's), shortest first; the SLO window is added to them.
ALERT_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
# The burn rates of the table are for a 30-day SLO window; other windows scale them.
REFERENCE_WINDOW_SECONDS = 30 * 86400


@dataclass(frozen=True, slots=True)
class BurnRow:
    """One row of the table: fire when both windows burn faster than `burn_rate`."""

    severity: str  # page | ticket
    long: str
    short: str
    burn_rate: Fraction  # for a 30-day window
    budget_spent: str  # what has been spent when it fires, for the docs and dashboard

    def scaled_burn_rate(self, slo_window: str) -> Fraction:
        """The burn rate for an SLO window other than 30 days (same budget spent)."""
        seconds = Fraction(int(parse_duration(slo_window)))
        return self.burn_rate * seconds / REFERENCE_WINDOW_SECONDS


BURN_ROWS = (
    BurnRow("page", "1h", "5m", Fraction(144, 10), "2%"),
    BurnRow("page", "6h", "30m", Fraction(6), "5%"),
    BurnRow("ticket", "1d", "2h", Fraction(3), "10%"),
    BurnRow("ticket", "3d", "6h", Fraction(1), "10%"),
)


def rows_of(severity: str) -> tuple[BurnRow, ...]:
    return tuple(row for row in BURN_ROWS if row.severity == severity)


def sli_windows(slo_window: str) -> tuple[str, ...]:
    """The alert windows, then the SLO window (once, even if it is one of them)."""
    return ALERT_WINDOWS if slo_window in ALERT_WINDOWS else (*ALERT_WINDOWS, slo_window)
