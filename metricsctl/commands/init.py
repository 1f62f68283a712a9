"""`metricsctl init`: scaffold a small catalog that validates and generates as is."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

_FILES = {"metricsctl.yaml": "init/metricsctl.yaml.j2", "service.yaml": "init/service.yaml.j2"}
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")


def _project_name(directory: Path) -> str:
    base = directory.resolve().name
    if base == "specs":
        base = directory.resolve().parent.name
    name = re.sub(r"[^a-z0-9_-]+", "-", base.lower()).strip("-_")
    return name if _IDENTIFIER.match(name) else "my-project"


def init(
    directory: Annotated[Path, typer.Argument(
        help="Where to create the catalog.")] = Path("specs"),
    project: Annotated[str | None, typer.Option(
        "--project", "-p", help="Project name [default: from the directory].")] = None,
) -> None:
    """Create a small working catalog (project file, one domain, JSON Schemas)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from metricsctl import console
    from metricsctl.commands.schema import write_schemas

    name = project or _project_name(directory)
    if not _IDENTIFIER.match(name):
        raise typer.BadParameter("use lower-case letters, digits, '_' and '-', starting with a "
                                 "letter", param_hint="--project")
    existing = [directory / file for file in _FILES if (directory / file).exists()]
    if existing:
        names = ", ".join(map(str, existing))
        console.stderr().print(console.styled(("error", "red"),
                                              f": {names} already exists; nothing was written"))
        raise typer.Exit(1)
    environment = Environment(loader=PackageLoader("metricsctl.templates", ""),
                              undefined=StrictUndefined, keep_trailing_newline=True,
                              autoescape=False)
    directory.mkdir(parents=True, exist_ok=True)
    title = name.replace("-", " ").replace("_", " ").title()
    for file, template in _FILES.items():
        text = environment.get_template(template).render(project=name, title=title)
        (directory / file).write_text(text, encoding="utf-8", newline="\n")
        console.stdout().print(f"created {directory / file}")
    for path in write_schemas(directory / "schema"):
        console.stdout().print(f"created {path}")
    console.stdout().print(f"next: metricsctl validate {directory}")


def register(app: typer.Typer) -> None:
    app.command()(init)
