"""Apply a plan to the output directory so that a failure never leaves it half-written.

How (and what is guaranteed):

1. Everything is rendered and compared with the disk first (render.py, plan.py). A target
   that fails, an unsafe path, or a file metricsctl did not write that would be overwritten
   (unless `--force`) stops the run before the directory is touched.
2. Under an exclusive lock on the output directory (flock, so two runs cannot interleave),
   every new or changed file is written into a staging directory
   `<out>/.metricsctl-staging-XXXX/`. Running out of space or permission here changes
   nothing: the staging directory is deleted and the old output is untouched.
   The staging directory lives *inside* the output directory rather than next to it so that
   it is always on the same filesystem (the output directory may be a mount point) and so
   that a writable output directory in a read-only parent still works.
3. Each file is then moved into place with `os.replace`, which is atomic: a reader sees the
   complete old file or the complete new one, never a truncated file. Obsolete files (in the
   manifest, no longer rendered) are removed, and directories they leave empty are pruned.
   The manifest is replaced last.
4. If a move fails (an error or Ctrl-C), the moves already made are undone: new files are
   deleted and replaced or removed files get their previous content back (it was read while
   planning), so the directory holds the complete previous output again.
5. Only a hard kill or power loss during step 3 can leave a mix of complete old and new
   files. The next `generate` converges: owned files are rewritten, and a file created by
   the interrupted run, missing from the old manifest but identical to what is rendered, is
   adopted rather than reported as a conflict. `generate --check` reports such a state.

Files are not fsync-ed: that costs about 1 ms per file (and `sync()` flushes every other
process's writes too), and the output is derived data that the next run rewrites. After a
power loss a file may be stale or empty; it then differs from what is rendered, so
`generate --check` reports it and `generate` rewrites it.

Files metricsctl did not write (absent from the manifest) are never modified or removed;
only an explicit `--force` lets generation overwrite one with different content.
Leftover staging directories of a killed run are deleted by the next run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from metricsctl.english import counted
from metricsctl.generation.errors import GenerationError
from metricsctl.generation.paths import MANIFEST_NAME, STAGING_PREFIX
from metricsctl.generation.plan import FileChange, Plan, Status


def _reason(error: OSError) -> str:
    return error.strerror.lower() if error.strerror else str(error)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on the output directory (POSIX; a no-op elsewhere)."""
    if sys.platform == "win32":
        yield
        return
    import fcntl

    descriptor = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise GenerationError(f"another `metricsctl generate` is writing {out}",
                                  hint="wait for it to finish and run again") from None
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _remove_leftover_staging(out: Path) -> None:
    """Delete staging directories a killed run left behind (we hold the lock: none is live)."""
    for entry in os.scandir(out):
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)


def _write_new_file(path: Path, data: bytes) -> None:
    with path.open("xb") as handle:
        handle.write(data)


def _stage(changes: list[FileChange], manifest_text: str | None,
           staging: Path) -> dict[str, Path]:
    """Write every new text into `staging` (flat names); returns path -> staged file."""
    staged: dict[str, Path] = {}
    for index, change in enumerate(changes):
        if change.new is not None:
            staged[change.path] = staging / f"{index:06d}"
            _write_new_file(staged[change.path], change.new)
    if manifest_text is not None:
        staged[MANIFEST_NAME] = staging / "manifest"
        _write_new_file(staged[MANIFEST_NAME], manifest_text.encode("utf-8"))
    return staged


def _make_parents(directory: Path, out: Path, created: list[Path]) -> None:
    missing: list[Path] = []
    while directory != out and not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        path.mkdir()
        created.append(path)


def _restore(change: FileChange, out: Path, staging: Path) -> None:
    dest = out / change.path
    if change.old is None:
        dest.unlink(missing_ok=True)
        return
    temporary = staging / "restore"
    temporary.unlink(missing_ok=True)
    _write_new_file(temporary, change.old)
    temporary.replace(dest)


