"""What an exposition holds: metric families, their samples, and what went wrong reading it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from metricsctl.diagnostics import Diagnostic, Severity


class ExpositionFormat(StrEnum):
    PROMETHEUS_TEXT = "prometheus-text"  # text/plain; version=0.0.4
    OPENMETRICS = "openmetrics"  # application/openmetrics-text


# The sample names each family type may expose, as suffixes of the family name.
SAMPLE_SUFFIXES: Mapping[str, tuple[str, ...]] = {
    "counter": ("_total", "_created", ""),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "gaugehistogram": ("_bucket", "_gcount", "_gsum"),
    "summary": ("", "_count", "_sum", "_created"),
    "info": ("_info",),
    "stateset": ("",),
    "untyped": ("",),
    "unknown": ("",),
}


class Sample(NamedTuple):
    """One sample line: its name, labels and value; `line` is 1-based in the exposition.

    A named tuple: an exposition holds hundreds of thousands of them.
    """

    name: str
    labels: Mapping[str, str]
    value: float
    line: int
    timestamp: float | None = None


@dataclass(slots=True)
class MetricFamily:
    """A family as the exposition declares it: the name in its `# TYPE` line (a sample's name
    when it has none), type (`untyped`/`unknown` when undeclared), help, unit, samples."""

    name: str
    type: str
    line: int  # where the family starts
    help: str | None = None
    unit: str | None = None
    samples: list[Sample] = field(default_factory=list)

    @property
    def sample_names(self) -> tuple[str, ...]:
        """The names its samples may carry (`x_bucket`, `x_count` ... for a histogram)."""
        return tuple(self.name + suffix for suffix in SAMPLE_SUFFIXES.get(self.type, ("",)))

    @property
    def label_names(self) -> frozenset[str]:
        """Every label name its samples carry, `le` and `quantile` included."""
        return frozenset(name for sample in self.samples for name in sample.labels)

    @property
    def bucket_bounds(self) -> tuple[float, ...]:
        """The distinct finite `le` bounds of its `_bucket` samples, ascending (no +Inf)."""
        bounds: set[float] = set()
        bucket = self.name + "_bucket"
        for sample in self.samples:
            if sample.name == bucket and "le" in sample.labels:
                try:
                    bound = float(sample.labels["le"])
                except ValueError:
                    continue
                if math.isfinite(bound):
                    bounds.add(bound)
        return tuple(sorted(bounds))

    def series(self) -> list[Mapping[str, str]]:
        """The label sets of its series, one per distinct set (sample suffixes and `le`,
        `quantile` folded away): what a person counts as the metric's series."""
        seen: dict[tuple[tuple[str, str], ...], Mapping[str, str]] = {}
        for sample in self.samples:
            labels = sample.labels
            if "le" in labels or "quantile" in labels:
                labels = {k: v for k, v in labels.items() if k not in ("le", "quantile")}
            key = tuple(sorted(labels.items()))
            if key not in seen:
                seen[key] = labels
        return list(seen.values())


@dataclass(slots=True)
class Exposition:
    """A parsed exposition. `ok` is False when a diagnostic is an error: the families are then
    those read before the error (Prometheus would have refused the whole scrape)."""

    source: str
    format: ExpositionFormat
    families: dict[str, MetricFamily] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def sample_count(self) -> int:
        return sum(len(family.samples) for family in self.families.values())
