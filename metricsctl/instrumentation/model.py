"""The language-neutral instrumentation model and how it is derived from the catalog.

Everything here is a fact about the catalog that holds in every language: a template decides
only how to spell it. Names given here (`Helper.name`, `Enumeration.words`) are snake_case
suggestions; a target turns them into its language's identifiers and makes them unique.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from metricsctl.catalog.cardinality import DEFAULT_BUCKETS
from metricsctl.catalog.memo import per_catalog
from metricsctl.catalog.naming import ExposedSeries, MetricType

if TYPE_CHECKING:
    from metricsctl.catalog.model import Catalog, Label, Metric

LabelKind = Literal["bool", "enum", "str"]
Verb = Literal["inc", "dec", "set", "observe", "time", "record"]

BOOL_VALUES = frozenset({"true", "false"})
# A histogram `<event>_duration_seconds` also gets `record_<event>(labels, duration_seconds)`,
# which reads like the event it records: record_chat_completion(...).
RECORD_SUFFIX = "_duration_seconds"
RECORD_PARAMETER = "duration_seconds"
# The labels an HTTP server middleware fills in from each request.
HTTP_REQUEST_LABELS = ("method", "route", "status_code")
HTTP_REQUESTS_METRIC = "http_requests_total"
HTTP_DURATION_METRIC = "http_request_duration_seconds"

_VALUE_PARAMETERS: dict[str, str | None] = {
    "inc": "amount", "dec": "amount", "set": "value", "observe": "value", "time": None,
    "record": RECORD_PARAMETER,
}


def module_stem(project: str) -> str:
    """The module name for a project in any language: `ai-platform` -> `ai_platform_metrics`."""
    stem = re.sub(r"[^0-9A-Za-z_]", "_", project)
    if not stem or stem[0].isdigit():
        stem = f"m_{stem}"
    return f"{stem}_metrics"


def snake_identifier(name: str) -> str:
    """`name` with every character that cannot be in an identifier replaced by `_`."""
    return re.sub(r"\W", "_", name)


def words(name: str) -> tuple[str, ...]:
    """The words of a name, split at anything but letters and digits (`a:b_c` -> a, b, c)."""
    return tuple(part for part in re.split(r"[^0-9A-Za-z]+", name) if part)


@dataclass(frozen=True, slots=True)
class Enumeration:
    """One set of allowed values of a label (`method`: GET, POST...), in catalog order.

    `scope` is where it was first defined (`project`, a domain, or the metric's name for an
    inline label). `qualified` is true when the same label name is enumerated differently
    elsewhere, so that a type named after it must also name the scope (`OtherTypeValue`).
    """

    label: str
    values: tuple[str, ...]
    scope: str
    qualified: bool

    @property
    def words(self) -> tuple[str, ...]:
        """The words a type for these values is named from (scope first when qualified)."""
        return (*words(self.scope), *words(self.label)) if self.qualified else words(self.label)


@dataclass(frozen=True, slots=True)
class InstrumentedLabel:
    """A label of a metric: what values it takes and how a helper receives it.

    kind: `enum` (values listed: a closed type), `bool` (exactly true/false: a boolean
    rendered as "true"/"false"), or `str` (any text; `max_cardinality` bounds it when set).
    """

    name: str
    kind: LabelKind
    description: str
    values: tuple[str, ...] | None
    max_cardinality: int | None
    scope: str
    enumeration: Enumeration | None
    definition: Label

    @property
    def allowed(self) -> str:
        """What a caller may pass, in words (values are listed plainly, unquoted)."""
        if self.kind == "bool":
            return "true or false."
        if self.values is not None:
            return "one of " + ", ".join(self.values) + "."
        if self.max_cardinality is not None:
            return f"at most {self.max_cardinality} distinct values."
        return "unbounded: keep the number of distinct values small."


@dataclass(frozen=True, slots=True)
class Helper:
    """A function that records into one metric.

    verb: inc | dec | set | observe | time | record. `parameter` is the value it takes
    besides the labels (`amount` defaulting to 1, `value`, `duration_seconds`, or None for
    `time`, which measures a block of code); `name` a snake_case suggestion.
    """

    verb: Verb
    name: str
    parameter: str | None
    summary: str


@dataclass(frozen=True, slots=True)
class InstrumentedMetric:
    """One metric as instrumentation declares it."""

    name: str
    type: MetricType
    help: str
    description: str
    unit: str | None
    domain: str
    deprecated: bool
    deprecation_note: str
    series: ExposedSeries
    labels: tuple[InstrumentedLabel, ...]
    buckets: tuple[float, ...] | None  # histograms only: the catalog's or the default bounds
    helpers: tuple[Helper, ...]
    event: str | None  # `chat_completion` when the metric has a record helper
    metric: Metric

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    @property
    def finite_buckets(self) -> tuple[float, ...] | None:
        """The bucket bounds without +Inf (clients that always add it want these)."""
        if self.buckets is None:
            return None
        return tuple(bound for bound in self.buckets if bound != float("inf"))

    @property
    def deprecation(self) -> str:
        """`Deprecated.` or `Deprecated: <note>` (empty when the metric is current)."""
        if not self.deprecated:
            return ""
        return "Deprecated" + (f": {self.deprecation_note}" if self.deprecation_note else ".")

    def helper(self, verb: str) -> Helper | None:
        return next((helper for helper in self.helpers if helper.verb == verb), None)


@dataclass(frozen=True, slots=True)
class HttpServerMetrics:
    """The catalog's HTTP server metrics, which a web framework middleware records.

    `requests` is the counter `http_requests_total` and `duration` the histogram or summary
    `http_request_duration_seconds`, each present only when its labels are among `method`,
    `route`, `status_code` (filled in from each request) and `fixed_labels` (labels the
    application passes once, e.g. `service`, when registering the middleware).
    """

    requests: InstrumentedMetric | None
    duration: InstrumentedMetric | None
    fixed_labels: tuple[InstrumentedLabel, ...]

    @property
    def metrics(self) -> tuple[InstrumentedMetric, ...]:
        return tuple(metric for metric in (self.requests, self.duration) if metric is not None)


@dataclass(frozen=True, slots=True)
class Instrumentation:
    """Everything a language template renders, derived from one catalog."""

    project: str
    description: str
    module: str  # `ai_platform_metrics`: a file or module name in most languages
    specs: tuple[str, ...]  # the catalog's files, relative to its directory
    metrics: tuple[InstrumentedMetric, ...]  # in catalog order
    enumerations: tuple[Enumeration, ...]  # in order of first use
    http_server: HttpServerMetrics

    @property
    def metric_types(self) -> tuple[MetricType, ...]:
        """The metric types in use, in the order counter, gauge, histogram, summary."""
        used = {metric.type for metric in self.metrics}
        return tuple(kind for kind in MetricType if kind in used)

    def metric(self, name: str) -> InstrumentedMetric | None:
        return next((metric for metric in self.metrics if metric.name == name), None)


def label_kind(label: Label) -> LabelKind:
    if label.values is None:
        return "str"
    return "bool" if set(label.values) == BOOL_VALUES else "enum"


def verbs(metric: Metric) -> tuple[Verb, ...]:
    """The helper verbs of a metric, by type (`time` for second-valued distributions)."""
    if metric.type is MetricType.COUNTER:
        return ("inc",)
    if metric.type is MetricType.GAUGE:
        return ("set", "inc", "dec")
    timed = metric.unit == "seconds" or metric.name.endswith("_seconds")
    result: tuple[Verb, ...] = ("observe", "time") if timed else ("observe",)
    if metric.type is MetricType.HISTOGRAM and metric.name.endswith(RECORD_SUFFIX):
        result += ("record",)
    return result


def _summary(verb: Verb, metric: Metric) -> str:
    what = f"the {metric.type.value} {metric.name}"
    return {
        "inc": f"Add `amount` (default 1) to {what}",
        "dec": f"Subtract `amount` (default 1) from {what}",
        "set": f"Set {what} to `value`",
        "observe": f"Observe `value` in {what}",
        "time": f"Observe the seconds a piece of work takes in {what}",
        "record": f"Record one event that took `{RECORD_PARAMETER}` in {what}",
    }[verb]


def _helpers(metric: Metric) -> tuple[Helper, ...]:
    helpers = []
    for verb in verbs(metric):
        if verb == "record":
            name = f"record_{snake_identifier(metric.name.removesuffix(RECORD_SUFFIX))}"
        else:
            name = f"{verb}_{snake_identifier(metric.name)}"
        helpers.append(Helper(verb, name, _VALUE_PARAMETERS[verb], _summary(verb, metric)))
    return tuple(helpers)


def _enumerations(metrics: list[Metric]) -> dict[tuple[str, tuple[str, ...]], Enumeration]:
    """One enumeration per distinct (label name, values), in order of first use."""
    first_seen: dict[tuple[str, tuple[str, ...]], str] = {}
    for metric in metrics:
        for label in metric.labels:
            if label_kind(label) == "enum" and label.values is not None:
                scope = metric.name if label.scope == "metric" else label.scope
                first_seen.setdefault((label.name, label.values), scope)
    variants: dict[str, int] = {}
    for label_name, _ in first_seen:
        variants[label_name] = variants.get(label_name, 0) + 1
    return {(label_name, values): Enumeration(label_name, values, scope,
                                              variants[label_name] > 1)
            for (label_name, values), scope in first_seen.items()}


def _http_server(metrics: tuple[InstrumentedMetric, ...]) -> HttpServerMetrics:
    def usable(name: str, types: tuple[MetricType, ...]) -> InstrumentedMetric | None:
        metric = next((m for m in metrics if m.name == name and m.type in types), None)
        if metric is None or any(label.kind == "bool" for label in metric.labels
                                 if label.name in HTTP_REQUEST_LABELS):
            return None
        return metric

    requests = usable(HTTP_REQUESTS_METRIC, (MetricType.COUNTER,))
    duration = usable(HTTP_DURATION_METRIC, (MetricType.HISTOGRAM, MetricType.SUMMARY))
    fixed: dict[str, InstrumentedLabel] = {}
    for metric in (requests, duration):
        for label in metric.labels if metric is not None else ():
            if label.name not in HTTP_REQUEST_LABELS:
                fixed.setdefault(label.name, label)
    return HttpServerMetrics(requests, duration, tuple(fixed.values()))


@per_catalog  # one model for the python and typescript targets and every user template
def build_instrumentation(catalog: Catalog) -> Instrumentation:
    """The instrumentation model of `catalog` (immutable; built once per catalog)."""
    from metricsctl.targets.templating import spec_files

    metrics = list(catalog.metrics.values())
    enumerations = _enumerations(metrics)
    instrumented = []
    for metric in metrics:
        labels = []
        for label in metric.labels:
            kind = label_kind(label)
            enumeration = enumerations[(label.name, label.values)] if (
                kind == "enum" and label.values is not None) else None
            labels.append(InstrumentedLabel(label.name, kind, label.description, label.values,
                                            label.max_cardinality, label.scope, enumeration,
                                            label))
        buckets = None
        if metric.type is MetricType.HISTOGRAM:
            buckets = tuple(float(b) for b in (metric.buckets or DEFAULT_BUCKETS))
        helpers = _helpers(metric)
        event = (metric.name.removesuffix(RECORD_SUFFIX)
                 if any(helper.verb == "record" for helper in helpers) else None)
        instrumented.append(InstrumentedMetric(
            metric.name, metric.type, metric.help, metric.description, metric.unit,
            metric.domain, metric.deprecated, metric.deprecation_note, metric.series,
            tuple(labels), buckets, helpers, event, metric))
    result = tuple(instrumented)
    project = catalog.project
    return Instrumentation(project.name, project.description, module_stem(project.name),
                           tuple(spec_files(catalog)), result, tuple(enumerations.values()),
                           _http_server(result))
