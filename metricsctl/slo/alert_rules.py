"""Stage `alert_rules`: the workbook's multiwindow, multi-burn-rate alerts, page and ticket.

Each row fires when the SLI error ratio over both its windows exceeds burn rate x budget;
the rows of a severity are or-ed. Thresholds are printed as exact decimals (0.0144), and a
latency SLI (or any SLO with `min_traffic`) holds its fire while traffic is too thin for a
ratio to mean anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from metricsctl.catalog.model import Alert, Slo, SloAlerting
from metricsctl.slo.numbers import decimal_text, exact
from metricsctl.slo.sli import error_budget, id_labels, id_matchers, sli_error_record, total_rate
from metricsctl.slo.windows import BurnRow, rows_of

# Events per second a latency SLI needs before its alerts may fire: a handful of slow
# requests at night is not a burn.
DEFAULT_LATENCY_MIN_TRAFFIC = "0.1"
TRAFFIC_GUARD_WINDOW = "1h"


@dataclass(frozen=True, slots=True)
class SloAlert:
    """A generated alert and what it was generated from (the tests read both)."""

    alert: Alert
    slo: Slo
    severity: str  # page | ticket
    rows: tuple[BurnRow, ...]


def row_threshold(slo: Slo, row: BurnRow) -> Fraction:
    """The error ratio both windows of `row` must exceed."""
    return row.scaled_burn_rate(slo.window) * error_budget(slo)


def min_traffic(slo: Slo) -> Fraction | None:
    """The traffic guard in events per second, if the SLO has one."""
    if slo.min_traffic is not None:
        value = exact(slo.min_traffic)
        return value if value > 0 else None
    return exact(DEFAULT_LATENCY_MIN_TRAFFIC) if slo.latency is not None else None


def _window_check(slo: Slo, window: str, threshold: Fraction) -> str:
    return (f"max({sli_error_record(window)}{{{id_matchers(slo)}}} > "
            f"{decimal_text(threshold)}) without (sloth_window)")


def alert_expr(slo: Slo, rows: tuple[BurnRow, ...]) -> str:
    parts = []
    for row in rows:
        threshold = row_threshold(slo, row)
        parts.append(f"(\n  {_window_check(slo, row.short, threshold)}\n  and\n  "
                     f"{_window_check(slo, row.long, threshold)}\n)")
    expr = "\nor\n".join(parts)
    guard = min_traffic(slo)
    if guard is not None:
        on = ", ".join(slo.by)
        expr = (f"(\n{expr}\n)\nand on ({on})\n"
                f"{total_rate(slo, TRAFFIC_GUARD_WINDOW)} >= {decimal_text(guard)}")
    return expr


def _annotations(slo: Slo, severity: str, rows: tuple[BurnRow, ...]) -> dict[str, str]:
    where = "".join(f" {{{{ $labels.{label} }}}}" for label in slo.by)
    speed = "too fast" if severity == "page" else "too high"
    burns = " or ".join(f"{decimal_text(row.scaled_burn_rate(slo.window))}x over {row.long} "
                        f"and {row.short}" for row in rows)
    annotations = {
        "summary": f"{slo.service} {slo.name}{where}: error budget burn rate is {speed}",
        "description": (f"The {slo.name} SLO ({slo.objective}% over {slo.window}) burns its "
                        f"error budget at {burns}."),
        **slo.annotations,
    }
    return annotations


def _alert(slo: Slo, severity: str, spec: SloAlerting) -> SloAlert:
    rows = rows_of(severity)
    labels = {**slo.labels, **id_labels(slo), "sloth_severity": severity}
    if slo.owner:
        labels["owner"] = slo.owner
    alert = Alert(name=spec.name, expr=alert_expr(slo, rows), domain=slo.domain,
                  severity=spec.severity, source=slo.source, for_=spec.for_,
                  runbook_url=slo.runbook_url, labels=labels,
                  annotations=_annotations(slo, severity, rows))
    return SloAlert(alert, slo, severity, rows)


def alert_rules(slo: Slo) -> list[SloAlert]:
    """The page alert, then the ticket alert."""
    assert slo.page is not None and slo.ticket is not None
    return [_alert(slo, "page", slo.page), _alert(slo, "ticket", slo.ticket)]
