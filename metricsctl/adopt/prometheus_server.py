"""Metric metadata from a Prometheus server (`metricsctl import --prometheus URL`):
/api/v1/metadata for types, help and units, /api/v1/series for label names, observed values
and bucket bounds. Each family goes to the domain of the job that exposes it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from metricsctl.adopt.drafts import domain_name
from metricsctl.adopt.metadata import family_entry
from metricsctl.diagnostics import Location

if TYPE_CHECKING:
    from metricsctl.adopt.sources import ImportRun
    from metricsctl.exposition import MetricFamily

# Series seen in this window count as observed.
SERIES_WINDOW_SECONDS = 600
_SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created", "_info")


def read_prometheus(run: ImportRun, base_url: str) -> None:
    from metricsctl.exposition import FetchError, HttpGetter, HttpSettings, MetricFamily, Sample
    from metricsctl.live.prometheus_api import PrometheusApi

    where = Location(f"{base_url.rstrip('/')}/api/v1/metadata")
    now = time.time()
    try:
        with HttpGetter(HttpSettings(timeout=run.options.timeout)) as getter:
            api = PrometheusApi(base_url, getter)
            metadata = api.metadata()
            series = api.series('{__name__!=""}', now - SERIES_WINDOW_SECONDS, now)
    except FetchError as error:
        run.error("import/unreachable", error.message, where,
                  getattr(error, "hint", None) or "pass the server's base URL, e.g. "
                  "http://prometheus:9090")
        return
    families: dict[str, MetricFamily] = {}
    jobs: dict[str, str] = {}
    for name in sorted(metadata):
        entries = metadata[name]
        first = entries[0] if entries else {}
        families[name] = MetricFamily(name, first.get("type") or "unknown", 0,
                                      first.get("help") or None, first.get("unit") or None)
    for labels in series:
        name = labels.get("__name__", "")
        family = _family(name, families)
        if family is None:
            continue
        sample_labels = {k: v for k, v in labels.items() if k != "__name__"}
        family.samples.append(Sample(name, sample_labels, 0.0, 0))
        if "job" in labels:
            jobs.setdefault(family.name, labels["job"])
    for family in families.values():
        job = jobs.get(family.name)
        if not family.samples:
            continue  # metadata of a series that is gone: nothing says it still exists
        domain = run.options.domain or domain_name(job or "prometheus")
        entry = family_entry(run, family, where, families.keys())
        if entry is not None:
            run.estate.domain(domain, where).entries.append(entry)


def _family(name: str, families: dict[str, MetricFamily]) -> MetricFamily | None:
    if name in families:
        return families[name]
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in families:
            return families[name[: -len(suffix)]]
    return None
