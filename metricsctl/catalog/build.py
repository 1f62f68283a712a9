"""Build the model from parsed documents, reporting what only makes sense across entries.

The schema has already reported every shape error, so the builder reads defensively: a value
of the wrong type is treated as absent and the entry is still built, so semantic checks run
on everything else in the same run.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from metricsctl.catalog.model import (
    DEFAULT_REQUIRED_ANNOTATIONS,
    DEFAULT_SEVERITIES,
    Alert,
    Catalog,
    Dashboard,
    Domain,
    Folder,
    Grid,
    Label,
    LintSettings,
    Metric,
    Panel,
    Project,
    Query,
    RecordingRule,
    Row,
    ScrapeJob,
    SliSelector,
    Slo,
    SloAlerting,
    SourceRef,
    TemplateDir,
    Threshold,
    Variable,
)
from metricsctl.catalog.naming import MetricType, reserved_label_problem
from metricsctl.catalog.yaml_source import PathKey, SourceDocument
from metricsctl.diagnostics import Diagnostic, Location, Severity

T = TypeVar("T")


def _get(data: Any, key: str, kind: type[T] | tuple[type, ...], default: Any = None) -> Any:
    """data[key] when data is a mapping and the value has the expected type."""
    if not isinstance(data, dict):
        return default
    value = data.get(key, default)
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        return default
    return value if isinstance(value, kind) else default


def _entries(data: Any, key: str) -> list[tuple[str, Any]]:
    section = _get(data, key, dict, {})
    return list(section.items())


def _text(value: Any, written: str | None = None) -> str:
    """A label value as Prometheus sees it: booleans lower-case, numbers as written.

    `written` is the number's source text: YAML would read `010` as 8 and `1.50` as 1.5.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if written is not None and isinstance(value, int | float):
        return written
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _string_map(document: SourceDocument, path: PathKey, data: Any) -> dict[str, str]:
    """A mapping of label values (alert labels, scrape labels...) as text."""
    if not isinstance(data, dict):
        return {}
    return {str(k): _text(v, document.numbers.get((*path, k))) for k, v in data.items()
            if isinstance(v, str | int | float | bool)}


def _lint_disable(data: Any) -> frozenset[str]:
    lint = _get(data, "lint", dict, {})
    return frozenset(str(rule) for rule in _get(lint, "disable", list, []) if isinstance(rule, str))


def _template_dir_problem(root: Path, written: str) -> tuple[str | None, Path]:
    """(why `written` cannot be a template directory, or None; its resolved path)."""
    given = Path(written)
    if given.is_absolute():
        return f"`{written}` is absolute; give it relative to the catalog directory", given
    path = (root / given).resolve()
    if not path.is_relative_to(root):
        return f"`{written}` is outside the catalog directory", path
    if (root / given).is_symlink() or not path.is_dir():
        return f"`{written}` is not a directory in the catalog directory", path
    for directory, subdirectories, files in os.walk(path):
        for name in sorted([*subdirectories, *files]):
            entry = Path(directory) / name
            if entry.is_symlink():
                return (f"`{entry.relative_to(root).as_posix()}` is a symbolic link; template "
                        "directories hold regular files only"), path
            if name in files and not entry.is_file():
                return (f"`{entry.relative_to(root).as_posix()}` is not a regular file"), path
    return None, path


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _grid(data: Any) -> Grid | None:
    """An explicit gridPos {x, y, w, h}, when all four are integers."""
    parts = [_get(data, key, int) for key in ("x", "y", "w", "h")]
    if any(part is None for part in parts):
        return None
    x, y, w, h = parts
    return Grid(x, y, w, h)


