"""`metricsctl schema`: write the catalog's JSON Schemas, for editors and other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from metricsctl.commands.catalog_input import SpecsDirArgument, resolve_specs_dir


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
    specs_dir: SpecsDirArgument = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", show_default=False,
        help="Directory to write the schema files to [default: SPECS_DIR/schema].")] = None,
) -> None:
    """Write the JSON Schemas (draft 2020-12) of the project and domain files."""
    from metricsctl import console

    if out is not None and str(out) == "-":
        raise typer.BadParameter("the schemas are several files: give a directory, not '-'",
                                 param_hint="--out")
    directory = out if out is not None else resolve_specs_dir(specs_dir) / "schema"
    if directory.exists() and not directory.is_dir():
        raise typer.BadParameter(f"'{directory}' is not a directory", param_hint="--out")
    try:
        written = write_schemas(directory)
    except OSError as error:
        console.stderr().print(console.styled(
            ("error", "red"), f": cannot write {directory}: {error.strerror or error}"))
        raise typer.Exit(1) from None
    for path in written:
        console.stdout().print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command()(schema)
