"""Changes to metrics and their labels: added, removed, renamed, type, labels, values, buckets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from metricsctl.catalog.cardinality import DEFAULT_BUCKETS, estimate_metric
from metricsctl.catalog.model import Label, Metric
from metricsctl.diagnostics import Location
from metricsctl.promql.queries import format_number
from metricsctl.review.changes import (
    CardinalityDelta,
    Change,
    Classification,
    Dependent,
    Side,
    Subject,
    Value,
    code,
    codes,
)
from metricsctl.review.dependents import dependents
from metricsctl.review.pair import CatalogPair, MetricPair

BREAKING, RISKY, SAFE = Classification.BREAKING, Classification.RISKY, Classification.SAFE


def metric_changes(catalogs: CatalogPair) -> Iterator[Change]:
    """Every metric-level and label-level change between the two catalogs."""
    for metric in catalogs.removed:
        yield _removed(catalogs, metric)
    for metric in catalogs.added:
        yield _added(catalogs, metric)
    for pair in catalogs.suggested:
        yield _suggested_rename(catalogs, pair)
    for pair in (*catalogs.pairs, *catalogs.suggested):
        if pair.renamed:
            yield _renamed(catalogs, pair)
        yield from _field_changes(catalogs, pair)
        yield from _label_changes(catalogs, pair)
    yield from _label_value_changes(catalogs)


def delta(base: Metric | None, head: Metric | None) -> CardinalityDelta:
    name = head.name if head is not None else base.name if base is not None else ""
    return CardinalityDelta(name, estimate_metric(base) if base else None,
                            estimate_metric(head) if head else None)


def _no_dependents_note(found: tuple[Dependent, ...]) -> str:
    if any(d.side is Side.HEAD for d in found):
        return ""
    return " Nothing in the catalog reads it any more; dashboards and alerts outside it may."


def _removed(catalogs: CatalogPair, metric: Metric) -> Change:
    series = metric.series.samples
    found = catalogs.dependents_of_series(series, series)
    return Change(
        "metric.removed", Subject.METRIC, metric.name, BREAKING,
        f"metric {code(metric.name)} ({metric.type}) removed",
        "queries that read it return no data." + _no_dependents_note(found),
        before=metric.type.value, location=metric.source.location, location_side=Side.BASE,
        dependents=found, cardinality=(delta(metric, None),),
        hint=(f"if it was renamed, add {code('renamed_from: ' + metric.name)} to its new "
                    "definition"
              if catalogs.added else None))


def _added(catalogs: CatalogPair, metric: Metric) -> Change:
    change = delta(None, metric)
    budget = catalogs.head.project.lint.metric_budget
    after = change.after
    classification, reason = SAFE, "a new metric breaks no existing query."
    if after is not None and after.series is None:
        classification = RISKY
        reason = (f"its series are unbounded: label(s) {_names(after.unbounded)} "
                  "have no declared values or max_cardinality.")
    elif after is not None and after.series is not None and after.series > budget:
        classification = RISKY
        reason = (f"an estimated {after.series:,} series, over the per-metric budget of "
                  f"{budget:,}.")
    return Change("metric.added", Subject.METRIC, metric.name, classification,
                  f"metric {code(metric.name)} ({metric.type}) added", reason,
                  after=metric.type.value, location=metric.source.location,
                  cardinality=(change,))


def _renamed(catalogs: CatalogPair, pair: MetricPair) -> Change:
    old, new = pair.base, pair.head
    found = catalogs.dependents_of_series(old.series.samples, old.series.samples)
    stale = [d for d in found if d.side is Side.HEAD]
    where = (new.source.field("renamed_from") if new.source.has("renamed_from")
             else new.source.location)
    return Change(
        "metric.renamed", Subject.METRIC, new.name, BREAKING,
        f"metric {code(old.name)} renamed to {code(new.name)}",
        f"queries that read {code(old.name)} return no data, and the new name starts with no "
        "history." + ("" if stale else " Nothing in the catalog reads the old name any more."),
        field="name", before=old.name, after=new.name, location=where, dependents=found,
        hint=(f"update the queries above to read {code(new.name)}" if stale else None))


def _suggested_rename(catalogs: CatalogPair, pair: MetricPair) -> Change:
    old, new = pair.base, pair.head
    found = catalogs.dependents_of_series(old.series.samples, old.series.samples)
    return Change(
        "metric.rename-suggested", Subject.METRIC, new.name, BREAKING,
        f"metric {code(old.name)} removed and {code(new.name)} added: it looks like a rename "
        "(same type, labels and help)",
        f"queries that read {code(old.name)} return no data." + _no_dependents_note(found),
        field="name", before=old.name, after=new.name, location=new.source.location,
        dependents=found,
        hint=f"add {code('renamed_from: ' + old.name)} to {code(new.name)} to record it")


def _field_changes(catalogs: CatalogPair, pair: MetricPair) -> Iterator[Change]:
    base, head = pair.base, pair.head
    source = head.source
    if base.type != head.type:
        found = catalogs.dependents_of_series(pair.series, base.series.samples)
        yield Change(
            "metric.type-changed", Subject.METRIC, head.name, BREAKING,
            f"metric {code(head.name)} changed type from {base.type} to {head.type}",
            f"it now exposes {_names(head.series.queryable)} instead of "
            f"{_names(base.series.queryable)}, and functions right for a {base.type} are "
            f"wrong for a {head.type}." + _no_dependents_note(found),
            field="type", before=base.type.value, after=head.type.value,
            location=source.field("type"), dependents=found,
            cardinality=(delta(base, head),))
    elif head.type.value == "histogram":
        before = base.buckets or DEFAULT_BUCKETS
        after = head.buckets or DEFAULT_BUCKETS
        if before != after:
            bucket_series = {s for s in (base.series.bucket, head.series.bucket) if s}
            found = catalogs.dependents_of_series(bucket_series, bucket_series)
            yield Change(
                "metric.buckets-changed", Subject.METRIC, head.name, BREAKING,
                f"histogram {code(head.name)} buckets changed: "
                f"{code(_bounds(before))} → {code(_bounds(after))}",
                f"quantiles and {code('le')} selectors computed across the change mix two bucket "
                "layouts, and bounds that disappeared stop matching." + _bucket_note(before,
                                                                                      after),
                field="buckets", before=before, after=after,
                location=source.field("buckets") if source.has("buckets") else source.location,
                dependents=found, cardinality=(delta(base, head),))
    if base.unit != head.unit:
        found = catalogs.dependents_of_series(pair.series, base.series.samples)
        yield Change(
            "metric.unit-changed", Subject.METRIC, head.name, RISKY,
            f"metric {code(head.name)} unit changed: {code(base.unit or 'none')} → "
            f"{code(head.unit or 'none')}",
            "thresholds, panel units and ratios written for the old unit may now be off.",
            field="unit", before=base.unit, after=head.unit,
            location=source.field("unit") if source.has("unit") else source.location,
            dependents=found)
    for name, before_text, after_text in (("help", base.help, head.help),
                                          ("description", base.description, head.description),
                                          ("owner", base.owner, head.owner),
                                          ("domain", base.domain, head.domain)):
        if before_text != after_text:
            yield Change(f"metric.{name}-changed", Subject.METRIC, head.name, SAFE,
                         f"metric {code(head.name)} {name} changed", "documentation only.",
                         field=name, before=before_text, after=after_text,
                         location=source.field(name) if source.has(name) else source.location)
    yield from _deprecation(catalogs, pair)


def _deprecation(catalogs: CatalogPair, pair: MetricPair) -> Iterator[Change]:
    base, head = pair.base, pair.head
    source = head.source
    where = source.field("deprecated") if source.has("deprecated") else source.location
    if head.deprecated and not base.deprecated:
        users = dependents(catalogs.head_usage.reading_series(head.series.samples))
        note = f": {head.deprecation_note}" if head.deprecation_note else ""
        yield Change("metric.deprecated", Subject.METRIC, head.name, SAFE,
                     f"metric {code(head.name)} deprecated{note}",
                     "nothing changes for queries yet; the queries listed still read it.",
                     field="deprecated", before=False, after=head.deprecation_note or True,
                     location=where, dependents=users)
    elif base.deprecated and not head.deprecated:
        yield Change("metric.undeprecated", Subject.METRIC, head.name, SAFE,
                     f"metric {code(head.name)} is no longer deprecated", "documentation only.",
                     field="deprecated", before=base.deprecation_note or True, after=False,
                     location=source.location)
    elif head.deprecated and base.deprecation_note != head.deprecation_note:
        yield Change("metric.deprecation-changed", Subject.METRIC, head.name, SAFE,
                     f"metric {code(head.name)} deprecation note changed", "documentation only.",
                     field="deprecated", before=base.deprecation_note,
                     after=head.deprecation_note, location=where)


def _label_changes(catalogs: CatalogPair, pair: MetricPair) -> Iterator[Change]:
    base, head = pair.base, pair.head
    removed = [label for label in base.labels if head.label(label.name) is None]
    added = [label for label in head.labels if base.label(label.name) is None]
    renames: list[tuple[Label, Label]] = []
    for old in list(removed):
        same = [new for new in added if new.values is not None and new.values == old.values]
        if len(same) == 1:
            renames.append((old, same[0]))
            removed.remove(old)
            added.remove(same[0])
    labels_field = (head.source.field("labels", key=True) if head.source.has("labels")
                    else head.source.location)
    for old, new in renames:
        found = catalogs.dependents_of_label(pair.series, base.series.samples, old.name)
        yield Change(
            "label.rename-suggested", Subject.LABEL, f"{head.name}{{{old.name}}}", BREAKING,
            f"label {code(old.name)} of {code(head.name)} replaced by {code(new.name)} with "
            "the same values: it looks like a rename",
            f"queries that match, group by or template {code(old.name)} no longer find it."
            + _no_dependents_note(found),
            field="labels", before=old.name, after=new.name,
            location=_label_location(head, new.name), dependents=found)
    for label in removed:
        found = catalogs.dependents_of_label(pair.series, base.series.samples, label.name)
        yield Change(
            "label.removed", Subject.LABEL, f"{head.name}{{{label.name}}}", BREAKING,
            f"label {code(label.name)} removed from {code(head.name)}",
            f"queries that match, group by or template {code(label.name)} no longer find it, and "
            "series that differed only by it now collide." + _no_dependents_note(found),
            field="labels", before=label.name, location=labels_field, dependents=found,
            cardinality=(delta(base, head),))
    for label in added:
        change = delta(base, head)
        classification, reason = SAFE, "existing queries keep working (they aggregate it away)."
        if change.newly_unbounded or label.cardinality is None:
            classification = RISKY
            reason = (f"{code(label.name)} has no declared values or max_cardinality, so the "
                      "series count is unbounded.")
        elif change.increased:
            classification = RISKY
            reason = (f"every existing series splits into up to {label.cardinality}, one per "
                      "value of the new label.")
        yield Change(
            "label.added", Subject.LABEL, f"{head.name}{{{label.name}}}", classification,
            f"label {code(label.name)} added to {code(head.name)}", reason, field="labels",
            after=label.name, location=_label_location(head, label.name),
            cardinality=(change,))


@dataclass(frozen=True, slots=True)
class _ValueChange:
    pair: MetricPair
    before: Label
    after: Label


def _label_value_changes(catalogs: CatalogPair) -> Iterator[Change]:
    """Changed values or bounds of labels both versions of a metric have.

    A shared label (project or domain) changed once is one change listing every metric
    that uses it, not one per metric.
    """
    groups: dict[tuple[object, ...], list[_ValueChange]] = {}
    for pair in (*catalogs.pairs, *catalogs.suggested):
        for after in pair.head.labels:
            before = pair.base.label(after.name)
            if before is None or (before.values, before.max_cardinality) == (
                    after.values, after.max_cardinality):
                continue
            scope = pair.head.name if after.scope == "metric" else after.scope
            key = (after.name, scope, before.values, before.max_cardinality, after.values,
                   after.max_cardinality)
            groups.setdefault(key, []).append(_ValueChange(pair, before, after))
    for group in groups.values():
        yield _value_change(catalogs, group)


def _value_change(catalogs: CatalogPair, group: list[_ValueChange]) -> Change:
    first = group[0]
    before, after = first.before, first.after
    name = after.name
    metrics = [item.pair.head.name for item in group]
    shared = after.scope != "metric"
    subject = name if shared else f"{metrics[0]}{{{name}}}"
    deltas = tuple(delta(item.pair.base, item.pair.head) for item in group)
    removed_values = [v for v in before.values or () if v not in (after.values or ())]
    added_values = [v for v in after.values or () if v not in (before.values or ())]
    users_head = []
    users_base = []
    if after.values is not None:
        for item in group:
            for value in removed_values:
                users_head += catalogs.head_usage.matching_value(item.pair.series, name, value)
                users_base += catalogs.base_usage.matching_value(item.pair.base.series.samples,
                                                                 name, value)
    found = dependents(users_head, users_base)
    where = (f"shared label {code(name)} ({'project' if after.scope == 'project' else after.scope})"
             if shared else f"label {code(name)} of {code(metrics[0])}")
    summary = f"{where}: {_describe_bound_change(before, after, added_values, removed_values)}"
    if shared:
        summary += f"; used by {_names(metrics)}"
    if found:
        classification = BREAKING
        reason = "queries select values that are no longer produced."
    elif any(d.increased for d in deltas):
        classification = RISKY
        grown = [d.metric for d in deltas if d.increased]
        reason = (f"estimated series of {_names(grown)} grow: every value allowed multiplies "
                  "the series of each metric with this label.")
    else:
        classification = SAFE
        reason = ("no query in the catalog selects a removed value."
                  if removed_values else "estimated series do not grow.")
    location = (after.source.field("values") if after.source.has("values")
                else after.source.field("max_cardinality") if after.source.has("max_cardinality")
                else after.source.location)
    return Change("label.values-changed", Subject.LABEL, subject, classification, summary,
                  reason, field="values", before=_bound(before), after=_bound(after),
                  location=location, dependents=found, cardinality=deltas)


def _describe_bound_change(before: Label, after: Label, added: list[str],
                           removed: list[str]) -> str:
    if before.values is not None and after.values is not None:
        parts = []
        if added:
            parts.append(f"values added {_names(added)}")
        if removed:
            parts.append(f"values removed {_names(removed)}")
        return "; ".join(parts) or "values reordered"
    if after.cardinality is None:
        return "no longer bounded (no values or max_cardinality)"
    if before.cardinality is None:
        return f"now bounded to {after.cardinality} values"
    if before.values is not None:
        return f"values {_names(before.values)} replaced by max_cardinality {after.cardinality}"
    if after.values is not None:
        return f"now enumerated: {_names(after.values)} (was max_cardinality " \
               f"{before.cardinality})"
    return f"max_cardinality {before.cardinality} → {after.cardinality}"


def _bound(label: Label) -> Value:
    if label.values is not None:
        return {"values": label.values}
    if label.max_cardinality is not None:
        return {"max_cardinality": label.max_cardinality}
    return "unbounded"


def _label_location(metric: Metric, label: str) -> Location:
    index = metric.label_names.index(label)
    return metric.source.field("labels", index)


def _bucket_note(before: tuple[float, ...], after: tuple[float, ...]) -> str:
    gone = [b for b in before if b not in after]
    return f" Bounds removed: {code(_bounds(tuple(gone)))}." if gone else ""


def _bounds(bounds: tuple[float, ...]) -> str:
    return "[" + ", ".join(format_number(b) for b in bounds) + "]"


def _names(names: tuple[str, ...] | list[str]) -> str:
    return codes(names)
