"""Absent() companions: an alert on a gauge fed by one exporter cannot go silent.

`venice_balance_diem < 10` returns nothing, and so never fires, when the exporter that
reports the balance dies. For every gauge without labels (one series: one exporter) that
an alert compares, a companion alert fires when the series has been absent for `for` (5m
unless the alert waits longer). One companion per gauge; `absent: false` on an alert opts
it out.
"""

from __future__ import annotations

from metricsctl.catalog.durations import format_duration, parse_duration
from metricsctl.catalog.model import Alert, Catalog, Metric
from metricsctl.catalog.naming import MetricType
from metricsctl.promql.references import expr_references

MINIMUM_ABSENT_FOR = "5m"


def single_exporter_gauge(catalog: Catalog, alert: Alert) -> Metric | None:
    """The unlabelled gauge `alert` reads, when that is all it reads."""
    refs = expr_references(alert.expr)
    if refs is None or len(refs.metrics) != 1:
        return None
    metric = catalog.metrics.get(next(iter(refs.metrics)))
    if metric is None or metric.type is not MetricType.GAUGE or metric.labels:
        return None
    return metric


def companion_name(metric: Metric) -> str:
    """`VeniceBalanceDiemAbsent` for `venice_balance_diem`."""
    return "".join(part.capitalize() for part in metric.name.split("_")) + "Absent"


def absent_alerts(catalog: Catalog, domain: str | None = None) -> list[Alert]:
    """The companions, in the order of the first alert on each gauge."""
    result: dict[str, Alert] = {}
    for alert in catalog.alerts.values():
        if not alert.absent_companion or (domain is not None and alert.domain != domain):
            continue
        metric = single_exporter_gauge(catalog, alert)
        if metric is None or metric.name in result:
            continue
        wait = max(parse_duration(MINIMUM_ABSENT_FOR),
                   parse_duration(alert.for_) if alert.for_ else 0.0)
        result[metric.name] = Alert(
            name=companion_name(metric), expr=f"absent({metric.name})", domain=alert.domain,
            severity=alert.severity, source=alert.source, for_=format_duration(wait),
            summary=f"{metric.name} is missing: alerts on it cannot fire",
            description=(f"No {metric.name} series for {format_duration(wait)}: the exporter "
                         f"that reports it is down or no longer scraped, so {alert.name} "
                         "cannot fire."),
            runbook_url=alert.runbook_url, labels=dict(alert.labels))
    return list(result.values())
