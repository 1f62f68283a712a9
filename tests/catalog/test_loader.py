"""Loading a catalog directory: discovery, the project file, and every error in one run."""

from __future__ import annotations

import shutil
from pathlib import Path

from metricsctl.catalog import load_catalog
from metricsctl.catalog.loader import load_catalog_from_blobs
from tests.conftest import SHIPPED_SPECS, WriteCatalog


def test_the_shipped_catalog_loads_cleanly() -> None:
    result = load_catalog(SHIPPED_SPECS)
    assert result.diagnostics == []
    assert result.ok and result.catalog is not None
    assert result.catalog.project.name == "ai-platform"


def test_spec_files_are_found_in_subdirectories_and_hidden_ones_skipped(
        write_catalog: WriteCatalog) -> None:
    root = write_catalog({
        "teams/a.yaml": "domain: a\nmetrics: {a_total: {type: counter, help: h}}\n",
        "b.yml": "domain: b\nmetrics: {b_total: {type: counter, help: h}}\n",
        ".hidden/c.yaml": "not: [valid",
        "notes.txt": "not a spec",
    })
    result = load_catalog(root)
    assert result.ok
    assert result.catalog is not None
    assert list(result.catalog.metrics) == ["b_total", "a_total"]


def test_a_directory_without_specs_is_reported(tmp_path: Path) -> None:
    result = load_catalog(tmp_path)
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("catalog/no-specs", f"no spec files (*.yaml) in {tmp_path}")]
    assert result.catalog is None


def test_a_missing_project_file_is_reported_and_domains_still_checked(
        write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": "domain: a\nmetrics: {x: {type: gauge}}\n"}, project=None)
    codes = [d.code for d in load_catalog(root).diagnostics]
    assert codes == ["catalog/no-project", "catalog/missing-key"]


def test_a_directory_symlink_loop_is_reported_not_followed(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": "domain: a\n"})
    (root / "loop").symlink_to(root, target_is_directory=True)
    result = load_catalog(root)
    assert [(str(d.location), d.code) for d in result.diagnostics] == [
        (f"{root}/loop", "catalog/symlink-loop")]


def test_a_file_symlink_loop_is_reported(write_catalog: WriteCatalog) -> None:
    root = write_catalog({})
    (root / "a.yaml").symlink_to(root / "b.yaml")
    (root / "b.yaml").symlink_to(root / "a.yaml")
    result = load_catalog(root)
    assert [(str(d.location), d.code) for d in result.diagnostics] == [
        (f"{root}/a.yaml:1:1", "catalog/unreadable"), (f"{root}/b.yaml:1:1", "catalog/unreadable")]
    assert "symbolic links" in result.diagnostics[0].message


def test_a_broken_copy_of_the_shipped_specs_reports_every_error_in_one_run(
        tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(SHIPPED_SPECS, specs)
    edits = {
        "venice.yaml": ("    severity: warning\n", "    severity: warnig\n"),
        "http.yaml": ("    buckets: [0.05, 0.1, 0.25", "    buckets: [0.1, 0.05, 0.25"),
        "chat.yaml": ("    labels: [model, streaming]", "    labels: [model, streamin]"),
        "queues.yaml": ("    for: 5m\n", "    for: 5 min\n"),
        "kpis.yaml": ("  active_users:\n    type: gauge\n", "  active_users:\n    type: gauge\n"
                      "    unit: users\n    unit: people\n"),
    }
    for name, (old, new) in edits.items():
        path = specs / name
        text = path.read_text()
        assert old in text, name
        path.write_text(text.replace(old, new, 1))
    result = load_catalog(specs)
    assert sorted((Path(d.file or "").name, d.code) for d in result.errors) == [
        ("chat.yaml", "catalog/unknown-label"),  # the typo in the metric's labels
        ("chat.yaml", "catalog/unknown-label"),  # ...and a panel grouping by the lost label
        ("http.yaml", "catalog/buckets-order"),
        ("kpis.yaml", "catalog/duplicate-key"),
        ("queues.yaml", "catalog/invalid-value"),
        ("venice.yaml", "catalog/unknown-severity"),
    ]
    assert all(d.line and d.column for d in result.errors)


def test_a_catalog_loads_from_file_contents_as_from_disk() -> None:
    blobs = {path.relative_to(SHIPPED_SPECS).as_posix(): path.read_bytes()
             for path in SHIPPED_SPECS.rglob("*.yaml")}
    from_blobs = load_catalog_from_blobs(SHIPPED_SPECS, "specs", blobs)
    from_disk = load_catalog(SHIPPED_SPECS)
    assert from_blobs.ok and from_blobs.catalog is not None and from_disk.catalog is not None
    assert list(from_blobs.catalog.metrics) == list(from_disk.catalog.metrics)
    assert from_blobs.catalog.metrics == from_disk.catalog.metrics
