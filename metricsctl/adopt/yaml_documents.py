"""Read the YAML documents of a file (`---` separated, as Kubernetes manifests are) with the
catalog's positioned loader, each keeping the line numbers of the whole file."""

from __future__ import annotations

import re

from metricsctl.catalog.yaml_source import SourceDocument, parse_yaml
from metricsctl.diagnostics import Diagnostic

# A document marker at the start of a line, alone or before a comment or content.
_MARKER = re.compile(r"^(---|\.\.\.)(?=[ \t]|$)", re.MULTILINE)


def yaml_documents(text: str, display: str) -> tuple[list[SourceDocument], list[Diagnostic]]:
    """Every non-empty document of `text`; problems located in the whole file."""
    documents: list[SourceDocument] = []
    diagnostics: list[Diagnostic] = []
    starts = [0, *(match.start() for match in _MARKER.finditer(text))]
    ends = [*starts[1:], len(text)]
    for start, end in zip(starts, ends, strict=True):
        chunk = text[start:end]
        if chunk.startswith(("---", "...")):
            chunk = "   " + chunk[3:]  # the marker's width in spaces keeps columns exact
        if not _has_content(chunk):
            continue
        # Blank lines in front keep every line number what it is in the file.
        padded = "\n" * text.count("\n", 0, start) + chunk
        document, problems = parse_yaml(padded.encode("utf-8"), display)
        diagnostics.extend(problems)
        if document is not None:
            document.text = text
            documents.append(document)
    return documents, diagnostics


def _has_content(chunk: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#")
               for line in chunk.splitlines())
