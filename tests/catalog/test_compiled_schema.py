"""The compiled schema check never accepts what jsonschema refuses, and accepts real catalogs."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from metricsctl.catalog.compiled_schema import SchemaCompiler
from metricsctl.catalog.schema import (
    DOMAIN_SCHEMA,
    PROJECT_SCHEMA,
    _quick_check,
    _schema_documents,
    _validator,
)
from metricsctl.catalog.yaml_source import parse_yaml
from tests.conftest import REPO_ROOT, SHIPPED_SPECS, SMALL_CATALOG


def _documents() -> list[tuple[str, str, Any]]:
    """(file, schema, data) of every catalog file the repository ships or tests with."""
    found = []
    for root in (SHIPPED_SPECS, SMALL_CATALOG):
        for path in sorted(root.glob("*.yaml")):
            document, _ = parse_yaml(path.read_bytes(), str(path))
            assert document is not None
            schema = PROJECT_SCHEMA if path.name == "metricsctl.yaml" else DOMAIN_SCHEMA
            found.append((str(path.relative_to(REPO_ROOT)), schema, document.data))
    return found


DOCUMENTS = _documents()


def jsonschema_accepts(schema: str, data: Any) -> bool:
    return not any(True for _ in _validator(schema).iter_errors(data))


@pytest.mark.parametrize(("file", "schema", "data"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_valid_catalog_files_take_the_fast_path(file: str, schema: str, data: Any) -> None:
    assert jsonschema_accepts(schema, data)
    assert _quick_check(schema)(data), f"{file} is valid but the compiled check refuses it"


# Values that break types, enums, patterns, bounds and required keys in many ways.
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False, width=16)
    | st.sampled_from(["", "x", "5m", "1.5", "true", "GET", "gauge", "counter", "Bad Name",
                       "http_requests_total", "up == 0", "warning", "$__rate_interval"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["type", "help", "labels", "expr", "title", "values", "x", "le"]),
        inner, max_size=3),
    max_leaves=6)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            paths += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            paths += _paths(value, (*prefix, index))
    return paths


def _mutate(data: Any, path: tuple[Any, ...], action: str, value: Any) -> Any:
    mutated = copy.deepcopy(data)
    if not path:
        return value
    parent = mutated
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "delete" and isinstance(parent, dict):
        del parent[last]
    elif action == "add-key" and isinstance(parent, dict):
        parent[f"unknown_{last}"] = value
    else:
        parent[last] = value
    return mutated


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_mutated_document_is_accepted_only_if_jsonschema_accepts_it(data: st.DataObject) -> None:
    _, schema, original = data.draw(st.sampled_from(DOCUMENTS))
    path = data.draw(st.sampled_from(_paths(original)))
    action = data.draw(st.sampled_from(["replace", "delete", "add-key"]))
    mutated = _mutate(original, path, action, data.draw(_VALUES))

    if _quick_check(schema)(mutated):
        assert jsonschema_accepts(schema, mutated), (path, action)


def check(schema: dict[str, Any]) -> Any:
    return SchemaCompiler({"s.json": schema}).compile_document("s.json")


@pytest.mark.parametrize(("schema", "value"), [
    ({"enum": [1]}, True),
    ({"enum": [True]}, 1),
    ({"enum": [1]}, 1.0),
    ({"type": "integer"}, 1.0),
    ({"type": "number"}, False),
    ({"uniqueItems": True}, [1, True]),
    ({"uniqueItems": True}, [[1], [1]]),
    ({"if": {"type": "string"}}, "x"),
    ({"patternProperties": {"^x": {}}, "additionalProperties": False}, {"x": 1}),
    ({"$ref": "#/$defs/missing"}, 1),
])
def test_where_json_and_python_differ_or_a_keyword_is_unknown_jsonschema_decides(
        schema: dict[str, Any], value: Any) -> None:
    assert check(schema)(value) is False


def test_the_checks_agree_with_jsonschema_on_plain_cases() -> None:
    schema = {"type": "object", "required": ["a"], "additionalProperties": False,
              "properties": {"a": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2},
                             "n": {"type": "integer", "minimum": 1, "exclusiveMaximum": 5},
                             "l": {"type": "array", "items": {"enum": ["x", "y"]},
                                   "uniqueItems": True, "minItems": 1}},
              "propertyNames": {"pattern": "^[a-z]$"}}
    cases = [{"a": "ab"}, {"a": "a"}, {"a": "AB"}, {}, {"a": "ab", "z": 1},
             {"a": "ab", "n": 1}, {"a": "ab", "n": 5}, {"a": "ab", "n": 0},
             {"a": "ab", "l": ["x", "y"]}, {"a": "ab", "l": ["x", "x"]}, {"a": "ab", "l": []},
             {"a": "ab", "l": ["z"]}, [], "text"]
    validator = Draft202012Validator(schema)

    for case in cases:
        assert check(schema)(case) is validator.is_valid(case), case


def test_recursive_references_compile_and_check() -> None:
    schema = {"$defs": {"tree": {"type": "object", "additionalProperties": False,
                                 "properties": {"children": {"type": "array",
                                                             "items": {"$ref": "#/$defs/tree"}}}}},
              "$ref": "#/$defs/tree"}

    assert check(schema)({"children": [{"children": []}, {}]}) is True
    assert check(schema)({"children": [{"leaf": 1}]}) is False


def test_references_across_the_shipped_schema_files_resolve() -> None:
    documents = _schema_documents()
    domain = SchemaCompiler(documents).compile_document(DOMAIN_SCHEMA)

    assert domain({"domain": "x", "labels": {"route": {"max_cardinality": 5}}}) is True
    assert domain({"domain": "x", "labels": {"bad name": {}}}) is False
    assert json.loads((REPO_ROOT / "metricsctl/catalog/schema" / DOMAIN_SCHEMA).read_text())


def test_a_file_that_fails_the_quick_check_still_gets_located_errors(tmp_path: Path) -> None:
    from metricsctl.catalog import load_catalog

    (tmp_path / "metricsctl.yaml").write_text("project: t\n")
    (tmp_path / "a.yaml").write_text("domain: a\nmetrics:\n  x_total: {type: countr, help: h}\n")

    [diagnostic] = load_catalog(tmp_path).errors

    assert (diagnostic.code, str(diagnostic.location)) == ("catalog/invalid-value",
                                                           f"{tmp_path}/a.yaml:3:19")
