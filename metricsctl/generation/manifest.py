"""The manifest: which files in the output directory metricsctl wrote, and for which target.

`<out>/.metricsctl-manifest.json` is what lets generation remove the outputs of deleted
dashboards or domains while never touching a file it did not write. It is deterministic
(sorted keys, no timestamps) so that it can be committed with the output.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metricsctl.generation.errors import GenerationError
from metricsctl.generation.paths import MANIFEST_NAME, UnsafePathError, check_relative_path

MANIFEST_FORMAT = 1
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ABOUT = ("Files written by `metricsctl generate` (do not edit). Files not listed here are "
          "never changed or removed by metricsctl.")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    sha256: str
    target: str


@dataclass(frozen=True)
class Manifest:
    files: Mapping[str, ManifestEntry]
    targets: tuple[str, ...]  # every target generated into this directory, sorted
    metricsctl_version: str

    def paths_of(self, targets: Iterable[str]) -> list[str]:
        wanted = set(targets)
        return [path for path, entry in self.files.items() if entry.target in wanted]

    def same_files(self, other: Manifest | None) -> bool:
        """Whether both record the same files and targets (the version is informational)."""
        return other is not None and dict(self.files) == dict(other.files) \
            and self.targets == other.targets

    def to_text(self) -> str:
        document = {
            "about": _ABOUT,
            "files": {path: {"sha256": entry.sha256, "target": entry.target}
                      for path, entry in sorted(self.files.items())},
            "format": MANIFEST_FORMAT,
            "metricsctl_version": self.metricsctl_version,
            "targets": sorted(self.targets),
        }
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _invalid(out: Path, reason: str) -> GenerationError:
    return GenerationError(
        f"the manifest {out / MANIFEST_NAME} is not valid: {reason}",
        hint=f"delete {out / MANIFEST_NAME} and run `metricsctl generate` again: files whose "
             "content is already current are adopted, others are reported as conflicts")


def parse_manifest(text: str, out: Path) -> Manifest:
    """The manifest in `text`; GenerationError (naming the file) when it is malformed."""
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise _invalid(out, f"line {error.lineno} column {error.colno}: {error.msg}") from None
    if not isinstance(document, dict):
        raise _invalid(out, "expected a JSON object")
    if document.get("format") != MANIFEST_FORMAT:
        raise _invalid(out, f"unknown format {document.get('format')!r} "
                            f"(this metricsctl reads format {MANIFEST_FORMAT})")
    raw_files, raw_targets = document.get("files"), document.get("targets", [])
    if not isinstance(raw_files, dict):
        raise _invalid(out, "`files` must be an object")
    if not isinstance(raw_targets, list) or not all(isinstance(t, str) for t in raw_targets):
        raise _invalid(out, "`targets` must be a list of names")
    files: dict[str, ManifestEntry] = {}
    for path, raw in raw_files.items():
        # A tampered manifest must not make metricsctl delete files outside the directory.
        try:
            check_relative_path(path)
        except UnsafePathError as error:
            raise _invalid(out, f"unsafe path {path!r}: {error}") from None
        if not (isinstance(raw, dict) and isinstance(raw.get("sha256"), str)
                and _SHA256.match(raw["sha256"]) and isinstance(raw.get("target"), str)):
            raise _invalid(out, f"entry {path!r} needs a `sha256` (64 hex digits) and a `target`")
        files[path] = ManifestEntry(raw["sha256"], raw["target"])
    version = document.get("metricsctl_version")
    return Manifest(files, tuple(sorted(set(raw_targets))),
                    version if isinstance(version, str) else "")


def read_manifest(out: Path) -> Manifest | None:
    """The manifest of output directory `out`, or None when there is none."""
    path = out / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise _invalid(out, str(getattr(error, "strerror", None) or error)) from None
    return parse_manifest(text, out)
