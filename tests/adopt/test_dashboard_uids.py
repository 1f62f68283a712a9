"""A dashboard uid is the dashboard's address in Grafana: when two imported dashboards share
one, or the catalog already has it, the report says so with both places."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import load_valid_catalog

UID = "node-overview"
LONG_UID = "a" * 40  # Grafana's longest


def _dashboard(directory: Path, name: str, title: str, uid: str = UID) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {
        "title": title, "uid": uid, "schemaVersion": 39,
        "panels": [{"type": "stat", "title": "Up", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
                    "targets": [{"expr": "up", "refId": "A"}]}]}
    path = directory / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def test_two_imported_dashboards_with_one_uid_are_both_kept_and_reported(
        cli, tmp_path: Path) -> None:
    staging = _dashboard(tmp_path / "exports", "staging.json", "Nodes (staging)")
    production = _dashboard(tmp_path / "exports", "production.json", "Nodes (production)")
    specs = tmp_path / "specs"

    result = cli("import", tmp_path / "exports", "--into", specs)

    assert result.exit_code == 0, result.output
    # Files are read in name order: production first, so staging gets the new uid.
    assert (f"{staging}:3:10: dashboard uid `{UID}` is also that of {production}:3:10: "
            f"imported as `{UID}_2`") in result.stdout
    catalog = load_valid_catalog(specs)
    assert {uid: d.title for uid, d in catalog.dashboards.items()} == {
        UID: "Nodes (production)", f"{UID}_2": "Nodes (staging)"}


def test_the_json_report_lists_the_renamed_uid_with_both_locations(
        cli, tmp_path: Path) -> None:
    first = _dashboard(tmp_path / "a", "nodes.json", "Nodes")
    second = _dashboard(tmp_path / "b", "nodes.json", "Nodes, again")

    result = cli("import", first, second, "--into", tmp_path / "specs", "--dry-run",
                 "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["renamed"] == [{
        "section": "dashboards", "name": UID, "key": f"{UID}_2",
        "first": {"file": str(first), "line": 3, "column": 10},
        "second": {"file": str(second), "line": 3, "column": 10}}]


def test_a_renamed_uid_stays_within_40_characters(cli, tmp_path: Path) -> None:
    first = _dashboard(tmp_path / "a", "one.json", "One", uid=LONG_UID)
    second = _dashboard(tmp_path / "b", "two.json", "Two", uid=LONG_UID)
    specs = tmp_path / "specs"

    result = cli("import", first, second, "--into", specs)

    assert result.exit_code == 0, result.output
    assert sorted(load_valid_catalog(specs).dashboards) == [LONG_UID[:38] + "_2", LONG_UID]


def test_a_uid_the_catalog_already_has_is_a_conflict_naming_both(
        cli, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    assert cli("import", _dashboard(tmp_path / "a", "nodes.json", "Nodes"),
               "--into", specs).exit_code == 0
    other = _dashboard(tmp_path / "b", "nodes.json", "Other nodes")

    text = cli("import", other, "--into", specs)
    report = json.loads(cli("import", other, "--into", specs, "--format", "json").stdout)

    assert text.exit_code == 1
    assert "specs/dashboards.yaml:" in text.stdout
    assert f"dashboards `{UID}` differs from {other}:1:1: conflict, kept as it is" \
        in text.stdout
    assert [(c["key"], c["existing"]["file"], c["incoming"]["file"])
            for c in report["conflicts"]] == [(UID, str(specs / "dashboards.yaml"), str(other))]
    assert load_valid_catalog(specs).dashboards[UID].title == "Nodes"
