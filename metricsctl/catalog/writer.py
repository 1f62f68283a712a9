"""Write catalog YAML the way a person would: block style, known keys in a fixed order,
quotes only where YAML needs them, and a comment above each entry saying where it came from.

Scalars go through the same emitter as the Prometheus targets (targets/yaml_output.py), so
a string reads back exactly as given (PromQL as literal blocks, `'{{ $labels.x }}'` quoted).
`metricsctl import` writes whole files with `render_domain_file`/`render_project_file` and
adds to existing ones with `entry_lines`, which keeps the rest of a file as its author wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from metricsctl.targets.yaml_output import Node, comment_lines, dump_yaml

INDENT = 2

# The order a person reads an entry in: what it is, then how it behaves, then the details.
FIELD_ORDER: dict[str, tuple[str, ...]] = {
    "domain": ("domain", "title", "description", "owner", "rule_group", "labels", "metrics",
               "recording_rules", "alerts", "dashboards"),
    "project": ("project", "description", "defaults", "severities", "labels", "grafana",
                "scrape", "alertmanagers", "external_labels", "lint"),
    "rule_group": ("name", "interval", "limit", "query_offset"),
    "metrics": ("type", "inferred", "total_suffix", "unit", "help", "description", "labels",
                "buckets", "owner", "deprecated", "renamed_from", "lint"),
    "labels": ("name", "description", "values", "max_cardinality", "alert_dimension", "lint"),
    "recording_rules": ("record", "expr", "labels", "description", "lint"),
    "alerts": ("alert", "expr", "for", "keep_firing_for", "severity", "summary", "description",
               "runbook_url", "labels", "annotations", "absent", "panel_link", "lint"),
    "dashboards": ("title", "description", "folder", "tags", "refresh", "time_from",
                   "as_written", "variables", "panels", "rows", "grafana", "lint"),
    "panels": ("title", "type", "description", "expr", "legend", "queries", "metric", "by",
               "quantiles", "content", "unit", "decimals", "min", "max", "thresholds", "stack",
               "width", "height", "grid", "overrides", "as_written", "grafana", "lint"),
    "rows": ("title", "collapsed", "panels"),
    "queries": ("expr", "legend", "ref_id", "instant", "format"),
    "scrape": ("job", "targets", "labels", "metrics_path", "scheme", "interval", "timeout",
               "honor_labels"),
}
# Which FIELD_ORDER applies to the items under a key (panels inside rows, queries in panels).
_NESTED = {"rule_group": "rule_group", "panels": "panels", "queries": "queries",
           "rows": "rows", "scrape": "scrape"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One keyed entry of a section (`metrics`, `alerts`...), with where it came from."""

    key: str
    body: Mapping[str, Node]
    comment: str = ""


def ordered(body: Mapping[str, Node], kind: str) -> dict[str, Node]:
    """`body` with the known fields of `kind` first, in reading order, then the rest as given.

    Verbatim Grafana JSON (`grafana:`, `overrides:`) keeps its own order.
    """
    order = FIELD_ORDER.get(kind, ())
    result: dict[str, Node] = {key: body[key] for key in order if key in body}
    result.update((key, value) for key, value in body.items() if key not in result)
    for key, value in result.items():
        nested = _NESTED.get(key)
        if nested is None:
            continue
        if isinstance(value, Mapping):
            result[key] = ordered(value, nested)
        elif isinstance(value, Sequence) and not isinstance(value, str):
            result[key] = [ordered(item, nested) if isinstance(item, Mapping) else item
                           for item in value]
    return result


def entry_lines(entry: Entry, section: str, indent: int = INDENT) -> list[str]:
    """The lines of one entry under its section key, its comment first."""
    pad = " " * indent
    lines = list(comment_lines(entry.comment, indent))
    text = dump_yaml({entry.key: ordered(entry.body, section)})
    lines.extend(pad + line if line else line for line in text.rstrip("\n").split("\n"))
    return lines


def _file(kind: str, header: str, settings: Mapping[str, Node],
          sections: Mapping[str, Sequence[Entry]]) -> str:
    lines = [f"# yaml-language-server: $schema=schema/{kind}.schema.json",
             *comment_lines(header, 0)]
    top = ordered(settings, kind)
    order = FIELD_ORDER[kind]
    keys = sorted({*top, *sections}, key=lambda k: order.index(k) if k in order else len(order))
    for key in keys:
        if key in sections:
            if not sections[key]:
                continue
            lines.append("")
            lines.append(f"{key}:")
            for entry in sections[key]:
                lines.extend(entry_lines(entry, key))
        else:
            block = dump_yaml({key: top[key]}).rstrip("\n").split("\n")
            if len(block) > 1:
                lines.append("")
            lines.extend(block)
    return "\n".join(lines) + "\n"


def render_domain_file(header: str, settings: Mapping[str, Node],
                       sections: Mapping[str, Sequence[Entry]]) -> str:
    """A whole domain file: `settings` (domain, title, rule_group...) then keyed sections."""
    return _file("domain", header, settings, sections)


def render_project_file(header: str, settings: Mapping[str, Node]) -> str:
    """A whole project file (metricsctl.yaml)."""
    return _file("project", header, settings, {})
