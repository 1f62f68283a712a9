"""Load a catalog: find the spec files, parse, validate against the schema, build, check.

`SPEC_SUFFIXES` and `display_path` are re-exported for the readers of git revisions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from metricsctl.catalog.build import CatalogBuilder, assemble
from metricsctl.catalog.checks import check_catalog
from metricsctl.catalog.model import Catalog
from metricsctl.catalog.schema import DOMAIN_SCHEMA, PROJECT_SCHEMA, validate_document
from metricsctl.catalog.spec_files import (
    SPEC_SUFFIXES,
    SpecFileError,
    discover_spec_files,
    display_path,
    read_spec_file,
)
from metricsctl.catalog.yaml_source import SourceDocument, parse_yaml
from metricsctl.diagnostics import Diagnostic, Location, Severity, sorted_diagnostics

__all__ = ["PROJECT_FILE", "SPEC_SUFFIXES", "LoadResult", "display_path", "load_catalog",
           "load_catalog_from_blobs", "read_spec_blobs"]

PROJECT_FILE = "metricsctl.yaml"
# Values (scalars, lists, mappings) in all files together: each is kept with its position
# (a few hundred bytes), so this keeps a catalog's model well under 1 GiB. The shipped
# catalog holds about 1,000; bench/bench_generate.py's 2,000-metric catalog about 47,000,
# and a 10,000-metric one (5 MiB) about 233,000.
MAX_CATALOG_VALUES = 1_000_000


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


def load_catalog(root: Path) -> LoadResult:
    """Load the catalog in directory `root` (a usage error is raised if it does not exist)."""
    display_root = str(root)
    files, problems = discover_spec_files(root)
    documents: dict[str, SourceDocument] = {}
    values = 0
    for spec in files:
        display = display_path(display_root, spec.relative)
        try:
            raw = read_spec_file(root, spec)
        except SpecFileError as error:
            problems.append(error.diagnostic(display))
            continue
        document, found = parse_yaml(raw, display)
        problems.extend(found)
        if document is not None:
            documents[spec.relative] = document
            values += len(document.values)
            if values > MAX_CATALOG_VALUES:
                problems.append(_too_many_values(display))
                break
    return _finish(root, display_root, [spec.relative for spec in files], documents, problems)


def _too_many_values(display: str) -> Diagnostic:
    return Diagnostic("catalog/too-many-values", Severity.ERROR,
                      f"the catalog holds more than {MAX_CATALOG_VALUES:,} values with this "
                      "file; the files after it were not read", Location(display, 1, 1),
                      hint="a catalog this large is not hand-written: check what generated it")


def read_spec_blobs(root: Path) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The content of every spec file under `root` by relative path, read as `load_catalog`
    reads them (regular files inside `root` only), and a diagnostic for each one refused."""
    files, problems = discover_spec_files(root)
    blobs: dict[str, bytes] = {}
    for spec in files:
        try:
            blobs[spec.relative] = read_spec_file(root, spec)
        except SpecFileError as error:
            problems.append(error.diagnostic(display_path(str(root), spec.relative)))
    return blobs, problems


def load_catalog_from_blobs(root: Path, display_root: str,
                            blobs: Mapping[str, bytes]) -> LoadResult:
    """Load a catalog from file contents keyed by path relative to the specs directory."""
    documents: dict[str, SourceDocument] = {}
    problems: list[Diagnostic] = []
    values = 0
    for relative in sorted(blobs):
        if not relative.endswith(SPEC_SUFFIXES):
            continue
        display = display_path(display_root, relative)
        document, found = parse_yaml(blobs[relative], display)
        problems.extend(found)
        if document is not None:
            documents[relative] = document
            values += len(document.values)
            if values > MAX_CATALOG_VALUES:
                problems.append(_too_many_values(display))
                break
    names = sorted(r for r in blobs if r.endswith(SPEC_SUFFIXES))
    return _finish(root, display_root, names, documents, problems)


def load_catalog_from_documents(root: Path, display_root: str,
                                documents: Mapping[str, SourceDocument]) -> LoadResult:
    """Load a catalog from documents already parsed, by path relative to the specs directory
    (e.g. the files `metricsctl import` is about to write); messages are located as far as
    the documents carry positions."""
    return _finish(root, display_root, sorted(documents), dict(documents), [])


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
