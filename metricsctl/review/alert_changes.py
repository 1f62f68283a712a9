"""Changes to alerts and recording rules, and whether an alert became less sensitive."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from metricsctl.catalog.durations import parse_duration
from metricsctl.catalog.model import Alert, RecordingRule
from metricsctl.diagnostics import Location
from metricsctl.promql.queries import format_number
from metricsctl.review.changes import (
    Change,
    Classification,
    Dependent,
    Side,
    Subject,
    code,
    codes,
)
from metricsctl.review.conditions import alert_condition, canonical
from metricsctl.review.dependents import dependents
from metricsctl.review.pair import CatalogPair

BREAKING, RISKY, SAFE = Classification.BREAKING, Classification.RISKY, Classification.SAFE

_ANNOTATION_FIELDS = ("summary", "description", "runbook_url")


def alert_changes(catalogs: CatalogPair) -> Iterator[Change]:
    base, head = catalogs.base.alerts, catalogs.head.alerts
    for name, alert in base.items():
        if name not in head:
            yield Change("alert.removed", Subject.ALERT, name, RISKY,
                         f"alert {code(name)} ({alert.severity}) removed",
                         "nothing alerts on this condition any more.",
                         location=alert.source.location, location_side=Side.BASE,
                         before=alert.expr)
    for name, alert in head.items():
        if name not in base:
            yield Change("alert.added", Subject.ALERT, name, SAFE,
                         f"alert {code(name)} ({alert.severity}) added",
                         "a new alert changes no existing one.", after=alert.expr,
                         location=alert.source.location)
            continue
        yield from _alert_field_changes(catalogs, base[name], alert)


def _alert_field_changes(catalogs: CatalogPair, before: Alert, after: Alert) -> Iterator[Change]:
    yield from _expr_change(before, after)
    name, source = after.name, after.source
    old_for, new_for = _seconds(before.for_), _seconds(after.for_)
    if before.for_ != after.for_ and old_for != new_for:
        longer = old_for is None or new_for is None or new_for > old_for
        yield Change(
            "alert.for-changed", Subject.ALERT, name, RISKY,
            f"alert {code(name)} {code('for')} changed: {code(before.for_ or '0s')} → "
            f"{code(after.for_ or '0s')}",
            "it now fires later: the condition must hold longer (less sensitive)." if longer
            else "it now fires sooner and more often: shorter blips page too (more "
            "sensitive).",
            field="for", before=before.for_, after=after.for_,
            location=source.field("for") if source.has("for") else source.location)
    if before.keep_firing_for != after.keep_firing_for:
        yield Change("alert.keep-firing-for-changed", Subject.ALERT, name, SAFE,
                     f"alert {code(name)} {code('keep_firing_for')} changed: "
                     f"{code(before.keep_firing_for or '0s')} → "
                     f"{code(after.keep_firing_for or '0s')}",
                     "only how long a resolved alert keeps firing.",
                     field="keep_firing_for", before=before.keep_firing_for,
                     after=after.keep_firing_for,
                     location=(source.field("keep_firing_for") if source.has("keep_firing_for")
                               else source.location))
    if before.severity != after.severity:
        yield _severity_change(catalogs, before, after)
    if dict(before.labels) != dict(after.labels):
        yield _labels_change("alert.labels-changed", Subject.ALERT, name, before.labels,
                             after.labels, source.field("labels") if source.has("labels")
                             else source.location,
                             "Alertmanager routes, silences and inhibitions that match "
                             "on them may stop matching.")
    old_annotations, new_annotations = _annotations(before), _annotations(after)
    if old_annotations != new_annotations:
        changed = sorted(k for k in {*old_annotations, *new_annotations}
                         if old_annotations.get(k) != new_annotations.get(k))
        yield Change("alert.annotations-changed", Subject.ALERT, name, SAFE,
                     f"alert {code(name)} annotations changed: {codes(changed)}",
                     "the notification text changes, not when it fires.", field="annotations",
                     before={k: old_annotations[k] for k in changed if k in old_annotations},
                     after={k: new_annotations[k] for k in changed if k in new_annotations},
                     location=source.field(changed[0]) if source.has(changed[0])
                     else source.location)


def _expr_change(before: Alert, after: Alert) -> Iterator[Change]:
    if before.expr == after.expr:
        return
    name = after.name
    where = after.source.field("expr")
    old_text, new_text = canonical(before.expr), canonical(after.expr)
    old, new = alert_condition(before.expr), alert_condition(after.expr)
    if (old_text is not None and old_text == new_text) or (old is not None and old == new):
        yield Change("alert.expr-reformatted", Subject.ALERT, name, SAFE,
                     f"alert {code(name)} expression reformatted",
                     "the condition is the same, written differently.", field="expr",
                     before=before.expr, after=after.expr, location=where)
        return
    if old is not None and new is not None and old.query == new.query:
        old_key, new_key = old.sensitivity_key(), new.sensitivity_key()
        if old_key is not None and new_key is not None and old.same_direction(new):
            less = new_key > old_key
            # Either way the alert's behaviour changes: less sensitive misses incidents, more
            # sensitive fires more often (more pages, possibly for noise).
            yield Change(
                "alert.threshold-changed", Subject.ALERT, name, RISKY,
                f"alert {code(name)} threshold changed: {code(old.op + ' ' + _num(old.threshold))}"
                f" → {code(new.op + ' ' + _num(new.threshold))}",
                ("it now needs a " + ("higher" if new.op in (">", ">=") else "lower")
                 + " value to fire (less sensitive): it fires less often and may miss "
                 "incidents.") if less
                else ("it now fires at a " + ("lower" if new.op in (">", ">=") else "higher")
                      + " value (more sensitive): it fires earlier and more often, so expect "
                      "more notifications."),
                field="threshold", before=old.threshold, after=new.threshold,
                location=where)
            return
    if new_text is None:
        reason = (f"the new expression does not parse (see {code('metricsctl lint')}), so it "
                  "cannot be compared; check that it still fires when it should.")
    elif old is not None and new is not None and old.query == new.query:
        reason = (f"the comparison changed from {code(old.op)} to {code(new.op)}, so whether it "
                  "fires more or less often cannot be told; check that it still fires when it "
                  "should.")
    else:
        reason = ("the condition changed in a way that cannot be compared automatically (not "
                  "just a threshold); check that it still fires when it should.")
    yield Change("alert.expr-changed", Subject.ALERT, name, RISKY, f"alert {code(name)} "
                 "expression changed", reason, field="expr", before=before.expr,
                 after=after.expr, location=where)


def _severity_change(catalogs: CatalogPair, before: Alert, after: Alert) -> Change:
    order = catalogs.head.project.severities
    name = after.name
    if before.severity in order and after.severity in order:
        lower = order.index(after.severity) < order.index(before.severity)
        classification = RISKY if lower else SAFE
        reason = ("it now pages with a lower severity (less sensitive), so routes for "
                  f"{code(before.severity)} no longer receive it." if lower
                  else "it now pages with a higher severity.")
    else:
        classification = RISKY
        reason = ("the severities cannot be ordered (one is not in the project's "
                  f"{code('severities')}); check the Alertmanager routes.")
    return Change("alert.severity-changed", Subject.ALERT, name, classification,
                  f"alert {code(name)} severity changed: {code(before.severity)} → "
                  f"{code(after.severity)}", reason, field="severity", before=before.severity,
                  after=after.severity, location=after.source.field("severity"))


def recording_rule_changes(catalogs: CatalogPair) -> Iterator[Change]:
    base, head = catalogs.base.recording_rules, catalogs.head.recording_rules
    for name, rule in base.items():
        if name in head:
            continue
        found = dependents(catalogs.head_usage.reading_series([name]),
                           catalogs.base_usage.reading_series([name]))
        stale = any(d.side is Side.HEAD for d in found)
        yield Change("recording-rule.removed", Subject.RECORDING_RULE, name, BREAKING,
                     f"recording rule {code(name)} removed",
                     "queries that read the series it recorded return no data."
                     + ("" if stale else " Nothing in the catalog reads it any more; "
                        "dashboards and alerts outside it may."),
                     before=rule.expr, location=rule.source.location, location_side=Side.BASE,
                     dependents=found)
    for name, rule in head.items():
        if name not in base:
            yield Change("recording-rule.added", Subject.RECORDING_RULE, name, SAFE,
                         f"recording rule {code(name)} added",
                         "a new series breaks no existing query.", after=rule.expr,
                         location=rule.source.location)
            continue
        yield from _rule_field_changes(catalogs, base[name], rule)


def _rule_field_changes(catalogs: CatalogPair, before: RecordingRule,
                        after: RecordingRule) -> Iterator[Change]:
    name, source = after.name, after.source
    users = dependents(catalogs.head_usage.reading_series([name]))
    if before.expr != after.expr:
        old_text, new_text = canonical(before.expr), canonical(after.expr)
        if old_text is not None and old_text == new_text:
            yield Change("recording-rule.expr-reformatted", Subject.RECORDING_RULE, name, SAFE,
                         f"recording rule {code(name)} expression reformatted",
                         "the parsed expression is identical.", field="expr",
                         before=before.expr, after=after.expr, location=source.field("expr"))
        else:
            yield Change(
                "recording-rule.expr-changed", Subject.RECORDING_RULE, name,
                RISKY if users else SAFE,
                f"recording rule {code(name)} expression changed",
                "the recorded series changes meaning for the queries that read it."
                if users else "nothing in the catalog reads the recorded series.",
                field="expr", before=before.expr, after=after.expr,
                location=source.field("expr"), dependents=users)
    if dict(before.labels) != dict(after.labels):
        yield _labels_change("recording-rule.labels-changed", Subject.RECORDING_RULE, name,
                             before.labels, after.labels,
                             source.field("labels") if source.has("labels") else source.location,
                             "queries that match on them may stop matching.",
                             users=users)
    if before.description != after.description:
        yield Change("recording-rule.description-changed", Subject.RECORDING_RULE, name, SAFE,
                     f"recording rule {code(name)} description changed", "documentation only.",
                     field="description", before=before.description, after=after.description,
                     location=source.location)


def _labels_change(kind: str, subject: Subject, name: str, before: Mapping[str, str],
                   after: Mapping[str, str], location: Location, risk: str,
                   users: tuple[Dependent, ...] | None = None) -> Change:
    """Labels added are safe; removed or changed ones are risky when something may match on
    them (for a recording rule: when something in the catalog reads it)."""
    removed = sorted(k for k in before if k not in after)
    changed = sorted(k for k in before if k in after and before[k] != after[k])
    added = sorted(k for k in after if k not in before)
    parts = []
    if added:
        parts.append(f"added {codes(f'{k}={after[k]}' for k in added)}")
    if changed:
        parts.append("changed " + ", ".join(f"{code(f'{k}={before[k]}')} → {code(after[k])}"
                                            for k in changed))
    if removed:
        parts.append(f"removed {codes(f'{k}={before[k]}' for k in removed)}")
    risky = bool(removed or changed) and (users is None or bool(users))
    return Change(kind, subject, name, RISKY if risky else SAFE,
                  f"{subject.value} {code(name)} labels: {'; '.join(parts)}",
                  f"labels were removed or changed: {risk}" if risky
                  else "labels were only added." if not (removed or changed)
                  else "nothing in the catalog reads it.",
                  field="labels", before=dict(before), after=dict(after),
                  location=location, dependents=users or ())


def _annotations(alert: Alert) -> dict[str, str]:
    found = {key: value for key in _ANNOTATION_FIELDS
             if (value := getattr(alert, key)) is not None}
    found.update(alert.annotations)
    return found


def _seconds(duration: str | None) -> float | None:
    if duration is None:
        return 0.0
    try:
        return parse_duration(duration)
    except ValueError:
        return None


def _num(value: float) -> str:
    return format_number(value)

