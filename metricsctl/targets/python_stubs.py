"""Python instrumentation: one module per project, needing only prometheus_client.

`python/<project>_metrics.py` declares every catalog metric with its exposed name, help,
label names and buckets on a module registry, plus typed helper functions whose label
parameters are keyword-only and typed `Literal[...]` when the catalog enumerates the values
(`bool` for true/false labels), so a user's editor and mypy check every call site.

All catalog text reaches the module through the `py` (string literal) and `pydoc` (docstring
body) filters; identifiers are derived here and checked before they are rendered.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from metricsctl.catalog.cardinality import DEFAULT_BUCKETS
from metricsctl.catalog.naming import MetricType
from metricsctl.targets.templating import spec_files, template_environment

if TYPE_CHECKING:
    from metricsctl.catalog.model import Catalog, Label, Metric

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
_BOOL_VALUES = frozenset({"true", "false"})
_DOC_WIDTH = 92  # docstring lines stay under 100 columns once indented


# A histogram `<event>_duration_seconds` also gets `record_<event>(*, <labels>,
# duration_seconds)`, which reads like the event it records: record_chat_completion(...).
RECORD_SUFFIX = "_duration_seconds"
RECORD_PARAMETER = "duration_seconds"


def module_name(project: str) -> str:
    """The Python module name for a project: `ai-platform` -> `ai_platform_metrics`."""
    stem = re.sub(r"[^0-9A-Za-z_]", "_", project)
    if not stem or stem[0].isdigit():
        stem = f"m_{stem}"
    return f"{stem}_metrics"


def output_path(catalog: Catalog) -> str:
    return f"python/{module_name(catalog.project.name)}.py"


_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# What may need escaping: quotes, backslashes, and anything outside printable ASCII (checked
# one by one: most of it, like `é`, stays as written). Plain ASCII text takes the fast path.
_STRING_SPECIALS = re.compile(r'[\\"\x00-\x1f\x7f-\U0010ffff]')
_DOCSTRING_SPECIALS = re.compile(r'\\|"(?="|\Z)|[\x00-\x08\x0b-\x1f\x7f-\U0010ffff]')


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


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", name)
                   if part)


def _upper_snake(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", camel).upper()


class _Names:
    """Hands out unique identifiers, first come first served (catalog order).

    `outer` names (the module's, for a function's parameters) are avoided too, read-only.
    """

    def __init__(self, taken: Iterable[str] = (), outer: _Names | None = None) -> None:
        self._taken = set(taken)
        self._outer = outer

    def __contains__(self, name: str) -> bool:
        return name in self._taken or (self._outer is not None and name in self._outer)

    def claim(self, wanted: str) -> str:
        """`wanted`, else `wanted_` (PEP 8's way around a keyword), else `wanted_2`..."""
        candidates = [wanted, f"{wanted}_"]
        name = next((c for c in candidates if c not in self and not keyword.iskeyword(c)),
                    None)
        counter = 2
        while name is None or name in self:
            name, counter = f"{wanted}_{counter}", counter + 1
        if not name.isidentifier():
            raise ValueError(f"cannot derive a Python identifier from {wanted!r}")
        self._taken.add(name)
        return name


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
    definition: Label

    @property
    def annotation(self) -> str:
        return self.alias.name if self.alias is not None else self.kind


@dataclass(frozen=True, slots=True)
class HelperFunction:
    verb: str  # inc | dec | set | observe | time | record
    name: str


@dataclass(frozen=True, slots=True)
class MetricStub:
    """One metric's declaration and helpers, with every identifier resolved."""

    metric: Metric
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
        what = f"the {metric.type.value} {metric.name}"
        summary = {
            "inc": f"Add `amount` (default 1) to {what}",
            "dec": f"Subtract `amount` (default 1) from {what}",
            "set": f"Set {what} to `value`",
            "observe": f"Observe `value` in {what}",
            "time": f"Observe the seconds the `with` block takes in {what}",
            "record": f"Record one event that took `{RECORD_PARAMETER}` in {what}",
        }[verb]
        paragraphs = [_fill(f"{summary}: {metric.help}", indent="    ")]
        if metric.deprecated:
            paragraphs.append(_fill(_deprecation(metric), prefix="    ", indent="    "))
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
        return f"{text}\n\n{_fill(_deprecation(metric))}\n" if metric.deprecated else text

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


def _deprecation(metric: Metric) -> str:
    return "Deprecated" + (f": {metric.deprecation_note}" if metric.deprecation_note else ".")


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


def _identifier(name: str) -> str:
    return re.sub(r"\W", "_", name)


def _verbs(metric: Metric) -> tuple[str, ...]:
    if metric.type is MetricType.COUNTER:
        return ("inc",)
    if metric.type is MetricType.GAUGE:
        return ("set", "inc", "dec")
    timed = metric.unit == "seconds" or metric.name.endswith("_seconds")
    verbs: tuple[str, ...] = ("observe", "time") if timed else ("observe",)
    if metric.type is MetricType.HISTOGRAM and metric.name.endswith(RECORD_SUFFIX):
        verbs += ("record",)
    return verbs


def _function_name(verb: str, metric: Metric) -> str:
    if verb == "record":
        return f"record_{_identifier(metric.name.removesuffix(RECORD_SUFFIX))}"
    return f"{verb}_{_identifier(metric.name)}"


def _label_kind(label: Label) -> str:
    if label.values is None:
        return "str"
    return "bool" if set(label.values) == _BOOL_VALUES else "enum"


def _aliases(metrics: Sequence[Metric], names: _Names) -> dict[tuple[str, tuple[str, ...]],
                                                                 LiteralAlias]:
    """One alias per distinct (label name, values), in catalog order.

    When one label name is enumerated differently in different places (a domain's `type`
    is not another's), each alias is qualified by where it was first defined.
    """
    first_seen: dict[tuple[str, tuple[str, ...]], str] = {}
    for metric in metrics:
        for label in metric.labels:
            if _label_kind(label) == "enum" and label.values is not None:
                scope = metric.name if label.scope == "metric" else label.scope
                first_seen.setdefault((label.name, label.values), scope)
    variants: dict[str, int] = {}
    for label_name, _ in first_seen:
        variants[label_name] = variants.get(label_name, 0) + 1
    aliases = {}
    for (label_name, values), scope in first_seen.items():
        stem = _camel(label_name)
        if variants[label_name] > 1:
            stem = _camel(scope) + stem
        name = names.claim(f"{stem}Value")
        constant = names.claim(f"_{_upper_snake(stem)}_VALUES")
        aliases[(label_name, values)] = LiteralAlias(name, label_name, values, constant)
    return aliases


def build_module(catalog: Catalog) -> StubModule:
    """The view of the catalog the template renders."""
    metrics = list(catalog.metrics.values())
    names = _Names(_MODULE_NAMES)
    aliases = _aliases(metrics, names)
    # Names that are identifiers already claim theirs first, so `a_b` keeps `set_a_b` and
    # `a:b` becomes `set_a_b_`, whatever their order in the catalog.
    claim_order = sorted(metrics, key=lambda metric: not metric.name.isidentifier())
    constants = {metric.name: names.claim(_identifier(metric.name).upper())
                 for metric in claim_order}
    functions = {metric.name: tuple(HelperFunction(verb, names.claim(_function_name(verb, metric)))
                                    for verb in _verbs(metric))
                 for metric in claim_order}
    stubs = []
    for metric in metrics:
        # A parameter must not shadow a module-level name the helper's body uses.
        params = _Names({"amount", "value", "child", "start", RECORD_PARAMETER}, outer=names)
        label_params = []
        for label in metric.labels:
            kind = _label_kind(label)
            alias = aliases[(label.name, label.values)] if (
                kind == "enum" and label.values is not None) else None
            label_params.append(LabelParam(label.name, params.claim(label.name), kind, alias,
                                           label))
        buckets = None
        if metric.type is MetricType.HISTOGRAM:
            buckets = tuple(py_float(b) for b in (metric.buckets or DEFAULT_BUCKETS))
        stubs.append(MetricStub(metric, constants[metric.name], _CLASSES[metric.type],
                                tuple(label_params), functions[metric.name], buckets))
    return StubModule(module_name(catalog.project.name), catalog.project.name,
                      tuple(spec_files(catalog)), tuple(aliases.values()), tuple(stubs))


def render_module(catalog: Catalog) -> str:
    """The text of the generated module."""
    environment = template_environment({"py": py_string, "py_lines": py_string_lines,
                                        "pydoc": py_docstring_body})
    return environment.get_template(TEMPLATE).render(stub=build_module(catalog))


def render(catalog: Catalog) -> dict[str, str]:
    """`python/<project>_metrics.py`."""
    return {output_path(catalog): render_module(catalog)}
