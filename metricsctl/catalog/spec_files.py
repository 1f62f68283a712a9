"""Find the spec files of a catalog directory and read them, only ever as regular files.

A spec file is a `*.yaml`/`*.yml` regular file inside SPECS_DIR. Symbolic links are followed
while they stay inside the directory (a shared file linked twice, a linked sub-directory);
a link that leads outside it is refused, and so is anything that is not a regular file: a
named pipe would block every command, `/dev/zero` would be read without end, and a link to
`/proc/self/environ` would print the environment.

The walk resolves every link; the read then opens the resolved path one component at a
time from the directory's descriptor with O_NOFOLLOW, so a link swapped in after the walk
cannot lead the read elsewhere. The kind and size of the file are checked on the open
descriptor (O_NONBLOCK: opening a pipe never waits) and the read stops past the size limit
whatever the size claims (files under /proc claim 0 bytes).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from metricsctl.diagnostics import Diagnostic, Location, Severity

SPEC_SUFFIXES = (".yaml", ".yml")
# Large enough for any hand-written catalog file (the 2,000-metric benchmark catalog is
# split into files far smaller than this), small enough to refuse a runaway file at once.
MAX_FILE_BYTES = 8 * 1024 * 1024

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = (os.O_RDONLY | _NOFOLLOW | _CLOEXEC | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_NOCTTY", 0))
_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a directory"))


@dataclass(frozen=True, slots=True)
class SpecFile:
    """A spec file: its name under SPECS_DIR as the user sees it, and where it really is."""

    relative: str  # through links, as listed (`shared/common.yaml`)
    real: tuple[str, ...]  # components of its resolved path under the resolved SPECS_DIR


class SpecFileError(Exception):
    """A spec file that cannot be read; `code` and `message` make its diagnostic."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint

    def diagnostic(self, display: str) -> Diagnostic:
        return Diagnostic(self.code, Severity.ERROR, self.message, Location(display, 1, 1),
                          hint=self.hint)


def open_flags(*, follow: bool) -> int:
    """Flags to open a spec file for reading: never waits (a pipe), never a terminal;
    `follow=False` refuses a symbolic link as the last component."""
    return _FILE_FLAGS if not follow else _FILE_FLAGS & ~_NOFOLLOW


def display_path(root: str, relative: str) -> str:
    """How a spec file is named in messages: under the directory as the user wrote it."""
    return f"{root.rstrip('/')}/{relative}" if root not in ("", ".") else relative


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def discover_spec_files(root: Path, suffixes: tuple[str, ...] = SPEC_SUFFIXES,
                        ) -> tuple[list[SpecFile], list[Diagnostic]]:
    """Every spec file (a name ending in one of `suffixes`) under `root`, sorted, and a
    diagnostic for each path refused.

    Hidden entries are skipped. Links are resolved: one leading outside `root` is reported
    (not followed), a directory reached twice is a loop, reported instead of followed.
    """
    real_root = Path(os.path.realpath(root))
    files: list[SpecFile] = []
    problems: list[Diagnostic] = []
    seen_dirs: set[tuple[int, int]] = set()

    def problem(code: str, message: str, relative: str, hint: str | None = None) -> None:
        where = display_path(str(root), relative) if relative else str(root)
        problems.append(Diagnostic(code, Severity.ERROR, message, Location(where), hint=hint))

    def walk(directory: Path, relative: str) -> None:
        try:
            status = directory.stat()
        except OSError as error:
            problem("catalog/unreadable", f"cannot read directory: {error.strerror or error}",
                    relative)
            return
        identity = (status.st_dev, status.st_ino)
        if identity in seen_dirs:
            problem("catalog/symlink-loop",
                    "symbolic link loop: this directory is already included", relative,
                    "remove the link")
            return
        seen_dirs.add(identity)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            problem("catalog/unreadable", f"cannot list directory: {error.strerror or error}",
                    relative)
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = f"{relative}/{entry.name}" if relative else entry.name
            real = Path(entry.path)
            is_spec = entry.name.endswith(suffixes)
            try:
                is_link = entry.is_symlink()
                if is_link:
                    real = Path(os.path.realpath(entry.path))
                    is_dir = real.is_dir()
                else:
                    is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_link, is_dir = False, False
            if not (is_dir or is_spec):
                continue
            if is_link and not real.is_relative_to(real_root):
                problem("catalog/link-outside",
                        f"symbolic link leads outside {root} (to {real}): not read", child,
                        "copy the file into the catalog directory, or link inside it")
            elif is_dir:
                walk(real, child)
            else:
                files.append(SpecFile(child, real.relative_to(real_root).parts))

    walk(real_root, "")
    return files, problems


def read_spec_file(root: Path, spec: SpecFile) -> bytes:
    """The bytes of a spec file found by `discover_spec_files(root)`; SpecFileError if it
    is not (or no longer) a regular file inside `root`, or is too large."""
    try:
        if os.open not in os.supports_dir_fd or not _NOFOLLOW:  # pragma: no cover - not Linux
            return read_regular_file(os.open(Path(os.path.realpath(root), *spec.real),
                                             _FILE_FLAGS))
        directory = os.open(os.path.realpath(root), os.O_RDONLY | _DIRECTORY | _CLOEXEC)
        try:
            for part in spec.real[:-1]:
                inner = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC,
                                dir_fd=directory)
                os.close(directory)
                directory = inner
            descriptor = os.open(spec.real[-1], _FILE_FLAGS, dir_fd=directory)
        finally:
            os.close(directory)
    except OSError as error:
        raise _unreadable(error) from None
    return read_regular_file(descriptor)


def read_regular_file(descriptor: int) -> bytes:
    """Read an open file to its end, if it is a regular file of at most MAX_FILE_BYTES.

    Closes the descriptor. The read itself is bounded: a file growing while it is read, or
    one whose size is not what it says, is refused once past the limit.
    """
    try:
        status = os.fstat(descriptor)
        kind = _kind(status.st_mode)
        if kind is not None:
            raise SpecFileError("catalog/not-a-file",
                                f"{kind}, not a regular file: not read",
                                "a spec file must be a regular YAML file")
        if status.st_size > MAX_FILE_BYTES:
            raise _too_large(status.st_size)
        chunks: list[bytes] = []
        remaining = MAX_FILE_BYTES + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        if remaining <= 0:
            raise _too_large(None)
        return b"".join(chunks)
    except OSError as error:
        raise _unreadable(error) from None
    finally:
        os.close(descriptor)


def _too_large(size: int | None) -> SpecFileError:
    shown = (f"{size / 1048576:.1f} MiB" if size is not None
             else f"more than {MAX_FILE_BYTES // 1048576} MiB")
    return SpecFileError("catalog/file-too-large",
                         f"file is too large ({shown}; the limit is "
                         f"{MAX_FILE_BYTES // 1048576} MiB)",
                         "split the catalog into one file per domain")


def _unreadable(error: OSError) -> SpecFileError:
    if error.errno == errno.ENXIO:  # opening a socket
        return SpecFileError("catalog/not-a-file", "a socket, not a regular file: not read",
                             "a spec file must be a regular YAML file")
    return SpecFileError("catalog/unreadable", f"cannot read file: {error.strerror or error}")
