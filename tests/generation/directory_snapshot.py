"""Every file under a directory with its bytes, to assert that a failed run changed nothing."""

from __future__ import annotations

from pathlib import Path


def snapshot_files(directory: Path) -> dict[str, bytes]:
    """Relative POSIX path -> content of every file under `directory` (hidden ones too)."""
    return {path.relative_to(directory).as_posix(): path.read_bytes()
            for path in sorted(directory.rglob("*")) if path.is_file()}


def snapshot_tree(directory: Path) -> dict[str, bytes | None]:
    """Like snapshot_files, with directories too (as None), to see created or pruned ones."""
    return {path.relative_to(directory).as_posix(): path.read_bytes() if path.is_file() else None
            for path in sorted(directory.rglob("*"))}
