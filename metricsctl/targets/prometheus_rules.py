"""Prometheus rule files: `prometheus/rules/<domain>.rules.yml`, one per domain with rules.

Each file holds ONE group named after the domain, with the domain's recording rules first
and its alerts after them. Prometheus evaluates the rules of a group one after the other at
the same timestamp, so an alert (or recording rule) reading a recording rule of its own
domain sees this cycle's value; rules split across groups run concurrently and could read a
value one interval old. For the same reason recording rules are ordered so that a rule
comes after the rules of its domain it reads (otherwise in catalog order).

A domain's SLOs go to `<domain>.slos.rules.yml`, Sloth's three groups each (SLI recordings,
metadata, alerts; see metricsctl.slo); a gauge fed by one exporter gets an absent()
companion alert in the domain's group.

Everything else is taken as written: expressions byte for byte (multi-line ones as literal
blocks), annotations with their Go templates untouched.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator, Mapping

from metricsctl.catalog.memo import per_catalog
from metricsctl.catalog.model import Alert, Catalog, Domain, RecordingRule
from metricsctl.slo.absent_alerts import absent_alerts
from metricsctl.slo.rules import domain_slo_rule_groups
from metricsctl.targets.templating import spec_file
from metricsctl.targets.yaml_output import Commented, Node, dump_yaml

NAME = "prometheus-rules"
DESCRIPTION = "Prometheus alerting and recording rules, one file per domain"

RULES_DIRECTORY = "prometheus/rules"
# Domain names are identifiers (the schema enforces it); a name outside this shape never
# becomes a path, whatever the catalog says.
_SAFE_FILE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
# Names a PromQL expression may reference: metric names, including recording-rule outputs.
_IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_ANNOTATION_ORDER = ("summary", "description", "runbook_url")


def render(catalog: Catalog) -> dict[str, str]:
    """`prometheus/rules/<domain>.rules.yml` for every domain with alerts or recording rules.

    Rendered once per catalog and process: the `alert-tests` target reads these files too.
    """
    return dict(_rule_file_texts(catalog))


@per_catalog
def _rule_file_texts(catalog: Catalog) -> dict[str, str]:
    from metricsctl.targets.grafana import alert_panel_annotations

    alerts = [*catalog.alerts.values()]
    alerts.extend(alert for domain in domains_with_rules(catalog)
                  for alert in absent_alerts(catalog, domain.name))
    alerts.extend(item.alert for domain in domains_with_slos(catalog)
                  for slo in domain_slo_rule_groups(catalog, domain.name) for item in slo.alerts)
    panels = alert_panel_annotations(catalog, alerts)
    files = {rule_file(domain.name): render_domain(catalog, domain, panels)
             for domain in domains_with_rules(catalog)}
    files.update((slo_rule_file(domain.name), render_domain_slos(catalog, domain, panels))
                 for domain in domains_with_slos(catalog))
    return dict(sorted(files.items()))


def rule_files(catalog: Catalog) -> list[str]:
    """Every rule file `render` writes, sorted (the order prometheus.yml lists them in)."""
    files = [rule_file(domain.name) for domain in domains_with_rules(catalog)]
    files.extend(slo_rule_file(domain.name) for domain in domains_with_slos(catalog))
    return sorted(files)


def domains_with_rules(catalog: Catalog) -> list[Domain]:
    """The domains that get a rule file, sorted by name."""
    with_rules = {rule.domain for rule in catalog.recording_rules.values()}
    with_rules.update(alert.domain for alert in catalog.alerts.values())
    return [catalog.domains[name] for name in sorted(with_rules)]


def domains_with_slos(catalog: Catalog) -> list[Domain]:
    """The domains that get an SLO rule file, sorted by name."""
    return [catalog.domains[name] for name in sorted({s.domain for s in catalog.slos.values()})]


def rule_file(domain: str) -> str:
    """The rule file of a domain, relative to the output directory."""
    return f"{RULES_DIRECTORY}/{rule_file_name(domain)}"


def rule_file_name(domain: str) -> str:
    """`<domain>.rules.yml`; ValueError for a name that could not be a plain file name."""
    if not _SAFE_FILE_STEM.fullmatch(domain):
        raise ValueError(f"domain name {domain!r} cannot name a rule file")
    return f"{domain}.rules.yml"


def slo_rule_file(domain: str) -> str:
    """The SLO rule file of a domain (Sloth's groups), relative to the output directory."""
    return f"{RULES_DIRECTORY}/{rule_file_name(domain).removesuffix('.rules.yml')}.slos.rules.yml"


def render_domain(catalog: Catalog, domain: Domain,
                  panels: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The rule file text of one domain; `panels`: Grafana's `__dashboardUid__` and
    `__panelId__` annotations by alert name (grafana.alert_panel_annotations)."""
    rules: list[Node] = [_recording_rule(rule) for rule in
                         ordered_recording_rules(catalog.recording_rules_in(domain.name))]
    rules.extend(_alert(alert, (panels or {}).get(alert.name, {}) if alert.panel_link else {})
                 for alert in [*catalog.alerts_in(domain.name),
                               *absent_alerts(catalog, domain.name)])
    group: dict[str, Node] = {"name": domain.rule_group_name or domain.name}
    if domain.rule_group_interval is not None:
        group["interval"] = domain.rule_group_interval
    if domain.rule_group_limit is not None:
        group["limit"] = domain.rule_group_limit
    if domain.rule_group_query_offset is not None:
        group["query_offset"] = domain.rule_group_query_offset
    group["rules"] = rules
    source = spec_file(catalog, domain.file)
    header = (f"Generated by metricsctl from {source} (domain {domain.name}). "
              "Do not edit by hand:\nchange the catalog and run `metricsctl generate`.")
    return dump_yaml({"groups": [group]}, header=header)


def render_domain_slos(catalog: Catalog, domain: Domain,
                       panels: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The SLO rule file text of one domain: Sloth's three groups per SLO."""
    source = spec_file(catalog, domain.file)
    header = (f"Generated by metricsctl from the SLOs of {source} (domain {domain.name}). "
              "Do not edit by hand:\nchange the catalog and run `metricsctl generate`.")
    return dump_yaml({"groups": list(_slo_groups(catalog, domain, panels or {}))},
                     header=header)


def _slo_groups(catalog: Catalog, domain: Domain,
                panels: Mapping[str, Mapping[str, str]]) -> Iterator[dict[str, Node]]:
    """Sloth's three groups per SLO: SLI recordings, metadata recordings, alerts."""
    for slo in domain_slo_rule_groups(catalog, domain.name):
        contents: list[list[Node]] = [
            [_recording_rule(rule) for rule in slo.sli],
            [_recording_rule(rule) for rule in slo.metadata],
            [_alert(item.alert, panels.get(item.alert.name, {})) for item in slo.alerts]]
        for name, rules in zip(slo.group_names, contents, strict=True):
            group: dict[str, Node] = {"name": name}
            if domain.rule_group_interval is not None:
                group["interval"] = domain.rule_group_interval
            group["rules"] = rules
            yield group


def ordered_recording_rules(rules: Iterable[RecordingRule]) -> list[RecordingRule]:
    """Rules in catalog order, except that a rule follows the rules it reads.

    Rules that read each other in a cycle keep their catalog order.
    """
    rules = list(rules)
    index = {rule.name: position for position, rule in enumerate(rules)}
    reads = [{index[name] for name in _IDENTIFIER.findall(rule.expr)
              if name in index and name != rule.name} for rule in rules]
    readers: list[list[int]] = [[] for _ in rules]
    for reader, sources in enumerate(reads):
        for source in sources:
            readers[source].append(reader)
    waiting = [len(sources) for sources in reads]
    ready = [position for position, count in enumerate(waiting) if count == 0]
    heapq.heapify(ready)
    ordered: list[int] = []
    placed: set[int] = set()
    while len(ordered) < len(rules):
        if not ready:  # a cycle: release the earliest rule still waiting
            ready.append(min(p for p in range(len(rules)) if p not in placed))
        position = heapq.heappop(ready)
        if position in placed:
            continue
        ordered.append(position)
        placed.add(position)
        for reader in readers[position]:
            waiting[reader] -= 1
            if waiting[reader] == 0:
                heapq.heappush(ready, reader)
    return [rules[position] for position in ordered]


def _recording_rule(rule: RecordingRule) -> Node:
    entry: dict[str, Node] = {"record": rule.name, "expr": rule.expr}
    if rule.labels:
        entry["labels"] = dict(sorted(rule.labels.items()))
    # Recording rules have no annotations; the description survives as a comment.
    return Commented(rule.description, entry) if rule.description else entry


def _alert(alert: Alert, panel: Mapping[str, str]) -> Node:
    entry: dict[str, Node] = {"alert": alert.name, "expr": alert.expr}
    if alert.for_ is not None:
        entry["for"] = alert.for_
    if alert.keep_firing_for is not None:
        entry["keep_firing_for"] = alert.keep_firing_for
    severity = {} if alert.severity is None else {"severity": alert.severity}
    labels = {**severity, **{k: v for k, v in sorted(alert.labels.items()) if k != "severity"}}
    if labels:
        entry["labels"] = labels
    annotations = {**alert_annotations(alert), **panel}
    if annotations:
        entry["annotations"] = annotations
    return entry


def alert_annotations(alert: Alert) -> dict[str, str]:
    """summary, description and runbook_url first, then the other annotations by name.

    The dedicated fields win over an entry of the same name under `annotations:`.
    """
    named = {"summary": alert.summary, "description": alert.description,
             "runbook_url": alert.runbook_url}
    merged = {**alert.annotations, **{k: v for k, v in named.items() if v is not None}}
    ordered = {key: merged[key] for key in _ANNOTATION_ORDER if key in merged}
    ordered.update(sorted((k, v) for k, v in merged.items() if k not in ordered))
    return ordered
