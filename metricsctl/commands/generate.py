"""`metricsctl generate`: render every target from the catalog into the output directory."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from metricsctl.commands.catalog_input import (
    DEFAULT_SPECS_DIR,
    SpecsDirArgument,
    load_valid_catalog,
)
from metricsctl.english import counted
from metricsctl.targets import TARGET_MODULES, target_names

if TYPE_CHECKING:
    from metricsctl.generation import CheckFinding, FileChange, GenerationError, Plan

DEFAULT_OUT = Path("generated")

_STATUS_STYLE = {"created": "green", "updated": "yellow", "removed": "red", "unchanged": "dim"}
_PROBLEM_STYLE = {"missing": "red", "stale": "yellow", "extra": "magenta"}


def selected_targets(names: list[str] | None, available: list[str] | None = None) -> list[str]:
    """The targets to run, in registry order; a usage error names the valid ones.

    `available` adds the catalog's user templates (known once it is loaded) to the built-in
    targets; before that, only a name with a `/` (a template's output path) may be one.
    """
    choices = list(TARGET_MODULES) if available is None else available
    if not names:
        return choices
    unknown = [name for name in names if name not in choices
               and (available is not None or "/" not in name)]
    if unknown:
        raise typer.BadParameter(
            f"unknown target {', '.join(repr(n) for n in unknown)}; "
            f"choose from {', '.join(choices)}", param_hint="--target")
    return [name for name in choices if name in names]


def _check_out_option(out: Path, specs_dir: Path | None, check: bool) -> None:
    specs = specs_dir or DEFAULT_SPECS_DIR
    if out.resolve().is_relative_to(specs.resolve()):
        raise typer.BadParameter(f"'{out}' is inside the catalog directory '{specs}'; the "
                                 "generated YAML files would be read back as catalog files",
                                 param_hint="--out")
    if out.exists() and not out.is_dir():
        raise typer.BadParameter(f"'{out}' exists and is not a directory", param_hint="--out")
    parent = out.absolute().parent
    if not check and not out.exists() and not parent.is_dir():
        raise typer.BadParameter(f"cannot create '{out}': its parent directory '{parent}' "
                                 "does not exist", param_hint="--out")


def _print_error(error: GenerationError, *, suffix: str = "") -> None:
    from metricsctl import console

    err = console.stderr()
    err.print(console.styled(("error", "bold red"), f": {error.summary}{suffix}"))
    for problem in error.problems:
        err.print(f"  - {problem}")
    if error.hint:
        err.print(console.styled("  ", ("help", "bold"), f": {error.hint}"))


def _status_text(change: FileChange) -> str:
    if change.foreign:
        return f"{change.status.value} (overwrote a file metricsctl did not write)"
    if change.edited and change.status.value in ("updated", "removed"):
        return f"{change.status.value} (hand edits discarded)"
    return change.status.value


def _print_summary(plan: Plan, targets: list[str]) -> None:
    from rich.table import Table
    from rich.text import Text

    from metricsctl import console

    table = Table(title=f"metricsctl generate → {plan.out}", title_justify="left")
    table.add_column("target")
    table.add_column("file", overflow="fold")
    table.add_column("status")
    counts = dict.fromkeys(_STATUS_STYLE, 0)
    order = {name: index for index, name in enumerate(targets)}
    by_target = sorted(plan.changes, key=lambda c: (order.get(c.target, len(order)), c.path))
    for name in [*targets, *sorted({c.target for c in by_target} - set(targets))]:
        changes = [change for change in by_target if change.target == name]
        unchanged = 0
        for change in changes:
            counts[change.status.value] += 1
            if change.status.value == "unchanged":
                unchanged += 1
                continue
            table.add_row(name, Text(change.path),
                          Text(_status_text(change), style=_STATUS_STYLE[change.status.value]))
        if unchanged:
            label = counted(unchanged, "file")
            table.add_row(name, Text(label, style="dim"), Text("unchanged", style="dim"))
    out = console.stdout()
    if any(counts[status] for status in ("created", "updated", "removed")) or \
            plan.manifest_changed:
        out.print(table)
    parts = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
    out.print(console.styled(("✓", "green"), f" {plan.out}: {parts or 'no files'} "
                     f"({counted(len(targets), 'target')})"))


def _print_findings(findings: list[CheckFinding], out_dir: Path) -> None:
    from rich.text import Text

    from metricsctl import console

    out = console.stdout()
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.problem.value] = counts.get(finding.problem.value, 0) + 1
    summary = ", ".join(f"{count} {problem}" for problem, count in counts.items())
    out.print(console.styled(("✗", "red"), f" {out_dir} is not current: {summary} "
                     "(run `metricsctl generate` to update it)"))
    hidden = 0
    for finding in findings:
        line = Text("  ")
        line.append(f"{finding.problem.value:<8}", style=_PROBLEM_STYLE[finding.problem.value])
        line.append(f" {out_dir}/{finding.path}")
        if finding.target:
            line.append(f"  [{finding.target}]", style="dim")
        if finding.note:
            line.append(f"  {finding.note}", style="dim")
        out.print(line)
        if finding.problem.value == "stale" and not finding.diff and finding.target:
            hidden += 1
        for diff_line in finding.diff:
            style = ("green" if diff_line.startswith("+") else
                     "red" if diff_line.startswith("-") else
                     "cyan" if diff_line.startswith("@@") else "")
            out.print(Text(f"      {diff_line}", style=style))
    if hidden:
        out.print(f"  (diffs of {hidden} more stale files not shown)")


@contextmanager
def _fewer_garbage_collections() -> Iterator[None]:
    """Run the cyclic garbage collector about 100x less often, then restore its settings.

    Loading and rendering create hundreds of thousands of small objects that all live until
    the command ends; with the default threshold the collector re-scans them over and over,
    about 20% of a large run (bench/bench_generate.py). Reference counting still frees
    everything that is not in a cycle, so memory stays flat.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def generate(
    specs_dir: SpecsDirArgument = None,
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Output directory.")] = DEFAULT_OUT,
    target: Annotated[list[str] | None, typer.Option(
        "--target", "-t", metavar="NAME", show_default=False,
        help=f"Only this target (repeatable): {', '.join(TARGET_MODULES)}, or a user "
             "template's output path [default: all].",
    )] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 listing missing, stale and extra files.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite files metricsctl did not write when they differ.")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print only errors and --check findings.")] = False,
    no_lint: Annotated[bool, typer.Option(
        "--no-lint", help="Generate even when `metricsctl lint` reports errors.")] = False,
) -> None:
    """Generate dashboards, rules, scrape config, Python instrumentation and docs.

    Deterministic and atomic: everything is rendered first and nothing is written if any
    target fails. A manifest in the output directory records what metricsctl wrote, so
    outputs of deleted entries are removed and other files are never touched.
    A catalog with lint errors is refused unless --no-lint is given.
    Exit 0 on success (or current with --check), 1 on an invalid catalog, lint errors, a
    failed target, a write error or (with --check) differences, 2 on usage errors.
    """
    selected_targets(target)  # a usage error before the catalog is read, where possible
    if check and force:
        raise typer.BadParameter("--force writes files; it cannot be combined with --check",
                                 param_hint="--force")
    _check_out_option(out, specs_dir, check)
    with _fewer_garbage_collections():
        _generate(specs_dir, out, target, check=check, force=force, quiet=quiet,
                  lint=not no_lint)


