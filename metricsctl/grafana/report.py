"""How a push reads: the plan, diffs against Grafana, the summary, problems as Diagnostics.

Text is for people (rich Text: data is printed literally, never read as markup or emoji);
JSON (`--format json`) is for CI, with stable keys: `grafana`, `dry_run`, `ok`, `summary`,
`folders`, `dashboards`, `diagnostics`. In a dry run each write also says whether the
credentials may make it (`access`: granted, denied, unknown; permissions.py).
Everything shown that a server sent passes through `redact` (credentials never show).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from metricsctl.diagnostics import Diagnostic, Location, Severity
from metricsctl.grafana.apply import Applied, FolderResult, Outcome
from metricsctl.grafana.normalize import normalize
from metricsctl.grafana.permissions import Access, WriteAccess
from metricsctl.grafana.plan import Action, DashboardStep, FolderAction, Plan
from metricsctl.grafana.preflight import GrafanaInfo
from metricsctl.grafana.redaction import redact

if TYPE_CHECKING:
    from rich.text import Text

SUMMARY_KEYS = ("created", "updated", "unchanged", "conflict", "failed", "pruned")
# What each planned action becomes, for the summary of a dry run.
_PLANNED = {Action.CREATE: "created", Action.UPDATE: "updated", Action.UNCHANGED: "unchanged",
            Action.CONFLICT: "conflict", Action.FAILED: "failed", Action.PRUNE: "pruned"}
_SIGN = {Action.CREATE: ("+", "green"), Action.UPDATE: ("~", "yellow"),
         Action.UNCHANGED: ("=", "dim"), Action.CONFLICT: ("!", "bold red"),
         Action.PRUNE: ("-", "red"), Action.FAILED: ("x", "bold red")}

Locate = Callable[[str], Location | None]


@dataclass(frozen=True, slots=True)
class PushReport:
    info: GrafanaInfo
    plan: Plan
    applied: Applied | None  # None for a dry run
    diffs: bool = False
    access: tuple[WriteAccess, ...] = ()  # a dry run: may the credentials make each write

    def denied(self) -> tuple[WriteAccess, ...]:
        return tuple(a for a in self.access if a.access is Access.DENIED)

    def unchecked(self) -> tuple[WriteAccess, ...]:
        return tuple(a for a in self.access if a.access is Access.UNKNOWN)

    @property
    def dry_run(self) -> bool:
        return self.applied is None

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(SUMMARY_KEYS, 0)
        if self.applied is None:
            for step in self.plan.steps():
                counts[_PLANNED[step.action]] += 1
        else:
            for outcome in self.applied.dashboards:
                counts[outcome.result.value] += 1
        return counts

    @property
    def ok(self) -> bool:
        summary = self.summary()
        folders_failed = any(f.action is FolderAction.FAILED for f in self.plan.folders) if (
            self.applied is None) else any(f.result is FolderResult.FAILED
                                           for f in self.applied.folders)
        return (summary["conflict"] == 0 and summary["failed"] == 0 and not folders_failed
                and not self.denied())

    def outcome(self, step: DashboardStep) -> Outcome | None:
        if self.applied is None:
            return None
        return next((o for o in self.applied.dashboards if o.step is step), None)


# -- diagnostics ------------------------------------------------------------------------------

def push_diagnostics(report: PushReport, locate: Locate) -> list[Diagnostic]:
    """Every conflict and failure (and folder mismatches, as warnings), in plan order."""
    diagnostics: list[Diagnostic] = []
    if report.applied is None:
        for folder in report.plan.folders:
            if folder.action is FolderAction.FAILED:
                diagnostics.append(_folder_problem(folder.uid, folder.reason or ""))
            elif folder.mismatch:
                diagnostics.append(_folder_mismatch(folder.uid, folder.mismatch))
        pairs = [(step, _PLANNED[step.action], step.reason) for step in report.plan.steps()]
    else:
        for applied in report.applied.folders:
            if applied.result is FolderResult.FAILED:
                diagnostics.append(_folder_problem(applied.step.uid, applied.message or ""))
            elif applied.message:
                diagnostics.append(_folder_mismatch(applied.step.uid, applied.message))
        pairs = [(o.step, o.result.value, o.message) for o in report.applied.dashboards]
    for step, result, message in pairs:
        if result == "conflict":
            diagnostics.append(Diagnostic(
                "push/conflict", Severity.ERROR, f"dashboard `{step.uid}`: {message}",
                locate(step.uid), _conflict_hint(step, message or "")))
        elif result == "failed":
            diagnostics.append(Diagnostic("push/failed", Severity.ERROR,
                                          f"dashboard `{step.uid}`: {message}", locate(step.uid)))
    for access in report.access:
        where = locate(access.uid) if access.kind == "dashboard" else None
        if access.access is Access.DENIED:
            diagnostics.append(Diagnostic(
                "push/permission", Severity.ERROR,
                f"{access.kind} `{access.uid}`: would fail: {access.detail}", where,
                "give the service account write access to the folder (Editor, or folder "
                "permissions), or push with other credentials"))
        elif access.access is Access.UNKNOWN:
            diagnostics.append(Diagnostic("push/permission-unknown", Severity.WARNING,
                                          f"{access.kind} `{access.uid}`: {access.detail}",
                                          where))
    return diagnostics


def redacted(diagnostics: Sequence[Diagnostic], secrets: Sequence[str]) -> list[Diagnostic]:
    """The diagnostics with every credential redacted from their texts (server text in them
    may echo what we sent)."""
    return [replace(d, message=redact(d.message, secrets),
                    hint=redact(d.hint, secrets) if d.hint else d.hint) for d in diagnostics]


def _conflict_hint(step: DashboardStep, message: str) -> str:
    if "provisioned" in message:
        return "change it in Grafana's provisioning files, or remove it from there or the catalog"
    if "plugin" in message:
        return "--force saves it anyway and detaches it from its plugin"
    if step.removal:
        return (f"`metricsctl pull --uid {step.uid} --out DIR` saves Grafana's copy; "
                "--prune --force deletes it anyway")
    return (f"review with `metricsctl push --dry-run --diff --only {step.uid}` or "
            f"`metricsctl pull --uid {step.uid} --out DIR`; move the changes into the "
            "catalog, or overwrite them with --force")


def _folder_problem(uid: str, message: str) -> Diagnostic:
    return Diagnostic("push/folder", Severity.ERROR, f"folder `{uid}`: {message}")


def _folder_mismatch(uid: str, message: str) -> Diagnostic:
    return Diagnostic("push/folder-mismatch", Severity.WARNING,
                      f"folder `{uid}` exists in Grafana but {message}",
                      hint="metricsctl never changes existing folders: rename or move it in "
                           "Grafana, or change grafana.folders in the project file")


# -- text -------------------------------------------------------------------------------------

def plan_lines(plan: Plan, secrets: Sequence[str] = ()) -> list[Text]:
    """One line per folder to create and per dashboard that needs attention, as literal
    rich Text (titles and reasons are data: never markup, never emoji codes)."""
    from rich.text import Text

    lines = [Text.assemble("  ", ("+", "green"),
                           f" folder    {f.uid}  {f.title!r}" + (f" in {f.parent}"
                                                               if f.parent else ""))
             for f in plan.folders_to_create]
    unchanged = 0
    for step in plan.steps():
        if step.action is Action.UNCHANGED:
            unchanged += 1
            continue
        sign, style = _SIGN[step.action]
        detail = f": {redact(step.reason, secrets)}" if step.reason else ""
        if step.action is Action.CREATE:
            detail = f" in {step.folder}" if step.folder else " in the root folder"
        lines.append(Text.assemble("  ", (f"{sign} {step.action.value:<9}", style),
                                   f" {step.uid}  {step.title!r}{detail}"))
    if unchanged:
        lines.append(Text(f"  = unchanged {unchanged} dashboard{'s' if unchanged != 1 else ''}",
                          style="dim"))
    return lines


def plan_headline(plan: Plan) -> str:
    parts = [f"{plan.count(action)} {label}" for action, label in (
        (Action.CREATE, "to create"), (Action.UPDATE, "to update"),
        (Action.UNCHANGED, "unchanged"), (Action.CONFLICT, "conflicting"),
        (Action.PRUNE, "to prune"), (Action.FAILED, "unreadable")) if plan.count(action)]
    if plan.folders_to_create:
        parts.append(f"{len(plan.folders_to_create)} folder"
                     f"{'s' if len(plan.folders_to_create) != 1 else ''} to create")
    return "plan: " + (", ".join(parts) if parts else "nothing to do")


def dashboard_diff(step: DashboardStep) -> str | None:
    """A unified diff from Grafana's copy to the catalog's (both normalized), None if none."""
    from metricsctl.targets.grafana import dashboard_text

    if step.action not in (Action.UPDATE, Action.CONFLICT, Action.CREATE, Action.PRUNE):
        return None
    before = dashboard_text(normalize(step.live)) if step.live is not None else ""
    after = dashboard_text(normalize(step.payload)) if (
        step.payload is not None and step.action is not Action.PRUNE) else ""
    version = f" (version {step.live_version})" if step.live_version is not None else ""
    lines = difflib.unified_diff(before.splitlines(keepends=True),
                                 after.splitlines(keepends=True),
                                 fromfile=f"grafana/{step.uid}{version}",
                                 tofile=f"catalog/{step.uid}", n=3)
    text = "".join(lines)
    return text or None


def summary_table(report: PushReport) -> Any:
    """The summary as a rich Table: one column per outcome."""
    from rich.table import Table

    title = "summary (dry run: what a push would do)" if report.dry_run else "summary"
    table = Table(title=title, title_justify="left", show_edge=False)
    summary = report.summary()
    styles = {"conflict": "red", "failed": "red"}
    for key in SUMMARY_KEYS:
        style = styles.get(key, "") if summary[key] else ""
        table.add_column(key, justify="right", header_style=style or "bold")
    table.add_row(*(str(summary[key]) for key in SUMMARY_KEYS))
    return table


# -- json -------------------------------------------------------------------------------------

def json_report(report: PushReport, diagnostics: Sequence[Diagnostic]) -> str:
    from metricsctl.diagnostics.json_format import render_json

    access = {(a.kind, a.uid): a.access.value for a in report.access}
    folders = []
    applied_folders = {f.step.uid: f for f in report.applied.folders} if report.applied else {}
    for folder in report.plan.folders:
        done = applied_folders.get(folder.uid)
        folders.append({"uid": folder.uid, "title": folder.title, "parent": folder.parent,
                        "action": folder.action.value,
                        "result": done.result.value if done else None,
                        "message": (done.message if done else folder.mismatch or folder.reason),
                        "access": access.get(("folder", folder.uid))})
    dashboards = []
    for step in report.plan.steps():
        outcome = report.outcome(step)
        entry: dict[str, Any] = {
            "uid": step.uid, "title": step.title, "folder": step.folder,
            "action": step.action.value,
            "result": outcome.result.value if outcome else None,
            "message": (outcome.message or step.reason) if outcome else step.reason,
            "version": outcome.version if outcome else step.live_version,
            "url": outcome.url if outcome else None,
            "access": access.get(("dashboard", step.uid)),
        }
        if report.diffs:
            entry["diff"] = dashboard_diff(step)
        dashboards.append(entry)
    return render_json(diagnostics, {
        "grafana": {"url": report.info.url, "version": report.info.version},
        "dry_run": report.dry_run, "ok": report.ok, "summary": report.summary(),
        "folders": folders, "dashboards": dashboards,
    })


def failure_json(url: str, diagnostics: Sequence[Diagnostic], dry_run: bool) -> str:
    """The JSON document when the push could not start (preflight failed)."""
    from metricsctl.diagnostics.json_format import render_json

    return render_json(diagnostics, {"grafana": {"url": url, "version": None},
                                     "dry_run": dry_run,
                                     "ok": False, "summary": dict.fromkeys(SUMMARY_KEYS, 0),
                                     "folders": [], "dashboards": []})
