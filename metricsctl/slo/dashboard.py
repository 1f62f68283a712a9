"""Stage `dashboard`: one SLO dashboard per domain with SLOs, as catalog model objects.

The dashboards join the catalog's own (catalog.build.assemble adds them), so the Grafana
target renders them, `push` sends them and `diff` reviews them like any other. Each SLO has
a row: the SLI against its objective, the error budget left, the burn rate per window and
the state of its alerts. The queries read the SLO rules by Sloth's names and labels.
"""

from __future__ import annotations

from collections.abc import Sequence

from metricsctl.catalog.model import (
    Dashboard,
    Domain,
    Panel,
    Project,
    Query,
    Row,
    Slo,
    SourceRef,
    Threshold,
)
from metricsctl.slo.metadata_rules import BUDGET_REMAINING, ERROR_BUDGET, OBJECTIVE
from metricsctl.slo.numbers import decimal_text, exact
from metricsctl.slo.sli import id_matchers, sli_error_record
from metricsctl.slo.windows import ALERT_WINDOWS


def slo_dashboard_uid(domain: str) -> str:
    return f"{domain}-slos"[:40]


def _query(source: SourceRef, expr: str, legend: str | None = None) -> Query:
    return Query(expr, source, legend=legend)


def _slo_row(slo: Slo) -> Row:
    ids = id_matchers(slo)
    # A path under the SLO that is never written: locations fall back to the SLO itself,
    # and checks of written panels (`has("by")`...) do not read the SLO's own keys.
    source = SourceRef(slo.source.document, (*slo.source.path, "dashboard"))
    by = "".join(f"{{{{{label}}}}} " for label in slo.by)
    objective = float(exact(slo.objective) / 100)
    burn = f"/ on (sloth_id, sloth_slo, sloth_service) group_left {ERROR_BUDGET}{{{ids}}}"
    panels = (
        Panel(title=f"{slo.name}: SLI over {slo.window}", type="stat", source=source,
              description=f"Share of good events over the SLO window (objective "
                          f"{slo.objective}%).",
              queries=(_query(source, f"1 - {sli_error_record(slo.window)}{{{ids}}}",
                              by or None),),
              unit="percentunit", decimals=3,
              thresholds=(Threshold("red"), Threshold("green", objective))),
        Panel(title=f"{slo.name}: Error budget remaining", type="stat", source=source,
              description=f"Budget left for the {slo.window} window: 100% untouched, 0% spent.",
              queries=(_query(source, f"{BUDGET_REMAINING}{{{ids}}}", by or None),),
              unit="percentunit", decimals=1,
              thresholds=(Threshold("red"), Threshold("yellow", 0.0), Threshold("green", 0.25))),
        Panel(title=f"{slo.name}: SLI against objective", type="timeseries", source=source,
              queries=(_query(source, f"1 - {sli_error_record('5m')}{{{ids}}}", f"{by}SLI (5m)"),
                       _query(source, f"{OBJECTIVE}{{{ids}}}", "objective")),
              unit="percentunit", width=12),
        Panel(title=f"{slo.name}: Burn rate per window", type="timeseries", source=source,
              description="Error ratio over each window divided by the error budget; 1 spends "
                          f"exactly the budget over {slo.window}.",
              queries=tuple(_query(source, f"{sli_error_record(window)}{{{ids}}}\n{burn}",
                                   f"{by}{window}") for window in ALERT_WINDOWS),
              unit="short", width=12),
        Panel(title=f"{slo.name}: Alerts", type="timeseries", source=source,
              description="Page and ticket burn-rate alerts: 1 while pending or firing.",
              queries=(_query(source, f"sum by (alertname, alertstate) (ALERTS{{{ids}}})",
                              "{{alertname}} {{alertstate}}"),),
              unit="short", width=24),
    )
    title = f"{slo.name}: {slo.objective}% over {slo.window}"
    if slo.description:
        title = f"{title} ({slo.description})" if len(slo.description) < 60 else title
    return Row(title=title, source=source, panels=panels)


def slo_dashboards(project: Project, domains: Sequence[Domain],
                   slos: Sequence[Slo]) -> list[Dashboard]:
    """One dashboard per domain that has SLOs, in domain order."""
    result = []
    for domain in domains:
        mine = [slo for slo in slos if slo.domain == domain.name]
        if not mine:
            continue
        objectives = ", ".join(f"{slo.name} {decimal_text(exact(slo.objective))}%"
                               for slo in mine)
        result.append(Dashboard(
            uid=slo_dashboard_uid(domain.name), title=f"{domain.title or domain.name} SLOs",
            domain=domain.name, source=mine[0].source,
            description=f"Service level objectives of {domain.title or domain.name}: "
                        f"{objectives}. Derived from the `slos:` section.",
            folder=project.folder, tags=("slo",), refresh="1m", time_from="now-7d",
            rows=tuple(_slo_row(slo) for slo in mine)))
    return result
