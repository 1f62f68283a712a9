"""Read every SOURCE (file, directory or URL), detect its kind by content, and collect the
estate: rule files, Grafana dashboards, scrape configurations and /metrics expositions."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from metricsctl.adopt.drafts import Estate
from metricsctl.adopt.expression_metrics import ExpressionMetrics
from metricsctl.adopt.report import Report
from metricsctl.catalog.yaml_source import SourceDocument
from metricsctl.diagnostics import Diagnostic, Location, Severity

if TYPE_CHECKING:
    from metricsctl.grafana.settings import ConnectionSettings

_FILE_SUFFIXES = (".yaml", ".yml", ".json", ".prom", ".txt", ".metrics")
_EXPOSITION_LINE = re.compile(r"^# (HELP|TYPE|UNIT|EOF)\b", re.MULTILINE)
URL = re.compile(r"https?://", re.IGNORECASE)


@dataclass
class ImportOptions:
    domain: str | None = None
    timeout: float = 10.0
    # Labels Prometheus attaches to every series (job, instance, scrape labels): never a
    # metric's own label.
    target_labels: set[str] = field(default_factory=set)
    # A Grafana to read dashboards from: connection, uids, folder uids.
    grafana: tuple[ConnectionSettings, tuple[str, ...], tuple[str, ...]] | None = None
    prometheus: str | None = None  # a Prometheus server's base URL


@dataclass
class ImportRun:
    """The state of one import: what was read, and the texts for located messages."""

    options: ImportOptions
    estate: Estate = field(default_factory=Estate)
    report: Report = field(default_factory=Report)
    metrics: ExpressionMetrics = field(default_factory=ExpressionMetrics)
    texts: dict[str, str] = field(default_factory=dict)  # display path -> text

    def error(self, code: str, message: str, location: Location,
              hint: str | None = None) -> None:
        self.report.errors.append(Diagnostic(code, Severity.ERROR, message, location,
                                             hint=hint))


def read_sources(sources: Iterable[str], options: ImportOptions) -> ImportRun:
    """Read every source into one ImportRun (errors are in its report)."""
    run = ImportRun(options)
    texts: list[tuple[str, str]] = []
    urls: list[str] = []
    read: set[str] = set()
    for source in sources:
        if URL.match(source):
            urls.append(source)
            continue
        path = Path(source)
        if path.is_dir():
            errors = len(run.report.errors)
            files = _directory_files(run, path)
            if not files and len(run.report.errors) == errors:
                run.error("import/empty-source", "no rule, dashboard, scrape or exposition "
                          "files in this directory", Location(source))
        elif path.exists() or path.is_symlink():
            files = [(path, path)]
        else:
            run.error("import/missing-source", "no such file or directory", Location(source))
            continue
        for shown, real in files:
            identity = os.path.realpath(real)
            if identity in read:  # the same file again (named twice, or linked to)
                continue
            read.add(identity)
            text = _read(run, shown, real)
            if text is not None:
                texts.append((str(shown), text))
    # Rule files and scrape configs first: their names (recorded series, target labels) tell
    # what the dashboards and expositions read.
    kinds = [(display, text, detect(text)) for display, text in texts]
    for display, text, kind in sorted(kinds, key=lambda k: _READ_ORDER.index(k[2])):
        run.texts[display] = text
        _READERS[kind](run, display, text)
    if options.grafana is not None:
        from metricsctl.adopt.grafana_live import read_grafana

        read_grafana(run, *options.grafana)
    if options.prometheus is not None:
        from metricsctl.adopt.prometheus_server import read_prometheus

        read_prometheus(run, options.prometheus)
    for url in urls:
        from metricsctl.adopt.metadata import fetch_and_read

        fetch_and_read(run, url)
    return run


def detect(text: str) -> str:
    """`json`, `exposition` or `yaml`, from the content."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        return "json"
    if _EXPOSITION_LINE.search(text) and ":" not in stripped.split("\n", 1)[0].split(" ")[0]:
        return "exposition"
    return "yaml"


