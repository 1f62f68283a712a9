"""What a generated file may be called and what its text looks like on disk.

Targets name their files from catalog entries (dashboard uids, domain names, the project
name). The writer never trusts those names: every path must be a plain relative POSIX path
that stays inside the output directory, and every text is normalised to LF line endings and
exactly one trailing newline so that output is byte-identical on every platform.
"""

from __future__ import annotations

import unicodedata

MANIFEST_NAME = ".metricsctl-manifest.json"
STAGING_PREFIX = ".metricsctl-staging-"
# Names metricsctl keeps for itself at the top of the output directory.
_RESERVED_PREFIX = ".metricsctl-"


class UnsafePathError(ValueError):
    """A generated path that could escape the output directory or is not portable."""


def check_relative_path(path: str) -> str:
    """`path` if it is a safe relative POSIX path inside the output directory, else raise.

    Rejected: empty or absolute paths, backslashes, `.`/`..` or empty parts (`a//b`, `a/`),
    control characters, and the names metricsctl reserves for its manifest and staging area.
    """
    if not isinstance(path, str) or not path:
        raise UnsafePathError("the path is empty")
    if "\\" in path:
        raise UnsafePathError("backslashes are not allowed; use / between directories")
    if path.startswith("/") or (len(path) >= 2 and path[1] == ":" and path[0].isalpha()):
        raise UnsafePathError("the path must be relative to the output directory")
    if any(unicodedata.category(char) == "Cc" for char in path):
        raise UnsafePathError("control characters are not allowed")
    parts = path.split("/")
    for part in parts:
        if part == "":
            raise UnsafePathError("empty path part (a doubled or trailing /)")
        if part in (".", ".."):
            raise UnsafePathError(f"`{part}` is not allowed as a path part")
    if parts[0].startswith(_RESERVED_PREFIX):
        raise UnsafePathError(f"names starting with `{_RESERVED_PREFIX}` are reserved "
                              "for metricsctl")
    return path


def normalise_text(text: str) -> str:
    """The text with LF line endings and exactly one trailing newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n") + "\n"
