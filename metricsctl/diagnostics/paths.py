"""File paths as CI tools want them: relative to the repository root, with `/`."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def _repository_root(directory: Path) -> Path | None:
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def repository_path(file: str, cwd: Path | None = None) -> str:
    """`file` relative to its git repository root (else to `cwd`), POSIX-style.

    A file outside both stays as an absolute path; GitHub can only place annotations and
    code-scanning results on files inside the checkout anyway.
    """
    base = cwd if cwd is not None else Path.cwd()
    path = Path(file)
    absolute = path if path.is_absolute() else base / path
    absolute = Path(*absolute.parts)  # normalise without resolving symlinks
    root = _repository_root(absolute.parent)
    for anchor in (root, base):
        if anchor is not None and absolute.is_relative_to(anchor):
            return absolute.relative_to(anchor).as_posix()
    return absolute.as_posix()
