"""Python instrumentation: one module per project, needing only prometheus_client.

`python/<project>_metrics.py` declares every catalog metric with its exposed name, help,
label names and buckets on a module registry, plus typed helper functions whose label
parameters are keyword-only and typed `Literal[...]` when the catalog enumerates the values
(`bool` for true/false labels), so a user's editor and mypy check every call site.

The facts come from the shared instrumentation model (metricsctl.instrumentation); this
module only spells them in Python. All catalog text reaches the module through the `py`
(string literal) and `pydoc` (docstring body) filters; identifiers are derived here and
checked before they are rendered.
"""

from __future__ import annotations

import keyword
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from metricsctl.catalog.naming import MetricType
from metricsctl.instrumentation.identifiers import IdentifierClaims, pascal_case, upper_snake
from metricsctl.instrumentation.model import (
    RECORD_PARAMETER,
    Enumeration,
    Helper,
    Instrumentation,
    InstrumentedLabel,
    InstrumentedMetric,
    build_instrumentation,
    module_stem,
)
from metricsctl.targets.templating import render_instrumentation_template

if TYPE_CHECKING:
    from metricsctl.catalog.model import Catalog

NAME = "python"
DESCRIPTION = "Python instrumentation module (prometheus_client) with typed helpers"
TEMPLATE = "python_metrics.py.j2"

# Module-level names the generated module defines or imports itself: metric constants,
# helpers and aliases derived from the catalog must not shadow them.
_MODULE_NAMES = frozenset({
    "REGISTRY", "Any", "Callable", "Collector", "CollectorRegistry", "Counter", "Final",
    "Gauge", "Histogram", "Iterator", "Literal", "Summary", "Thread", "WSGIServer",
    "annotations", "contextmanager", "get_args", "make_asgi_app", "make_wsgi_app",
    "prometheus_client", "register_default", "register_on", "start_metrics_server", "time",
    "warnings", "_bool_label", "_enum_label", "_deprecated", "_EXPOSED_ON", "_METRICS",
})
_CLASSES = {MetricType.COUNTER: "Counter", MetricType.GAUGE: "Gauge",
            MetricType.HISTOGRAM: "Histogram", MetricType.SUMMARY: "Summary"}
_DOC_WIDTH = 92  # docstring lines stay under 100 columns once indented


def module_name(project: str) -> str:
    """The Python module name for a project: `ai-platform` -> `ai_platform_metrics`."""
    return module_stem(project)


def output_path(catalog: Catalog) -> str:
    return f"python/{module_name(catalog.project.name)}.py"


_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# What may need escaping: quotes, backslashes, and anything outside printable ASCII (checked
# one by one: most of it, like `é`, stays as written). Plain ASCII text takes the fast path.
# Written as the printable ASCII they exclude: the same classes as
# `[\\"\x00-\x1f\x7f-\U0010ffff]` and `[\x00-\x08\x0b-\x1f\x7f-\U0010ffff]`, which took
# 10 ms to compile on every run.
_STRING_SPECIALS = re.compile(r'[^ !#-\[\]-~]')
_DOCSTRING_SPECIALS = re.compile(r'\\|"(?="|\Z)|[^\t\n -~]')


def _escape_char(char: str) -> str:
    simple = _SIMPLE_ESCAPES.get(char)
    if simple is not None:
        return simple
    if char.isprintable() and not 0xD800 <= ord(char) <= 0xDFFF:
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _escaped(text: str, specials: re.Pattern[str]) -> str:
    return specials.sub(lambda match: _escape_char(match.group()), text)


def py_string(text: str) -> str:
    """`text` as a double-quoted Python string literal that evaluates to exactly `text`."""
    return f'"{_escaped(text, _STRING_SPECIALS)}"'


