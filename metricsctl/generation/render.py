"""Run the selected targets and collect their files, checked and normalised, in memory.

Nothing here touches the disk: every target renders completely before anything is written,
so a failing target can never leave a half-written output behind.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from metricsctl.generation.errors import GenerationError, LocatedError
from metricsctl.generation.paths import UnsafePathError, check_relative_path, normalise_text
from metricsctl.generation.workers import ForkedRendering, Outcome

if TYPE_CHECKING:
    from metricsctl.catalog.model import Catalog

# metricsctl/ and templates/ (shipped as metricsctl/templates) live under this directory.
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True, slots=True)
class RenderedFile:
    path: str  # relative POSIX path under the output directory
    target: str  # the target that rendered it
    text: str  # normalised: LF line endings, one trailing newline

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")


@dataclass(frozen=True)
class RenderedOutput:
    """Every file the selected targets render, keyed and sorted by path."""

    targets: tuple[str, ...]
    files: dict[str, RenderedFile]

    def paths_of(self, target: str) -> list[str]:
        return [path for path, file in self.files.items() if file.target == target]


@cache
def _stdlib() -> Path:
    import sysconfig  # only when a target fails: computing the paths takes a few ms

    return Path(sysconfig.get_paths()["stdlib"])


def _shown_frame_file(file: str) -> str | None:
    """How to name a traceback file for users, or None for Python's own and libraries' files."""
    path = Path(file)
    if path.is_relative_to(_PACKAGE_ROOT):
        return path.relative_to(_PACKAGE_ROOT).as_posix()  # metricsctl/..., templates/...
    if file.startswith("<") or "site-packages" in path.parts or path.is_relative_to(_stdlib()):
        return None
    return path.name


def _where(error: BaseException) -> str:
    """` (at file:line)` of the innermost frame in metricsctl, a template or a target module."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        shown = _shown_frame_file(frame.filename)
        if shown is not None:
            return f" (at {shown}:{frame.lineno})"
    return ""


def _parents(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:end]) for end in range(1, len(parts))]


def run_target(name: str, catalog: Catalog) -> Outcome:
    """(files, None) from target `name`, or (None, a one-line problem) when it fails."""
    from metricsctl.targets import load_target

    try:
        # Typed as object: a target's result is checked here, not trusted.
        result: object = load_target(name, catalog).render(catalog)
    except LocatedError as error:  # the user's file is wrong, not the target
        return None, f"target `{name}` failed: {error}"
    except (Exception, SystemExit) as error:  # a target's bug is reported, not a traceback
        return None, f"target `{name}` failed: {type(error).__name__}: {error}{_where(error)}"
    if not isinstance(result, dict):
        return None, (f"target `{name}` failed: TypeError: render() returned "
                      f"{type(result).__name__}, not a dict of path -> text")
    return result, None


class Rendering:
    """Targets being rendered: in forked processes (started at once) or here, on `result()`.

    Use as a context manager so that processes still running are stopped when the caller
    gives up early (e.g. lint refuses the catalog while the targets render).
    """

    def __init__(self, catalog: Catalog, targets: Sequence[str], *, parallel: bool) -> None:
        """`parallel`: render in forked processes, even a single target (the caller has
        other work meanwhile, e.g. generate's lint gate)."""
        self._catalog = catalog
        self._targets = list(targets)
        self._forked = None
        if parallel and self._targets:
            from metricsctl.targets import render_groups

            self._forked = ForkedRendering(lambda name: run_target(name, catalog),
                                           self._targets, render_groups(self._targets))

    def __enter__(self) -> Rendering:
        return self

    def __exit__(self, *_: object) -> None:
        if self._forked is not None:
            self._forked.close()

    def result(self) -> RenderedOutput:
        """Every target's files; GenerationError listing every problem."""
        if self._forked is not None:
            outcomes = self._forked.outcomes()
        else:
            outcomes = [run_target(name, self._catalog) for name in self._targets]
        return collect_files(self._targets, outcomes)


def render_targets(catalog: Catalog, targets: Sequence[str], *,
                   parallel: bool = False) -> RenderedOutput:
    """Render `targets` (registry names, in order); raise GenerationError listing every problem.

    Problems: a target that raises or returns something other than {path: text}, an unsafe
    path, and two targets (or two paths differing only in case) claiming the same file.
    With `parallel`, each target renders in its own forked process (workers.py).
    """
    with Rendering(catalog, targets, parallel=parallel) as rendering:
        return rendering.result()


def collect_files(targets: Sequence[str], outcomes: Sequence[Outcome]) -> RenderedOutput:
    """Check and normalise the targets' files (in target order) into one output."""
    problems: list[str] = []
    claimed: dict[str, RenderedFile] = {}
    by_folded: dict[str, str] = {}
    for name, (files, failure) in zip(targets, outcomes, strict=True):
        if failure is not None:
            problems.append(failure)
            continue
        for path, text in files.items():
            if not isinstance(path, str):
                problems.append(f"target `{name}` produced a {type(path).__name__} path "
                                f"{path!r}, not a string")
                continue
            try:
                check_relative_path(path)
            except UnsafePathError as error:
                problems.append(f"target `{name}` produced an unsafe path {path!r}: {error}")
                continue
            if not isinstance(text, str):
                problems.append(f"target `{name}` produced {type(text).__name__} for `{path}`, "
                                "not text")
                continue
            if path in claimed:
                problems.append(f"`{path}` is produced by two targets: "
                                f"`{claimed[path].target}` and `{name}`")
                continue
            folded = path.casefold()
            if folded in by_folded:
                problems.append(f"`{path}` ({name}) and `{by_folded[folded]}` "
                                f"({claimed[by_folded[folded]].target}) differ only in case "
                                "and would overwrite each other on macOS and Windows")
                continue
            by_folded[folded] = path
            claimed[path] = RenderedFile(path, name, normalise_text(text))
    if problems:
        raise GenerationError("rendering failed", problems)
    problems = [f"`{path}` is a file of target `{claimed[path].target}` and also a directory "
                f"holding `{inner}` ({claimed[inner].target})"
                for inner in claimed for path in _parents(inner) if path in claimed]
    if problems:
        raise GenerationError("rendering failed", problems)
    return RenderedOutput(tuple(targets), {path: claimed[path] for path in sorted(claimed)})
