"""Ingest what a Prometheus server stores into an Observation, through its HTTP API.

Four requests, whatever the catalog's size:
1. `/api/v1/label/__name__/values` (limited to `job=~...` with --job): every metric name;
2. `/api/v1/metadata` (with --job, `/api/v1/targets/metadata` of those jobs' targets): type,
   help and unit of each family;
3. `/api/v1/series` with `match[]` for the catalog's sample names: their label sets and
   histogram `le` bounds, per scrape target;
4. `max by (__name__) (count by (__name__, job, instance) (...))`: series per metric in the
   largest target now (the catalog's bounds are per exporter, not per fleet).
Names Prometheus makes itself (`up`, `scrape_*`, `ALERTS`) and recording-rule outputs are not
exposed metrics and are left out.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence

from metricsctl.catalog.model import Catalog
from metricsctl.catalog.naming import MetricType
from metricsctl.exposition.model import SAMPLE_SUFFIXES
from metricsctl.live.prometheus_api import PrometheusApi
from metricsctl.live.samples import Observation, family_key

LOOKBACK_SECONDS = 600  # series and names seen in the last 10 minutes
SYNTHETIC = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped",
                       "scrape_samples_post_metric_relabeling", "scrape_series_added",
                       "scrape_timeout_seconds", "scrape_sample_limit", "scrape_body_size_bytes",
                       "ALERTS", "ALERTS_FOR_STATE"})
_SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created", "_info", "_gcount", "_gsum")
STEPS = 4

Step = Callable[[str], None]


def job_selector(jobs: Sequence[str]) -> str | None:
    if not jobs:
        return None
    alternatives = "|".join(_regex_literal(job) for job in jobs)
    return f'{{job=~"{alternatives}"}}'


def _regex_literal(text: str) -> str:
    special = set("\\.+*?()|[]{}^$")
    escaped = "".join("\\" + char if char in special else char for char in text)
    return escaped.replace("\\", "\\\\").replace('"', '\\"')


def family_of_sample(name: str, metadata: dict[str, list[dict[str, str]]]) -> tuple[str, str]:
    """The family a stored sample name belongs to, and its type."""
    if metadata.get(name):
        metric_type = metadata[name][0].get("type", "unknown")
        return family_key(name, metric_type), metric_type
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            entries = metadata.get(base)
            if entries and suffix in SAMPLE_SUFFIXES.get(entries[0].get("type", ""), ()):
                metric_type = entries[0].get("type", "unknown")
                return family_key(base, metric_type), metric_type
    return name, "unknown"


def _exposed(names: Iterable[str], catalog: Catalog) -> list[str]:
    rules = set(catalog.recording_rules)
    return [name for name in names
            if name not in SYNTHETIC and name not in rules and ":" not in name]


def _main_sample(metric_type: MetricType, name: str) -> str:
    if metric_type in (MetricType.HISTOGRAM, MetricType.SUMMARY):
        return f"{name}_count"
    return name


def ingest_prometheus(observation: Observation, catalog: Catalog, api: PrometheusApi,
                      jobs: Sequence[str], dropped_labels: frozenset[str],
                      step: Step | None = None, now: float | None = None) -> None:
    """Fill `observation` from the server behind `api` (optionally only `jobs`)."""
    advance = step or (lambda description: None)
    end = now if now is not None else time.time()
    start = end - LOOKBACK_SECONDS
    source = api.base_url
    observation.sources.append(source)
    selector = job_selector(jobs)

    advance("metric names")
    names = _exposed(api.metric_names(selector, start, end), catalog)
    advance("metadata")
    # With --job, the metadata of those jobs' targets only: another job exposing the same
    # name with another type must not hide a drift.
    metadata = api.target_metadata(selector) if selector else api.metadata()
    family_of = {name: family_of_sample(name, metadata) for name in names}
    for name in names:
        family, metric_type = family_of[name]
        observed = observation.metric(family, metric_type, source)
        observed.sample_names.add(name)
        entries = metadata.get(family) or metadata.get(f"{family}_total")
        if entries and observed.help is None:
            observed.help = entries[0].get("help") or None
            observed.unit = entries[0].get("unit") or None

    catalog_samples = sorted({sample for metric in catalog.metrics.values()
                              for sample in metric.series.queryable} & set(names))
    advance("series")
    if not catalog_samples:
        return
    job_matcher = selector[1:-1] + "," if selector else ""
    names_matcher = f'__name__=~"{"|".join(catalog_samples)}"'
    layouts: dict[tuple[str, str], set[float]] = {}
    for labels in api.series(f"{{{job_matcher}{names_matcher}}}", start, end):
        name = labels.pop("__name__", "")
        if name not in family_of:
            continue
        family, _ = family_of[name]
        observed = observation.metrics[family]
        target = f'{source} job="{labels.get("job", "")}"'
        observed.add_source(target)
        observed.add_series(labels, dropped_labels)
        if name.endswith("_bucket") and "le" in labels:
            try:
                bound = float(labels["le"])
            except ValueError:
                continue
            # per target: two replicas of a job mid-rollout may differ
            key = (family, f'{target} instance="{labels.get("instance", "")}"')
            layouts.setdefault(key, set())
            if math.isfinite(bound):
                layouts[key].add(bound)
    for (family, target), bounds in layouts.items():
        observation.metrics[family].add_bucket_layout(tuple(sorted(bounds)), target)
    for observed in observation.metrics.values():
        if source in observed.sources and len(observed.sources) > 1:
            observed.sources.remove(source)  # named by its jobs instead

    advance("series counts")
    main_samples = {_main_sample(metric.type, sample) for metric in catalog.metrics.values()
                    for sample in metric.series.queryable}
    counted = sorted(main_samples & set(catalog_samples))
    if not counted:
        return
    expression = (f'max by (__name__) (count by (__name__, job, instance) '
                  f'({{{job_matcher}__name__=~"{"|".join(counted)}"}}))')
    for labels, value in api.instant_vector(expression, end):
        name = labels.get("__name__", "")
        if name in family_of:
            observation.metrics[family_of[name][0]].series_count = int(value)
