"""`generate --check`: what is missing, stale or extra in the output directory, with short diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum

from metricsctl.generation.paths import MANIFEST_NAME
from metricsctl.generation.plan import FileChange, Plan, Status

MAX_DIFF_LINES = 40  # per file
MAX_DIFFS = 10  # files whose diff is shown; the others are only listed
MAX_LINE_WIDTH = 200


class Problem(StrEnum):
    MISSING = "missing"  # rendered, not on disk
    STALE = "stale"  # on disk with other content
    EXTRA = "extra"  # written by metricsctl before, no longer generated


@dataclass(frozen=True, slots=True)
class CheckFinding:
    problem: Problem
    path: str
    target: str
    note: str = ""
    diff: tuple[str, ...] = ()  # unified diff lines, already truncated


def _clip(line: str) -> str:
    if len(line) <= MAX_LINE_WIDTH:
        return line
    return line[:MAX_LINE_WIDTH] + f"… ({len(line) - MAX_LINE_WIDTH} more characters)"


def short_diff(old: bytes, new: bytes, label: str, *, limit: int = MAX_DIFF_LINES) -> list[str]:
    """A unified diff (3 lines of context) of on-disk vs generated text, cut at `limit` lines."""
    before = old.decode("utf-8", errors="replace").splitlines()
    after = new.decode("utf-8", errors="replace").splitlines()
    lines = list(difflib.unified_diff(before, after, f"{label} (on disk)",
                                      f"{label} (generated)", lineterm=""))
    if not lines and old != new:
        # Same lines, different bytes: line endings or the final newline.
        return [f"{label}: only line endings or the trailing newline differ"]
    shown = [_clip(line) for line in lines[:limit]]
    if len(lines) > limit:
        shown.append(f"… {len(lines) - limit} more diff lines")
    return shown


def _finding(change: FileChange, label: str, with_diff: bool) -> CheckFinding:
    if change.status is Status.CREATED:
        return CheckFinding(Problem.MISSING, change.path, change.target)
    if change.status is Status.REMOVED:
        return CheckFinding(Problem.EXTRA, change.path, change.target,
                            "no longer generated; `metricsctl generate` removes it")
    note = "not written by metricsctl" if change.foreign else ""
    diff = tuple(short_diff(change.old or b"", change.new or b"", label)) if with_diff else ()
    return CheckFinding(Problem.STALE, change.path, change.target, note, diff)


def check_findings(plan: Plan) -> list[CheckFinding]:
    """Every difference between the output directory and what generation would write."""
    findings: list[CheckFinding] = []
    diffs = 0
    for change in plan.changes:
        if change.status is Status.UNCHANGED:
            continue
        with_diff = change.status is Status.UPDATED and diffs < MAX_DIFFS
        diffs += with_diff
        findings.append(_finding(change, f"{plan.out}/{change.path}", with_diff))
    if plan.manifest_changed:
        problem = Problem.MISSING if plan.previous is None else Problem.STALE
        findings.append(CheckFinding(problem, MANIFEST_NAME, "",
                                     "the record of the files metricsctl wrote"))
    return findings