@dataclass
class CatalogBuilder:
    root: Path
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Metrics written in the catalog but too broken to build (their own error is reported):
    # references to them are not "unknown metric" too.
    unbuilt_metrics: set[str] = field(default_factory=set)

    def error(self, code: str, message: str, location: Location, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, Severity.ERROR, message, location, hint=hint))

    # -- project -----------------------------------------------------------------------------

    def project(self, document: SourceDocument) -> Project:
        data = document.data if isinstance(document.data, dict) else {}
        source = SourceRef(document, ())
        defaults = _get(data, "defaults", dict, {})
        grafana = _get(data, "grafana", dict, {})
        lint = _get(data, "lint", dict, {})
        cardinality = _get(lint, "cardinality", dict, {})
        folders = {
            uid: Folder(uid, _get(spec, "title", str, uid),
                        SourceRef(document, ("grafana", "folders", uid)), _get(spec, "parent", str))
            for uid, spec in _entries(grafana, "folders")
        }
        severities = tuple(s for s in _get(data, "severities", list, []) if isinstance(s, str))
        required = tuple(a for a in _get(lint, "required_annotations", list,
                                         list(DEFAULT_REQUIRED_ANNOTATIONS)) if isinstance(a, str))
        return Project(
            name=_get(data, "project", str, "unnamed"),
            source=source,
            description=_get(data, "description", str, ""),
            scrape_interval=_get(defaults, "scrape_interval", str, "15s"),
            scrape_timeout=_get(defaults, "scrape_timeout", str, "10s"),
            evaluation_interval=_get(defaults, "evaluation_interval", str, "15s"),
            datasource=_get(defaults, "datasource", str, "prometheus"),
            severities=severities or DEFAULT_SEVERITIES,
            labels=self.label_definitions(document, ("labels",), "project"),
            grafana_url=_get(grafana, "url", str),
            folder=_get(grafana, "folder", str),
            folders=folders,
            scrape_jobs=self.scrape_jobs(document, data),
            alertmanagers=tuple(t for t in _get(data, "alertmanagers", list, [])
                                if isinstance(t, str)),
            external_labels=_string_map(document, ("external_labels",),
                                        _get(data, "external_labels", dict, {})),
            lint=LintSettings(
                # YAML 1.1 reads an unquoted `off` as false: both disable the rule.
                rules={k: "off" if v is False else v
                       for k, v in _get(lint, "rules", dict, {}).items()
                       if isinstance(v, str) or v is False},
                required_annotations=required,
                metric_budget=_get(cardinality, "metric_budget", int, 10_000),
                total_budget=_get(cardinality, "total_budget", int, 100_000),
            ),
            templates=self.template_dirs(document, data),
        )

    def template_dirs(self, document: SourceDocument, data: Any) -> tuple[TemplateDir, ...]:
        """User template directories: inside the catalog directory, regular files only."""
        from metricsctl.generation.paths import UnsafePathError, check_relative_path

        root = self.root.resolve()
        result = []
        for index, spec in enumerate(_get(data, "templates", list, [])):
            source = SourceRef(document, ("templates", index))
            written, out = _get(spec, "dir", str), _get(spec, "out", str)
            if written is None or out is None:
                continue  # the schema reported it
            try:
                check_relative_path(out)
            except UnsafePathError as error:
                self.error("catalog/template-out", f"`out` {out!r} is not usable: {error}",
                           source.field("out"), hint="a directory inside the output "
                           "directory, e.g. `go` or `wiki/metrics`")
                continue
            problem, path = _template_dir_problem(root, written)
            if problem is not None:
                self.error("catalog/template-dir", problem, source.field("dir"),
                           hint="template directories are inside the catalog directory and "
                                "hold regular files only")
                continue
            result.append(TemplateDir(written, path, out, source))
        return tuple(result)

    def scrape_jobs(self, document: SourceDocument, data: Any) -> tuple[ScrapeJob, ...]:
        jobs = []
        for index, spec in enumerate(_get(data, "scrape", list, [])):
            name = _get(spec, "job", str)
            if name is None:
                continue
            jobs.append(ScrapeJob(
                name=name,
                targets=tuple(t for t in _get(spec, "targets", list, []) if isinstance(t, str)),
                source=SourceRef(document, ("scrape", index)),
                labels=_string_map(document, ("scrape", index, "labels"),
                                   _get(spec, "labels", dict, {})),
                metrics_path=_get(spec, "metrics_path", str, "/metrics"),
                scheme=_get(spec, "scheme", str, "http"),
                interval=_get(spec, "interval", str),
                timeout=_get(spec, "timeout", str),
                honor_labels=_get(spec, "honor_labels", bool, False),
            ))
        return tuple(jobs)

    # -- labels ------------------------------------------------------------------------------

    def label_definitions(self, document: SourceDocument, path: PathKey,
                          scope: str) -> dict[str, Label]:
        section = document.data
        for part in path:
            section = _get(section, str(part), dict, {})
        return {name: self.label(document, (*path, name), name, spec, scope)
                for name, spec in section.items()}

    def label(self, document: SourceDocument, path: PathKey, name: str, spec: Any,
              scope: str) -> Label:
        source = SourceRef(document, path)
        raw_values = _get(spec, "values", list)
        values: tuple[str, ...] | None = None
        if raw_values is not None:
            values = tuple(_text(v, document.numbers.get((*path, "values", i)))
                           for i, v in enumerate(raw_values)
                           if isinstance(v, str | int | float | bool))
            seen: set[str] = set()
            for index, value in enumerate(values):
                if value in seen:
                    self.error("catalog/duplicate-value",
                               f"label `{name}` lists the value `{value}` twice",
                               source.field("values", index))
                seen.add(value)
        bound = _get(spec, "max_cardinality", int)
        if values is not None and bound is not None and bound < len(values):
            self.error("catalog/invalid-value",
                       f"label `{name}` lists {len(values)} values but max_cardinality is {bound}",
                       source.field("max_cardinality"),
                       "drop max_cardinality: the values already bound the label")
        return Label(name=name, scope=scope, source=source,
                     description=_get(spec, "description", str, ""), values=values,
                     max_cardinality=bound, lint_disable=_lint_disable(spec),
                     alert_dimension=_get(spec, "alert_dimension", bool, False))

    def metric_labels(self, document: SourceDocument, path: PathKey, items: list[Any],
                      domain: Domain, project: Project) -> tuple[Label, ...]:
        labels: list[Label] = []
        for index, item in enumerate(items):
            item_path = (*path, index)
            if isinstance(item, dict):
                name = _get(item, "name", str)
                if name is not None:
                    labels.append(self.label(document, item_path, name, item, "metric"))
                continue
            if not isinstance(item, str):
                continue
            definition = domain.labels.get(item) or project.labels.get(item)
            if definition is None and reserved_label_problem(item):
                self.error("catalog/reserved-label",
                           f"label `{item}` cannot be used: {reserved_label_problem(item)}",
                           document.locate(item_path), "choose another name")
                continue
            if definition is None:
                known = sorted({*domain.labels, *project.labels})
                close = difflib.get_close_matches(item, known, n=1, cutoff=0.6)
                hint = (f"did you mean `{close[0]}`?" if close else
                        f"define it under `labels:` in {document.path} or in the project file")
                self.error("catalog/unknown-label", f"label `{item}` is not defined",
                           document.locate(item_path), hint)
                continue
            labels.append(definition)
        return tuple(labels)

    # -- domains -----------------------------------------------------------------------------

    def domain(self, document: SourceDocument) -> Domain:
        data = document.data
        name = _get(data, "domain", str, Path(document.path).stem)
        group = _get(data, "rule_group", dict, {})
        return Domain(
            name=name,
            source=SourceRef(document, ("domain",)),
            title=_get(data, "title", str, name),
            description=_get(data, "description", str, ""),
            owner=_get(data, "owner", str),
            labels=self.label_definitions(document, ("labels",), name),
            rule_group_interval=_get(group, "interval", str),
            rule_group_limit=_get(group, "limit", int),
            rule_group_name=_get(group, "name", str),
            rule_group_query_offset=_get(group, "query_offset", str),
        )

    def metrics(self, document: SourceDocument, domain: Domain,
                project: Project) -> list[Metric]:
        result = []
        for name, spec in _entries(document.data, "metrics"):
            type_name = _get(spec, "type", str)
            if type_name not in {t.value for t in MetricType}:
                self.unbuilt_metrics.add(name)
                continue
            path = ("metrics", name)
            deprecated = _get(spec, "deprecated", (bool, str), False)
            renamed = _get(spec, "renamed_from", (str, list), [])
            buckets = _get(spec, "buckets", list)
            result.append(Metric(
                name=name,
                type=MetricType(type_name),
                help=_get(spec, "help", str, ""),
                domain=domain.name,
                source=SourceRef(document, path),
                unit=_get(spec, "unit", str),
                description=_get(spec, "description", str, ""),
                labels=self.metric_labels(document, (*path, "labels"),
                                          _get(spec, "labels", list, []), domain, project),
                buckets=(tuple(b for b in (_number(v) for v in buckets) if b is not None)
                         if buckets is not None else None),
                owner=_get(spec, "owner", str, domain.owner),
                deprecated=bool(deprecated),
                deprecation_note=deprecated if isinstance(deprecated, str) else "",
                renamed_from=tuple(r for r in ([renamed] if isinstance(renamed, str) else renamed)
                                   if isinstance(r, str)),
                lint_disable=_lint_disable(spec),
                type_inferred=_get(spec, "inferred", bool, False),
                total_suffix=_get(spec, "total_suffix", bool, True),
            ))
        return result

    def recording_rules(self, document: SourceDocument, domain: Domain) -> list[RecordingRule]:
        return [
            RecordingRule(name=_get(spec, "record", str, name), expr=expr, domain=domain.name,
                          source=SourceRef(document, ("recording_rules", name)),
                          labels=_string_map(document, ("recording_rules", name, "labels"),
                                             _get(spec, "labels", dict, {})),
                          description=_get(spec, "description", str, ""),
                          lint_disable=_lint_disable(spec), key=name)
            for name, spec in _entries(document.data, "recording_rules")
            if (expr := _get(spec, "expr", str)) is not None
        ]

    def alerts(self, document: SourceDocument, domain: Domain) -> list[Alert]:
        result = []
        for name, spec in _entries(document.data, "alerts"):
            expr = _get(spec, "expr", str)
            if expr is None:
                continue
            annotations = _get(spec, "annotations", dict, {})
            result.append(Alert(
                name=_get(spec, "alert", str, name), expr=expr, domain=domain.name,
                severity=_get(spec, "severity", str),
                source=SourceRef(document, ("alerts", name)),
                for_=_get(spec, "for", str),
                keep_firing_for=_get(spec, "keep_firing_for", str),
                summary=_get(spec, "summary", str),
                description=_get(spec, "description", str),
                runbook_url=_get(spec, "runbook_url", str),
                labels=_string_map(document, ("alerts", name, "labels"),
                                   _get(spec, "labels", dict, {})),
                annotations={k: v for k, v in annotations.items() if isinstance(v, str)},
                lint_disable=_lint_disable(spec), key=name,
                absent_companion=_get(spec, "absent", bool, True),
                panel_link=_get(spec, "panel_link", bool, True),
                tests=tuple(t for t in _get(spec, "tests", list, []) if isinstance(t, dict)),
            ))
        return result

    # -- SLOs --------------------------------------------------------------------------------

    def slos(self, document: SourceDocument, domain: Domain) -> list[Slo]:
        result = []
        for name, spec in _entries(document.data, "slos"):
            path = ("slos", name)
            objective = _number(_get(spec, "objective", (int, float)))
            sli = _get(spec, "sli", dict, {})
            if objective is None or not sli:
                continue
            alerting = _get(spec, "alerting", dict, {})
            latency = _get(sli, "latency", dict)
            threshold = _number(_get(latency, "threshold", (int, float)))
            min_traffic = _number(_get(alerting, "min_traffic", (int, float)))
            service = _get(spec, "service", str, domain.name)
            base = "".join(part.capitalize() for part in
                           f"{service}_{name}".replace("-", "_").split("_"))
            result.append(Slo(
                name=name, domain=domain.name, service=service,
                source=SourceRef(document, path),
                objective=document.numbers.get((*path, "objective"), _text(objective)),
                window=_get(spec, "window", str, "30d"),
                description=_get(spec, "description", str, ""),
                owner=_get(spec, "owner", str, domain.owner),
                labels=_string_map(document, (*path, "labels"), _get(spec, "labels", dict, {})),
                errors=self.sli_selector(document, path, ("sli", "errors"), sli),
                good=self.sli_selector(document, path, ("sli", "good"), sli),
                total=self.sli_selector(document, path, ("sli", "total"), sli),
                latency=(self.sli_selector(document, path, ("sli", "latency", "metric"), latency)
                         if latency is not None else None),
                threshold=(document.numbers.get((*path, "sli", "latency", "threshold"),
                                                _text(threshold))
                           if threshold is not None else None),
                by=tuple(b for b in _get(spec, "by", list, []) if isinstance(b, str)),
                page=self.slo_alerting(alerting, "page", f"{base}BurnRatePage", "critical"),
                ticket=self.slo_alerting(alerting, "ticket", f"{base}BurnRateTicket", "warning"),
                runbook_url=_get(alerting, "runbook_url", str),
                annotations={k: v for k, v in _get(alerting, "annotations", dict, {}).items()
                             if isinstance(v, str)},
                min_traffic=(document.numbers.get((*path, "alerting", "min_traffic"),
                                                  _text(min_traffic))
                             if min_traffic is not None else None),
            ))
        return result

    def sli_selector(self, document: SourceDocument, slo_path: PathKey,
                     sub: tuple[str, ...], data: Any) -> SliSelector | None:
        from metricsctl.slo.selectors import SelectorError, parse_selector

        text = _get(data, sub[-1], str)
        if text is None:
            return None
        parsed = parse_selector(text)
        if isinstance(parsed, SelectorError):
            self.error("slo/invalid-selector", parsed.message,
                       document.locate_in_scalar((*slo_path, *sub), parsed.offset))
            return None
        series, matchers = parsed
        return SliSelector(series, matchers, sub)

    @staticmethod
    def slo_alerting(alerting: Any, key: str, name: str, severity: str) -> SloAlerting:
        spec = _get(alerting, key, dict, {})
        return SloAlerting(_get(spec, "name", str, name), _get(spec, "severity", str, severity),
                           _get(spec, "for", str))

    # -- dashboards --------------------------------------------------------------------------

    def dashboards(self, document: SourceDocument, domain: Domain,
                   project: Project) -> list[Dashboard]:
        result = []
        for uid, spec in _entries(document.data, "dashboards"):
            path = ("dashboards", uid)
            title = _get(spec, "title", str)
            if title is None:
                continue
            rows = []
            for index, row in enumerate(_get(spec, "rows", list, [])):
                row_title = _get(row, "title", str)
                if row_title is None:
                    continue
                row_path = (*path, "rows", index)
                rows.append(Row(row_title, SourceRef(document, row_path),
                                self.panels(document, (*row_path, "panels"), row),
                                _get(row, "collapsed", bool, False)))
            result.append(Dashboard(
                uid=uid, title=title, domain=domain.name, source=SourceRef(document, path),
                description=_get(spec, "description", str, ""),
                folder=_get(spec, "folder", str, project.folder),
                tags=tuple(t for t in _get(spec, "tags", list, []) if isinstance(t, str)),
                refresh=_get(spec, "refresh", str),
                time_from=_get(spec, "time_from", str, "now-6h"),
                variables=self.variables(document, (*path, "variables"), spec),
                panels=self.panels(document, (*path, "panels"), spec),
                rows=tuple(rows),
                grafana=_get(spec, "grafana", dict, {}),
                lint_disable=_lint_disable(spec),
                as_written=_get(spec, "as_written", bool, False),
            ))
        return result

    def variables(self, document: SourceDocument, path: PathKey,
                  spec: Any) -> tuple[Variable, ...]:
        result = []
        for index, item in enumerate(_get(spec, "variables", list, [])):
            source = SourceRef(document, (*path, index))
            if isinstance(item, str):
                result.append(Variable(name=item, label=item, source=source))
                continue
            label = _get(item, "label", str)
            grafana = _get(item, "grafana", dict, {})
            # Without a label, the variable is verbatim Grafana JSON named by either.
            name = _get(item, "name", str, label) or _get(grafana, "name", str)
            if name is None:
                continue
            result.append(Variable(
                name=name, label=label, source=source,
                title=_get(item, "title", str), metric=_get(item, "metric", str),
                multi=_get(item, "multi", bool, True),
                include_all=_get(item, "include_all", bool, True), grafana=grafana))
        return tuple(result)

    def panels(self, document: SourceDocument, path: PathKey, spec: Any) -> tuple[Panel, ...]:
        result = []
        for index, item in enumerate(_get(spec, "panels", list, [])):
            title = _get(item, "title", str)
            if title is None:
                continue
            panel_path = (*path, index)
            queries: list[Query] = []
            expr = _get(item, "expr", str)
            if expr is not None:
                queries.append(Query(expr, SourceRef(document, panel_path),
                                     legend=_get(item, "legend", str)))
            for query_index, query in enumerate(_get(item, "queries", list, [])):
                query_expr = _get(query, "expr", str)
                if query_expr is None:
                    continue
                queries.append(Query(
                    query_expr, SourceRef(document, (*panel_path, "queries", query_index)),
                    legend=_get(query, "legend", str), instant=_get(query, "instant", bool, False),
                    format=_get(query, "format", str, "time_series"),
                    ref_id=_get(query, "ref_id", str)))
            quantiles = _get(item, "quantiles", list)
            thresholds = tuple(
                Threshold(color, _number(step.get("value")))
                for step in _get(item, "thresholds", list, [])
                if (color := _get(step, "color", str)) is not None)
            result.append(Panel(
                title=title,
                type=_get(item, "type", str, "text" if "content" in item else "timeseries"),
                source=SourceRef(document, panel_path),
                description=_get(item, "description", str, ""),
                queries=tuple(queries),
                metric=_get(item, "metric", str),
                by=tuple(b for b in _get(item, "by", list, []) if isinstance(b, str)),
                quantiles=(tuple(q for q in (_number(v) for v in quantiles) if q is not None)
                           if quantiles is not None else None),
                content=_get(item, "content", str),
                unit=_get(item, "unit", str),
                decimals=_get(item, "decimals", int),
                min=_number(item.get("min")),
                max=_number(item.get("max")),
                thresholds=thresholds,
                stack=_get(item, "stack", (bool, str), False),
                width=_get(item, "width", int),
                height=_get(item, "height", int),
                grid=_grid(_get(item, "grid", dict)),
                overrides=tuple(o for o in _get(item, "overrides", list, [])
                                if isinstance(o, dict)),
                grafana=_get(item, "grafana", dict, {}),
                lint_disable=_lint_disable(item),
                as_written=_get(item, "as_written", bool, False),
            ))
        return tuple(result)