def _directory_files(run: ImportRun, root: Path) -> list[tuple[Path, Path]]:
    """The source files under `root` as (shown path, resolved path), in name order, found
    as spec files are (catalog/spec_files.py): hidden entries skipped, links followed while
    they stay inside the directory, one leading outside it and a loop reported, not read."""
    from metricsctl.catalog.spec_files import discover_spec_files

    files, problems = discover_spec_files(root, _FILE_SUFFIXES)
    for problem in problems:
        code = problem.code.replace("catalog/", "import/", 1)
        run.error(code, problem.message, problem.location or Location(str(root)),
                  _FILE_HINTS.get(code, problem.hint))
    real_root = Path(os.path.realpath(root))
    return [(root / spec.relative, real_root.joinpath(*spec.real)) for spec in files]


def _read(run: ImportRun, display: Path, path: Path) -> str | None:
    """The text of a regular file within the catalog loader's bound on one file (8 MiB);
    anything else (a named pipe, a device, a socket, a file growing past the bound) is a
    located error, never waited on or read without end."""
    from metricsctl.catalog.spec_files import (
        SpecFileError,
        open_flags,
        read_regular_file,
    )

    where = Location(str(display))
    try:
        # A source named on the command line may be a link; one found in a directory
        # was resolved by the walk, and is opened without following a link swapped in since.
        descriptor = os.open(path, open_flags(follow=path == display))
        data = read_regular_file(descriptor)
    except SpecFileError as error:
        code = _FILE_ERRORS.get(error.code, "import/unreadable")
        run.error(code, error.message, where, _FILE_HINTS.get(code, error.hint))
        return None
    except OSError as error:
        run.error("import/unreadable", f"cannot read file: {error.strerror or error}", where)
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        run.error("import/encoding", f"file is not valid UTF-8 (byte {error.start})", where)
    return None


_FILE_ERRORS = {"catalog/not-a-file": "import/not-a-file",
                "catalog/file-too-large": "import/too-large",
                "catalog/unreadable": "import/unreadable"}
_FILE_HINTS = {"import/not-a-file": "a source is a regular file (or a directory of them); "
                                    "save the stream to a file, or give its URL",
               "import/too-large": "import the estate in parts",
               "import/link-outside": "give the file it leads to as a SOURCE of its own"}


def _read_yaml(run: ImportRun, display: str, text: str) -> None:
    from metricsctl.adopt.rule_files import RuleFileReader, is_rules_document
    from metricsctl.adopt.scrape_config import is_scrape_document, read_scrape_config
    from metricsctl.adopt.yaml_documents import yaml_documents

    documents, problems = yaml_documents(text, display)
    run.report.errors.extend(problems)
    if problems:
        return
    if not documents:
        run.error("import/empty-source", "file holds no YAML document", Location(display))
        return
    reader = RuleFileReader(run.estate, run.report, run.metrics, run.options.domain)
    total_groups = sum(_group_count(document) for document in documents)
    for document in documents:
        if is_rules_document(document.data):
            reader.read(document, total_groups)
        elif is_scrape_document(document.data):
            read_scrape_config(run, document)
        else:
            run.error("import/unknown-source",
                      "not a rule file, PrometheusRule manifest or scrape configuration",
                      document.locate(()), "rule files start with `groups:`; scrape "
                      "configurations hold `scrape_configs:`")
    run.report.errors.extend(reader.errors)


def _group_count(document: SourceDocument) -> int:
    data = document.data
    if isinstance(data, dict) and data.get("kind") == "PrometheusRule":
        data = data.get("spec")
    groups = data.get("groups") if isinstance(data, dict) else None
    return len(groups) if isinstance(groups, list) else 0


def _read_json(run: ImportRun, display: str, text: str) -> None:
    from metricsctl.adopt.dashboards import read_dashboard_json

    read_dashboard_json(run, display, text)


def _read_exposition(run: ImportRun, display: str, text: str) -> None:
    from metricsctl.adopt.metadata import read_exposition

    read_exposition(run, display, text)


_READ_ORDER = ("yaml", "json", "exposition")
_READERS: dict[str, Callable[[ImportRun, str, str], None]] = {
    "yaml": _read_yaml, "json": _read_json, "exposition": _read_exposition}

