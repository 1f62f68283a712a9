"""Queries in the head catalog that read something the base had and the head no longer has.

A name missing from both catalogs is not this change's doing (lint reports unknown names);
only what disappeared between base and head is reported: a series, a recording rule, a label
of the metric selected or grouped by, or an allowed value selected with `=`.
"""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.catalog.model import Catalog, Metric
from metricsctl.review.changes import Change, Classification, Subject, code
from metricsctl.review.dependents import Consumer
from metricsctl.review.pair import CatalogPair

# Labels every series has from the scrape, whatever the catalog says about the metric.
_TARGET_LABELS = frozenset({"job", "instance", "__name__", "le", "quantile"})


def broken_queries(catalogs: CatalogPair) -> Iterator[Change]:
    base_for = {pair.head.name: pair.base for pair in (*catalogs.pairs, *catalogs.suggested)}
    target_labels = _target_labels(catalogs.head)
    for consumer in catalogs.head_consumers():
        problems = list(_problems(catalogs, consumer, base_for, target_labels))
        if not problems:
            continue
        yield Change(
            "query.broken", Subject.QUERY, f"{consumer.kind} {consumer.name}",
            Classification.BREAKING,
            f"{consumer.kind} {code(consumer.name)} now reads something that no longer exists",
            "; ".join(dict.fromkeys(problems)) + ".", field="expr", after=consumer.expr,
            location=consumer.location)


def _target_labels(catalog: Catalog) -> frozenset[str]:
    project = catalog.project
    return _TARGET_LABELS | {label for job in project.scrape_jobs for label in job.labels} | set(
        project.external_labels)


def _problems(catalogs: CatalogPair, consumer: Consumer, base_for: dict[str, Metric],
              target_labels: frozenset[str]) -> Iterator[str]:
    refs = consumer.refs
    if refs is None:
        return
    head, base = catalogs.head_usage, catalogs.base_usage
    read_head: list[Metric] = []
    read_base: list[Metric] = []
    for series in sorted(refs.metrics):
        metric = head.metric_of(series)
        if metric is not None:
            read_head.append(metric)
            if metric.name in base_for:
                read_base.append(base_for[metric.name])
            continue
        if series in catalogs.head.recording_rules:
            continue
        old = base.metric_of(series)
        if old is not None:
            renamed = catalogs.renamed_to.get(old.name)
            yield (f"it reads {code(series)}, which this change "
                   + (f"renames (metric {code(old.name)} is now {code(renamed)})" if renamed
                      else "removes"))
        elif series in catalogs.base.recording_rules:
            yield f"it reads {code(series)}, a recording rule this change removes"
    for selector in refs.selectors:
        metric = head.metric_of(selector.metric) if selector.metric else None
        previous = base_for.get(metric.name) if metric is not None else None
        if metric is None or previous is None:
            continue
        for label, op, value in selector.matchers:
            if label in target_labels:
                continue
            now, before = metric.label(label), previous.label(label)
            if now is None and before is not None:
                yield (f"it matches {code(label)} on {code(metric.name)}, which no longer has "
                       "that label")
            elif (now is not None and before is not None and op == "="
                  and now.values is not None and value not in now.values
                  and before.values is not None and value in before.values):
                yield (f"it selects {code(f'{label}={value}')} on {code(metric.name)}, a value "
                       "no longer allowed")
    for label in sorted(refs.grouping_labels - target_labels):
        if read_base and not any(label in m.label_names for m in read_head) and any(
                label in m.label_names for m in read_base):
            yield f"it groups by {code(label)}, which no metric it reads has any more"
