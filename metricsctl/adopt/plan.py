"""Merge imported entries into a catalog directory: new files, or additions to existing ones.

Existing files are edited as text, not rewritten: new entries go at the end of their section,
so the rest of the file (comments, order, style) stays as its author wrote it. An entry that
exists with different content is a conflict, replaced only with `force`. The result is loaded
and validated in memory before anything is written.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metricsctl.adopt.drafts import DomainDraft, DraftEntry, Estate, entry_key
from metricsctl.adopt.report import Conflict, Renamed, Report
from metricsctl.catalog.loader import (
    PROJECT_FILE,
    SPEC_SUFFIXES,
    display_path,
    load_catalog_from_blobs,
    load_catalog_from_documents,
    read_spec_blobs,
)
from metricsctl.catalog.model import DEFAULT_SEVERITIES
from metricsctl.catalog.writer import Entry, entry_lines, render_domain_file, render_project_file
from metricsctl.catalog.yaml_source import PathKey, SourceDocument
from metricsctl.diagnostics import Diagnostic, Location, Severity

# Sections whose keys are unique across the whole catalog; labels are unique per domain.
_GLOBAL_SECTIONS = ("metrics", "recording_rules", "alerts", "dashboards")
# An alert or recording rule of another domain may share a name: the key then gets a suffix.
_RENAMEABLE = {"alerts": "alert", "recording_rules": "record"}
_UID_LENGTH = 40  # Grafana's longest dashboard uid
_SECTION_ORDER = ("labels", "metrics", "recording_rules", "alerts", "dashboards")
_PROJECT_NAME = re.compile(r"[^a-z0-9_-]+")
HEADER = "Imported by `metricsctl import`; each entry says where it came from."


@dataclass
class _Existing:
    """The catalog already in the directory: files and where every entry is."""

    blobs: dict[str, bytes]
    documents: dict[str, SourceDocument] = field(default_factory=dict)  # relative path -> doc
    domain_files: dict[str, str] = field(default_factory=dict)  # domain -> relative path
    owners: dict[tuple[str, str], str] = field(default_factory=dict)  # (section, key) -> domain


# Per section: the (key, body, draft) of each entry to add.
_Sections = dict[str, list[tuple[str, dict[str, Any], DraftEntry]]]


@dataclass
class _Edit:
    """Lines `first`..`last` (1-based, inclusive) replaced by `lines`; first > last inserts."""

    first: int
    last: int
    lines: list[str]


def plan_import(estate: Estate, specs_dir: Path, report: Report, *,
                force: bool) -> dict[str, str]:
    """The new text of every file to write (relative to specs_dir); errors go to `report`."""
    existing = _read_existing(specs_dir, report)
    if existing is None:
        return {}
    planner = _Planner(estate, existing, report, force, specs_dir.resolve().name)
    files = planner.files()
    if report.errors:
        return {}
    if not _valid(specs_dir, existing, files, planner.written_data):
        # Parse again, with positions, for located messages.
        blobs = {**existing.blobs, **{path: text.encode() for path, text in files.items()}}
        result = load_catalog_from_blobs(specs_dir, str(specs_dir), blobs)
        if not result.ok:
            report.errors.extend(result.errors)
            report.errors.append(Diagnostic(
                "import/invalid-result", Severity.ERROR,
                "the catalog with the imported entries would not be valid (errors above); "
                "nothing was written", Location(str(specs_dir)),
                hint="fix what the errors point at in the sources, or import fewer sources"))
            return {}
    report.files = sorted(str(specs_dir / path) for path in files)
    return files


def _valid(specs_dir: Path, existing: _Existing, files: dict[str, str],
           written_data: dict[str, Any]) -> bool:
    """Whether the catalog with `files` validates, checked without recording positions.

    New files are checked as the data they were written from; edited ones are read back by
    libyaml (what the loader composes with too). The loader's position bookkeeping, most of
    the cost on large imports, is only paid when something is wrong.
    """
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    documents = {relative: document for relative, document in existing.documents.items()
                 if relative not in files}
    for relative, text in files.items():
        if not relative.endswith(SPEC_SUFFIXES):
            continue
        try:
            data = written_data[relative] if relative in written_data else \
                yaml.load(text, Loader=loader)  # a safe loader (libyaml's when present)
        except yaml.YAMLError:
            return False
        documents[relative] = SourceDocument(display_path(str(specs_dir), relative), text, data)
    return load_catalog_from_documents(specs_dir, str(specs_dir), documents).ok


def write_files(specs_dir: Path, files: dict[str, str]) -> None:
    """Write each file atomically (a temporary file renamed over it)."""
    for relative, text in sorted(files.items()):
        target = specs_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".import-", dir=target.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _read_existing(specs_dir: Path, report: Report) -> _Existing | None:
    if specs_dir.exists() and not specs_dir.is_dir():
        report.errors.append(Diagnostic("import/not-a-directory", Severity.ERROR,
                                        "--into is not a directory", Location(str(specs_dir))))
        return None
    blobs: dict[str, bytes] = {}
    if specs_dir.is_dir():
        blobs, problems = read_spec_blobs(specs_dir)
        report.errors.extend(problems)
    existing = _Existing(blobs)
    if not blobs:
        return existing
    result = load_catalog_from_blobs(specs_dir, str(specs_dir), blobs)
    if not result.ok or result.catalog is None:
        report.errors.extend(result.errors)
        report.errors.append(Diagnostic(
            "import/invalid-catalog", Severity.ERROR,
            "the catalog to import into is not valid; nothing was imported",
            Location(str(specs_dir)), hint="fix it first (`metricsctl validate`)"))
        return None
    parsed = result.catalog.documents
    for relative in blobs:
        document = parsed.get(display_path(str(specs_dir), relative))
        if document is None:
            continue
        existing.documents[relative] = document
        if relative == PROJECT_FILE:
            continue
        data = document.data if isinstance(document.data, dict) else {}
        domain = data.get("domain")
        if isinstance(domain, str):
            existing.domain_files[domain] = relative
            for section in _GLOBAL_SECTIONS:
                entries = data.get(section)
                for key in entries if isinstance(entries, dict) else {}:
                    existing.owners[(section, key)] = domain
    return existing


class _Planner:
    def __init__(self, estate: Estate, existing: _Existing, report: Report, force: bool,
                 root_name: str) -> None:
        self.estate, self.existing, self.report, self.force = estate, existing, report, force
        self.root_name = root_name
        self.replacements: dict[str, list[_Edit]] = {}  # file -> --force replacements
        self.written_data: dict[str, Any] = {}  # new file -> its data
        # (section, domain or "", key) -> the entry that took it, this run
        self.taken: dict[tuple[str, str, str], Location] = {}

    def files(self) -> dict[str, str]:
        result: dict[str, str] = {}
        used_names = set(self.existing.blobs)
        # Every key is chosen (and every conflict found) before any file is rendered, so a
        # replacement (--force) in a file of another domain lands in that file's edits.
        planned: list[tuple[DomainDraft, str, bool, _Sections]] = []
        for domain in self.estate.domains.values():
            if not domain.entries and "rule_group" not in domain.settings:
                continue
            relative = self.existing.domain_files.get(domain.name)
            new = relative is None
            if relative is None:
                relative = _free_file(f"{domain.name}.yaml", used_names)
                used_names.add(relative)
            planned.append((domain, relative, new, self.sections(domain, relative, new)))
        for domain, relative, new, sections in planned:
            text = (self.new_domain(domain, relative, sections) if new
                    else self.extend_domain(domain, relative, sections))
            if text is not None:
                result[relative] = text
        for relative, edits in self.replacements.items():
            result[relative] = _apply(self.existing.documents[relative].text, edits)
        project = self.project()
        if project is not None:
            result[PROJECT_FILE] = project
            if PROJECT_FILE not in self.existing.documents:
                # Editors complete and check the new files against these (their first line).
                from metricsctl.catalog.schema import schema_texts

                result.update((f"schema/{name}", text) for name, text in schema_texts().items()
                              if f"schema/{name}" not in self.existing.blobs)
        return result

    # -- keys ------------------------------------------------------------------------------

    def allocate(self, domain: str, entry: DraftEntry) -> tuple[str, dict[str, Any]]:
        """The entry's key (its name, or a free variant of it) and its body."""
        section = entry.section
        scope = "" if section in _GLOBAL_SECTIONS else domain
        base = entry_key(entry.name) if section == "alerts" else entry.name
        candidate, number = base, 1
        while True:
            owner = self.existing.owners.get((section, candidate)) if scope == "" else None
            clash = (section, scope, candidate) in self.taken or (
                section in _RENAMEABLE and owner is not None and owner != domain)
            if not clash:
                break
            number += 1
            suffix = f"_{number}"
            # A dashboard uid stays within Grafana's 40 characters.
            candidate = (base[:_UID_LENGTH - len(suffix)] if section == "dashboards"
                         else base) + suffix
        self.taken[(section, scope, candidate)] = entry.key_origin or entry.origin
        if section == "dashboards" and candidate != base:
            # The uid is the dashboard's address in Grafana: a new one is never silent.
            self.report.renamed.append(Renamed(section, base, candidate,
                                               self.taken[(section, scope, base)],
                                               entry.key_origin or entry.origin))
        body = dict(entry.body)
        if section in _RENAMEABLE and candidate != entry.name:
            body = {_RENAMEABLE[section]: entry.name, **body}
        return candidate, body

    def existing_entry(self, relative: str, section: str, key: str) -> Any:
        document = self.existing.documents.get(relative)
        data = document.data if document is not None and isinstance(document.data, dict) else {}
        entries = data.get(section)
        return entries.get(key) if isinstance(entries, dict) else None

    def owner_file(self, section: str, key: str) -> str | None:
        owner = self.existing.owners.get((section, key))
        return None if owner is None else self.existing.domain_files.get(owner)

    # -- domain files ----------------------------------------------------------------------

    def sections(self, domain: DomainDraft, relative: str, new: bool) -> _Sections:
        """Per section, the (key, body, draft) entries to add; conflicts go to the report,
        and with --force their replacements to `self.replacements`."""
        result: _Sections = {}
        for entry in domain.entries:
            key, body = self.allocate(domain.name, entry)
            if entry.section == "labels":
                where = None if new else relative
            else:
                where = self.owner_file(entry.section, key)
            current = None if where is None else self.existing_entry(where, entry.section, key)
            if where is None or current is None:
                result.setdefault(entry.section, []).append((key, body, entry))
                self.report.added.append((relative, entry.section, key))
                continue
            if _same(current, body):
                self.report.unchanged.append((entry.section, key))
                continue
            document = self.existing.documents[where]
            self.report.conflicts.append(Conflict(
                entry.section, key, document.locate((entry.section, key), key=True),
                entry.origin, overwritten=self.force))
            if self.force:
                first, last = _entry_lines(document, (entry.section, key))
                indent = document.keys[(entry.section, key)].column - 1
                self.replacements.setdefault(where, []).append(_Edit(first, last, entry_lines(
                    Entry(key, body, entry.comment), entry.section, indent)))
        return result

    def new_domain(self, domain: DomainDraft, relative: str,
                   sections: _Sections) -> str | None:
        if not any(sections.values()) and "rule_group" not in domain.settings:
            return None
        entries = {section: [Entry(key, body, draft.comment) for key, body, draft in
                             sections.get(section, [])] for section in _SECTION_ORDER}
        # What the text reads back as (the writer's output loads back exactly), so that
        # validating a large import need not parse it again.
        self.written_data[relative] = {
            **domain.settings,
            **{section: {entry.key: entry.body for entry in items}
               for section, items in entries.items() if items}}
        return render_domain_file(HEADER, dict(domain.settings), entries)

    def extend_domain(self, domain: DomainDraft, relative: str,
                      sections: _Sections) -> str | None:
        document = self.existing.documents[relative]
        data = document.data if isinstance(document.data, dict) else {}
        edits: list[_Edit] = self.replacements.pop(relative, [])
        group = domain.settings.get("rule_group")
        if group is not None:
            current = data.get("rule_group")
            if current is None:
                lines = _block("rule_group", group)
                edits.append(_Edit(_line_count(document) + 1, _line_count(document), lines))
            elif not _same(current, group):
                self.report.conflicts.append(Conflict(
                    "rule_group", domain.name, document.locate(("rule_group",), key=True),
                    domain.origin, overwritten=False))
        for section in _SECTION_ORDER:
            additions = [Entry(key, body, draft.comment)
                         for key, body, draft in sections.get(section, [])]
            if not additions:
                continue
            entries = data.get(section)
            if isinstance(entries, dict) and entries:
                first_key = next(iter(entries))
                indent = document.keys[(section, first_key)].column - 1
                _, last = _entry_lines(document, (section,))
                lines = [line for entry in additions
                         for line in entry_lines(entry, section, indent)]
                edits.append(_Edit(last + 1, last, lines))
            else:
                lines = ["", f"{section}:", *(line for entry in additions
                                             for line in entry_lines(entry, section))]
                if (section,) in document.keys:
                    first, last = _entry_lines(document, (section,))
                    edits.append(_Edit(first, last, lines[1:]))
                else:
                    end = _line_count(document)
                    edits.append(_Edit(end + 1, end, lines))
        if not edits:
            return None
        return _apply(document.text, edits)

    # -- project file ----------------------------------------------------------------------

    def project(self) -> str | None:
        draft = self.estate.project
        document = self.existing.documents.get(PROJECT_FILE)
        if document is None:
            if not self.estate.domains and not draft.scrape_jobs:
                return None
            name = _PROJECT_NAME.sub("-", self.root_name.lower()).strip("-")
            settings: dict[str, Any] = {"project": name if name[:1].isalpha() else "imported"}
            settings.update(draft.settings)
            extra = [s for s in draft.severities if s not in DEFAULT_SEVERITIES]
            if extra:
                settings["severities"] = [*DEFAULT_SEVERITIES, *extra]
            if draft.folders:
                settings["grafana"] = {"folders": {uid: {"title": title}
                                                   for uid, title in draft.folders.items()}}
            if draft.scrape_jobs:
                settings["scrape"] = [job for job, _ in draft.scrape_jobs]
                self.report.added.extend((PROJECT_FILE, "scrape", str(job["job"]))
                                         for job, _ in draft.scrape_jobs)
            return render_project_file(HEADER, settings)
        return self.extend_project(document)

    def extend_project(self, document: SourceDocument) -> str | None:
        draft = self.estate.project
        data = document.data if isinstance(document.data, dict) else {}
        allowed = data.get("severities") or list(DEFAULT_SEVERITIES)
        for severity in draft.severities:
            if severity not in allowed:
                self.report.errors.append(Diagnostic(
                    "import/unknown-severity", Severity.ERROR,
                    f"imported alerts use severity `{severity}`, which the project does not "
                    "allow", document.locate(("severities",) if "severities" in data else ()),
                    hint=f"add `{severity}` to `severities:` in {document.path}"))
        folders = (data.get("grafana") or {}).get("folders") or {}
        for uid in draft.folders:
            if uid not in folders:
                self.report.errors.append(Diagnostic(
                    "import/unknown-folder", Severity.ERROR,
                    f"imported dashboards are in Grafana folder `{uid}`, which the project "
                    "does not declare", document.locate(("grafana",)),
                    hint=f"add `{uid}: {{title: {draft.folders[uid]}}}` under grafana.folders"))
        scrape = data.get("scrape")
        jobs: list[Any] = scrape if isinstance(scrape, list) else []
        by_name = {job.get("job"): index for index, job in enumerate(jobs)
                   if isinstance(job, dict)}
        additions: list[dict[str, Any]] = []
        for job, origin in draft.scrape_jobs:
            index = by_name.get(job["job"])
            if index is None:
                additions.append(job)
                self.report.added.append((PROJECT_FILE, "scrape", str(job["job"])))
            elif _same(jobs[index], job):
                self.report.unchanged.append(("scrape", str(job["job"])))
            else:
                self.report.conflicts.append(Conflict(
                    "scrape", str(job["job"]), document.locate(("scrape", index)), origin,
                    overwritten=False))
        if not additions:
            return None
        lines = _block("scrape", additions)
        if jobs:
            _, last = _entry_lines(document, ("scrape",))
            indent = document.span(("scrape", 0)).column - 1
            items = [f"{' ' * indent}{line[2:]}" if line.startswith("  ") else line
                     for line in lines[1:]]
            return _apply(document.text, [_Edit(last + 1, last, items)])
        end = _line_count(document)
        return _apply(document.text, [_Edit(end + 1, end, ["", *lines])])


