"""The message each save leaves in Grafana's version history.

Default: the git commit the catalog is at (`metricsctl push: 1a2b3c4 Add queue panels`),
flagged when the catalog has uncommitted changes; `metricsctl push` outside git. Grafana
refuses messages over 500 bytes, so longer ones are cut at a character boundary.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

MAX_MESSAGE_BYTES = 500
FALLBACK = "metricsctl push"
_ELLIPSIS = "…"


def version_message(explicit: str | None, catalog_dir: Path) -> str:
    """`explicit` (--message) when given, else the catalog's git commit; at most 500 bytes."""
    if explicit is not None and explicit.strip():
        return fit_message(" ".join(explicit.split()))
    commit = git_commit(catalog_dir)
    return fit_message(f"{FALLBACK}: {commit}" if commit else FALLBACK)


def fit_message(text: str, limit: int = MAX_MESSAGE_BYTES) -> str:
    """`text`, cut to `limit` UTF-8 bytes (ending in … when cut), never mid-character."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len(_ELLIPSIS.encode("utf-8"))
    cut = text.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return cut + _ELLIPSIS


def git_commit(directory: Path) -> str | None:
    """`<short hash> <subject>` of HEAD in the repository holding `directory`, None outside
    git; `(uncommitted changes)` is appended when the directory has any."""
    head = _git(directory, "log", "-1", "--format=%h %s")
    if not head:
        return None
    dirty = _git(directory, "status", "--porcelain", "--", ".")
    return f"{head} (uncommitted changes)" if dirty else head


def _git(directory: Path, *args: str) -> str | None:
    try:
        completed = subprocess.run(["git", "-C", str(directory), *args], capture_output=True,
                                   text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    return completed.stdout.strip() or None
