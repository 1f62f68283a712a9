"""A fast yes/no check compiled from the catalog's JSON Schemas; jsonschema explains the no.

jsonschema interprets the schema afresh for every value it visits, about 0.6 s for a
2,000-metric catalog, and importing it costs another 40 ms on every run. Most catalogs are
valid, so the schema is compiled once into nested closures that only answer "valid?"; a
document that passes needs nothing else, and only a document that fails goes through
jsonschema for located, explained errors (schema.py).

The check is conservative: it accepts a value only when every keyword it meets is one it
implements with jsonschema's Draft 2020-12 semantics. An unknown keyword compiles to a check
that always fails, and where JSON and Python equality differ (`1 == True`, `1 == 1.0`) it
answers "no"; either way jsonschema decides. It may send a valid document to jsonschema,
never let an invalid one through (tests/catalog/test_compiled_schema.py holds it to that).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Check = Callable[[Any], bool]

# Keywords that never affect validity (Draft 2020-12 annotations, and our message hint).
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description",
                          "default", "examples", "deprecated", "readOnly", "writeOnly",
                          "patternErrorMessage", "markdownDescription"})


def _never(_: Any) -> bool:
    return False


def _always(_: Any) -> bool:
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# Strict on purpose: jsonschema also accepts 1.0 as an integer; the fallback handles it.
_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _type_check(expected: Any) -> Check:
    names = [expected] if isinstance(expected, str) else list(expected)
    if not all(isinstance(name, str) and name in _TYPES for name in names):
        return _never
    checks = [_TYPES[name] for name in names]
    if len(checks) == 1:
        return checks[0]
    return lambda value: any(check(value) for check in checks)


def _enum_check(choices: Sequence[Any]) -> Check:
    # Same type and equal: never True == 1 or 1 == 1.0, which JSON tells apart (or not).
    typed = [(type(choice), choice) for choice in choices]
    return lambda value: any(type(value) is kind and value == choice for kind, choice in typed)


def _unique(items: list[Any]) -> bool:
    # Only scalars of one type are compared here: mixed types go to jsonschema.
    if not items:
        return True
    kind = type(items[0])
    if kind not in (str, int, float) or any(type(item) is not kind for item in items):
        return False
    return len(set(items)) == len(items)


class SchemaCompiler:
    """Compiles schemas (with `$ref`s across the given documents) into Check functions."""

    def __init__(self, documents: Mapping[str, Any]) -> None:
        self._documents = documents
        self._refs: dict[tuple[str, str], Check] = {}

    def compile_document(self, name: str) -> Check:
        return self.compile(self._documents[name], name)

    def compile(self, schema: Any, base: str) -> Check:
        """The check for `schema`, resolving relative `$ref`s against document `base`."""
        if schema is True:
            return _always
        if schema is False or not isinstance(schema, dict):
            return _never
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            check = self._keyword(keyword, value, schema, base)
            if check is _never:
                return _never
            if check is not _always:
                checks.append(check)
        if not checks:
            return _always
        if len(checks) == 1:
            return checks[0]
        return lambda value: all(check(value) for check in checks)

    def _keyword(self, keyword: str, value: Any, schema: dict[str, Any], base: str) -> Check:
        handler = getattr(self, "_k_ref" if keyword == "$ref" else "_k_" + keyword, None)
        if handler is None:
            return _never  # not implemented: jsonschema decides
        result: Check = handler(value, schema, base)
        return result

    def _k_ref(self, ref: Any, _schema: dict[str, Any], base: str) -> Check:
        if not isinstance(ref, str):
            return _never
        file, _, pointer = ref.partition("#")
        key = (file or base, pointer)
        if key not in self._refs:
            target = self._resolve(*key)
            if target is None:
                return _never
            # Compiled lazily through the table, so recursive schemas terminate.
            self._refs[key] = _never
            self._refs[key] = self.compile(target, key[0])
        refs = self._refs
        return lambda value: refs[key](value)

    def _resolve(self, file: str, pointer: str) -> Any:
        node = self._documents.get(file)
        for part in pointer.strip("/").split("/") if pointer.strip("/") else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def _k_type(self, expected: Any, _schema: dict[str, Any], _base: str) -> Check:
        return _type_check(expected)

    def _k_enum(self, choices: Any, _schema: dict[str, Any], _base: str) -> Check:
        return _enum_check(choices) if isinstance(choices, list) else _never

    def _k_pattern(self, pattern: Any, _schema: dict[str, Any], _base: str) -> Check:
        try:
            search = re.compile(pattern).search
        except (re.error, TypeError):
            return _never
        return lambda value: not isinstance(value, str) or search(value) is not None

    def _k_minLength(self, bound: Any, _schema: dict[str, Any], _base: str) -> Check:  # noqa: N802
        return lambda value: not isinstance(value, str) or len(value) >= bound

    def _k_maxLength(self, bound: Any, _schema: dict[str, Any], _base: str) -> Check:  # noqa: N802
        return lambda value: not isinstance(value, str) or len(value) <= bound

    def _k_minimum(self, bound: Any, _schema: dict[str, Any], _base: str) -> Check:
        return lambda value: not _is_number(value) or value >= bound

    def _k_maximum(self, bound: Any, _schema: dict[str, Any], _base: str) -> Check:
        return lambda value: not _is_number(value) or value <= bound

    def _k_exclusiveMinimum(self, bound: Any, _schema: dict[str, Any],  # noqa: N802
                            _base: str) -> Check:
        return lambda value: not _is_number(value) or value > bound

    def _k_exclusiveMaximum(self, bound: Any, _schema: dict[str, Any],  # noqa: N802
                            _base: str) -> Check:
        return lambda value: not _is_number(value) or value < bound

    def _k_required(self, names: Any, _schema: dict[str, Any], _base: str) -> Check:
        required = tuple(names)
        return lambda value: not isinstance(value, dict) or all(n in value for n in required)

    def _k_properties(self, properties: Any, _schema: dict[str, Any], base: str) -> Check:
        checks = {name: self.compile(sub, base) for name, sub in properties.items()}

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            return all(checks[name](item) for name, item in value.items() if name in checks)

        return check

    def _k_additionalProperties(self, extra: Any, schema: dict[str, Any],  # noqa: N802
                                base: str) -> Check:
        if "patternProperties" in schema:
            return _never
        known = frozenset(schema.get("properties", {}))
        if extra is False:
            return lambda value: not isinstance(value, dict) or known.issuperset(value)
        check_extra = self.compile(extra, base)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            return all(check_extra(item) for name, item in value.items() if name not in known)

        return check

    def _k_propertyNames(self, names: Any, _schema: dict[str, Any], base: str) -> Check:  # noqa: N802
        check_name = self.compile(names, base)
        return lambda value: not isinstance(value, dict) or all(map(check_name, value))

    def _k_items(self, items: Any, schema: dict[str, Any], base: str) -> Check:
        if "prefixItems" in schema:
            return _never
        check_item = self.compile(items, base)
        return lambda value: not isinstance(value, list) or all(map(check_item, value))

    def _k_minItems(self, bound: Any, _schema: dict[str, Any], _base: str) -> Check:  # noqa: N802
        return lambda value: not isinstance(value, list) or len(value) >= bound

    def _k_maxItems(self, bound: Any, _schema: dict[str, Any], _base: str) -> Check:  # noqa: N802
        return lambda value: not isinstance(value, list) or len(value) <= bound

    def _k_uniqueItems(self, unique: Any, _schema: dict[str, Any], _base: str) -> Check:  # noqa: N802
        if unique is not True:
            return _always if unique is False else _never
        return lambda value: not isinstance(value, list) or _unique(value)

    def _k_anyOf(self, schemas: Any, _schema: dict[str, Any], base: str) -> Check:  # noqa: N802
        checks = [self.compile(sub, base) for sub in schemas]
        return lambda value: any(check(value) for check in checks)

    def _k_allOf(self, schemas: Any, _schema: dict[str, Any], base: str) -> Check:  # noqa: N802
        checks = [self.compile(sub, base) for sub in schemas]
        return lambda value: all(check(value) for check in checks)

    def _k_oneOf(self, schemas: Any, _schema: dict[str, Any], base: str) -> Check:  # noqa: N802
        checks = [self.compile(sub, base) for sub in schemas]
        return lambda value: sum(1 for check in checks if check(value)) == 1
