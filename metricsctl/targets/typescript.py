"""TypeScript instrumentation: one module per project over prom-client 15, for Node services.

`typescript/<project>_metrics.ts` declares every catalog metric on a dedicated `Registry`,
with typed helpers mirroring the Python module's (`incHttpRequestsTotal(labels, amount)`,
`recordChatCompletion({model, streaming}, seconds)`...): labels are one object whose
properties are all required, an enumerated label is a string-literal union of the catalog's
values (checked at run time too), a true/false label a boolean. The module also holds a
Fastify plugin that serves /metrics and records the catalog's HTTP server metrics; it is
typed structurally, so the module compiles without Fastify installed.

The facts come from the instrumentation model; this module only spells them in TypeScript.
All catalog text reaches the file through the `ts` (string literal) and `tsdoc` (comment
text) filters; identifiers are derived and checked here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from metricsctl.catalog.naming import MetricType
from metricsctl.instrumentation.identifiers import (
    IdentifierClaims,
    camel_case,
    pascal_case,
    upper_snake,
)
from metricsctl.instrumentation.model import (
    Enumeration,
    Helper,
    Instrumentation,
    InstrumentedLabel,
    InstrumentedMetric,
    build_instrumentation,
)
from metricsctl.targets.templating import render_instrumentation_template

if TYPE_CHECKING:
    from metricsctl.catalog.model import Catalog

NAME = "typescript"
DESCRIPTION = ("TypeScript instrumentation module (prom-client) with typed helpers and a "
               "Fastify plugin")
TEMPLATE = "typescript/metrics.ts.j2"

# ECMAScript reserved words and TypeScript's strict-mode and type-position keywords: none
# can name a variable, function or type.
_RESERVED = frozenset((
    "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default",
    "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for",
    "function", "if", "import", "in", "instanceof", "new", "null", "return", "super",
    "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with",
    "yield", "implements", "interface", "let", "package", "private", "protected", "public",
    "static", "any", "boolean", "never", "number", "object", "string", "symbol", "undefined",
    "unknown", "bigint", "arguments", "eval", "type",
))
# Names the module defines or imports itself.
_MODULE_NAMES = frozenset({
    "Counter", "Gauge", "Histogram", "Summary", "Registry", "Metric", "Server",
    "collectDefaultMetrics", "createServer", "globalRegistry", "registry", "registerOn",
    "registerDefault", "enableDefaultMetrics", "metricsText", "metricsContentType",
    "startMetricsServer", "fastifyMetrics", "FastifyMetricsOptions", "MetricsRequest",
    "MetricsReply", "MetricsApp", "enumLabel", "boolLabel", "warnDeprecated", "ALL_METRICS",
    "EXPOSED_ON", "WARNED", "defaultMetricsEnabled", "requestStarts", "process", "Symbol",
    "Object", "Set", "Map", "WeakMap", "Promise", "Error", "Number", "String", "ReadonlySet",
    "Record", "Readonly",
    # the helpers' parameters and locals, which must not shadow a metric
    "labels", "amount", "value", "durationSeconds", "end", "options",
})
_CLASSES = {MetricType.COUNTER: "Counter", MetricType.GAUGE: "Gauge",
            MetricType.HISTOGRAM: "Histogram", MetricType.SUMMARY: "Summary"}
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_DOC_WIDTH = 96


def output_path(instrumentation: Instrumentation) -> str:
    return f"typescript/{instrumentation.module}.ts"


_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
                   "\b": "\\b", "\f": "\\f", "\v": "\\v"}
# Quotes, backslashes, and anything outside printable ASCII is looked at one by one (most
# of it, like `é`, stays as written); U+2028 and U+2029 are line terminators in JavaScript.
# Written as the printable ASCII they exclude (the same as `[\\"\x00-\x1f\x7f-\U0010ffff]` and
# `[\x00-\x1f\x7f-\U0010ffff]`, which take milliseconds to compile on every run).
_STRING_SPECIALS = re.compile(r'[^ !#-\[\]-~]')
_COMMENT_SPECIALS = re.compile(r"[^ -~]")


def _unicode_escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\u{{{code:x}}}"


def _printable(char: str) -> bool:
    return char.isprintable() and not 0xD800 <= ord(char) <= 0xDFFF


def ts_string(text: str) -> str:
    """`text` as a double-quoted TypeScript string literal that evaluates to exactly `text`.

    Not a template literal, so `${` is plain text; lone surrogates are escaped (they cannot
    be written in UTF-8), as are control characters and line terminators.
    """
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        simple = _SIMPLE_ESCAPES.get(char)
        if simple is not None:
            return simple
        return char if _printable(char) else _unicode_escape(char)

    return '"' + _STRING_SPECIALS.sub(escape, text) + '"'


def ts_comment_text(text: str) -> str:
    """`text` safe inside a `/** */` comment: `*/` cannot close it, nothing breaks a line.

    Whitespace runs (newlines included) become one space; other unprintable characters are
    shown as `\\uXXXX`, so the comment still tells what the catalog says.
    """
    flat = " ".join(text.split())
    flat = _COMMENT_SPECIALS.sub(
        lambda match: match.group() if _printable(match.group())
        else _unicode_escape(match.group()), flat)
    return flat.replace("*/", "*\\/")


@lru_cache(maxsize=4096)  # a metric's help is in the comment of its constant and helpers
def ts_doc(text: str, indent: str = "") -> str:
    """Comment text wrapped into ` * ` lines of a JSDoc block (already escaped)."""
    prefix = f"{indent} * "
    lines: list[str] = []
    line = ""
    for word in ts_comment_text(text).split(" "):
        if line and len(prefix) + len(line) + 1 + len(word) > _DOC_WIDTH:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join((prefix + line).rstrip() for line in lines)


def ts_number(value: float) -> str:
    """A number literal in its shortest exact form (`0.05`, `1`)."""
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a finite bucket bound")
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def _property(name: str) -> str:
    return name if _IDENTIFIER.match(name) else ts_string(name)


def _access(name: str) -> str:
    return f".{name}" if _IDENTIFIER.match(name) else f"[{ts_string(name)}]"


def _names(taken: frozenset[str] = frozenset()) -> IdentifierClaims:
    return IdentifierClaims(taken, reserved=_RESERVED.__contains__,
                            valid=lambda name: _IDENTIFIER.match(name) is not None)


@dataclass(frozen=True, slots=True)
class UnionType:
    """`export type MethodValue = "GET" | "POST"` and the set checked at run time."""

    name: str
    constant: str
    enumeration: Enumeration


@dataclass(frozen=True, slots=True)
class TsLabel:
    """A label as a property of its metric's labels object."""

    label: InstrumentedLabel
    key: str  # the property name as written in an object type or literal
    access: str  # `.method`: reading it from the labels object
    type: str  # the property's type: a union's name, `boolean` or `string`
    union: UnionType | None

    @property
    def doc(self) -> str:
        """What the property takes, in words (raw text: escape with `tsdoc`)."""
        label = self.label
        if label.kind == "bool":
            allowed = "true or false."
        elif label.values is not None:
            allowed = "one of " + ", ".join(ts_string(value) for value in label.values) + "."
        else:
            allowed = label.allowed
        return f"{label.name}: {allowed} {label.description}".rstrip()


