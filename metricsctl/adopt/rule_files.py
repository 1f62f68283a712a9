"""Prometheus rule files (`groups:`) and Kubernetes PrometheusRule manifests -> domains.

Each rule group becomes one domain (its `rule_group:` keeps the group's name, interval,
limit and query_offset), each alert and recording rule one entry with its expression, for,
keep_firing_for, labels and annotations exactly as written.
"""

from __future__ import annotations

import re
from typing import Any

from metricsctl.adopt.drafts import DraftEntry, Estate, domain_name, origin_comment
from metricsctl.adopt.expression_metrics import ExpressionMetrics
from metricsctl.adopt.report import Outcome, Report
from metricsctl.catalog.yaml_source import PathKey, SourceDocument
from metricsctl.diagnostics import Diagnostic, Severity

_DURATION = re.compile(
    r"0|(?=[0-9])([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_RUNBOOK = re.compile(r"https?://")
_GROUP_FIELDS = ("name", "interval", "limit", "query_offset", "rules")
_RULE_FIELDS = {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"}


def is_rules_document(data: Any) -> bool:
    """A `groups:` file or a PrometheusRule manifest."""
    if not isinstance(data, dict):
        return False
    if data.get("kind") == "PrometheusRule":
        return True
    return "groups" in data and not {"scrape_configs", "global"} & data.keys()


class RuleFileReader:
    """Reads rule documents into an Estate, reporting every rule and every problem."""

    def __init__(self, estate: Estate, report: Report, metrics: ExpressionMetrics,
                 domain: str | None) -> None:
        self.estate, self.report, self.metrics = estate, report, metrics
        self.domain_override = domain
        self.errors: list[Diagnostic] = []

    def error(self, document: SourceDocument, path: PathKey, message: str,
              hint: str | None = None, *, key: bool = False) -> None:
        self.errors.append(Diagnostic("import/invalid-rules", Severity.ERROR, message,
                                      document.locate(path, key=key), hint=hint))

    def read(self, document: SourceDocument, groups_in_file: int) -> None:
        """Every group of `document`; `groups_in_file` decides how --domain names domains."""
        data = document.data
        prefix: PathKey = ()
        if isinstance(data, dict) and data.get("kind") == "PrometheusRule":
            for key in data:
                if key not in ("apiVersion", "kind", "spec"):
                    self.report.add(Outcome.UNMAPPED, "manifest field", key,
                                    document.locate((key,), key=True),
                                    "Kubernetes object metadata is not part of the catalog")
            data = data.get("spec")
            prefix = ("spec",)
            if not isinstance(data, dict):
                self.error(document, prefix, "a PrometheusRule needs a `spec:` mapping")
                return
        groups = data.get("groups")
        if not isinstance(groups, list):
            self.error(document, (*prefix, "groups"),
                       "`groups:` must be a list of rule groups", "see "
                       "https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/")
            return
        for index, group in enumerate(groups):
            self.group(document, (*prefix, "groups", index), group, groups_in_file)

    def group(self, document: SourceDocument, path: PathKey, group: Any, total: int) -> None:
        if not isinstance(group, dict):
            self.error(document, path, "a rule group must be a mapping with `name` and `rules`")
            return
        name = group.get("name")
        if not isinstance(name, str) or not name:
            self.error(document, path, "a rule group needs a `name`", key=False)
            return
        rules = group.get("rules")
        if not isinstance(rules, list):
            self.error(document, (*path, "rules"), f"group `{name}` needs a list of `rules`")
            return
        location = document.locate(path)
        settings: dict[str, Any] = {"name": name}
        for key in ("interval", "query_offset"):
            if key in group:
                value = group[key]
                if isinstance(value, str) and _DURATION.fullmatch(value):
                    settings[key] = value
                else:
                    self.error(document, (*path, key), f"`{key}` must be a duration such as 1m")
        if "limit" in group:
            if isinstance(group["limit"], int) and not isinstance(group["limit"], bool) \
                    and group["limit"] >= 0:
                settings["limit"] = group["limit"]
            else:
                self.error(document, (*path, "limit"), "`limit` must be a whole number")
        for key in group:
            if key not in _GROUP_FIELDS:
                self.report.add(Outcome.UNMAPPED, "group field", key,
                                document.locate((*path, key), key=True),
                                f"`{key}` is not a Prometheus rule group field")
        if self.domain_override is None:
            domain_id = domain_name(name)
        elif total > 1:
            domain_id = domain_name(f"{self.domain_override}-{name}")
        else:
            domain_id = self.domain_override
        domain_id = self._free_domain(domain_id, name)
        domain = self.estate.domain(domain_id, location)
        domain.settings["rule_group"] = settings
        for index, rule in enumerate(rules):
            self.rule(document, (*path, "rules", index), rule, domain_id, name)

    def _free_domain(self, wanted: str, group: str) -> str:
        """`wanted`, unless another group already became that domain."""
        candidate, number = wanted, 1
        while candidate in self.estate.domains and \
                self.estate.domains[candidate].settings.get("rule_group", {}).get("name") != group:
            number += 1
            candidate = f"{wanted[:60]}-{number}"
        return candidate

    def rule(self, document: SourceDocument, path: PathKey, rule: Any, domain: str,
             group: str) -> None:
        if not isinstance(rule, dict):
            self.error(document, path, "a rule must be a mapping with `alert` or `record`")
            return
        alert, record = rule.get("alert"), rule.get("record")
        if (alert is None) == (record is None):
            self.error(document, path, "a rule needs exactly one of `alert` and `record`")
            return
        ok = True
        for key in rule:
            if key not in _RULE_FIELDS:
                self.error(document, (*path, key), f"unknown rule field `{key}`",
                           "rules have alert or record, expr, for, keep_firing_for, labels "
                           "and annotations", key=True)
                ok = False
        expr = rule.get("expr")
        if isinstance(expr, int | float) and not isinstance(expr, bool):
            expr = document.numbers.get((*path, "expr"), str(expr))
        if not isinstance(expr, str) or not expr.strip():
            self.error(document, (*path, "expr"), "a rule needs an `expr`")
            return
        location = document.locate(path)
        templates = [str(v) for key in ("labels", "annotations")
                     if isinstance(rule.get(key), dict) for v in rule[key].values()]
        problem = self.metrics.observe(expr, domain, document.locate((*path, "expr")),
                                       templates)
        if problem is not None:
            offset, message = problem
            self.errors.append(Diagnostic(
                "import/invalid-promql", Severity.ERROR, f"invalid PromQL: {message}",
                document.locate_in_scalar((*path, "expr"), offset) if offset is not None
                else document.locate((*path, "expr"))))
            ok = False
        labels = self.string_map(document, (*path, "labels"), rule.get("labels"), "labels")
        body: dict[str, Any] = {}
        if record is not None:
            if not isinstance(record, str) or not _METRIC_NAME.fullmatch(record):
                self.error(document, (*path, "record"), f"`{record}` is not a valid metric name")
                return
            body["expr"] = expr
            if labels:
                body["labels"] = labels
            if "annotations" in rule:
                self.error(document, (*path, "annotations"),
                           "recording rules have no annotations", key=True)
                return
            if ok and labels is not None:
                self.add(domain, DraftEntry("recording_rules", record, body, location,
                                            origin_comment(location, f"group {group}")))
                self.metrics.recorded.add(record)
            return
        if not isinstance(alert, str) or not alert:
            self.error(document, (*path, "alert"), "an alert name must be non-empty text")
            return
        body["expr"] = expr
        for key in ("for", "keep_firing_for"):
            if key in rule:
                value = rule[key]
                if isinstance(value, str) and _DURATION.fullmatch(value):
                    body[key] = value
                else:
                    self.error(document, (*path, key), f"`{key}` must be a duration such as 5m")
                    ok = False
        annotations = self.string_map(document, (*path, "annotations"),
                                      rule.get("annotations"), "annotations")
        if labels is None or annotations is None or not ok:
            return
        if "severity" in labels:
            severity = labels.pop("severity")
            body["severity"] = severity
            if severity not in self.estate.project.severities:
                self.estate.project.severities.append(severity)
        for field in ("summary", "description"):
            if field in annotations:
                body[field] = annotations.pop(field)
        runbook = annotations.get("runbook_url")
        if runbook is not None and _RUNBOOK.match(runbook):
            body["runbook_url"] = annotations.pop("runbook_url")
        if labels:
            body["labels"] = labels
        if annotations:
            body["annotations"] = annotations
        # Generation links alerts to the panels that show them (Grafana's __dashboardUid__
        # and __panelId__ annotations); the estate's rules had no such link.
        body["panel_link"] = False
        self.add(domain, DraftEntry("alerts", alert, body, location,
                                    origin_comment(location, f"group {group}")))

    def add(self, domain: str, entry: DraftEntry) -> None:
        self.estate.domains[domain].entries.append(entry)
        kind = "alert" if entry.section == "alerts" else "recording rule"
        self.report.add(Outcome.MAPPED, kind, entry.name, entry.origin)

    def string_map(self, document: SourceDocument, path: PathKey, value: Any,
                   what: str) -> dict[str, str] | None:
        """Labels or annotations as Prometheus reads them (text); None after an error."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(document, path, f"`{what}` must be a mapping of names to text")
            return None
        result: dict[str, str] = {}
        for name, item in value.items():
            if not _LABEL_NAME.fullmatch(name):
                self.error(document, (*path, name), f"`{name}` is not a valid {what[:-1]} name",
                           key=True)
                return None
            if isinstance(item, bool):
                result[name] = "true" if item else "false"
            elif isinstance(item, int | float):
                result[name] = document.numbers.get((*path, name), str(item))
            elif isinstance(item, str):
                result[name] = item
            else:
                self.error(document, (*path, name), f"{what[:-1]} `{name}` must be text")
                return None
        return result
