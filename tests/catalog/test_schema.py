"""Schema errors: located at the offending key or value, one line, with a hint."""

from __future__ import annotations

import json
from pathlib import Path

from metricsctl.catalog import load_catalog
from metricsctl.catalog.schema import SCHEMA_FILES, schema_texts
from tests.conftest import REPO_ROOT, WriteCatalog


def problems(root: Path) -> list[tuple[str, str, str, str | None]]:
    result = load_catalog(root)
    return [(str(d.location).split("/")[-1], d.code, d.message, d.hint)
            for d in result.diagnostics]


def test_unknown_key_suggests_the_closest_known_key(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        alerts:
          Down:
            expr: up == 0
            severty: critical
            severity: critical
        """})
    assert problems(root) == [("a.yaml:5:5", "catalog/unknown-key",
                               "unknown key `severty` in `alerts.Down`",
                               "did you mean `severity`?")]


def test_unknown_key_without_a_close_match_lists_the_allowed_keys(
        write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": "domain: a\nzebra: 1\n"})
    (_, code, message, hint), = problems(root)
    assert (code, message) == ("catalog/unknown-key", "unknown key `zebra` in `(top level)`")
    assert hint is not None and hint.startswith("allowed here: alerts, dashboards, description")


def test_missing_required_key_points_at_the_entry(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": "domain: a\nmetrics:\n  x_total:\n    type: counter\n"})
    assert problems(root) == [("a.yaml:3:3", "catalog/missing-key",
                               "`metrics.x_total` is missing the required key `help`", None)]


def test_wrong_type_names_what_was_expected(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        alerts:
          Down: {expr: up == 0, severity: critical, for: 60}
        """})
    assert problems(root) == [("a.yaml:3:50", "catalog/invalid-type",
                               "`for` must be a string, not a number", None)]


def test_enum_values_are_listed_with_a_suggestion(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": "domain: a\nmetrics:\n  x:\n    type: gauges\n    help: h\n"})
    assert problems(root) == [(
        "a.yaml:4:11", "catalog/invalid-value",
        "`type` must be one of counter, gauge, histogram, summary; got `gauges`",
        "did you mean `gauge`?")]


def test_durations_are_checked(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        alerts:
          Down: {expr: up == 0, severity: critical, for: 5 minutes}
        """})
    (location, code, message, _), = problems(root)
    assert (location, code) == ("a.yaml:3:50", "catalog/invalid-value")
    assert message.startswith("`for`: `5 minutes` is not valid; use a Prometheus duration")


def test_a_dashboard_uid_longer_than_40_characters_is_refused(write_catalog: WriteCatalog) -> None:
    uid = "a" * 41
    root = write_catalog({"a.yaml": f"domain: a\ndashboards:\n  {uid}: {{title: T}}\n"})
    assert problems(root) == [(
        "a.yaml:3:3", "catalog/invalid-name",
        f"invalid name `{uid}` in `dashboards`: dashboard uids are 1 to 40 characters of "
        "[A-Za-z0-9_-]", None)]


def test_metric_and_label_name_syntax(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        labels:
          bad-label: {values: [x]}
        metrics:
          http-requests_total: {type: counter, help: h}
        """})
    assert problems(root) == [
        ("a.yaml:3:3", "catalog/invalid-name",
         "invalid name `bad-label` in `labels`: label names match [a-zA-Z_][a-zA-Z0-9_]*", None),
        ("a.yaml:5:3", "catalog/invalid-name",
         "invalid name `http-requests_total` in `metrics`: metric names match "
         "[a-zA-Z_:][a-zA-Z0-9_:]*", None),
    ]


def test_shipped_schemas_are_valid_draft_2020_12() -> None:
    from jsonschema import Draft202012Validator

    for name, text in schema_texts().items():
        schema = json.loads(text)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
        Draft202012Validator.check_schema(schema)


def test_specs_schema_copies_match_the_packaged_schemas() -> None:
    for name in SCHEMA_FILES:
        assert (REPO_ROOT / "specs" / "schema" / name).read_text() == schema_texts()[name], (
            f"specs/schema/{name} is stale: run `metricsctl schema --out specs/schema`")


def test_every_spec_file_declares_its_schema_for_editors() -> None:
    for path in sorted((REPO_ROOT / "specs").glob("*.yaml")):
        first = path.read_text().splitlines()[0]
        kind = "project" if path.name == "metricsctl.yaml" else "domain"
        assert first == f"# yaml-language-server: $schema=schema/{kind}.schema.json", path.name