def py_string_lines(text: str, indent: str = "    ", width: int = 96) -> str:
    """`text` as adjacent string literals on lines of at most `width` columns (long help).

    Python joins adjacent literals, so the value is exactly `text`; splits fall after
    spaces, and a word longer than a line keeps its own line.
    """
    room = width - len(indent) - 3  # the quotes and the comma
    chunks: list[list[str]] = []
    length = 0
    for word in re.findall(r"[^ ]* *|[^ ]+", text):
        escaped = _escaped(word, _STRING_SPECIALS)  # escaping is per character: lengths add
        if chunks and length + len(escaped) <= room:
            chunks[-1].append(escaped)
            length += len(escaped)
        elif word:
            chunks.append([escaped])
            length = len(escaped)
    return f"\n{indent}".join(f'"{"".join(chunk)}"' for chunk in chunks) if chunks else '""'


def py_docstring_body(text: str) -> str:
    """`text` made safe between triple double quotes, reading as written where possible.

    Backslashes and unprintable characters are escaped; a double quote is escaped only when
    another quote or the closing quotes follow it, so `\"\"\"` can never end the docstring
    early. Newlines and tabs stay as they are.
    """
    return _escaped(text, _DOCSTRING_SPECIALS)


def py_float(value: float) -> str:
    """A float literal in its shortest exact form (`0.05`, `1.0`, `float("inf")`)."""
    if math.isinf(value):
        return 'float("inf")' if value > 0 else 'float("-inf")'
    if math.isnan(value):
        raise ValueError("NaN is not a histogram bucket bound")
    return repr(float(value))


def _names(taken: frozenset[str] = frozenset()) -> IdentifierClaims:
    return IdentifierClaims(taken, reserved=keyword.iskeyword, valid=str.isidentifier)


@dataclass(frozen=True, slots=True)
class LiteralAlias:
    """`MethodValue = Literal["GET", "POST"]`: the values an enumerated label takes."""

    name: str
    label: str
    values: tuple[str, ...]
    constant: str  # the frozenset helpers check values against at run time


@dataclass(frozen=True, slots=True)
class LabelParam:
    """A label as a keyword-only parameter of the metric's helpers."""

    label: str
    param: str
    kind: str  # "bool" | "enum" | "str"
    alias: LiteralAlias | None
    definition: InstrumentedLabel

    @property
    def annotation(self) -> str:
        return self.alias.name if self.alias is not None else self.kind


@dataclass(frozen=True, slots=True)
class HelperFunction:
    """A model helper with its Python name."""

    verb: str  # inc | dec | set | observe | time | record
    name: str
    helper: Helper


