"""Shared by the live-check tests: the store catalogs and checking an exposition against one."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from prometheus_client import CollectorRegistry
from prometheus_client.openmetrics.exposition import generate_latest

from metricsctl.catalog.model import Catalog
from metricsctl.diagnostics import Diagnostic
from metricsctl.exposition import parse_exposition
from metricsctl.live.check import dropped_labels, live_check
from metricsctl.live.exposition_input import ingest_exposition
from metricsctl.live.report import LiveReport
from metricsctl.live.samples import Observation
from tests.conftest import load_valid_catalog

CATALOGS = Path(__file__).resolve().parent / "catalogs"
STORE = CATALOGS / "store"
STORE_DRIFTED = CATALOGS / "store-drifted"


def store_catalog() -> Catalog:
    return load_valid_catalog(STORE)


def check_expositions(catalog: Catalog, *bodies: tuple[str, bytes],
                      ignore: Sequence[str] = ()) -> LiveReport:
    """live_check over (source, body) expositions, parsed and ingested as the command does."""
    observation = Observation()
    for source, data in bodies:
        exposition = parse_exposition(data, source)
        assert exposition.ok, exposition.diagnostics
        ingest_exposition(observation, exposition, dropped_labels(catalog))
    return live_check(catalog, observation, ignore)


def check_registry(catalog: Catalog, registry: CollectorRegistry) -> LiveReport:
    return check_expositions(catalog, ("http://app/metrics", generate_latest(registry)))


def codes(diagnostics: Sequence[Diagnostic]) -> list[tuple[str, str]]:
    """(code, the path inside the catalog or the message) of each finding, in order."""
    return [(d.code, d.path or d.message) for d in diagnostics]
