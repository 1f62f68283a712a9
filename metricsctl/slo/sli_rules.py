"""Stage `sli_rules`: the SLI error ratio over every alert window and the SLO window."""

from __future__ import annotations

from metricsctl.catalog.model import RecordingRule, Slo
from metricsctl.slo.sli import error_ratio, id_labels, id_matchers, sli_error_record
from metricsctl.slo.windows import ALERT_WINDOWS, sli_windows


def sli_rules(slo: Slo) -> list[RecordingRule]:
    """`slo:sli_error:ratio_rate<W>`: from the events for the alert windows; the SLO window
    averages the 5m ratio (Sloth's way: a 30d rate would read 30 days of raw samples)."""
    rules = []
    for window in sli_windows(slo.window):
        if window in ALERT_WINDOWS:
            expr = error_ratio(slo, window)
        else:
            five_minutes = f"{sli_error_record('5m')}{{{id_matchers(slo)}}}"
            expr = (f"sum_over_time({five_minutes}[{window}])\n/ ignoring (sloth_window)\n"
                    f"count_over_time({five_minutes}[{window}])")
        rules.append(RecordingRule(
            name=sli_error_record(window), expr=expr, domain=slo.domain, source=slo.source,
            labels={**slo.labels, **id_labels(slo), "sloth_window": window}))
    return rules
