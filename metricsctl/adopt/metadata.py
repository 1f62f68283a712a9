"""Metric metadata from a /metrics exposition (Prometheus text format or OpenMetrics) ->
catalog metrics: type, help, unit, labels, bucket bounds and, where the observed values are
few, the label's values.

The exposition is parsed by metricsctl.exposition (the parser live-check uses too); a type
the exposition does not declare (`untyped`, `unknown`) is inferred as gauge and marked so.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import PurePath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from metricsctl.adopt.drafts import DraftEntry, domain_name, origin_comment
from metricsctl.adopt.report import Outcome
from metricsctl.catalog.naming import reserved_label_problem
from metricsctl.diagnostics import Location

if TYPE_CHECKING:
    from metricsctl.adopt.sources import ImportRun
    from metricsctl.exposition import Exposition, MetricFamily

# A label with at most this many distinct observed values gets them as its `values`.
MAX_ENUMERATED_VALUES = 10
NO_HELP = "No HELP text in the exposition."
_UNIT = re.compile(r"[a-z][a-z0-9_]*")
_DECLARED = {"counter": "counter", "gauge": "gauge", "histogram": "histogram",
             "summary": "summary"}


def read_exposition(run: ImportRun, display: str, text: str) -> None:
    """An exposition file's families."""
    from metricsctl.exposition import parse_exposition

    read_parsed(run, parse_exposition(text.encode("utf-8"), display))


def fetch_and_read(run: ImportRun, url: str) -> None:
    """GET a /metrics endpoint and read its families."""
    from metricsctl.exposition import FetchError, HttpSettings, fetch_exposition, parse_exposition

    try:
        raw = fetch_exposition(url, HttpSettings(timeout=run.options.timeout))
    except FetchError as error:
        run.error("import/unreachable", error.message, Location(url),
                  getattr(error, "hint", None) or "check the address, and that the service "
                  "is running")
        return
    run.texts[url] = raw.data.decode("utf-8", errors="replace")
    read_parsed(run, parse_exposition(raw.data, raw.source, raw.content_type))


def read_parsed(run: ImportRun, exposition: Exposition) -> None:
    errors = [d for d in exposition.diagnostics if d.severity.name == "ERROR"]
    if errors:
        run.report.errors.extend(errors)
        return
    domain = run.options.domain or _domain_of(exposition.source)
    draft = None
    for family in exposition.families.values():
        location = Location(exposition.source, family.line, 1)
        entry = family_entry(run, family, location, exposition.families.keys())
        if entry is None:
            continue
        if draft is None:
            draft = run.estate.domain(domain, location)
        draft.entries.append(entry)


def family_entry(run: ImportRun, family: MetricFamily, location: Location,
                 names: Collection[str]) -> DraftEntry | None:
    """The catalog metric of one family (None, reported, when the catalog cannot hold it)."""
    base = family.name.removesuffix("_total")
    if family.type == "counter" and base != family.name and base in names:
        # Go's client exposes go_memstats_alloc_bytes and go_memstats_alloc_bytes_total;
        # a catalog counter's name without _total is also its name in client libraries,
        # which refuse two metrics of one name.
        run.report.add(Outcome.UNMAPPED, "metric", family.name, location,
                       f"a counter named like the {base} family plus _total: client "
                       "libraries cannot define both")
        return None
    return _metric(run, family, location)


def _metric(run: ImportRun, family: MetricFamily, location: Location) -> DraftEntry | None:
    type_name = _DECLARED.get(family.type)
    name = family.name
    inferred = False
    bare = False
    if family.type == "counter" and not name.endswith("_total"):
        # OpenMetrics names the family without the suffix its samples carry; an exporter
        # written before OpenMetrics naming exposes the counter's samples under the bare name.
        bare = any(sample.name == name for sample in family.samples)
        if not bare:
            name += "_total"
    elif family.type == "info":
        type_name, name = "gauge", name if name.endswith("_info") else name + "_info"
    elif family.type == "stateset":
        type_name = "gauge"
    elif type_name is None and family.type in ("untyped", "unknown"):
        type_name, inferred = "gauge", True
    if type_name is None:
        run.report.add(Outcome.UNMAPPED, "metric", family.name, location,
                       f"the catalog has no {family.type} type")
        return None
    body: dict[str, Any] = {"type": type_name}
    if inferred:
        body["inferred"] = True
    if bare:
        body["total_suffix"] = False
    if family.unit and _UNIT.fullmatch(family.unit):
        body["unit"] = family.unit
    body["help"] = (family.help or "").strip() or NO_HELP
    labels = _labels(run, family, location)
    if labels:
        body["labels"] = labels
    if type_name == "histogram" and family.bucket_bounds:
        body["buckets"] = [int(b) if b.is_integer() and abs(b) < 1e15 else b
                           for b in family.bucket_bounds]
    detail = (f"{family.type} in the exposition: type inferred as gauge" if inferred
              else f"{family.type} from # TYPE")
    run.report.add(Outcome.INFERRED if inferred else Outcome.MAPPED, "metric", name, location,
                   detail if inferred else "")
    return DraftEntry("metrics", name, body, location, origin_comment(location, detail))


def _labels(run: ImportRun, family: MetricFamily, location: Location) -> list[Any]:
    values: dict[str, dict[str, None]] = {}
    for sample in family.samples:
        for label, value in sample.labels.items():
            values.setdefault(label, {})[value] = None
    result: list[Any] = []
    for label in sorted(values):
        if label in ("le", "quantile") or label in run.options.target_labels \
                or label in ("job", "instance"):
            continue
        if reserved_label_problem(label):
            run.report.add(Outcome.UNMAPPED, "label", f"{family.name}{{{label}}}", location,
                           reserved_label_problem(label) or "")
            continue
        observed = list(values[label])
        if len(observed) <= MAX_ENUMERATED_VALUES:
            result.append({"name": label, "values": sorted(observed)})
        else:
            result.append({"name": label, "description": f"{len(observed)} values observed",
                           "max_cardinality": len(observed)})
    return result


def _domain_of(source: str) -> str:
    if "://" in source:
        parts = urlsplit(source)
        return domain_name(f"metrics-{parts.hostname or 'host'}-{parts.port or ''}")
    return domain_name(PurePath(source).stem)
