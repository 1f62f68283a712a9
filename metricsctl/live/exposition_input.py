"""Ingest parsed expositions (from --url or --file) into an Observation."""

from __future__ import annotations

from metricsctl.exposition.model import Exposition
from metricsctl.live.samples import SCRAPE_LABELS, Observation, family_key


def ingest_exposition(observation: Observation, exposition: Exposition,
                      dropped_labels: frozenset[str] = SCRAPE_LABELS) -> None:
    """Add every family of `exposition` (one source) to `observation`."""
    source = exposition.source
    if source not in observation.sources:
        observation.sources.append(source)
    for family in exposition.families.values():
        observed = observation.metric(family_key(family.name, family.type), family.type,
                                      source)
        if observed.help is None:
            observed.help = family.help
        if observed.unit is None:
            observed.unit = family.unit
        if not observed.line:
            observed.line = family.line
        observed.sample_names.update(sample.name for sample in family.samples)
        series = observed.series
        for sample in family.samples:
            labels = sample.labels
            if "le" in labels or "quantile" in labels or not dropped_labels.isdisjoint(labels):
                observed.add_series(labels, dropped_labels)
            else:  # the common case, without building a filtered copy
                series.add(tuple(sorted(labels.items())))
        if family.type in ("histogram", "gaugehistogram") and family.samples:
            observed.add_bucket_layout(family.bucket_bounds, source)