@dataclass(frozen=True, slots=True)
class TsHelper:
    """A model helper with its TypeScript name (`startTimer...` for the `time` verb)."""

    helper: Helper
    name: str
    doc: str  # the summary, raw text (escape with `tsdoc`)


@dataclass(frozen=True, slots=True)
class TsMetric:
    """One metric's declaration, labels type and helpers, with every identifier resolved."""

    metric: InstrumentedMetric
    constant: str
    class_name: str
    labels: tuple[TsLabel, ...]
    labels_type: str | None  # the interface of its labels object; None without labels
    label_values: str | None  # the function turning that object into prom-client's
    helpers: tuple[TsHelper, ...]
    buckets: tuple[str, ...] | None

    @property
    def label_names(self) -> str:
        """The type of prom-client's label names: a union of literals, or `string`."""
        return " | ".join(ts_string(label.label.name) for label in self.labels) or "string"

    @property
    def labels_argument(self) -> str:
        """The labels the helpers pass to prom-client: `httpRequestsTotalLabelValues(labels)`
        (empty without labels)."""
        return f"{self.label_values}(labels)" if self.label_values else ""

    def call(self, method: str, value: str) -> str:
        arguments = [a for a in (self.labels_argument, value) if a]
        return f"{self.constant}.{method}({', '.join(arguments)})"

    def signature(self, helper: TsHelper) -> str:
        parameters = [f"labels: {self.labels_type}"] if self.labels_type else []
        parameter = helper.helper.parameter
        if parameter == "amount":
            parameters.append("amount: number = 1")
        elif parameter is not None:
            parameters.append(f"{camel_case(parameter)}: number")
        return ", ".join(parameters)


