"""Semantic checks that JSON Schema cannot express, run on the built model."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from metricsctl.catalog.durations import duration_out_of_range, is_duration, parse_duration
from metricsctl.catalog.model import Catalog, Dashboard, Label, Metric, Panel, SourceRef
from metricsctl.catalog.naming import MetricType, registered_names, reserved_label_problem
from metricsctl.catalog.yaml_source import PathKey
from metricsctl.diagnostics import Diagnostic, Location, Severity
from metricsctl.promql.limits import HINT as LIMIT_HINT
from metricsctl.promql.limits import check_limits

# `metricsctl:<project>` marks which project's push owns a dashboard (grafana/plan.py).
RESERVED_TAG_PREFIX = "metricsctl:"
RESERVED_ALERT_LABELS = {
    "alertname": "Prometheus sets it to the alert's name",
    "severity": "set it with the alert's `severity` key",
}


def _error(code: str, message: str, location: Location, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, location, hint=hint)


def _did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def check_catalog(catalog: Catalog) -> list[Diagnostic]:
    """Every semantic problem in the catalog."""
    found: list[Diagnostic] = []
    for check in (_check_labels, _check_metrics, _check_renames, _check_recording_rules,
                  _check_alerts, _check_folders, _check_dashboards, _check_scrape_jobs,
                  _check_expression_limits, _check_duration_ranges):
        found.extend(check(catalog))
    from metricsctl.slo.validate import validate_slos

    found.extend(validate_slos(catalog))
    return found


def _all_label_definitions(catalog: Catalog) -> Iterator[Label]:
    yield from catalog.project.labels.values()
    for domain in catalog.domains.values():
        yield from domain.labels.values()
    for metric in catalog.metrics.values():
        yield from (label for label in metric.labels if label.scope == "metric")


def _check_labels(catalog: Catalog) -> Iterator[Diagnostic]:
    for label in _all_label_definitions(catalog):
        problem = reserved_label_problem(label.name)
        if problem:
            where = label.source.field("name") if label.scope == "metric" else label.source.location
            yield _error("catalog/reserved-label",
                         f"label `{label.name}` cannot be used: {problem}", where,
                         "choose another name")


def _check_label_map(labels: Mapping[str, str], source: SourceRef, key: str,
                     extra_reserved: Mapping[str, str] | None = None) -> Iterator[Diagnostic]:
    for name in labels:
        problem = (extra_reserved or {}).get(name)
        if problem is None and name.startswith("__"):
            problem = reserved_label_problem(name)
        if problem:
            yield _error("catalog/reserved-label", f"label `{name}` cannot be set here: {problem}",
                         source.field(key, name, key=True))


def _check_metrics(catalog: Catalog) -> Iterator[Diagnostic]:
    yield from _check_series_collisions(catalog)
    for metric in catalog.metrics.values():
        seen: set[str] = set()
        for index, label in enumerate(metric.labels):
            if label.name in seen:
                yield _error("catalog/duplicate-label",
                             f"metric `{metric.name}` lists label `{label.name}` twice",
                             metric.source.field("labels", index))
            seen.add(label.name)
        yield from _check_buckets(metric)
        yield from _check_total_suffix(metric)


def _check_total_suffix(metric: Metric) -> Iterator[Diagnostic]:
    if metric.total_suffix:
        return
    where = metric.source.field("total_suffix", key=True)
    if metric.type is not MetricType.COUNTER:
        yield _error("catalog/invalid-total-suffix",
                     f"`total_suffix` only applies to counters; `{metric.name}` is a "
                     f"{metric.type}", where, "remove `total_suffix`")
    elif metric.name.endswith("_total"):
        yield _error("catalog/invalid-total-suffix",
                     f"`{metric.name}` ends in _total already: `total_suffix: false` says "
                     "its series carry no _total", where,
                     "remove `total_suffix`, or name the counter as its series are named")


def _check_series_collisions(catalog: Catalog) -> Iterator[Diagnostic]:
    """Two metrics whose exposed names overlap (a gauge `x` and a counter `x_total`, a
    counter `x` and a gauge `x_created`...); reported at the second, once per pair."""
    owners: dict[str, Metric] = {}
    for metric in catalog.metrics.values():
        names = registered_names(metric.name, metric.type, metric.total_suffix)
        reported: set[str] = set()
        for name in names:
            first = owners.get(name)
            if first is None or first.name in reported:
                continue
            reported.add(first.name)
            yield _error(
                "catalog/series-collision",
                f"{metric.type} `{metric.name}` and {first.type} `{first.name}` (at "
                f"{first.source.location}) both take the name `{name}`: their series would "
                "mix on /metrics and prometheus_client refuses to register both "
                "(DuplicateTimeseries)",
                metric.source.location,
                f"rename one of them; a {metric.type} `{metric.name}` takes "
                + ", ".join(f"`{n}`" for n in names))
        for name in names:
            owners.setdefault(name, metric)


def _check_buckets(metric: Metric) -> Iterator[Diagnostic]:
    if metric.buckets is None:
        return
    if metric.type is not MetricType.HISTOGRAM:
        yield _error("catalog/buckets-not-histogram",
                     f"`buckets` only applies to histograms; `{metric.name}` is a {metric.type}",
                     metric.source.field("buckets", key=True), "remove `buckets`")
        return
    previous: float | None = None
    for index, bound in enumerate(metric.buckets):
        where = metric.source.field("buckets", index)
        if math.isnan(bound) or math.isinf(bound):
            yield _error("catalog/invalid-buckets",
                         f"bucket bound {bound} is not a finite number", where,
                         "+Inf is always added as the last bucket")
            return
        if previous is not None and bound <= previous:
            yield _error("catalog/buckets-order",
                         f"buckets must be strictly increasing: {bound:g} follows {previous:g}",
                         where, "sort the bounds and remove duplicates")
            return
        previous = bound


def _check_renames(catalog: Catalog) -> Iterator[Diagnostic]:
    claimed: dict[str, Metric] = {}
    for metric in catalog.metrics.values():
        for index, old in enumerate(metric.renamed_from):
            where = (metric.source.field("renamed_from", index)
                     if metric.source.has("renamed_from", index)
                     else metric.source.field("renamed_from"))
            if old == metric.name or old in catalog.metrics:
                yield _error("catalog/invalid-rename",
                             f"`renamed_from: {old}` names a metric that is still defined", where,
                             "a metric can only be renamed from a name that no longer exists")
            elif old in claimed:
                yield _error("catalog/invalid-rename",
                             f"`{old}` is claimed as a former name by `{claimed[old].name}` too",
                             where)
            else:
                claimed[old] = metric


def _check_recording_rules(catalog: Catalog) -> Iterator[Diagnostic]:
    for rule in catalog.recording_rules.values():
        if rule.name in catalog.metrics:
            yield _error("catalog/duplicate-metric",
                         f"recording rule `{rule.name}` has the name of a catalog metric "
                         f"(defined at {catalog.metrics[rule.name].source.location})",
                         rule.source.location,
                         "recording rules conventionally use level:metric:operations names")
        yield from _check_label_map(rule.labels, rule.source, "labels")


def _check_alerts(catalog: Catalog) -> Iterator[Diagnostic]:
    severities = catalog.project.severities
    for alert in catalog.alerts.values():
        if alert.severity is not None and alert.severity not in severities:
            hint = _did_you_mean(alert.severity, severities) or (
                "the project allows: " + ", ".join(severities))
            yield _error("catalog/unknown-severity",
                         f"severity `{alert.severity}` is not one of the project's severities",
                         alert.source.field("severity"), hint)
        yield from _check_label_map(alert.labels, alert.source, "labels", RESERVED_ALERT_LABELS)


def _check_folders(catalog: Catalog) -> Iterator[Diagnostic]:
    project = catalog.project
    folders = project.folders
    if project.folder is not None and project.folder not in folders:
        yield _error("catalog/unknown-folder",
                     f"default folder `{project.folder}` is not declared under grafana.folders",
                     project.source.field("grafana", "folder"),
                     _did_you_mean(project.folder, folders) or "declare it under grafana.folders")
    for folder in folders.values():
        if folder.parent is not None and folder.parent not in folders:
            yield _error("catalog/unknown-folder",
                         f"parent folder `{folder.parent}` is not declared under grafana.folders",
                         folder.source.field("parent"), _did_you_mean(folder.parent, folders))
            continue
        seen = {folder.uid}
        parent = folder.parent
        while parent is not None and parent in folders:
            if parent in seen:
                yield _error("catalog/folder-cycle",
                             f"folder `{folder.uid}` is its own ancestor",
                             folder.source.field("parent"))
                break
            seen.add(parent)
            parent = folders[parent].parent


def _check_dashboards(catalog: Catalog) -> Iterator[Diagnostic]:
    labels_in_use = {label.name for metric in catalog.metrics.values() for label in metric.labels}
    labels_in_use |= catalog.project.target_labels
    for dashboard in catalog.dashboards.values():
        if (dashboard.folder is not None and dashboard.folder not in catalog.project.folders
                and dashboard.source.has("folder")):
            yield _error("catalog/unknown-folder",
                         f"folder `{dashboard.folder}` is not declared under grafana.folders "
                         "in the project file", dashboard.source.field("folder"),
                         _did_you_mean(dashboard.folder, catalog.project.folders))
        for index, tag in enumerate(dashboard.tags):
            if tag.lower().startswith(RESERVED_TAG_PREFIX):
                yield _error("catalog/reserved-tag",
                             f"dashboard `{dashboard.uid}` cannot set the tag `{tag}` by hand: "
                             f"the `{RESERVED_TAG_PREFIX}` prefix is reserved",
                             dashboard.source.field("tags", index),
                             "push tags each dashboard `metricsctl:<project>` itself and trusts "
                             "that tag to know which project owns it (--prune deletes by it); "
                             "remove the tag")
        yield from _check_variables(catalog, dashboard, labels_in_use)
        titles: dict[str, Panel] = {}
        for panel in dashboard.all_panels():
            yield from _check_panel(catalog, panel)
            if panel.title in titles and panel.type != "text":
                yield Diagnostic("catalog/duplicate-panel-title", Severity.WARNING,
                                 f"dashboard `{dashboard.uid}` has two panels titled "
                                 f"`{panel.title}` (first at "
                                 f"{titles[panel.title].source.location})",
                                 panel.source.field("title"))
            titles.setdefault(panel.title, panel)


def _check_variables(catalog: Catalog, dashboard: Dashboard,
                     labels_in_use: set[str]) -> Iterator[Diagnostic]:
    names: set[str] = set()
    for variable in dashboard.variables:
        where = variable.source.location
        if variable.name in names or variable.name == "datasource":
            yield _error("catalog/duplicate-variable",
                         f"variable `${variable.name}` is defined twice"
                         + (" (`datasource` is always generated)"
                            if variable.name == "datasource" else ""), where)
            if variable.name == "datasource":
                continue
        names.add(variable.name)
        if variable.label is None:  # verbatim Grafana variable: nothing to check here
            continue
        if variable.metric is not None:
            metric = catalog.metrics.get(variable.metric)
            if metric is None and variable.metric in catalog.unbuilt_metrics:
                continue
            if metric is None:
                yield _error("catalog/unknown-metric", f"unknown metric `{variable.metric}`",
                             variable.source.field("metric"),
                             _unknown_metric_hint(catalog, variable.metric))
            elif variable.label not in metric.label_names:
                yield _error("catalog/unknown-label",
                             f"metric `{metric.name}` has no label `{variable.label}`",
                             variable.source.field("label"),
                             _did_you_mean(variable.label, metric.label_names))
        elif variable.label not in labels_in_use:
            yield _error("catalog/unknown-label",
                         f"no metric or scrape job in the catalog has the label "
                         f"`{variable.label}`",
                         variable.source.field("label") if variable.source.has("label") else where,
                         _did_you_mean(variable.label, labels_in_use))


def _check_panel(catalog: Catalog, panel: Panel) -> Iterator[Diagnostic]:
    source = panel.source
    kinds = [name for name, present in (("expr/queries", bool(panel.queries)),
                                         ("metric", panel.metric is not None),
                                         ("content", panel.content is not None)) if present]
    if len(kinds) != 1:
        message = (f"panel `{panel.title}` sets {' and '.join(kinds)}; use exactly one"
                   if kinds else f"panel `{panel.title}` has nothing to show")
        yield _error("catalog/panel-source", message, source.field("title"),
                     "give `expr`, `queries`, `metric` (derived queries) or `content` (text)")
    if panel.type == "text" and panel.content is None:
        yield _error("catalog/panel-source", "a text panel needs `content`", source.field("type"))
    if panel.content is not None and panel.type != "text":
        yield _error("catalog/panel-source", f"`content` is for text panels, not {panel.type}",
                     source.field("content", key=True))
    if panel.metric is None:
        for key in ("by", "quantiles"):
            if source.has(key):
                yield _error("catalog/panel-source", f"`{key}` only applies with `metric`",
                             source.field(key, key=True))
    else:
        yield from _check_derived_panel(catalog, panel)
    yield from _check_thresholds(panel)
    if panel.min is not None and panel.max is not None and panel.min >= panel.max:
        yield _error("catalog/invalid-range", f"min ({panel.min:g}) must be below max "
                     f"({panel.max:g})", source.field("min"))


def _unknown_metric_hint(catalog: Catalog, name: str) -> str | None:
    """`renamed to X` when a metric was renamed from `name`, else the closest name."""
    renamed = next((metric.name for metric in catalog.metrics.values()
                    if name in metric.renamed_from), None)
    if renamed is not None:
        return f"it was renamed to `{renamed}`"
    return _did_you_mean(name, catalog.metrics)


def _check_derived_panel(catalog: Catalog, panel: Panel) -> Iterator[Diagnostic]:
    assert panel.metric is not None
    metric = catalog.metrics.get(panel.metric)
    if metric is None and panel.metric in catalog.unbuilt_metrics:
        return  # its own entry is reported
    if metric is None:
        yield _error("catalog/unknown-metric", f"unknown metric `{panel.metric}`",
                     panel.source.field("metric"),
                     _unknown_metric_hint(catalog, panel.metric) or
                     "panels derive queries from metrics defined in the catalog")
        return
    for index, name in enumerate(panel.by):
        if name not in metric.label_names:
            yield _error("catalog/unknown-label", f"metric `{metric.name}` has no label `{name}`",
                         panel.source.field("by", index),
                         _did_you_mean(name, metric.label_names) or
                         f"its labels: {', '.join(metric.label_names) or 'none'}")
    if panel.quantiles is not None and metric.type is not MetricType.HISTOGRAM:
        yield _error("catalog/panel-source",
                     f"`quantiles` needs a histogram; `{metric.name}` is a {metric.type}",
                     panel.source.field("quantiles", key=True))
    if panel.type == "heatmap" and metric.type is not MetricType.HISTOGRAM:
        yield _error("catalog/panel-source",
                     f"a derived heatmap needs a histogram; `{metric.name}` is a {metric.type}",
                     panel.source.field("type"))


def _check_thresholds(panel: Panel) -> Iterator[Diagnostic]:
    previous: float | None = None
    for index, step in enumerate(panel.thresholds):
        where = panel.source.field("thresholds", index)
        if step.value is None:
            if index > 0:
                yield _error("catalog/invalid-thresholds",
                             "only the first threshold step may omit `value` (it is the base)",
                             where)
            continue
        if previous is not None and step.value <= previous:
            yield _error("catalog/invalid-thresholds",
                         f"threshold values must increase: {step.value:g} follows {previous:g}",
                         panel.source.field("thresholds", index, "value"))
        previous = step.value


def _check_scrape_jobs(catalog: Catalog) -> Iterator[Diagnostic]:
    seen: dict[str, SourceRef] = {}
    for job in catalog.project.scrape_jobs:
        if job.name in seen:
            yield _error("catalog/duplicate-scrape-job",
                         f"scrape job `{job.name}` is defined twice (first at "
                         f"{seen[job.name].field('job')})", job.source.field("job"))
        seen.setdefault(job.name, job.source)
        yield from _check_label_map(job.labels, job.source, "labels")
    yield from _check_label_map(catalog.project.external_labels, catalog.project.source,
                                "external_labels")
    yield from _check_scrape_timeouts(catalog)


def _check_scrape_timeouts(catalog: Catalog) -> Iterator[Diagnostic]:
    """Prometheus refuses a configuration whose scrape timeout exceeds its interval."""
    project = catalog.project
    hint = "a scrape must end before the next one starts: shorten the timeout"
    if (project.source.has("defaults", "scrape_timeout")
            and _longer(project.scrape_timeout, project.scrape_interval)):
        yield _error("catalog/invalid-value",
                     f"scrape_timeout {project.scrape_timeout} is longer than scrape_interval "
                     f"{project.scrape_interval}", project.source.field("defaults",
                                                                        "scrape_timeout"), hint)
    for job in project.scrape_jobs:
        interval = job.interval or project.scrape_interval
        if job.timeout is not None and _longer(job.timeout, interval):
            yield _error("catalog/invalid-value",
                         f"scrape job `{job.name}` has a timeout of {job.timeout}, longer than "
                         f"its interval of {interval}", job.source.field("timeout"), hint)


def _longer(duration: str, than: str) -> bool:
    """Whether `duration` is longer than `than`; False when either is not a duration (the
    schema reports those)."""
    if not (is_duration(duration) and is_duration(than)):
        return False
    return parse_duration(duration) > parse_duration(than)


def _check_expression_limits(catalog: Catalog) -> Iterator[Diagnostic]:
    """Expressions too large or too deeply nested to parse safely (before anything does)."""
    sites: list[tuple[str, SourceRef, tuple[str | int, ...]]] = [
        *((alert.expr, alert.source, ("expr",)) for alert in catalog.alerts.values()),
        *((rule.expr, rule.source, ("expr",)) for rule in catalog.recording_rules.values()),
        *((query.expr, query.source, query.expr_field)
          for dashboard in catalog.dashboards.values() for panel in dashboard.all_panels()
          for query in panel.queries)]
    for expr, source, field in sites:
        exceeded = check_limits(expr)
        if exceeded is not None:
            yield _error("catalog/promql-limit", exceeded.message,
                         source.in_scalar(field, exceeded.offset), LIMIT_HINT)


# Keys whose values the schema requires to be durations (`for`, `interval`, `window`...).
_DURATION_KEYS = frozenset({"for", "keep_firing_for", "interval", "timeout", "query_offset",
                            "eval_time", "window", "refresh", "scrape_interval",
                            "scrape_timeout", "evaluation_interval"})

# Verbatim Grafana JSON (the escape hatch, field overrides): not the catalog's durations,
# and most of an imported dashboard's data.
_VERBATIM_KEYS = frozenset({"grafana", "overrides"})


def _check_duration_ranges(catalog: Catalog) -> Iterator[Diagnostic]:
    """Durations written correctly but longer than Prometheus accepts (about 292 years):
    the schema checks only how they are written."""
    for document in catalog.documents.values():
        stack: list[tuple[Any, PathKey]] = [(document.data, ())]
        while stack:
            data, path = stack.pop()
            if isinstance(data, dict):
                for key, value in data.items():
                    if (key in _DURATION_KEYS and isinstance(value, str)
                            and duration_out_of_range(value)):
                        shown = value if len(value) <= 24 else f"{value[:12]}…{value[-6:]}"
                        yield _error("catalog/invalid-duration",
                                     f"duration `{shown}` is out of range: Prometheus accepts "
                                     "at most 292 years", document.locate((*path, key)))
                    if key not in _VERBATIM_KEYS:
                        stack.append((value, (*path, key)))
            elif isinstance(data, list):
                stack.extend((value, (*path, index)) for index, value in enumerate(data))
