"""Compare two catalogs (models, never YAML) into a DiffReport of classified changes."""

from __future__ import annotations

from collections.abc import Iterable

from metricsctl.catalog.cardinality import estimate_catalog, total_series
from metricsctl.catalog.model import Catalog
from metricsctl.review.alert_changes import alert_changes, recording_rule_changes
from metricsctl.review.broken_queries import broken_queries
from metricsctl.review.changes import (
    CardinalityDelta,
    CardinalityTotals,
    CatalogSide,
    Change,
    DiffReport,
)
from metricsctl.review.dashboard_changes import dashboard_changes
from metricsctl.review.metric_changes import delta, metric_changes
from metricsctl.review.pair import CatalogPair, pair_catalogs
from metricsctl.review.scrape_changes import scrape_changes
from metricsctl.review.slo_changes import slo_changes


def compare_catalogs(base: Catalog, head: Catalog, base_side: CatalogSide,
                     head_side: CatalogSide, notes: Iterable[str] = ()) -> DiffReport:
    """Every change from `base` to `head`, breaking first, in a stable order."""
    catalogs = pair_catalogs(base, head)
    changes: list[Change] = [
        *metric_changes(catalogs),
        *recording_rule_changes(catalogs),
        *alert_changes(catalogs),
        *dashboard_changes(catalogs),
        *scrape_changes(catalogs),
        *slo_changes(catalogs),
        *broken_queries(catalogs),
    ]
    changes.sort(key=Change.sort_key)
    return DiffReport(base_side, head_side, tuple(changes), _cardinality(catalogs),
                      _totals(base, head), tuple(notes))


def _cardinality(catalogs: CatalogPair) -> tuple[CardinalityDelta, ...]:
    """Per-metric series deltas, for metrics whose estimate changed, by name."""
    deltas = [delta(pair.base, pair.head) for pair in (*catalogs.pairs, *catalogs.suggested)]
    deltas += [delta(metric, None) for metric in catalogs.removed]
    deltas += [delta(None, metric) for metric in catalogs.added]
    return tuple(sorted((d for d in deltas if d.changed), key=lambda d: d.metric))


def _totals(base: Catalog, head: Catalog) -> CardinalityTotals:
    before, after = estimate_catalog(base), estimate_catalog(head)
    return CardinalityTotals(
        before=total_series(before),
        after=total_series(after),
        unbounded_before=tuple(sorted(n for n, e in before.items() if e.series is None)),
        unbounded_after=tuple(sorted(n for n, e in after.items() if e.series is None)))