@dataclass(frozen=True, slots=True)
class FixedLabel:
    """A label of the HTTP metrics that the application passes once (`options.labels`)."""

    label: TsLabel
    variable: str  # the plugin's local holding its checked value

    @property
    def check(self) -> str:
        """The expression reading and checking `options.labels.<label>`."""
        name, value = ts_string(self.label.label.name), f"options.labels{self.label.access}"
        if self.label.union is not None:
            return f'enumLabel("fastifyMetrics", {name}, {value}, {self.label.union.constant})'
        if self.label.label.kind == "bool":
            return f'boolLabel("fastifyMetrics", {name}, {value})'
        return value


@dataclass(frozen=True, slots=True)
class HttpRecording:
    """What the Fastify plugin records into one HTTP metric after each request."""

    metric: TsMetric
    method: str  # inc | observe
    labels: tuple[tuple[str, str], ...]  # (property, expression)
    checks: tuple[str, ...]  # conditions the request's label values must meet


@dataclass(frozen=True, slots=True)
class HttpPlugin:
    """How the Fastify plugin records the catalog's HTTP server metrics."""

    fixed_labels: tuple[FixedLabel, ...]
    recordings: tuple[HttpRecording, ...]

    @property
    def requests(self) -> TsMetric | None:
        return next((r.metric for r in self.recordings if r.method == "inc"), None)

    @property
    def duration(self) -> TsMetric | None:
        return next((r.metric for r in self.recordings if r.method == "observe"), None)


# The plugin's locals for the labels each request tells.
_REQUEST_VARIABLES = {"method": "_method", "route": "_route", "status_code": "_statusCode"}


def _http_plugin(instrumentation: Instrumentation, by_name: dict[str, TsMetric]) -> HttpPlugin:
    http = instrumentation.http_server
    fixed: dict[str, FixedLabel] = {}
    recordings = []
    for model, method in ((http.requests, "inc"), (http.duration, "observe")):
        if model is None:
            continue
        metric = by_name[model.name]
        labels, checks = [], []
        for label in metric.labels:
            name = label.label.name
            if name in _REQUEST_VARIABLES:
                variable = _REQUEST_VARIABLES[name]
                if label.union is not None:
                    checks.append(f"{label.union.constant}.has({variable})")
            else:
                if name not in fixed:
                    fixed[name] = FixedLabel(label, f"_fixed{len(fixed) + 1}")
                variable = fixed[name].variable
            labels.append((label.key, variable))
        recordings.append(HttpRecording(metric, method, tuple(labels), tuple(checks)))
    return HttpPlugin(tuple(fixed.values()), tuple(recordings))


@dataclass(frozen=True, slots=True)
class TsModule:
    """Everything the template renders besides the model (`ts` in the template)."""

    module: str
    project: str
    specs: tuple[str, ...]
    unions: tuple[UnionType, ...]
    metrics: tuple[TsMetric, ...]
    http: HttpPlugin

    @property
    def classes(self) -> list[str]:
        return sorted({metric.class_name for metric in self.metrics})

    @property
    def uses_bool(self) -> bool:
        return any(label.label.kind == "bool" for metric in self.metrics
                   for label in metric.labels)

    @property
    def uses_deprecation(self) -> bool:
        return any(metric.metric.deprecated for metric in self.metrics)

    @property
    def example(self) -> str:
        """A call of a helper with valid arguments, for the module comment."""
        live = [metric for metric in self.metrics if not metric.metric.deprecated]
        metric = next((m for m in live if m.labels), live[0] if live else None)
        if metric is None:
            return ""
        helper = metric.helpers[0]
        arguments = []
        if metric.labels:
            values = []
            for label in metric.labels:
                if label.label.kind == "bool":
                    value = "true"
                elif label.label.values:
                    value = ts_string(label.label.values[0])
                else:
                    value = ts_string("...")
                values.append(f"{label.key}: {value}")
            arguments.append("{ " + ", ".join(values) + " }")
        if helper.helper.parameter in ("value", "duration_seconds"):
            arguments.append("0.25" if metric.metric.type is not MetricType.GAUGE else "1")
        return f"{helper.name}({', '.join(arguments)});"


