"""Ingest parsed expositions (from --url or --file) into an Observation."""

from __future__ import annotations

from metricsctl.exposition.model import Exposition, Sample
from metricsctl.live.samples import (
    FOLDED_LABELS,
    SCRAPE_LABELS,
    Observation,
    ObservedMetric,
    family_key,
)


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
        _add_series(observed, family.samples, dropped_labels)
        if family.type in ("histogram", "gaugehistogram") and family.samples:
            observed.add_bucket_layout(family.bucket_bounds, source)


def _add_series(observed: ObservedMetric, samples: list[Sample],
                dropped_labels: frozenset[str]) -> None:
    """The family's label sets. A histogram's or summary's `_count` and `_sum` samples carry
    every label set already, so its buckets and quantiles are read only for the names of the
    folded labels (and for the label sets when the family has nothing else)."""
    series = observed.series
    folded: list[Sample] = []
    for sample in samples:
        labels = sample.labels
        if "le" in labels or "quantile" in labels:
            folded.append(sample)
        elif dropped_labels.isdisjoint(labels):  # the common case: no filtered copy
            series.add(tuple(sorted(labels.items())))
        else:
            observed.add_series(labels, dropped_labels)
    if not folded:
        return
    if len(folded) == len(samples):
        for sample in folded:
            observed.add_series(sample.labels, dropped_labels)
    else:
        observed.folded_labels.update(FOLDED_LABELS.intersection(folded[0].labels))