def _same(current: Any, body: Any) -> bool:
    return json.dumps(_normalized(current), sort_keys=True) == json.dumps(
        _normalized(body), sort_keys=True)


def _normalized(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    return value


def _block(key: str, value: Any) -> list[str]:
    from metricsctl.catalog.writer import ordered
    from metricsctl.targets.yaml_output import dump_yaml

    if isinstance(value, list):
        value = [ordered(item, key) for item in value]
    elif isinstance(value, dict):
        value = ordered(value, key)
    return dump_yaml({key: value}).rstrip("\n").split("\n")


def _line_count(document: SourceDocument) -> int:
    return len(document.text.rstrip("\n").split("\n")) if document.text.strip() else 0


def _entry_lines(document: SourceDocument, path: PathKey) -> tuple[int, int]:
    """The first (the key's) and last line of the entry at `path`."""
    first = document.keys[path].line if path in document.keys else document.span(path).line
    last = first
    size = len(path)
    for spans in (document.values, document.keys):
        for where, span in spans.items():
            if where[:size] == path:
                end = span.end_line if span.end_column > 1 else span.end_line - 1
                last = max(last, end, span.line)
    return first, last


def _apply(text: str, edits: list[_Edit]) -> str:
    lines = text.rstrip("\n").split("\n") if text.strip() else []
    for edit in sorted(edits, key=lambda e: (e.first, e.last), reverse=True):
        lines[edit.first - 1:edit.last] = edit.lines
    return "\n".join(lines) + "\n"


def _free_file(name: str, used: set[str]) -> str:
    stem, number = name.removesuffix(".yaml"), 1
    candidate = name
    while candidate in used:
        number += 1
        candidate = f"{stem}-{number}.yaml"
    return candidate