def _generate(specs_dir: Path | None, out: Path, names: list[str] | None, *, check: bool,
              force: bool, quiet: bool, lint: bool) -> None:
    from metricsctl.generation import (
        GenerationError,
        Rendering,
        apply_plan,
        check_findings,
        plan_output,
        worth_forking,
    )

    catalog = load_valid_catalog(specs_dir)
    targets = selected_targets(names, target_names(catalog))  # with its user templates
    subset = bool(names)
    size = len(catalog.metrics) + len(catalog.alerts) + len(catalog.recording_rules) + sum(
        1 for dashboard in catalog.dashboards.values() for _ in dashboard.all_panels())
    # A large catalog renders in forked processes while this one lints it (a single target
    # too: rendering and the lint gate then run side by side).
    parallel = worth_forking(size) and (lint or len(targets) > 1)
    with Rendering(catalog, targets, parallel=parallel) as rendering:
        if lint:
            from metricsctl.commands.lint import refuse_lint_errors

            refuse_lint_errors(catalog, "not checked" if check else "nothing was generated")
        try:
            rendered = rendering.result()
            plan = plan_output(out, rendered, all_targets=not subset)
        except GenerationError as error:
            _print_error(error, suffix="" if check else "; nothing was written")
            raise typer.Exit(1) from None
    if check:
        findings = check_findings(plan)
        if findings:
            _print_findings(findings, out)
            raise typer.Exit(1)
        if not quiet:
            from metricsctl import console

            console.stdout().print(console.styled(
                ("✓", "green"), f" {out} is current: {counted(len(rendered.files), 'file')} "
                f"from {counted(len(targets), 'target')}"))
        return
    try:
        apply_plan(plan, force=force)
    except GenerationError as error:
        _print_error(error)  # its message says what happened to the previous output
        raise typer.Exit(1) from None
    if not quiet:
        _print_summary(plan, targets)


def register(app: typer.Typer) -> None:
    app.command()(generate)
