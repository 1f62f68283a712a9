"""Read a catalog as it is at a git revision, straight from git objects.

Nothing here checks out, stashes or writes the index: revisions are resolved with
`git rev-parse`, the specs tree is listed with `git ls-tree` and every blob is read in one
`git cat-file --batch` process. `GIT_OPTIONAL_LOCKS=0` keeps git from refreshing the index
opportunistically, so the working tree and the index are exactly as the user left them.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from dataclasses import dataclass
from pathlib import Path

from metricsctl.catalog.loader import (
    SPEC_SUFFIXES,
    LoadResult,
    display_path,
    load_catalog_from_blobs,
)

DEFAULT_UPSTREAMS = ("origin/main", "main")
_SYMLINK_MODE = "120000"
_MAX_SYMLINK_HOPS = 8


class GitSourceError(Exception):
    """A one-line, user-facing reason why a revision cannot be read (a usage error)."""


@dataclass(frozen=True, slots=True)
class Revision:
    """A resolved commit and how the user (or the default) named it."""

    name: str
    commit: str

    @property
    def short(self) -> str:
        return self.commit[:12]

    def describe(self) -> str:
        return f"{self.name} ({self.short})" if self.name != self.commit else self.short


@dataclass(frozen=True)
class GitCatalog:
    """A catalog loaded from a revision, with the text of every spec file for diagnostics."""

    revision: Revision
    result: LoadResult
    texts: dict[str, str]


def _environment() -> dict[str, str]:
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C"}


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True,
                              env=_environment(), check=False)
    except FileNotFoundError:
        raise GitSourceError("git is not installed (or not on PATH); to compare two "
                             "directories use `metricsctl diff OLD_DIR NEW_DIR`") from None


def _first_line(process: subprocess.CompletedProcess[bytes]) -> str:
    text = process.stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[0].removeprefix("fatal: ") if text else "git failed"


class GitRepository:
    """The git repository that contains a directory."""

    def __init__(self, cwd: Path) -> None:
        process = _git(cwd, "rev-parse", "--show-toplevel", "--show-prefix")
        if process.returncode != 0:
            raise GitSourceError(
                f"not a git repository: {cwd} (to compare two directories use "
                "`metricsctl diff OLD_DIR NEW_DIR`)")
        lines = process.stdout.decode("utf-8").splitlines()
        self.toplevel = Path(lines[0])
        self.prefix = lines[1] if len(lines) > 1 else ""

    def run(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        return _git(self.toplevel, *args, stdin=stdin)

    def resolve(self, ref: str) -> Revision:
        """The commit `ref` names; a GitSourceError when it names none."""
        if not ref or ref.startswith("-"):
            raise GitSourceError(f"invalid git revision {ref!r}")
        commit = self._commit(ref)
        if commit is None:
            raise GitSourceError(f"unknown git revision {ref!r} (no such branch, tag or commit"
                                 " here; in CI, fetch with `fetch-depth: 0`)")
        return Revision(ref, commit)

    def _commit(self, ref: str) -> str | None:
        process = self.run("rev-parse", "--verify", "--quiet", "--end-of-options",
                           f"{ref}^{{commit}}")
        return process.stdout.decode().strip() if process.returncode == 0 else None

    def default_base(self, head: Revision | None) -> tuple[Revision, list[str]]:
        """The merge-base of the head (HEAD for the working tree) with origin/main, else with
        main, else HEAD itself; with a note for every fallback taken on a failure."""
        notes: list[str] = []
        current = self._commit("HEAD")
        target = head.commit if head is not None else current
        if target is None:
            raise GitSourceError("the repository has no commits yet: pass --base REF, or "
                                 "compare two directories with `metricsctl diff OLD_DIR NEW_DIR`")
        for upstream in DEFAULT_UPSTREAMS:
            if self._commit(upstream) is None:
                continue
            process = self.run("merge-base", target, upstream)
            if process.returncode == 0:
                commit = process.stdout.decode().strip()
                return Revision(f"merge-base with {upstream}", commit), notes
            notes.append(f"{upstream} shares no history with the head (a shallow clone? fetch "
                         "with `fetch-depth: 0`)")
        if current is None:
            raise GitSourceError("HEAD names no commit: pass --base REF")
        return Revision("HEAD", current), notes

    def repo_path(self, specs_dir: Path) -> str:
        """The specs directory as a path from the repository root ('' for the root)."""
        if specs_dir.is_absolute():
            try:
                relative = specs_dir.resolve().relative_to(self.toplevel.resolve()).as_posix()
            except ValueError:
                raise GitSourceError(
                    f"'{specs_dir}' is outside the git repository {self.toplevel}") from None
        else:
            relative = posixpath.normpath(posixpath.join(self.prefix, specs_dir.as_posix()))
        if relative == ".." or relative.startswith("../"):
            raise GitSourceError(f"'{specs_dir}' is outside the git repository {self.toplevel}")
        return "" if relative == "." else relative

    def read_catalog(self, revision: Revision, specs_dir: Path) -> GitCatalog:
        """Load the catalog in `specs_dir` as it is at `revision`."""
        path = self.repo_path(specs_dir)
        shown = path or "the repository root"
        tree = f"{revision.commit}:{path}"
        kind = self.run("cat-file", "-t", tree)
        if kind.returncode != 0:
            raise GitSourceError(f"'{shown}' does not exist at {revision.describe()}")
        if kind.stdout.decode().strip() != "tree":
            raise GitSourceError(f"'{shown}' is not a directory at {revision.describe()}")
        listing = self.run("ls-tree", "-r", "-z", tree)
        if listing.returncode != 0:
            raise GitSourceError(f"cannot list '{shown}' at {revision.describe()}: "
                                 f"{_first_line(listing)}")
        blobs = self._spec_blobs(listing.stdout)
        display = specs_dir.as_posix()
        result = load_catalog_from_blobs(specs_dir, display, blobs)
        texts = {display_path(display, relative): data.decode("utf-8", "replace")
                 for relative, data in blobs.items()}
        return GitCatalog(revision, result, texts)

    def _spec_blobs(self, listing: bytes) -> dict[str, bytes]:
        """{path relative to the specs dir: content} of every spec file in the listing.

        A symbolic link counts, as it does on disk, when it leads to a file inside the same
        directory tree (its target is the link blob's content, so links are read in rounds).
        """
        tree = _parse_listing(listing)
        wanted = {name: oid for name, oid in tree.files.items() if name.endswith(SPEC_SUFFIXES)}
        pending = {name: name for name in tree.links if name.endswith(SPEC_SUFFIXES)}
        for _ in range(_MAX_SYMLINK_HOPS):
            if not pending:
                break
            targets = self._read_blobs(sorted({tree.links[at] for at in pending.values()}))
            following: dict[str, str] = {}
            for name, at in pending.items():
                target = targets[tree.links[at]].decode("utf-8", "surrogateescape")
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(at), target))
                if resolved in tree.files:
                    wanted[name] = tree.files[resolved]
                elif resolved in tree.links:
                    following[name] = resolved
            pending = following
        contents = self._read_blobs(sorted(set(wanted.values())))
        return {name: contents[oid] for name, oid in wanted.items()}

    def _read_blobs(self, oids: list[str]) -> dict[str, bytes]:
        if not oids:
            return {}
        process = self.run("cat-file", "--batch", stdin="".join(f"{o}\n" for o in oids).encode())
        if process.returncode != 0:
            raise GitSourceError(f"cannot read git objects: {_first_line(process)}")
        return _parse_batch(process.stdout)


@dataclass(frozen=True, slots=True)
class _Tree:
    """The entries of an `ls-tree -r -z` listing: regular files and symbolic links."""

    files: dict[str, str]
    links: dict[str, str]


def _parse_listing(listing: bytes) -> _Tree:
    """Hidden entries are skipped, like the loader does on disk; submodules too."""
    files: dict[str, str] = {}
    links: dict[str, str] = {}
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name_bytes = record.partition(b"\t")
        mode, kind, oid = meta.decode().split(" ")
        name = name_bytes.decode("utf-8", "surrogateescape")
        if kind != "blob" or any(part.startswith(".") for part in name.split("/")):
            continue
        (links if mode == _SYMLINK_MODE else files)[name] = oid
    return _Tree(files, links)


def _parse_batch(output: bytes) -> dict[str, bytes]:
    """Objects from `git cat-file --batch` output: `<oid> <type> <size>\\n<data>\\n` each."""
    objects: dict[str, bytes] = {}
    position = 0
    while position < len(output):
        end = output.index(b"\n", position)
        header = output[position:end].decode().split(" ")
        if len(header) != 3:
            raise GitSourceError(f"cannot read git object {header[0]}: {' '.join(header[1:])}")
        oid, _, size_text = header
        size = int(size_text)
        start = end + 1
        objects[oid] = output[start:start + size]
        position = start + size + 1
    return objects
