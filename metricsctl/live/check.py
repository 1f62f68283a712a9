"""Compose a live check: observation -> matches -> advisors -> report."""

from __future__ import annotations

from collections.abc import Sequence

from metricsctl.catalog.model import Catalog
from metricsctl.diagnostics import sorted_diagnostics
from metricsctl.live.advisors import LiveContext, advise
from metricsctl.live.matching import match_catalog
from metricsctl.live.report import Coverage, LiveReport
from metricsctl.live.samples import SCRAPE_LABELS, Observation


def dropped_labels(catalog: Catalog) -> frozenset[str]:
    """Labels the scrape adds (job, instance, the scrape jobs' labels): never compared."""
    return SCRAPE_LABELS | catalog.project.target_labels


def live_check(catalog: Catalog, observation: Observation,
               ignore: Sequence[str] = ()) -> LiveReport:
    """Every finding about `observation` against `catalog`, and the coverage."""
    matches = match_catalog(catalog, observation, ignore)
    context = LiveContext(catalog, observation, matches, dropped_labels(catalog))
    return LiveReport(tuple(observation.sources), tuple(sorted_diagnostics(advise(context))),
                      Coverage.of(matches))
