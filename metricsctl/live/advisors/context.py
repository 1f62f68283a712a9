"""What every advisor reads, and how it points a finding at the catalog."""

from __future__ import annotations

from dataclasses import dataclass

from metricsctl.catalog.model import Catalog, Metric
from metricsctl.diagnostics import Diagnostic, Location, Severity
from metricsctl.live.matching import Matches
from metricsctl.live.samples import Observation, ObservedMetric, describe_sources


@dataclass(frozen=True, slots=True)
class LiveContext:
    catalog: Catalog
    observation: Observation
    matches: Matches
    dropped_labels: frozenset[str]  # added by the scrape, never compared


def metric_finding(code: str, severity: Severity, metric: Metric, message: str, *,
                   field: tuple[str | int, ...] = (), hint: str | None = None,
                   observed: ObservedMetric | None = None) -> Diagnostic:
    """A finding located at `metric`'s entry (or one of its fields) in the catalog."""
    location = metric.source.field(*field) if field else metric.source.location
    where = f" (at {describe_sources(observed.sources)})" if observed is not None else ""
    path = ".".join(("metrics", metric.name, *(str(part) for part in field)))
    return Diagnostic(code, severity, message + where, location, hint=hint, path=path)


def exposed_finding(code: str, severity: Severity, observed: ObservedMetric, message: str,
                    hint: str | None = None) -> Diagnostic:
    """A finding about something exposed that has no catalog entry: located at the family's
    line when the only source is a file, else named by its sources in the message."""
    sources = observed.sources
    location = None
    if len(sources) == 1 and observed.line and "://" not in sources[0]:
        location = Location(sources[0], observed.line, 1)
        return Diagnostic(code, severity, message, location, hint=hint)
    return Diagnostic(code, severity, f"{message} (at {describe_sources(sources)})", location,
                      hint=hint)