def _helper_doc(helper: Helper, metric: InstrumentedMetric) -> str:
    if helper.verb == "time":
        return (f"Start timing in the {metric.type.value} {metric.name} (the returned "
                "function observes the seconds since and returns them)")
    if helper.parameter is not None:
        return helper.summary.replace(f"`{helper.parameter}`", f"`{camel_case(helper.parameter)}`")
    return helper.summary


def _helper_name(helper: Helper) -> str:
    if helper.verb == "time":
        return camel_case("start_timer_" + helper.name.removeprefix("time_"))
    return camel_case(helper.name)


def module_view(instrumentation: Instrumentation) -> TsModule:
    """The model with every TypeScript identifier resolved: what the template renders."""
    names = _names(_MODULE_NAMES)
    unions: dict[Enumeration, UnionType] = {}
    for enumeration in instrumentation.enumerations:
        stem = pascal_case("_".join(enumeration.words))
        unions[enumeration] = UnionType(names.claim(f"{stem}Value"),
                                        names.claim(f"{upper_snake(stem)}_VALUES"), enumeration)
    # As in Python, names that are identifiers already claim theirs first: `a_b` keeps
    # `setAB` and `a:b` becomes `setAB_`, whatever their order in the catalog.
    claim_order = sorted(instrumentation.metrics, key=lambda m: not m.name.isidentifier())
    constants = {metric.name: names.claim(camel_case(metric.name) or "metric")
                 for metric in claim_order}
    helper_names = {metric.name: [names.claim(_helper_name(helper)) for helper in metric.helpers]
                    for metric in claim_order}
    metrics = []
    for metric in instrumentation.metrics:
        constant = constants[metric.name]
        labels = []
        for label in metric.labels:
            union = unions[label.enumeration] if label.enumeration is not None else None
            kind = union.name if union is not None else (
                "boolean" if label.kind == "bool" else "string")
            labels.append(TsLabel(label, _property(label.name), _access(label.name), kind,
                                  union))
        labels_type = names.claim(pascal_case(metric.name) + "Labels") if labels else None
        label_values = names.claim(constant + "LabelValues") if labels else None
        helpers = tuple(TsHelper(helper, name, _helper_doc(helper, metric))
                        for helper, name in zip(metric.helpers, helper_names[metric.name],
                                                strict=True))
        buckets = (tuple(ts_number(bound) for bound in metric.finite_buckets)
                   if metric.finite_buckets is not None else None)
        metrics.append(TsMetric(metric, constant, _CLASSES[metric.type], tuple(labels),
                                labels_type, label_values, helpers, buckets))
    by_name = {metric.metric.name: metric for metric in metrics}
    return TsModule(instrumentation.module, instrumentation.project, instrumentation.specs,
                    tuple(unions.values()), tuple(metrics),
                    _http_plugin(instrumentation, by_name))


FILTERS: dict[str, Callable[..., str]] = {"ts": ts_string, "tsdoc": ts_doc,
                                          "tscomment": ts_comment_text}


def render_module(catalog: Catalog) -> tuple[str, str]:
    """(path, text) of the generated module."""
    instrumentation = build_instrumentation(catalog)
    text = render_instrumentation_template(TEMPLATE, instrumentation, catalog, FILTERS,
                                           ts=module_view(instrumentation))
    return output_path(instrumentation), text


def render(catalog: Catalog) -> dict[str, str]:
    """`typescript/<project>_metrics.ts`."""
    path, text = render_module(catalog)
    return {path: text}
