"""Read one YAML file into plain data plus the source position of every value.

PyYAML's constructors forget positions, silently keep the last of duplicate keys and expand
aliases without bound. We compose the node graph (libyaml when available, safe tags only)
and convert it ourselves, so that:
- every value and every mapping key keeps its line and column;
- duplicate keys are reported, not dropped;
- alias expansion is counted as it happens and refused past a small bound ("billion
  laughs"), recursive aliases are refused, and so is nesting deeper than 64 levels;
- only the standard scalar tags are accepted; any other tag is an error.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from metricsctl.catalog.spec_files import (
    MAX_FILE_BYTES,
    SpecFileError,
    open_flags,
    read_regular_file,
)
from metricsctl.diagnostics import Diagnostic, Location, Severity

# Aliases may add at most this many nodes on top of those written in the file.
MAX_ALIAS_EXPANSION = 10_000
# A catalog is about 7 levels deep; the bound keeps every recursive walk far from Python's
# recursion limit.
MAX_DEPTH = 64
# Values (scalars, lists, mappings) in one file. Each costs about 650 bytes while the file
# is read, so the bound keeps one file under ~200 MB; the largest hand-written domain files
# hold a few thousand. Counted on the event stream before the node graph is built, for
# files large enough to come near it (every value takes at least one character).
MAX_VALUES = 300_000
_COUNT_VALUES_FROM_BYTES = MAX_VALUES
# A double holds at most 309 integer digits; a float may be written with more (`0.000…1`).
MAX_NUMBER_DIGITS = 400
_TOO_DEEP = f"YAML nested deeper than {MAX_DEPTH} levels"
_TOO_DEEP_HINT = "a catalog needs fewer than 10 levels: flatten this value"

try:  # libyaml is bundled with PyYAML's wheels; the pure-Python parser is the fallback.
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

# Tags of plain and quoted scalars as the safe resolver gives them, by (value, implicit):
# the composer asks for each scalar, and a catalog repeats its keys and values.
_SCALAR_TAG_CACHE_SIZE = 50_000
_scalar_tags: dict[tuple[str, tuple[bool, bool]], str] = {}


class _ComposingLoader(_Loader):  # type: ignore[misc]
    """The safe loader, resolving tags faster (the same tags: only the work is cached).

    The safe loader has no path resolvers, so a tag depends on the scalar alone; PyYAML
    still calls into Python to descend and ascend for every node and runs its regular
    expressions for every scalar.
    """

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            key = (value, implicit)
            cached = _scalar_tags.get(key)
            if cached is not None:
                return cached
        tag: str = super().resolve(kind, value, implicit)
        if kind is ScalarNode and len(_scalar_tags) < _SCALAR_TAG_CACHE_SIZE:
            _scalar_tags[key] = tag
        return tag

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # only path resolvers need the path

    def ascend_resolver(self) -> None:
        pass


assert not _Loader.yaml_path_resolvers, "_ComposingLoader assumes no path resolvers"

PathKey = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    _INT,
    _FLOAT,
    _STR,
    "tag:yaml.org,2002:timestamp",
}


class Span(NamedTuple):
    """Where a value sits in its file (1-based), and its YAML scalar style if any.

    A NamedTuple: one is built per value of every file, and it is cheaper than a dataclass.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    style: str | None = None


