"""Load a catalog: find the spec files, parse, validate against the schema, build, check."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from metricsctl.catalog.build import CatalogBuilder, assemble
from metricsctl.catalog.checks import check_catalog
from metricsctl.catalog.model import Catalog
from metricsctl.catalog.schema import DOMAIN_SCHEMA, PROJECT_SCHEMA, validate_document
from metricsctl.catalog.yaml_source import SourceDocument, parse_yaml, read_yaml_file
from metricsctl.diagnostics import Diagnostic, Location, Severity, sorted_diagnostics

PROJECT_FILE = "metricsctl.yaml"
SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadResult:
    """The catalog (built as far as the input allows) and every diagnostic, sorted."""

    catalog: Catalog | None
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        return self.catalog is not None and not self.errors


def display_path(root: str, relative: str) -> str:
    """How a spec file is named in messages: under the directory as the user wrote it."""
    return f"{root.rstrip('/')}/{relative}" if root not in ("", ".") else relative


def discover_spec_files(root: Path) -> tuple[list[tuple[str, Path]], list[Diagnostic]]:
    """(relative path, path) of every spec file under root, sorted; symlink loops reported.

    Hidden entries are skipped; directory symlinks are followed unless they lead back to a
    directory already on the walk, which is reported instead of followed forever.
    """
    files: list[tuple[str, Path]] = []
    problems: list[Diagnostic] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(directory: Path, relative: str) -> None:
        try:
            status = directory.stat()
        except OSError as error:
            problems.append(Diagnostic("catalog/unreadable", Severity.ERROR,
                                       f"cannot read directory: {error.strerror or error}",
                                       Location(display_path(str(root), relative) or str(root))))
            return
        identity = (status.st_dev, status.st_ino)
        if identity in seen_dirs:
            problems.append(Diagnostic("catalog/symlink-loop", Severity.ERROR,
                                       "symbolic link loop: this directory is already included",
                                       Location(display_path(str(root), relative)),
                                       hint="remove the link"))
            return
        seen_dirs.add(identity)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            problems.append(Diagnostic("catalog/unreadable", Severity.ERROR,
                                       f"cannot list directory: {error.strerror or error}",
                                       Location(str(directory))))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = f"{relative}/{entry.name}" if relative else entry.name
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                walk(path, child)
            elif entry.name.endswith(SPEC_SUFFIXES):
                files.append((child, path))

    walk(root, "")
    return files, problems


def load_catalog(root: Path) -> LoadResult:
    """Load the catalog in directory `root` (a usage error is raised if it does not exist)."""
    display_root = str(root)
    files, problems = discover_spec_files(root)
    documents: dict[str, SourceDocument] = {}
    for relative, path in files:
        display = display_path(display_root, relative)
        document, found = read_yaml_file(path, display)
        problems.extend(found)
        if document is not None:
            documents[relative] = document
    return _finish(root, display_root, [rel for rel, _ in files], documents, problems)


def load_catalog_from_blobs(root: Path, display_root: str,
                            blobs: Mapping[str, bytes]) -> LoadResult:
    """Load a catalog from file contents keyed by path relative to the specs directory."""
    documents: dict[str, SourceDocument] = {}
    problems: list[Diagnostic] = []
    for relative in sorted(blobs):
        if not relative.endswith(SPEC_SUFFIXES):
            continue
        document, found = parse_yaml(blobs[relative], display_path(display_root, relative))
        problems.extend(found)
        if document is not None:
            documents[relative] = document
    names = sorted(r for r in blobs if r.endswith(SPEC_SUFFIXES))
    return _finish(root, display_root, names, documents, problems)


def _finish(root: Path, display_root: str, names: list[str],
            documents: dict[str, SourceDocument], problems: list[Diagnostic]) -> LoadResult:
    if not names:
        problems.append(Diagnostic(
            "catalog/no-specs", Severity.ERROR,
            f"no spec files (*.yaml) in {display_root}", Location(display_root),
            hint="run `metricsctl init` to create a catalog, or pass the specs directory"))
        return LoadResult(None, sorted_diagnostics(problems))
    project_doc = documents.pop(PROJECT_FILE, None)
    if project_doc is None:
        if PROJECT_FILE not in names:
            problems.append(Diagnostic(
                "catalog/no-project", Severity.ERROR,
                f"no project file {PROJECT_FILE} in {display_root}", Location(display_root),
                hint="create it with at least `project: <name>` (see `metricsctl init`)"))
        # Still check the domains, against an empty project, so every error shows at once.
        project_doc = SourceDocument(display_path(display_root, PROJECT_FILE), "", {})
    else:
        problems.extend(validate_document(project_doc, PROJECT_SCHEMA))
    builder = CatalogBuilder(root)
    project = builder.project(project_doc)
    domains, metrics, rules, alerts, dashboards = [], [], [], [], []
    for document in documents.values():
        if not isinstance(document.data, dict):
            problems.append(Diagnostic(
                "catalog/invalid-type", Severity.ERROR,
                "a domain file holds a mapping starting with `domain: <name>`",
                document.locate(())))
            continue
        problems.extend(validate_document(document, DOMAIN_SCHEMA))
        domain = builder.domain(document)
        domains.append(domain)
        metrics.extend(builder.metrics(document, domain, project))
        rules.extend(builder.recording_rules(document, domain))
        alerts.extend(builder.alerts(document, domain))
        dashboards.extend(builder.dashboards(document, domain, project))
    all_documents = {project_doc.path: project_doc,
                     **{doc.path: doc for doc in documents.values()}}
    catalog = assemble(root, project, domains, metrics, rules, alerts, dashboards,
                       all_documents, builder)
    problems.extend(builder.diagnostics)
    problems.extend(check_catalog(catalog))
    return LoadResult(catalog, sorted_diagnostics(problems))
