"""`metricsctl diff`: what a change to the catalog means for the people who query the metrics."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from metricsctl.commands.catalog_input import DEFAULT_SPECS_DIR, resolve_specs_dir

if TYPE_CHECKING:
    from collections.abc import Mapping

    from metricsctl.catalog import Catalog, LoadResult
    from metricsctl.review.changes import DiffReport


class DiffFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    github = "github"


class FailOn(StrEnum):
    breaking = "breaking"
    any = "any"


class _UsageError(Exception):
    """A one-line reason to stop with exit code 2."""


def diff(
    specs_dir: Annotated[Path | None, typer.Argument(
        metavar="SPECS_DIR|OLD_DIR", show_default=False,
        help="The catalog directory in git [default: specs/]; with NEW_DIR, the old one of "
             "two catalog directories to compare.")] = None,
    new_dir: Annotated[Path | None, typer.Argument(
        metavar="NEW_DIR", show_default=False,
        help="Compare OLD_DIR with this directory instead of git revisions.")] = None,
    base: Annotated[str | None, typer.Option(
        "--base", metavar="REF", show_default=False,
        help="Git revision to compare from [default: the merge-base with origin/main, else "
             "main, else HEAD].")] = None,
    head: Annotated[str | None, typer.Option(
        "--head", metavar="REF", show_default=False,
        help="Git revision to compare to [default: the working tree].")] = None,
    output_format: Annotated[DiffFormat, typer.Option(
        "--format", "-f", help="text; markdown (a PR comment); json; github (annotations, "
                               "and the Markdown report appended to $GITHUB_STEP_SUMMARY).")
    ] = DiffFormat.text,
    fail_on: Annotated[FailOn | None, typer.Option(
        "--fail-on", show_default=False,
        help="Exit 1 when there is a breaking change, or any change [default: report only].")
    ] = None,
    previews: Annotated[Path | None, typer.Option(
        "--previews", metavar="DIR", show_default=False,
        help="Draw the changed dashboards before and after into DIR (PNG; needs the preview "
             "extra); the markdown report shows them.")] = None,
) -> None:
    """Review a catalog change: breaking, risky and safe changes, what depends on them,
    and how many series they add.

    Reads the base (and the head, with --head) straight from git objects: no checkout, the
    working tree and the index are left untouched. Exit 0 (1 with --fail-on when it
    applies, or when either catalog is invalid), 2 on usage errors.
    """
    from metricsctl import console

    try:
        paths = [path for path in (specs_dir, new_dir) if path is not None]
        report, catalogs = _build_report(paths, base, head)
        extra = _previews(catalogs, previews) if previews else ""
    except _UsageError as error:
        console.stderr().print(console.styled(("error", "bold red"), f": {error}"))
        raise typer.Exit(2) from None
    _emit(report, output_format, extra)
    raise typer.Exit(_exit_code(report, fail_on))


def _previews(catalogs: tuple[Catalog, Catalog], directory: Path) -> str:
    """Draw the changed dashboards; the Markdown that shows them."""
    from metricsctl import console
    from metricsctl.commands.preview import INSTALL_HINT

    try:
        from metricsctl.preview.changes import draw_previews, previews_markdown
        from metricsctl.preview.synthetic import PreviewDataError
    except ModuleNotFoundError as error:
        raise _UsageError(f"--previews needs {error.name}; {INSTALL_HINT}") from None
    try:
        return previews_markdown(draw_previews(*catalogs, directory))
    except PreviewDataError as error:
        console.stderr().print(f"error: dashboard previews: {error}", markup=False,
                               emoji=False, highlight=False)
        raise typer.Exit(1) from None


def _build_report(paths: list[Path], base: str | None,
                  head: str | None) -> tuple[DiffReport, tuple[Catalog, Catalog]]:
    from metricsctl.catalog import load_catalog
    from metricsctl.review.changes import CatalogSide
    from metricsctl.review.compare import compare_catalogs
    from metricsctl.review.git_source import GitRepository, GitSourceError

    if len(paths) == 2:
        if base is not None or head is not None:
            raise _UsageError("--base and --head compare git revisions; they do not apply "
                              "to two directories")
        old_dir, new_dir = (resolve_specs_dir(path) for path in paths)
        old, new = load_catalog(old_dir), load_catalog(new_dir)
        base_catalog, head_catalog = _valid(("old catalog", old, _texts(old)),
                                            ("new catalog", new, _texts(new)))
        return compare_catalogs(base_catalog, head_catalog,
                                CatalogSide("old directory", old_dir.as_posix()),
                                CatalogSide("new directory", new_dir.as_posix())), (
            base_catalog, head_catalog)
    specs_dir = paths[0] if paths else DEFAULT_SPECS_DIR
    try:
        repository = GitRepository(Path.cwd())
        head_revision = repository.resolve(head) if head is not None else None
        base_revision, notes = ((repository.resolve(base), []) if base is not None
                                else repository.default_base(head_revision))
        old_side = repository.read_catalog(base_revision, specs_dir)
        if head_revision is not None:
            new_side = repository.read_catalog(head_revision, specs_dir)
            new_result, new_texts = new_side.result, new_side.texts
            head_description = head_revision.describe()
        else:
            new_result = load_catalog(resolve_specs_dir(specs_dir))
            new_texts = _texts(new_result)
            head_description = "working tree"
    except GitSourceError as error:
        raise _UsageError(str(error)) from None
    base_catalog, head_catalog = _valid(
        (f"base catalog at {base_revision.describe()}", old_side.result, old_side.texts),
        (f"head catalog ({head_description})", new_result, new_texts))
    shown = specs_dir.as_posix()
    return compare_catalogs(base_catalog, head_catalog,
                            CatalogSide(base_revision.describe(), shown),
                            CatalogSide(head_description, shown), notes), (
        base_catalog, head_catalog)


def _texts(result: LoadResult) -> dict[str, str]:
    from metricsctl.commands.catalog_input import document_texts

    return document_texts(result)


def _valid(*sides: tuple[str, LoadResult, Mapping[str, str]]) -> tuple[Catalog, Catalog]:
    """Both catalogs, or exit 1 after printing every error of each invalid one."""
    from metricsctl import console
    from metricsctl.commands.catalog_input import print_diagnostics
    from metricsctl.diagnostics.text import summarize

    invalid = False
    for name, result, texts in sides:
        if result.ok:
            continue
        invalid = True
        print_diagnostics(result.errors, texts, to_stderr=True)
        console.stderr().print(f"{name} is invalid: {summarize(result.errors)}")
    if invalid:
        raise typer.Exit(1)
    (_, base, _), (_, head, _) = sides
    assert base.catalog is not None and head.catalog is not None
    return base.catalog, head.catalog


def _emit(report: DiffReport, output_format: DiffFormat, previews: str = "") -> None:
    from metricsctl import console

    if output_format is DiffFormat.markdown:
        from metricsctl.review.markdown import render_markdown

        console.write(render_markdown(report) + previews)
    elif output_format is DiffFormat.json:
        from metricsctl.review.json_report import render_json

        console.write(render_json(report))
    elif output_format is DiffFormat.github:
        from metricsctl.review.github import append_step_summary, render_annotations
        from metricsctl.review.markdown import render_markdown
        from metricsctl.review.text import render_text

        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            try:
                append_step_summary(Path(summary), render_markdown(report) + previews)
            except OSError as error:
                console.stderr().print(console.styled(("error", "bold red"),
                                              f": cannot write $GITHUB_STEP_SUMMARY ({summary}): "
                                              f"{error.strerror or ''}"))
                raise typer.Exit(2) from None
        console.write(render_text(report) + render_annotations(report))
    else:
        from metricsctl.review.text import render_text

        console.stdout().print(render_text(report, markup=True), end="", markup=True)


def _exit_code(report: DiffReport, fail_on: FailOn | None) -> int:
    from metricsctl import console
    from metricsctl.review.changes import Classification

    breaking = report.counts()[Classification.BREAKING]
    if fail_on is FailOn.breaking and breaking:
        console.stderr().print(f"{breaking} breaking change{'s' if breaking != 1 else ''} "
                               "(--fail-on breaking)")
        return 1
    if fail_on is FailOn.any and report.changes:
        count = len(report.changes)
        console.stderr().print(f"{count} change{'s' if count != 1 else ''} (--fail-on any)")
        return 1
    return 0


def register(app: typer.Typer) -> None:
    app.command()(diff)
