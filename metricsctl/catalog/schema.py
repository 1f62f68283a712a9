"""The catalog's JSON Schemas (shipped in the package) and located schema errors."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from metricsctl.catalog.compiled_schema import Check, SchemaCompiler
from metricsctl.catalog.yaml_source import PathKey, SourceDocument
from metricsctl.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

SCHEMA_FILES = ("common.schema.json", "project.schema.json", "domain.schema.json")
PROJECT_SCHEMA = "project.schema.json"
DOMAIN_SCHEMA = "domain.schema.json"


def schema_texts() -> dict[str, str]:
    """The shipped schema files by name, exactly as packaged."""
    folder = resources.files("metricsctl.catalog") / "schema"
    return {name: (folder / name).read_text(encoding="utf-8") for name in SCHEMA_FILES}


@cache
def _schema_documents() -> dict[str, Any]:
    return {file: json.loads(text) for file, text in schema_texts().items()}


@cache
def _validator(name: str) -> Validator:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    schemas = _schema_documents()
    registry: Registry[Any] = Registry().with_resources(
        (file, Resource.from_contents(schema, default_specification=DRAFT202012))
        for file, schema in schemas.items())
    return Draft202012Validator(schemas[name], registry=registry)


@cache
def _quick_check(name: str) -> Check:
    return SchemaCompiler(_schema_documents()).compile_document(name)


def validate_document(document: SourceDocument, schema: str) -> list[Diagnostic]:
    """Schema errors of one document, each located at the offending key or value."""
    # The compiled check accepts valid documents ~10x faster than jsonschema (and without
    # importing it); jsonschema runs only to explain a document the check refuses.
    if _quick_check(schema)(document.data):
        return []
    errors = _validator(schema).iter_errors(document.data)
    return [diagnostic for error in errors for diagnostic in _translate(error, document)]


def _path_text(path: PathKey) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _field_name(path: PathKey) -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return "value"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "empty (null)"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _expected(types: Any) -> str:
    names = {"string": "a string", "integer": "an integer", "number": "a number",
             "boolean": "true or false", "array": "a list", "object": "a mapping",
             "null": "empty"}
    if isinstance(types, str):
        types = [types]
    return " or ".join(names.get(t, t) for t in types)


def _did_you_mean(word: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def _deepest(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf, the alternative that got furthest, by jsonschema's own ranking."""
    from jsonschema.exceptions import best_match

    while error.context:
        chosen = best_match(error.context)
        if chosen is None or chosen is error:
            break
        error = chosen
    return error


def _translate(error: ValidationError, document: SourceDocument) -> Iterator[Diagnostic]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        error = _deepest(error)
    path: PathKey = tuple(error.absolute_path)
    if path in document.refused:  # reported (and set to null) while reading the YAML
        return
    where = _path_text(path)
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance: Any = error.instance
    expected: Any = error.validator_value

    def diag(code: str, message: str, at: PathKey, *, key: bool = False,
             hint: str | None = None) -> Diagnostic:
        return Diagnostic(code, Severity.ERROR, message, document.locate(at, key=key),
                          hint=hint, path=_path_text(at),
                          end_column=document.key_end_column(at) if key else None)

    if "propertyNames" in error.absolute_schema_path:
        name = str(instance)
        message = schema.get("patternErrorMessage") or error.message
        yield diag("catalog/invalid-name", f"invalid name `{name}` in `{where}`: {message}",
                   (*path, name), key=True)
        return
    if validator == "additionalProperties":
        known = sorted(schema.get("properties") or {})
        extras = [key for key in instance if key not in known]
        for key in extras:
            hint = _did_you_mean(key, known)
            if hint is None and known:
                hint = "allowed here: " + ", ".join(known)
            yield diag("catalog/unknown-key", f"unknown key `{key}` in `{where}`", (*path, key),
                       key=True, hint=hint)
        return
    if validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else error.message
        yield diag("catalog/missing-key", f"`{where}` is missing the required key `{missing}`",
                   path, key=True)
        return
    field = _field_name(path)
    if validator == "type":
        yield diag("catalog/invalid-type",
                   f"`{field}` must be {_expected(expected)}, "
                   f"not {_describe(instance)}", path)
        return
    if validator == "enum":
        choices = [str(c).lower() if isinstance(c, bool) else str(c) for c in expected]
        hint = _did_you_mean(instance, choices) if isinstance(instance, str) else None
        yield diag("catalog/invalid-value",
                   f"`{field}` must be one of {', '.join(choices)}; got `{instance}`",
                   path, hint=hint)
        return
    if validator == "pattern":
        message = schema.get("patternErrorMessage") or f"does not match {expected}"
        yield diag("catalog/invalid-value",
                   f"`{field}`: `{instance}` is not valid; {message}", path)
        return
    yield diag("catalog/invalid-value", f"`{field}`: {error.message}", path)