@dataclass
class SourceDocument:
    """A parsed YAML file: its data, text and the position of every value and key."""

    path: str
    text: str
    data: Any
    values: dict[PathKey, Span] = field(default_factory=dict)
    keys: dict[PathKey, Span] = field(default_factory=dict)
    # Numbers as written (`010`, `1_000`, `1.50`), for values that are text to Prometheus.
    numbers: dict[PathKey, str] = field(default_factory=dict)
    # Values already reported and replaced by null (a number out of range): the schema
    # does not report them again.
    refused: set[PathKey] = field(default_factory=set)
    _lines: list[str] | None = field(default=None, repr=False, compare=False)

    def span(self, path: PathKey) -> Span:
        """The span of the value at `path`, or of its nearest located ancestor."""
        for depth in range(len(path), -1, -1):
            found = self.values.get(path[:depth])
            if found is not None:
                return found
        return Span(1, 1, 1, 1)

    def locate(self, path: PathKey, *, key: bool = False) -> Location:
        """A Location for the value at `path` (or for its key, with key=True)."""
        found = self.keys[path] if key and path in self.keys else self.span(path)
        return Location(self.path, found.line, found.column)

    def key_end_column(self, path: PathKey) -> int | None:
        """Where the key of the entry at `path` ends, when it sits on one line."""
        span = self.keys.get(path)
        return span.end_column if span is not None and span.end_line == span.line else None

    def locate_in_scalar(self, path: PathKey, offset: int) -> Location:
        """The position of character `offset` of the string scalar at `path`.

        Exact for plain and quoted scalars on one line and for literal blocks (`|`), the
        styles PromQL is written in; other styles fall back to the scalar's start.
        """
        span = self.span(path)
        value = self._value_at(path)
        if not isinstance(value, str) or offset < 0 or offset > len(value):
            return Location(self.path, span.line, span.column)
        if span.style == "|":
            return self._locate_in_literal_block(span, value, offset)
        if span.line == span.end_line and "\n" not in value:
            quote = 1 if span.style in ("'", '"') else 0
            if span.style == '"' and "\\" in self._raw(span):
                return Location(self.path, span.line, span.column)
            if span.style == "'" and "''" in self._raw(span):
                return Location(self.path, span.line, span.column)
            return Location(self.path, span.line, span.column + quote + offset)
        return Location(self.path, span.line, span.column)

    def source_line(self, line: int) -> str | None:
        """The text of a 1-based line, without its newline."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines[line - 1] if 0 < line <= len(self._lines) else None

    def _value_at(self, path: PathKey) -> Any:
        node: Any = self.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def _raw(self, span: Span) -> str:
        line = self.source_line(span.line) or ""
        return line[span.column - 1 : span.end_column - 1]

    def _locate_in_literal_block(self, span: Span, value: str, offset: int) -> Location:
        before = value[:offset]
        line_index = before.count("\n")
        column_in_line = offset - (before.rfind("\n") + 1)
        # Content lines keep indentation beyond the block's own; the block's indentation is
        # that of its first non-blank line.
        indent = 0
        for number in range(span.line + 1, span.end_line + 1):
            text = self.source_line(number) or ""
            if text.strip():
                indent = len(text) - len(text.lstrip(" "))
                break
        return Location(self.path, span.line + 1 + line_index, indent + 1 + column_in_line)


def _failure(display: str, code: str, message: str, line: int = 1, column: int = 1,
             hint: str | None = None) -> tuple[None, list[Diagnostic]]:
    return None, [Diagnostic(code, Severity.ERROR, message, Location(display, line, column),
                             hint=hint)]


def _too_large(display: str, size: int) -> tuple[None, list[Diagnostic]]:
    return _failure(display, "catalog/file-too-large",
                    f"file is too large ({size / 1048576:.1f} MiB; the limit is "
                    f"{MAX_FILE_BYTES // 1048576} MiB)",
                    hint="split the catalog into one file per domain")


def read_yaml_file(path: Path, display: str) -> tuple[SourceDocument | None, list[Diagnostic]]:
    """Read and parse one regular file (never a pipe or a device). Returns (None,
    diagnostics) when it cannot be used at all."""
    try:
        raw = read_regular_file(os.open(path, open_flags(follow=True)))
    except OSError as error:
        return _failure(display, "catalog/unreadable",
                        f"cannot read file: {error.strerror or error}")
    except SpecFileError as error:
        return None, [error.diagnostic(display)]
    return parse_yaml(raw, display)


def parse_yaml(raw: bytes, display: str) -> tuple[SourceDocument | None, list[Diagnostic]]:
    """Parse the bytes of one file (from disk or from a git object)."""
    def fail(message: str, code: str, line: int = 1, column: int = 1,
             hint: str | None = None) -> tuple[None, list[Diagnostic]]:
        return _failure(display, code, message, line, column, hint)

    if len(raw) > MAX_FILE_BYTES:
        return _too_large(display, len(raw))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return fail(f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x})",
                    "catalog/encoding", line, column, hint="save the file as UTF-8")
    if not text.strip():
        return fail("file is empty", "catalog/empty-file",
                    hint="remove it, or start it with `domain: <name>`")
    if len(text) > _COUNT_VALUES_FROM_BYTES:
        past_limit = _value_past_limit(text)
        if past_limit is not None:
            return fail(f"file holds more than {MAX_VALUES:,} values", "catalog/too-many-values",
                        *past_limit, hint="split the catalog into one file per domain")
    try:
        root = _ComposingLoader(text).get_single_node()
    except yaml.MarkedYAMLError as error:
        too_deep = _first_too_deep(text)
        if too_deep is not None:
            return fail(_TOO_DEEP, "catalog/too-deep", *too_deep, hint=_TOO_DEEP_HINT)
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        hint = None
        if mark is not None and text[mark.index:mark.index + 1] == "\t":
            hint = "YAML does not allow tabs for indentation: use spaces"
        return fail(f"YAML syntax error: {_syntax_message(error)}", "catalog/yaml-syntax",
                    line, column, hint)
    except yaml.YAMLError as error:
        return fail(f"YAML error: {error}", "catalog/yaml-syntax")
    if root is None:
        return fail("file holds only comments", "catalog/empty-file")
    document = SourceDocument(display, text, None)
    # Without an anchor (`&`) there is no alias, so every node is converted once.
    converter = _Converter(document) if "&" in text else _TreeConverter(document)
    try:
        document.data = converter.convert(root, (), 0)
    except _RefusedError as refusal:
        mark = refusal.node.start_mark
        return fail(refusal.message, refusal.code, mark.line + 1, mark.column + 1, refusal.hint)
    return document, converter.diagnostics


def _value_past_limit(text: str) -> tuple[int, int] | None:
    """Where the file's values pass MAX_VALUES, if they do (syntax errors are left to the
    composer, which reports them with more context)."""
    count = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, _VALUE_EVENTS):
                count += 1
                if count > MAX_VALUES and event.start_mark is not None:
                    return event.start_mark.line + 1, event.start_mark.column + 1
    except yaml.YAMLError:
        return None
    return None


_VALUE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent,
                 yaml.AliasEvent)


def _first_too_deep(text: str) -> tuple[int, int] | None:
    """Where nesting first passes MAX_DEPTH, if it does before the document's first error.

    Some libyaml builds refuse nesting past their own limit (1,000 levels) while scanning
    ahead, before the composed graph reaches our converter's bound. Only called once parsing
    failed: the pure-Python parser walks the events and stops at the first level too deep.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                mark = event.start_mark
                if depth > MAX_DEPTH + 1 and mark is not None:  # the root is level 0
                    return mark.line + 1, mark.column + 1
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    """PyYAML's problem and context as one sentence, saying where an open construct began."""
    problem, context = error.problem or "invalid YAML", error.context
    if not context:
        return problem
    if problem.startswith("but "):
        return f"{context}, {problem}"
    start = error.context_mark
    if start is not None and (error.problem_mark is None
                              or start.line != error.problem_mark.line):
        return f"{problem} {context} (started at line {start.line + 1}, column {start.column + 1})"
    return f"{problem} {context}"