def _roll_back(applied: list[FileChange], created_dirs: list[Path], out: Path,
               staging: Path) -> list[str]:
    """Undo `applied` in reverse; returns the paths that could not be restored."""
    failed: list[str] = []
    for change in reversed(applied):
        try:
            _restore(change, out, staging)
        except OSError:
            failed.append(change.path)
    for directory in reversed(created_dirs):
        with contextlib.suppress(OSError):
            directory.rmdir()
    return failed


def _prune_empty_parents(removed: list[FileChange], out: Path) -> None:
    """Remove directories that removing obsolete files left empty (never `out` itself)."""
    directories = {(out / change.path).parent for change in removed}
    for start in sorted(directories, key=lambda path: len(path.parts), reverse=True):
        directory = start
        while directory != out and out in directory.parents:
            try:
                directory.rmdir()
            except OSError:
                break  # not empty (it holds other files, perhaps not ours) or already gone
            directory = directory.parent


def _swap(changes: list[FileChange], staged: dict[str, Path], out: Path,
          staging: Path) -> None:
    applied: list[FileChange] = []
    created_dirs: list[Path] = []
    current = ""
    try:
        for change in changes:
            current = change.path
            dest = out / change.path
            if change.status is Status.REMOVED:
                dest.unlink()
            else:
                _make_parents(dest.parent, out, created_dirs)
                staged[change.path].replace(dest)
            applied.append(change)
        if MANIFEST_NAME in staged:
            current = MANIFEST_NAME
            staged[MANIFEST_NAME].replace(out / MANIFEST_NAME)
    except BaseException as error:
        failed = _roll_back(applied, created_dirs, out, staging)
        if not isinstance(error, OSError):
            raise  # Ctrl-C: the previous output is back; let the interruption propagate
        outcome = ("the previous output was restored" if not failed else
                   f"could not restore {counted(len(failed), 'file')} ({', '.join(failed[:5])}); "
                   "run `metricsctl generate` again")
        raise GenerationError(f"cannot write {out / current}: {_reason(error)}; {outcome}",
                              hint=_permission_hint(out, error)) from None
    _prune_empty_parents([c for c in changes if c.status is Status.REMOVED], out)


def _permission_hint(out: Path, error: OSError) -> str | None:
    if isinstance(error, PermissionError):
        return f"check that you can write to {out} and the directories inside it"
    return None


def _create_output_directory(out: Path) -> None:
    parent = out.absolute().parent
    if not parent.is_dir():
        raise GenerationError(f"cannot create {out}: its parent directory {parent} does not "
                              "exist", hint="create it first or choose another --out")
    try:
        out.mkdir()
    except OSError as error:
        raise GenerationError(f"cannot create {out}: {_reason(error)}",
                              hint=_permission_hint(parent, error)) from None


def apply_plan(plan: Plan, *, force: bool = False) -> bool:
    """Make the output directory match the plan; returns whether anything was written.

    Raises GenerationError (and leaves the previous output in place) on conflicts with
    files metricsctl did not write (unless `force`) and on any I/O failure.
    """
    out = plan.out
    if plan.conflicts and not force:
        raise GenerationError(
            f"{len(plan.conflicts)} file(s) in {out} were not written by metricsctl and differ "
            "from what it generates; nothing was written",
            [f"{out / change.path} (target `{change.target}`)" for change in plan.conflicts],
            hint="move them away, or pass --force to overwrite them")
    changes = [c for c in plan.changes if c.status is not Status.UNCHANGED]
    manifest_text: str | None = plan.manifest.to_text()
    if plan.previous is not None and plan.previous.to_text() == manifest_text:
        manifest_text = None
    if not changes and manifest_text is None:
        return False
    if not out.is_dir():
        _create_output_directory(out)
    with _locked(out):
        try:
            _remove_leftover_staging(out)
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
        except OSError as error:
            raise GenerationError(f"cannot write to {out}: {_reason(error)}; nothing was "
                                  "changed", hint=_permission_hint(out, error)) from None
        try:
            try:
                staged = _stage(changes, manifest_text, staging)
            except OSError as error:
                raise GenerationError(f"cannot write to {out}: {_reason(error)}; nothing "
                                      "was changed", hint=_permission_hint(out, error)) from None
            _swap(changes, staged, out, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return True
