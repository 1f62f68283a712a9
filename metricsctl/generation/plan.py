"""Compare rendered output with the output directory: what would be created, updated, removed.

The same plan drives `generate` (which applies it) and `generate --check` (which reports it),
so the two can never disagree about what "current" means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from metricsctl import __version__
from metricsctl.generation.errors import GenerationError
from metricsctl.generation.manifest import Manifest, ManifestEntry, read_manifest, sha256_hex
from metricsctl.generation.render import RenderedOutput


class Status(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str
    target: str
    status: Status
    new: bytes | None  # None when removed
    old: bytes | None  # None when created
    foreign: bool = False  # differs on disk and not in the manifest: metricsctl did not write it
    edited: bool = False  # in the manifest, but changed on disk since metricsctl wrote it


@dataclass(frozen=True)
class Plan:
    out: Path
    changes: list[FileChange]  # sorted by path
    manifest: Manifest  # the manifest after applying the plan
    previous: Manifest | None

    @property
    def conflicts(self) -> list[FileChange]:
        """Files metricsctl did not write that it would overwrite with different content."""
        return [change for change in self.changes if change.foreign]

    @property
    def manifest_changed(self) -> bool:
        return not self.manifest.same_files(self.previous)

    @property
    def up_to_date(self) -> bool:
        return not self.manifest_changed and all(
            change.status is Status.UNCHANGED for change in self.changes)

    def with_status(self, *statuses: Status) -> list[FileChange]:
        return [change for change in self.changes if change.status in statuses]


def _parents(path: str) -> Iterable[str]:
    parts = path.split("/")
    return ("/".join(parts[:end]) for end in range(1, len(parts)))


class _Disk:
    """Reads the output directory, refusing anything that would lead writes outside it."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.real_out = out.resolve() if out.exists() else None
        self.problems: list[str] = []
        self._checked: dict[str, bool] = {}

    def _parent_ok(self, directory: str) -> bool:
        """Whether `directory` (relative) is absent or a directory that stays inside out."""
        if directory in self._checked:
            return self._checked[directory]
        ok = True
        for parent in _parents(directory + "/x"):
            if parent in self._checked:
                ok = self._checked[parent]
            else:
                full = self.out / parent
                if full.is_symlink() and self.real_out is not None \
                        and not full.resolve().is_relative_to(self.real_out):
                    self.problems.append(f"{full} is a symbolic link leading outside "
                                         f"{self.out}; metricsctl does not write through it")
                    ok = False
                elif full.exists() and not full.is_dir():
                    self.problems.append(f"{full} is a file, but metricsctl needs a directory "
                                         "there")
                    ok = False
                self._checked[parent] = ok
            if not ok:
                break
        return ok

    def read(self, path: str) -> bytes | None:
        """The file's bytes, None when it does not exist (problems are collected)."""
        if "/" in path and not self._parent_ok(path.rsplit("/", 1)[0]):
            return None
        full = self.out / path
        try:
            return full.read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            self.problems.append(f"{full} is a directory, but metricsctl needs to write a "
                                 "file there")
        except NotADirectoryError:
            self.problems.append(f"a parent of {full} is not a directory")
        except OSError as error:
            self.problems.append(f"cannot read {full}: {error.strerror or error}")
        return None


def plan_output(out: Path, rendered: RenderedOutput, *, all_targets: bool) -> Plan:
    """The changes that make `out` hold exactly `rendered` for its targets.

    With `all_targets`, every file in the manifest that is no longer rendered goes; otherwise
    only those of the rendered targets (a `--target` subset leaves the others alone).
    Raises GenerationError when the directory's shape makes writing unsafe.
    """
    if out.exists() and not out.is_dir():
        raise GenerationError(f"the output path {out} exists and is not a directory")
    previous = read_manifest(out) if out.is_dir() else None
    owned = dict(previous.files) if previous else {}
    selected = set(rendered.targets)
    disk = _Disk(out)
    changes: list[FileChange] = []
    entries: dict[str, ManifestEntry] = {}
    for path, file in rendered.files.items():
        new = file.data
        old = disk.read(path)
        digest = sha256_hex(new)
        entries[path] = ManifestEntry(digest, file.target)
        entry = owned.get(path)
        if old is None:
            status = Status.CREATED
        elif old == new:
            status = Status.UNCHANGED
        else:
            status = Status.UPDATED
        foreign = entry is None and status is Status.UPDATED
        edited = entry is not None and old is not None and sha256_hex(old) != entry.sha256
        changes.append(FileChange(path, file.target, status, new, old, foreign, edited))
    for path, entry in owned.items():
        if path in rendered.files:
            continue
        if not all_targets and entry.target not in selected:
            entries[path] = entry  # another target's file: not this run's business
            continue
        if (out / path).is_dir() and not (out / path).is_symlink():
            continue  # someone replaced the file with a directory: no longer ours
        old = disk.read(path)
        if old is not None:
            changes.append(FileChange(path, entry.target, Status.REMOVED, None, old,
                                      edited=sha256_hex(old) != entry.sha256))
    if disk.problems:
        raise GenerationError(f"cannot use {out} as the output directory", disk.problems)
    targets = selected if all_targets or previous is None else selected | set(previous.targets)
    manifest = Manifest(entries, tuple(sorted(targets)), __version__)
    changes.sort(key=lambda change: change.path)
    return Plan(out, changes, manifest, previous)

