"""`metricsctl schema`: write the catalog's JSON Schemas, for editors and other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def write_schemas(directory: Path) -> list[Path]:
    """Write the shipped schema files into `directory`; returns the paths written."""
    from metricsctl.catalog.schema import schema_texts

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        path = directory / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def schema(
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Directory to write the schema files to.")] = Path("specs/schema"),
) -> None:
    """Write the JSON Schemas (draft 2020-12) of the project and domain files."""
    from metricsctl import console

    for path in write_schemas(out):
        console.stdout().print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command()(schema)
