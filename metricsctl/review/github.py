"""GitHub Actions output: `::error`/`::warning` annotations at the spec line of each breaking
or risky change, and the Markdown report appended to the job summary."""

from __future__ import annotations

from pathlib import Path

from metricsctl.review.changes import Change, Classification, DiffReport, plain
from metricsctl.review.values import location_text

_COMMANDS = {Classification.BREAKING: "error", Classification.RISKY: "warning"}


def _escape_data(value: str) -> str:
    """Workflow-command message escaping (what the Actions toolkit does)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(change: Change) -> str | None:
    """The workflow command for one change, or None for a safe change."""
    command = _COMMANDS.get(change.classification)
    if command is None:
        return None
    properties = []
    if change.location is not None:
        properties.append(f"file={_escape_property(change.location.file)}")
        if change.location.line > 0:
            properties.append(f"line={change.location.line}")
            properties.append(f"col={change.location.column}")
    properties.append(f"title={_escape_property(f'metricsctl diff: {change.kind}')}")
    lines = [plain(change.summary)]
    if change.reason:
        lines.append(plain(change.reason))
    if change.hint:
        lines.append(f"help: {plain(change.hint)}")
    if change.dependents:
        lines.append("used by: " + "; ".join(
            f"{d.kind} {d.name} ({location_text(d.location)})" for d in change.dependents))
    return f"::{command} {','.join(properties)}::{_escape_data(chr(10).join(lines))}"


def render_annotations(report: DiffReport) -> str:
    commands = [line for change in report.changes if (line := annotation(change)) is not None]
    return "".join(f"{line}\n" for line in commands)


def append_step_summary(path: Path, markdown: str) -> None:
    """Append to the job summary file (other steps write to it too, so never truncate)."""
    with path.open("a", encoding="utf-8", newline="\n") as summary:
        summary.write(markdown if markdown.endswith("\n") else markdown + "\n")