@dataclass(frozen=True, slots=True)
class MetricStub:
    """One metric's declaration and helpers, with every identifier resolved."""

    metric: InstrumentedMetric
    constant: str
    class_name: str
    params: tuple[LabelParam, ...]
    functions: tuple[HelperFunction, ...]
    buckets: tuple[str, ...] | None

    record_parameter = RECORD_PARAMETER

    def function(self, verb: str) -> str | None:
        return next((f.name for f in self.functions if f.verb == verb), None)

    @property
    def label_tuple(self) -> str:
        names = [py_string(param.label) for param in self.params]
        return "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"

    @staticmethod
    def value_parameters(verb: str) -> list[str]:
        if verb in ("inc", "dec"):
            return ["amount: float = 1"]
        if verb in ("set", "observe"):
            return ["value: float"]
        return []

    def value_signature(self, verb: str) -> str:
        if verb == "record":
            return f"*, {RECORD_PARAMETER}: float"
        return ", ".join(self.value_parameters(verb))

    @staticmethod
    def return_type(verb: str) -> str:
        return "Iterator[None]" if verb == "time" else "None"

    @staticmethod
    def client_call(verb: str) -> str:
        return {"inc": "inc(amount)", "dec": "dec(amount)", "set": "set(value)",
                "observe": "observe(value)", "record": f"observe({RECORD_PARAMETER})"}[verb]

    def child_expression(self) -> str:
        """The metric, or its child for the call's label values (checked when enumerated)."""
        if not self.params:
            return self.constant
        name = py_string(self.metric.name)
        arguments = []
        for param in self.params:
            label = py_string(param.label)
            if param.kind == "bool":
                arguments.append(f"_bool_label({name}, {label}, {param.param})")
            elif param.alias is not None:
                arguments.append(f"_enum_label({name}, {label}, {param.param}, "
                                 f"{param.alias.constant})")
            else:
                arguments.append(param.param)
        lines = "".join(f"        {argument},\n" for argument in arguments)
        return f"{self.constant}.labels(\n{lines}    )"

    def docstring(self, verb: str) -> str:
        """The helper's docstring (raw text, indented for a function body: escape with
        `pydoc`)."""
        metric = self.metric
        summary = next(f.helper.summary for f in self.functions if f.verb == verb)
        if verb == "time":  # in Python, the piece of work is a `with` block
            summary = f"Observe the seconds the `with` block takes in the {metric.type.value} " \
                      f"{metric.name}"
        paragraphs = [_fill(f"{summary}: {metric.help}", indent="    ")]
        if metric.deprecated:
            paragraphs.append(_fill(metric.deprecation, prefix="    ", indent="    "))
        if self.params:
            lines = ["    Labels:"]
            lines.extend(_fill(self.label_doc(param), prefix=f"        {param.param}: ",
                               indent=" " * 12) for param in self.params)
            paragraphs.append("\n".join(lines))
        return "\n\n".join(paragraphs) + ("\n    " if len(paragraphs) > 1 else "")

    def constant_docstring(self) -> str:
        """The docstring of the metric's constant (raw text: escape with `pydoc`)."""
        metric = self.metric
        text = _fill(f"{metric.type.value} {metric.name}: {metric.help}")
        return f"{text}\n\n{_fill(metric.deprecation)}\n" if metric.deprecated else text

    @staticmethod
    def label_doc(param: LabelParam) -> str:
        label = param.definition
        if param.kind == "bool":
            allowed = "True or False."
        elif label.values is not None:
            allowed = "one of " + ", ".join(py_string(value) for value in label.values) + "."
        elif label.max_cardinality is not None:
            allowed = f"at most {label.max_cardinality} distinct values."
        else:
            allowed = "unbounded: keep the number of distinct values small."
        return f"{allowed} {label.description}" if label.description else allowed


@lru_cache(maxsize=4096)  # a metric's label docs repeat in each of its helpers
def _fill(text: str, *, prefix: str = "", indent: str = "") -> str:
    """Collapse whitespace and wrap greedily at word boundaries to lines of at most
    _DOC_WIDTH columns (a word longer than a line keeps a line of its own)."""
    lines: list[str] = []
    line, empty = prefix, True
    for word in text.split():
        if not empty and len(line) + 1 + len(word) > _DOC_WIDTH:
            lines.append(line)
            line = indent + word
        else:
            line = line + word if empty else f"{line} {word}"
        empty = False
    lines.append(line)
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class StubModule:
    """Everything the template renders."""

    module: str
    project: str
    specs: tuple[str, ...]
    aliases: tuple[LiteralAlias, ...]
    metrics: tuple[MetricStub, ...]
    # Counters exposed without _total (`total_suffix: false`): prometheus_client always adds
    # it, so a module declaring them would expose other series than the catalog's.
    left_out: tuple[str, ...] = ()

    @property
    def exports(self) -> list[str]:
        names = ["REGISTRY", "make_asgi_app", "make_wsgi_app", "register_default",
                 "register_on", "start_metrics_server"]
        names.extend(alias.name for alias in self.aliases)
        for stub in self.metrics:
            names.append(stub.constant)
            names.extend(function.name for function in stub.functions)
        # ruff's (RUF022) order: CONSTANTS, then Classes, then functions.
        return sorted(names, key=lambda name: (0 if name.isupper() else 1 if name[0].isupper()
                                               else 2, name))

    @property
    def classes(self) -> list[str]:
        return sorted({stub.class_name for stub in self.metrics})

    @property
    def uses_timer(self) -> bool:
        return any(stub.function("time") for stub in self.metrics)

    @property
    def uses_deprecation(self) -> bool:
        return any(stub.metric.deprecated for stub in self.metrics)

    @property
    def uses_enum(self) -> bool:
        return any(param.kind == "enum" for stub in self.metrics for param in stub.params)

    @property
    def uses_bool(self) -> bool:
        return any(param.kind == "bool" for stub in self.metrics for param in stub.params)

    @property
    def _example_stub(self) -> MetricStub | None:
        live = [stub for stub in self.metrics if not stub.metric.deprecated]
        return next((stub for stub in live if stub.params), live[0] if live else None)

    @property
    def example_function(self) -> str:
        stub = self._example_stub
        return stub.functions[0].name if stub is not None else ""

    @property
    def example(self) -> str:
        """A call of the first helper with valid arguments, for the module docstring."""
        stub = self._example_stub
        if stub is None:
            return ""
        arguments = [{"inc": "", "set": "1", "observe": "0.25"}[stub.functions[0].verb]]
        for param in stub.params:
            if param.kind == "bool":
                value = "True"
            elif param.definition.values:
                value = py_string(param.definition.values[0])
            else:
                value = py_string("...")
            arguments.append(f"{param.param}={value}")
        return f"{stub.functions[0].name}({', '.join(a for a in arguments if a)})"