class _Sourced(Protocol):
    @property
    def source(self) -> SourceRef: ...


S = TypeVar("S", bound=_Sourced)


def index_unique(builder: CatalogBuilder, kind: str, items: list[S],
                 key: Callable[[S], str]) -> dict[str, S]:
    """Entries by name; a name defined twice (across files) is an error at the second."""
    result: dict[str, S] = {}
    for item in items:
        name = key(item)
        if name in result:
            builder.error(f"catalog/duplicate-{kind}",
                          f"{kind.replace('-', ' ')} `{name}` is defined twice "
                          f"(first at {result[name].source.location})", item.source.location,
                          "names are unique across the whole catalog: rename or remove one")
            continue
        result[name] = item
    return result


def assemble(root: Path, project: Project, domains: list[Domain], metrics: list[Metric],
             rules: list[RecordingRule], alerts: list[Alert], dashboards: list[Dashboard],
             documents: dict[str, SourceDocument], builder: CatalogBuilder) -> Catalog:
    """The Catalog, with cross-file duplicates reported.

    SLOs are read here from their domains' documents, and each domain with SLOs gets its
    derived SLO dashboard beside the written ones (so every dashboard consumer sees it).
    """
    from metricsctl.slo.dashboard import slo_dashboards

    slos = index_unique(builder, "slo", [slo for domain in domains
                                         for slo in builder.slos(domain.source.document, domain)],
                        lambda s: s.id)
    dashboards = [*dashboards, *slo_dashboards(project, domains, list(slos.values()))]
    return Catalog(
        root=root,
        project=project,
        domains=index_unique(builder, "domain", domains, lambda d: d.name),
        metrics=index_unique(builder, "metric", metrics, lambda m: m.name),
        recording_rules=index_unique(builder, "recording-rule", rules, lambda r: r.key or r.name),
        alerts=index_unique(builder, "alert", alerts, lambda a: a.key or a.name),
        dashboards=index_unique(builder, "dashboard", dashboards, lambda d: d.uid),
        documents=documents,
        unbuilt_metrics=frozenset(builder.unbuilt_metrics),
        slos=slos,
    )
