"""`metricsctl schema`: the shipped JSON Schemas, written out for editors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from metricsctl.catalog.schema import schema_texts


def test_schema_writes_the_packaged_files(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("schema", "--out", tmp_path / "schema")
    assert result.exit_code == 0
    for name, text in schema_texts().items():
        assert (tmp_path / "schema" / name).read_text() == text


def test_schema_writes_into_the_catalog_it_is_given(tmp_path: Path,
                                                    cli: Callable[..., Any]) -> None:
    specs = tmp_path / "my-specs"
    specs.mkdir()
    result = cli("schema", specs)
    assert result.exit_code == 0
    assert sorted(p.name for p in (specs / "schema").iterdir()) == sorted(schema_texts())


def test_a_missing_catalog_directory_is_a_usage_error(tmp_path: Path,
                                                      cli: Callable[..., Any]) -> None:
    result = cli("schema", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_standard_output_is_refused_for_several_files(tmp_path: Path,
                                                      cli: Callable[..., Any]) -> None:
    result = cli("schema", "--out", "-")
    assert result.exit_code == 2
    assert "not '-'" in result.output
    assert not (Path.cwd() / "-").exists()
