"""`metricsctl init`: a scaffold that validates as is and never overwrites."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from metricsctl.catalog import load_catalog
from metricsctl.catalog.schema import schema_texts


def test_init_creates_a_valid_catalog_named_after_the_directory(
        tmp_path: Path, cli: Callable[..., Any]) -> None:
    target = tmp_path / "acme-shop" / "specs"
    result = cli("init", target)
    assert result.exit_code == 0, result.stdout
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == [
        "metricsctl.yaml", "schema/common.schema.json", "schema/domain.schema.json",
        "schema/project.schema.json", "service.yaml"]
    loaded = load_catalog(target)
    assert loaded.diagnostics == []
    assert loaded.catalog is not None and loaded.catalog.project.name == "acme-shop"
    assert (target / "schema" / "domain.schema.json").read_text() == \
        schema_texts()["domain.schema.json"]


def test_init_never_overwrites_an_existing_catalog(tmp_path: Path,
                                                   cli: Callable[..., Any]) -> None:
    (tmp_path / "metricsctl.yaml").write_text("project: mine\n")
    result = cli("init", tmp_path)
    assert result.exit_code == 1
    assert (tmp_path / "metricsctl.yaml").read_text() == "project: mine\n"
    assert not (tmp_path / "service.yaml").exists()


def test_an_invalid_project_name_is_a_usage_error(tmp_path: Path,
                                                  cli: Callable[..., Any]) -> None:
    result = cli("init", tmp_path, "--project", "Bad Name")
    assert result.exit_code == 2
    assert not any(tmp_path.iterdir())
