"""Loading a catalog directory: discovery, the project file, and every error in one run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from metricsctl.catalog import load_catalog
from metricsctl.catalog.loader import load_catalog_from_blobs, read_spec_blobs
from metricsctl.catalog.spec_files import (
    SpecFileError,
    discover_spec_files,
    read_regular_file,
    read_spec_file,
)
from metricsctl.diagnostics import Diagnostic
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
        "queues.yaml": ("    objective: 99\n", "    objective: 100\n"),
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


# -- only regular files inside SPECS_DIR are read -------------------------------------------

SHOP = "domain: shop\nmetrics: {shop_orders_total: {type: counter, help: Orders.}}\n"


def located(result_diagnostics: list[Diagnostic]) -> list[tuple[str, str]]:
    return [(str(d.location), d.code) for d in result_diagnostics]


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(
        write_catalog: WriteCatalog) -> None:
    root = write_catalog({"shop.yaml": SHOP})
    os.mkfifo(root / "pipe.yaml")
    result = load_catalog(root)  # opening a pipe for reading would block here
    assert located(result.diagnostics) == [(f"{root}/pipe.yaml:1:1", "catalog/not-a-file")]
    assert result.diagnostics[0].message == "a named pipe, not a regular file: not read"


@pytest.mark.parametrize("target", ["/dev/zero", "/proc/self/environ", "/etc/hostname"])
def test_a_file_link_leading_outside_the_specs_directory_is_refused(
        write_catalog: WriteCatalog, target: str) -> None:
    root = write_catalog({"shop.yaml": SHOP})
    (root / "linked.yaml").symlink_to(target)
    result = load_catalog(root)
    assert located(result.diagnostics) == [(f"{root}/linked.yaml", "catalog/link-outside")]
    assert result.diagnostics[0].message.startswith(
        f"symbolic link leads outside {root} (to /")


def test_a_directory_link_leading_outside_is_refused_and_nothing_under_it_read(
        write_catalog: WriteCatalog, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "team.yaml").write_text(
        "domain: team\nmetrics: {team_jobs_total: {type: counter, help: Jobs.}}\n")
    root = write_catalog({"shop.yaml": SHOP})
    (root / "teams").symlink_to(outside, target_is_directory=True)
    result = load_catalog(root)
    assert located(result.diagnostics) == [(f"{root}/teams", "catalog/link-outside")]
    assert result.catalog is not None and list(result.catalog.metrics) == ["shop_orders_total"]


def test_links_that_stay_inside_the_specs_directory_are_followed(
        write_catalog: WriteCatalog) -> None:
    root = write_catalog({".shared/shop.yaml": SHOP})  # hidden: read only through the links
    (root / "teams").symlink_to(".shared", target_is_directory=True)
    (root / "alias.yml").symlink_to(".shared/shop.yaml")
    result = load_catalog(root)
    # read through both links: the same domain twice, as two real files would be
    assert [d.code for d in result.errors] == ["catalog/duplicate-domain",
                                               "catalog/duplicate-metric"]
    assert {d.file for d in result.errors} == {f"{root}/teams/shop.yaml"}


def test_a_file_swapped_for_a_link_after_discovery_is_not_followed(
        write_catalog: WriteCatalog, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("domain: secret\n")
    root = write_catalog({"shop.yaml": SHOP})
    files, problems = discover_spec_files(root)
    assert problems == [] and [f.relative for f in files] == ["metricsctl.yaml", "shop.yaml"]
    (root / "shop.yaml").unlink()
    (root / "shop.yaml").symlink_to(secret)  # the race: after the check, before the read
    with pytest.raises(SpecFileError) as refused:
        read_spec_file(root, files[1])
    assert refused.value.code == "catalog/unreadable"
    assert "symbolic links" in refused.value.message


def test_a_directory_swapped_for_a_link_after_discovery_is_not_followed(
        write_catalog: WriteCatalog, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "shop.yaml").write_text("domain: secret\n")
    root = write_catalog({"team/shop.yaml": SHOP})
    files, _ = discover_spec_files(root)
    shutil.rmtree(root / "team")
    (root / "team").symlink_to(outside, target_is_directory=True)
    with pytest.raises(SpecFileError):
        read_spec_file(root, files[1])


def test_devices_are_refused_on_the_open_descriptor() -> None:
    with pytest.raises(SpecFileError) as refused:
        read_regular_file(os.open("/dev/zero", os.O_RDONLY))
    assert (refused.value.code, refused.value.message) == (
        "catalog/not-a-file", "a character device, not a regular file: not read")


def test_import_reads_the_existing_catalog_the_same_way(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"shop.yaml": SHOP})
    os.mkfifo(root / "pipe.yaml")
    (root / "env.yaml").symlink_to("/proc/self/environ")
    blobs, problems = read_spec_blobs(root)
    assert sorted(blobs) == ["metricsctl.yaml", "shop.yaml"]
    assert located(problems) == [(f"{root}/env.yaml", "catalog/link-outside"),
                                 (f"{root}/pipe.yaml:1:1", "catalog/not-a-file")]


def test_a_catalog_past_the_value_limit_stops_reading(
        write_catalog: WriteCatalog, monkeypatch: pytest.MonkeyPatch) -> None:
    from metricsctl.catalog import loader

    monkeypatch.setattr(loader, "MAX_CATALOG_VALUES", 10)  # 6 in each domain file
    root = write_catalog({"a.yaml": SHOP, "b.yaml": SHOP.replace("shop", "b"),
                          "c.yaml": SHOP.replace("shop", "c")})
    result = load_catalog(root)
    assert [(str(d.location), d.code) for d in result.errors] == [
        (f"{root}/b.yaml:1:1", "catalog/too-many-values")]
    assert result.errors[0].message == ("the catalog holds more than 10 values with this "
                                        "file; the files after it were not read")