def _aliases(instrumentation: Instrumentation,
             names: IdentifierClaims) -> dict[Enumeration, LiteralAlias]:
    """One alias per enumeration, named after its label (and scope, when qualified)."""
    aliases = {}
    for enumeration in instrumentation.enumerations:
        stem = pascal_case("_".join(enumeration.words))
        name = names.claim(f"{stem}Value")
        constant = names.claim(f"_{upper_snake(stem)}_VALUES")
        aliases[enumeration] = LiteralAlias(name, enumeration.label, enumeration.values,
                                            constant)
    return aliases


def module_view(instrumentation: Instrumentation) -> StubModule:
    """The model with every Python identifier resolved: what the template renders."""
    names = _names(_MODULE_NAMES)
    aliases = _aliases(instrumentation, names)
    metrics = tuple(metric for metric in instrumentation.metrics if _declarable(metric))
    # Names that are identifiers already claim theirs first, so `a_b` keeps `set_a_b` and
    # `a:b` becomes `set_a_b_`, whatever their order in the catalog.
    claim_order = sorted(metrics, key=lambda metric: not metric.name.isidentifier())
    constants = {metric.name: names.claim(re.sub(r"\W", "_", metric.name).upper())
                 for metric in claim_order}
    functions = {metric.name: tuple(HelperFunction(helper.verb, names.claim(helper.name), helper)
                                    for helper in metric.helpers)
                 for metric in claim_order}
    stubs = []
    for metric in metrics:
        # A parameter must not shadow a module-level name the helper's body uses.
        params = names.inner({"amount", "value", "child", "start", RECORD_PARAMETER})
        label_params = [
            LabelParam(label.name, params.claim(label.name), label.kind,
                       aliases[label.enumeration] if label.enumeration is not None else None,
                       label)
            for label in metric.labels]
        buckets = tuple(py_float(b) for b in metric.buckets) if metric.buckets else None
        stubs.append(MetricStub(metric, constants[metric.name], _CLASSES[metric.type],
                                tuple(label_params), functions[metric.name], buckets))
    left_out = tuple(metric.name for metric in instrumentation.metrics
                     if not _declarable(metric))
    return StubModule(instrumentation.module, instrumentation.project, instrumentation.specs,
                      tuple(aliases.values()), tuple(stubs), left_out)


def _declarable(metric: InstrumentedMetric) -> bool:
    """Whether prometheus_client can expose the metric's series as the catalog names them."""
    return metric.type is not MetricType.COUNTER or metric.metric.total_suffix


def build_module(catalog: Catalog) -> StubModule:
    """The view of the catalog the template renders."""
    return module_view(build_instrumentation(catalog))


def render_module(catalog: Catalog) -> str:
    """The text of the generated module."""
    instrumentation = build_instrumentation(catalog)
    return render_instrumentation_template(
        TEMPLATE, instrumentation, catalog,
        {"py": py_string, "py_lines": py_string_lines, "pydoc": py_docstring_body},
        stub=module_view(instrumentation))


def render(catalog: Catalog) -> dict[str, str]:
    """`python/<project>_metrics.py`."""
    return {output_path(catalog): render_module(catalog)}
