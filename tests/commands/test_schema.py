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
