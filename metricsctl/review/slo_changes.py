"""Changes to SLOs: objective, window, SLI, dimensions and alerts, and who depends on them.

A lower objective or a wider window lets more errors through before anyone is paged
(risky); a removed SLO takes its rules, alerts and dashboard with it, and anything still
reading its series breaks (breaking when something does, risky otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.catalog.durations import is_duration, parse_duration
from metricsctl.catalog.model import Slo
from metricsctl.diagnostics import Location
from metricsctl.review.changes import Change, Classification, Dependent, Side, Subject, code
from metricsctl.review.dependents import dependents
from metricsctl.review.pair import CatalogPair
from metricsctl.slo.dashboard import slo_dashboard_uid
from metricsctl.slo.numbers import exact

BREAKING, RISKY, SAFE = Classification.BREAKING, Classification.RISKY, Classification.SAFE


def _generated(slo: Slo, side: Side) -> list[Dependent]:
    """The alerts and the dashboard row generated from `slo`."""
    where = slo.source.location
    found = [Dependent("alert", alerting.name, where, side)
             for alerting in (slo.page, slo.ticket) if alerting is not None]
    found.append(Dependent("panel", f"{slo_dashboard_uid(slo.domain)} / {slo.name}", where,
                           side))
    return found


def slo_changes(catalogs: CatalogPair) -> Iterator[Change]:
    base, head = catalogs.base.slos, catalogs.head.slos
    for key, slo in base.items():
        if key in head:
            yield from _changed(catalogs, slo, head[key])
            continue
        # Queries of the head that still select this SLO's series (by sloth_id) break.
        readers = [c for c in catalogs.head_usage.matching_label_value("sloth_id", slo.id)
                   if not c.name.startswith(slo_dashboard_uid(slo.domain) + " / ")]
        found = (*dependents(readers), *_generated(slo, Side.BASE))
        yield Change(
            "slo.removed", Subject.SLO, key, BREAKING if readers else RISKY,
            f"SLO {code(key)} removed ({code(slo.objective + '%')} over {code(slo.window)})",
            "its recording rules, burn-rate alerts and dashboard row go"
            + (", and queries still reading its series return nothing." if readers
               else ": nobody is paged when the service burns its error budget."),
            before=slo.objective, location=slo.source.location, location_side=Side.BASE,
            dependents=found)
    for key, slo in head.items():
        if key not in base:
            yield Change("slo.added", Subject.SLO, key, SAFE,
                         f"SLO {code(key)} added ({code(slo.objective + '%')} over "
                         f"{code(slo.window)})", "new rules, alerts and a dashboard row.",
                         after=slo.objective, location=slo.source.location,
                         dependents=tuple(_generated(slo, Side.HEAD)))


def _changed(catalogs: CatalogPair, before: Slo, after: Slo) -> Iterator[Change]:
    key, source = after.id, after.source
    affected = tuple(_generated(after, Side.HEAD))

    def where(*field: str) -> Location:
        return source.field(*field) if source.has(*field) else source.location

    if exact(before.objective) != exact(after.objective):
        lower = exact(after.objective) < exact(before.objective)
        yield Change(
            "slo.objective-changed", Subject.SLO, key, RISKY if lower else SAFE,
            f"SLO {code(key)} objective {code(before.objective + '%')} → "
            f"{code(after.objective + '%')}",
            "a lower objective allows more errors before the burn-rate alerts fire." if lower
            else "a higher objective spends its budget sooner: alerts fire earlier.",
            field="objective", before=before.objective, after=after.objective,
            location=where("objective"), dependents=affected)
    if before.window != after.window:
        wider = _seconds(after.window) > _seconds(before.window)
        yield Change(
            "slo.window-changed", Subject.SLO, key, RISKY if wider else SAFE,
            f"SLO {code(key)} window {code(before.window)} → {code(after.window)}",
            "a wider window spreads the same budget thinner per day: burn rates for the "
            "alerts scale up and a slow burn pages later." if wider
            else "a narrower window: the budget resets sooner.",
            field="window", before=before.window, after=after.window,
            location=where("window"), dependents=affected)
    sli = (_sli(before), _sli(after))
    if sli[0] != sli[1]:
        yield Change("slo.sli-changed", Subject.SLO, key, RISKY,
                     f"SLO {code(key)} SLI changed", "what counts as a bad event changed: "
                     "the error ratio, the budget left and the alerts move with it.",
                     field="sli", before=sli[0], after=sli[1], location=where("sli"),
                     dependents=affected)
    if before.by != after.by:
        yield Change("slo.by-changed", Subject.SLO, key, RISKY,
                     f"SLO {code(key)} dimensions {code(list(before.by))} → "
                     f"{code(list(after.by))}", "its alerts carry other labels: "
                     "Alertmanager routes and silences matching them change.",
                     field="by", before=before.by, after=after.by, location=where("by"),
                     dependents=affected)
    names = [(b.name, a.name) for b, a in ((before.page, after.page),
                                           (before.ticket, after.ticket))
             if b is not None and a is not None and b.name != a.name]
    for old, new in names:
        yield Change("slo.alert-renamed", Subject.SLO, key, RISKY,
                     f"SLO {code(key)} alert {code(old)} → {code(new)}",
                     "routes, silences and inhibitions that name the alert stop matching.",
                     field="alerting", before=old, after=new, location=where("alerting"),
                     dependents=affected)


def _sli(slo: Slo) -> tuple[str, ...]:
    parts = [selector.text if selector is not None else "" for selector in
             (slo.errors, slo.good, slo.total, slo.latency)]
    return (*parts, slo.threshold or "")


def _seconds(duration: str) -> float:
    return parse_duration(duration) if is_duration(duration) else 0.0
