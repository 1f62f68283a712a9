"""Prometheus rule files as a catalog, so that lint can run over real-world rule sets.

Lint reads a catalog: the metrics an expression reads, with their type and labels. A rule
file has none of that, so `write_rule_files_catalog` writes a catalog that knows only what
the rule files themselves tell:

- every series an expression reads that no rule records becomes a metric: `x_bucket` (with
  its `x_count` and `x_sum`) a histogram `x`, `x_count` with `x_sum` a summary `x`, `x_total`
  a counter, anything else a gauge (`up` included, so that its relabelled target labels are
  known; `ALERTS` stays Prometheus' own);
- a metric's labels are every label the rules name around it: its matchers, the
  by/without/on/ignoring/group_x and label_replace/label_join labels of every expression that
  reads it, and the `$labels.x` the templates of an alert reading it use (`job` and
  `instance` are target labels, `le` and `quantile` the histogram's and summary's own);
  every label is bounded (`max_cardinality`) so that cardinality estimates stay out of it;
- each rule group becomes a domain with its alerts (`severity` taken from the labels;
  summary, description and runbook_url from the annotations) and recording rules;
- the catalog keeps names unique, so an alert defined again (at another severity) or a rule
  recorded again (with other labels) keeps its first definition, and of two metrics whose
  names collide in a client registry (a gauge `x` and a counter `x_total`) the gauge and the
  rules reading it are left out; `skipped` names what was left out.

What the catalog guesses is the type of names without a conventional suffix: a gauge,
unless a rule rate()s it, in which case it is a counter its exporter exposes without
`_total` (node_exporter's `node_vmstat_pgmajfault`: `total_suffix: false`, the naming advice
off since nobody here can rename it); `bare_counters` names those.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from metricsctl.lint.go_template import check_template
from metricsctl.promql.parse import parse_promql
from metricsctl.promql.references import grouping_labels, selector_matchers, selector_metric
from metricsctl.promql.walk import kind, walk

# Labels the catalog knows without a definition (or refuses to have one).
_IMPLICIT_LABELS = frozenset({"job", "instance", "le", "quantile", "__name__"})
_PROMETHEUS_SERIES = frozenset({"ALERTS", "ALERTS_FOR_STATE"})
_RATE_FUNCTIONS = frozenset({"rate", "irate", "increase", "resets"})
_SEVERITY_ORDER = ("none", "info", "warning", "critical", "page")
_ANNOTATION_FIELDS = ("summary", "description", "runbook_url")


@dataclass
class RuleFilesCatalog:
    """Where the catalog was written and what could not be carried over."""

    root: Path
    skipped: list[str] = field(default_factory=list)  # "alert X (file, group)"
    bare_counters: list[str] = field(default_factory=list)


@dataclass
class _Reads:
    labels: set[str] = field(default_factory=set)
    rated: bool = False


class _LiteralDumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks, as people write expressions."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _represent_str)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True,
                     width=1000)


def _expression_labels(ast: Any) -> set[str]:
    """Labels named anywhere in an expression other than in matchers."""
    labels: set[str] = set()
    for node, _ in walk(ast):
        name = kind(node)
        if name in ("AggregateExpr", "BinaryExpr"):
            labels.update(grouping_labels(node))
        elif name == "Call" and str(node.func.name) in ("label_replace", "label_join"):
            labels.update(str(arg.val) for arg in list(node.args)[1:]
                          if kind(arg) == "StringLiteral" and re.fullmatch(r"\w+", str(arg.val)))
    return labels


def _collect(expr: str, extra_labels: Iterable[str], reads: dict[str, _Reads]) -> None:
    parsed = parse_promql(expr)
    if parsed.ast is None:
        return
    shared = _expression_labels(parsed.ast) | set(extra_labels)
    for node, ancestors in walk(parsed.ast):
        if kind(node) != "VectorSelector":
            continue
        name = selector_metric(node)
        if name is None:
            continue
        entry = reads.setdefault(name, _Reads())
        entry.labels |= shared | {label for label, _, _ in selector_matchers(node)}
        entry.rated |= any(kind(a) == "Call" and str(a.func.name) in _RATE_FUNCTIONS
                           for a in ancestors)


def _metric_types(names: Iterable[str]) -> dict[str, tuple[str, str]]:
    """series name -> (catalog metric name, type)."""
    names = set(names)
    histograms = {name[: -len("_bucket")] for name in names if name.endswith("_bucket")}
    # A summary shows as both its _count and _sum; `pg_stat_activity_count` alone is a gauge.
    summaries = {name[: -len("_count")] for name in names if name.endswith("_count")
                 and name[: -len("_count")] + "_sum" in names} - histograms
    types: dict[str, tuple[str, str]] = {}
    for name in sorted(names):
        stem = name.rsplit("_", 1)[0]
        if name.endswith("_bucket") or (name.endswith(("_count", "_sum")) and stem in histograms):
            types[name] = (stem, "histogram")
        elif name.endswith(("_count", "_sum")) and stem in summaries:
            types[name] = (stem, "summary")
        elif name in summaries:
            types[name] = (name, "summary")
        elif name.endswith("_total"):
            types[name] = (name, "counter")
        else:
            types[name] = (name, "gauge")
    return types


def _taken_names(metric: str, metric_type: str) -> set[str]:
    """The names a metric takes in a client registry: its family name and its samples."""
    if metric_type == "counter":
        base = metric.removesuffix("_total")
        return {base, f"{base}_total", f"{base}_created"}
    suffixes = {"histogram": ("_bucket", "_count", "_sum", "_created"),
                "summary": ("_count", "_sum", "_created")}.get(metric_type, ())
    return {metric, *(metric + suffix for suffix in suffixes)}


def _colliding_series(types: dict[str, tuple[str, str]]) -> set[str]:
    """Series whose metric a catalog cannot hold next to another (kube-apiserver's gauge
    `aggregator_unavailable_apiservice` and counter `aggregator_unavailable_apiservice_total`
    share a family name): the gauge gives way."""
    metrics = dict(types.values())
    taken: set[str] = set()
    dropped: set[str] = set()
    for metric, metric_type in sorted(metrics.items(), key=lambda m: (m[1] == "gauge", m[0])):
        names = _taken_names(metric, metric_type)
        if names & taken:
            dropped.add(metric)
        else:
            taken |= names
    return {series for series, (metric, _) in types.items() if metric in dropped}


def _series_read(expr: str) -> set[str]:
    parsed = parse_promql(expr)
    if parsed.ast is None:
        return set()
    return {name for node, _ in walk(parsed.ast) if kind(node) == "VectorSelector"
            and (name := selector_metric(node)) is not None}


def _domain_name(group: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9_-]+", "-", group.lower()).strip("-_") or "rules"
    if not base[0].isalpha():
        base = "g-" + base
    name, counter = base[:60], 2
    while name in taken:
        name, counter = f"{base[:56]}-{counter}", counter + 1
    taken.add(name)
    return name


def _alert_entry(rule: dict[str, Any]) -> dict[str, Any]:
    labels = {str(k): str(v) for k, v in (rule.get("labels") or {}).items()}
    annotations = {str(k): str(v) for k, v in (rule.get("annotations") or {}).items()}
    entry: dict[str, Any] = {"expr": str(rule["expr"])}
    for key in ("for", "keep_firing_for"):
        if rule.get(key) is not None:
            entry[key] = str(rule[key])
    entry["severity"] = labels.pop("severity", "none")
    for name in _ANNOTATION_FIELDS:
        value = annotations.pop(name, None)
        if value is not None and (name != "runbook_url" or value.startswith(("http://",
                                                                              "https://"))):
            entry[name] = value
        elif value is not None:
            annotations[name] = value
    if labels:
        entry["labels"] = labels
    if annotations:
        entry["annotations"] = annotations
    return entry


def write_rule_files_catalog(rule_files: Iterable[Path], root: Path) -> RuleFilesCatalog:
    """Write a catalog for the rule files under `root` (created) and say what it left out."""
    root.mkdir(parents=True, exist_ok=True)
    result = RuleFilesCatalog(root)
    reads: dict[str, _Reads] = {}
    recorded: set[str] = set()
    severities: set[str] = set()
    domains: list[tuple[str, dict[str, Any]]] = []
    alert_names: set[str] = set()
    taken: set[str] = set()
    documents = [(path, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
                 for path in rule_files]
    rules_of = [rule for _, document in documents for group in document.get("groups") or []
                for rule in group.get("rules") or []]
    all_recorded = {str(rule["record"]) for rule in rules_of if "record" in rule}
    all_read = {name for rule in rules_of for name in _series_read(str(rule["expr"]))}
    unrepresentable = _colliding_series(_metric_types(
        all_read - all_recorded - _PROMETHEUS_SERIES))
    for path, document in documents:
        for group in document.get("groups") or []:
            domain = _domain_name(str(group["name"]), taken)
            data: dict[str, Any] = {"domain": domain,
                                    "description": f"Rule group `{group['name']}` of {path.name}."}
            if group.get("interval"):
                data["rule_group"] = {"interval": str(group["interval"])}
            alerts: dict[str, Any] = {}
            rules: dict[str, Any] = {}
            for rule in group.get("rules") or []:
                where = f"({path.name}, group {group['name']})"
                clash = sorted(_series_read(str(rule["expr"])) & unrepresentable)
                if clash:
                    result.skipped.append(f"{rule.get('alert') or rule.get('record')} {where}: "
                                          f"reads {', '.join(clash)}, whose name another "
                                          "metric's series take")
                    continue
                if "alert" in rule:
                    name = str(rule["alert"])
                    if name in alert_names:
                        result.skipped.append(f"alert {name} {where}")
                        continue
                    alert_names.add(name)
                    entry = _alert_entry(rule)
                    severities.add(entry["severity"])
                    alerts[name] = entry
                    templates = [*entry.get("annotations", {}).values(),
                                 *(entry.get(f, "") for f in _ANNOTATION_FIELDS)]
                    template_labels = {label for text in templates
                                       for label, _ in check_template(text).label_references}
                    _collect(entry["expr"], template_labels, reads)
                else:
                    name = str(rule["record"])
                    if name in recorded:
                        result.skipped.append(f"recording rule {name} {where}")
                        continue
                    recorded.add(name)
                    rules[name] = {"expr": str(rule["expr"])}
                    if rule.get("labels"):
                        rules[name]["labels"] = {str(k): str(v)
                                                 for k, v in rule["labels"].items()}
                    _collect(rules[name]["expr"], (), reads)
            if rules:
                data["recording_rules"] = rules
            if alerts:
                data["alerts"] = alerts
            domains.append((f"{path.stem}--{domain}.yaml", data))

    read_names = {name for name in reads if name not in recorded | _PROMETHEUS_SERIES}
    metrics: dict[str, dict[str, Any]] = {}
    all_labels: set[str] = set()
    for series, (metric, metric_type) in _metric_types(read_names).items():
        entry = metrics.setdefault(metric, {"type": metric_type,
                                            "help": "Read by the rule files.", "labels": set()})
        labels = reads[series].labels - _IMPLICIT_LABELS
        entry["labels"] |= labels
        all_labels |= labels
        if metric_type == "gauge" and reads[series].rated:
            # rate() over a name without _total: a counter its exporter exposes bare
            # (node_exporter's node_vmstat_pgmajfault), as `metricsctl import` reads it.
            entry.update({"type": "counter", "total_suffix": False,
                          "lint": {"disable": ["naming/counter-total"]}})
            result.bare_counters.append(metric)
    for entry in metrics.values():
        entry["labels"] = sorted(entry["labels"])
    domains.append(("metrics.yaml", {"domain": "exporters",
                                     "description": "What the rule files read.",
                                     "metrics": dict(sorted(metrics.items()))}))

    ordered = [s for s in _SEVERITY_ORDER if s in severities]
    ordered += sorted(severities - set(_SEVERITY_ORDER))
    project = {
        "project": "rule-files",
        "defaults": {"scrape_interval": "30s", "evaluation_interval": "30s"},
        "severities": ordered or ["warning"],
        "labels": {label: {"max_cardinality": 10} for label in sorted(all_labels)},
        "lint": {"required_annotations": [],
                 "cardinality": {"metric_budget": 10**15, "total_budget": 10**15}},
    }
    (root / "metricsctl.yaml").write_text(_dump(project), encoding="utf-8")
    for file_name, data in domains:
        (root / file_name).write_text(_dump(data), encoding="utf-8")
    return result