_new_tuple = tuple.__new__  # a Span without NamedTuple's Python-level __new__ (one per value)


def _span(node: Node) -> Span:
    style = node.style if isinstance(node, ScalarNode) else None
    start, end = node.start_mark, node.end_mark
    span: Span = _new_tuple(Span, (start.line + 1, start.column + 1, end.line + 1,
                                   end.column + 1, style or None))
    return span


def _children(node: Node) -> Iterator[Node]:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, SequenceNode):
        yield from node.value


def _expanded_size(root: Node) -> int:
    """How many nodes the document would expand to (aliases copied out), without copying.

    Sizes are computed once per node of the composed graph, so a billion-laughs document is
    measured in time linear in its text. Only called to explain a refusal.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            sizes[id(node)] = 1 + sum(sizes.get(id(child), 0) for child in _children(node))
        elif id(node) not in sizes:
            sizes[id(node)] = 0  # a recursive alias adds nothing more
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]


class _RefusedError(Exception):
    """The document cannot be converted safely; the message says why."""

    def __init__(self, code: str, message: str, node: Node, hint: str) -> None:
        super().__init__(message)
        self.code, self.message, self.node, self.hint = code, message, node, hint


class _Converter:
    """Turns a composed node graph into dicts, lists and scalars, recording positions."""

    def __init__(self, document: SourceDocument) -> None:
        self.document = document
        self.diagnostics: list[Diagnostic] = []
        self._scalars = SafeConstructor()
        self._root: Node | None = None
        self._converted: set[int] = set()  # nodes converted at least once
        self._active: set[int] = set()  # nodes on the current path (recursion = a cycle)
        self._expanded = 0  # nodes converted again because an alias repeats them
        self._alias: Node | None = None  # the outermost anchor being expanded again

    def convert(self, node: Node, path: PathKey, depth: int) -> Any:
        if self._root is None:
            self._root = node
        key = id(node)
        if key in self._active:
            raise _RefusedError("catalog/alias-expansion",
                           "recursive YAML alias (an anchor used inside itself)", node,
                           "write the content out instead of referring to itself")
        if depth > MAX_DEPTH:
            raise _RefusedError("catalog/too-deep", _TOO_DEEP, node, _TOO_DEEP_HINT)
        entering_alias = key in self._converted and self._alias is None
        if key in self._converted:
            if entering_alias:
                self._alias = node
            self._expanded += 1
            if self._expanded > MAX_ALIAS_EXPANSION:
                total = _expanded_size(self._root)
                raise _RefusedError(
                    "catalog/alias-expansion",
                    f"YAML aliases expand to {total:,} nodes, more than the "
                    f"{MAX_ALIAS_EXPANSION:,} allowed beyond those written "
                    "(a 'billion laughs' document?)", self._alias or node,
                    "write the content out, or use fewer nested aliases")
        self._converted.add(key)
        try:
            if isinstance(node, MappingNode | SequenceNode):
                self._active.add(key)
                try:
                    return self._collection(node, path, depth)
                finally:
                    self._active.discard(key)
            self.document.values.setdefault(path, _span(node))
            return self._scalar(node, path)
        finally:
            if entering_alias:
                self._alias = None

    def _collection(self, node: MappingNode | SequenceNode, path: PathKey, depth: int) -> Any:
        self.document.values.setdefault(path, _span(node))
        if isinstance(node, MappingNode):
            if node.tag != _MAP:
                return self._unsupported(node)
            return self._mapping(node, path, depth)
        if node.tag != _SEQ:
            return self._unsupported(node)
        return [self.convert(item, (*path, index), depth + 1)
                for index, item in enumerate(node.value)]

    def _unsupported(self, node: Node) -> None:
        self._error(node, "catalog/unsupported-tag", f"unsupported YAML tag {node.tag!r}",
                    "remove the tag; only plain strings, numbers, booleans and null are used")

    def _scalar(self, node: Node, path: PathKey) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            return self._unsupported(node)
        if tag in (_STR, "tag:yaml.org,2002:timestamp"):
            return str(node.value)
        constructor = self._scalars.yaml_constructors[tag]
        if tag in (_INT, _FLOAT):
            self.document.numbers[path] = str(node.value)
            return self._number(node, path, constructor)
        return constructor(self._scalars, node)

    def _number(self, node: Node, path: PathKey, constructor: Any) -> Any:
        """An int or float that a 64-bit float can hold; past that, a located error.

        Prometheus, Grafana and the JSON Schema checks all read numbers as doubles. The
        digits are counted before converting: Python refuses to convert an int of more
        than 4,300 digits (and a huge one would take long to convert).
        """
        written = str(node.value)
        digits = sum(char.isdigit() for char in written)
        value: Any = None
        if digits <= MAX_NUMBER_DIGITS:
            value = constructor(self._scalars, node)
            if isinstance(value, int) and abs(value) <= sys.float_info.max:
                return value
            if isinstance(value, float) and (math.isfinite(value)
                                             or not any(c.isdigit() for c in written)):
                return value  # `.inf` and `.nan` are written as such, not overflows
        shown = written if len(written) <= 24 else f"{written[:12]}…{written[-6:]}"
        self._error(node, "catalog/number-out-of-range",
                    f"number `{shown}` ({digits:,} digits) is out of range: numbers must fit "
                    f"a 64-bit float (about ±1.8e308, at most {MAX_NUMBER_DIGITS} digits)",
                    "write a smaller number; Prometheus and Grafana read numbers as doubles")
        self.document.refused.add(path)
        return None

    def _mapping(self, node: MappingNode, path: PathKey, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Node] = {}
        merged: list[tuple[Node, PathKey]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.append((value_node, path))
                continue
            if not isinstance(key_node, ScalarNode):
                self._error(key_node, "catalog/invalid-key", "mapping keys must be plain strings")
                continue
            # Keys stay as written: YAML 1.1 would turn `on:` into True and `10:` into 10.
            key = str(key_node.value)
            if key in first_seen:
                first = first_seen[key].start_mark
                self._error(key_node, "catalog/duplicate-key",
                            f"duplicate key `{key}` (first defined at line {first.line + 1}); "
                            "YAML would silently keep only this one",
                            "remove or rename one of the two")
                continue
            first_seen[key] = key_node
            child = (*path, key)
            self.document.keys.setdefault(child, _span(key_node))
            result[key] = self.convert(value_node, child, depth + 1)
        for value_node, merge_path in merged:
            for source in self._merge_sources(value_node):
                for key, value in self.convert(source, merge_path, depth).items():
                    result.setdefault(key, value)
        return result

    def _merge_sources(self, node: Node) -> list[Node]:
        if isinstance(node, MappingNode):
            return [node]
        if isinstance(node, SequenceNode) and all(isinstance(n, MappingNode) for n in node.value):
            return list(node.value)
        self._error(node, "catalog/invalid-merge", "`<<` merges a mapping or a list of mappings")
        return []

    def _error(self, node: Node, code: str, message: str, hint: str | None = None) -> None:
        mark = node.start_mark
        self.diagnostics.append(Diagnostic(
            code, Severity.ERROR, message,
            Location(self.document.path, mark.line + 1, mark.column + 1), hint=hint))


class _TreeConverter(_Converter):
    """The converter for a document without anchors: its node graph is a tree (no alias can
    repeat or contain a node), so only the depth needs watching."""

    def convert(self, node: Node, path: PathKey, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _RefusedError("catalog/too-deep", _TOO_DEEP, node, _TOO_DEEP_HINT)
        if isinstance(node, MappingNode | SequenceNode):
            return self._collection(node, path, depth)
        self.document.values.setdefault(path, _span(node))
        return self._scalar(node, path)
