"""Push under every fault the loopback server can inject: is anything lost, clobbered or
claimed that did not happen? Used by tests/commands/test_push.py and bench/bench_push.py.

Each case starts from the same Grafana: project `shop` pushed (board-0..3 in nested
folders), then what other people did: team-b's `foreign` dashboard, `board-1` edited in the
UI, a hand-made `board-4`. The catalog then changes (board-0 renamed, board-3 removed,
board-4 and board-5 added, board-5 in a new folder) and `push --prune --format json` runs
with one fault injected. Afterwards:
- lost: a dashboard that must survive (other people's, unchanged, edited) is gone, or one
  the catalog keeps is gone;
- clobbered: other people's dashboards (foreign, edited board-1, hand-made board-4) differ
  from how they left them;
- false claims: the report says created/updated/pruned and Grafana disagrees;
- not converged: a second push without faults does not bring Grafana to the catalog (all
  but the two conflicts, which must stay conflicts).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.grafana_server.catalogs import PushCatalog, make_push_catalog
from tests.grafana_server.server import GrafanaServer
from tests.grafana_server.targets import GrafanaTarget

TOKEN = "glsa_faultMatrixToken_4b1d"
TIMEOUT = "0.4"
RunPush = Callable[[Path, str, list[str]], tuple[int, str]]  # (root, url, flags) -> (exit, stdout)
Inject = Callable[[GrafanaServer], None]

# Where a fault strikes: (name, request matcher)
TARGETS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("save of an update", {"method": "POST", "path": "/api/dashboards/db", "uid": "board-0"}),
    ("save of a create", {"method": "POST", "path": "/api/dashboards/db", "uid": "board-5"}),
    ("folder creation", {"method": "POST", "path": "/api/folders"}),
    ("dashboard read", {"method": "GET", "path": "/api/dashboards/uid/board-0"}),
    ("prune's re-read", {"method": "GET", "path": "/api/dashboards/uid/board-3"}),
    ("delete", {"method": "DELETE", "uid": "board-3"}),
    ("search", {"method": "GET", "path": "/api/search"}),
)

_CUT = b'{"id":1,"uid":"board-0","status":"succ'

# What strikes: (name, how, given the matcher)
KINDS: tuple[tuple[str, Callable[[GrafanaServer, dict[str, Any]], None]], ...] = (
    ("HTTP 500 for good", lambda s, m: s.faults.fail(500, times=None, **m)),
    ("HTTP 503 once", lambda s, m: s.faults.fail(503, **m)),
    ("HTTP 429, Retry-After 0.1", lambda s, m: s.faults.rate_limit("0.1", **m)),
    ("connection dropped", lambda s, m: s.faults.drop(**m)),
    ("dropped after Grafana did it", lambda s, m: s.faults.drop(after_processing=True, **m)),
    ("answer too late", lambda s, m: s.faults.delay(1.0, after_processing=True, **m)),
    ("login page", lambda s, m: s.faults.login_page(times=None, **m)),
    ("login page after Grafana did it",
     lambda s, m: s.faults.login_page(after_processing=True, **m)),
    ("body cut short", lambda s, m: s.faults.answer(200, _CUT, "application/json",
                                                     after_processing=True, **m)),
    ("connection cut mid-body", lambda s, m: s.faults.answer(
        200, _CUT, "application/json", declared_length=400, after_processing=True, **m)),
    ("JSON without Grafana's fields", lambda s, m: s.faults.answer(
        200, b'{"id": 1}', "application/json", after_processing=True, **m)),
    ("HTML 404", lambda s, m: s.faults.answer(404, b"<html>Not Found</html>", "text/html",
                                              times=None, **m)),
    ("answer dripped", lambda s, m: s.faults.drip(0.2, **m)),
    ("error echoing the credentials", lambda s, m: s.faults.echo_headers(400, **m)),
)


def _edit(server: GrafanaServer, uid: str) -> None:
    server.edit_in_ui(uid, lambda d: d.update(description="edited meanwhile"), actor="carol")


def _made_by_hand(server: GrafanaServer, uid: str) -> None:
    server.seed_dashboard({"uid": uid, "title": "Made meanwhile"}, actor="dave")


# Someone else takes a dashboard over while the push runs: (name, inject, the uid taken).
RACES: tuple[tuple[str, Inject, str], ...] = (
    ("edit between plan and update", lambda s: s.faults.hook(
        lambda: _edit(s, "board-0"), method="POST", path="/api/dashboards/db", uid="board-0"),
     "board-0"),
    ("edit between plan and prune", lambda s: s.faults.hook(
        lambda: _edit(s, "board-3"), method="GET", path="/api/dashboards/uid/board-3", skip=1),
     "board-3"),
    ("dashboard made by hand between plan and create", lambda s: s.faults.hook(
        lambda: _made_by_hand(s, "board-5"), method="POST", path="/api/dashboards/db",
        uid="board-5"), "board-5"),
)


@dataclass(frozen=True, slots=True)
class FaultCase:
    name: str
    inject: Inject
    taken: str | None = None  # the uid someone else takes over during the push


def fault_cases() -> list[FaultCase]:
    """Every kind at every target, then the races."""
    cases = [FaultCase(f"{kind} on the {where}",
                       lambda server, how=how, match=match: how(server, match))
             for where, match in TARGETS for kind, how in KINDS]
    return cases + [FaultCase(name, inject, taken) for name, inject, taken in RACES]


@dataclass
class CaseResult:
    name: str
    lost: list[str] = field(default_factory=list)
    clobbered: list[str] = field(default_factory=list)
    false_claims: list[str] = field(default_factory=list)
    not_converged: list[str] = field(default_factory=list)
    leaked: bool = False

    @property
    def clean(self) -> bool:
        return not (self.lost or self.clobbered or self.false_claims or self.not_converged
                    or self.leaked)


@contextmanager
def _grafana() -> Iterator[GrafanaServer]:
    with GrafanaServer(tokens={TOKEN: "Admin"}) as server:
        yield server


def run_case(case: FaultCase, directory: Path, run_push: RunPush) -> CaseResult:
    """The scenario of the module docstring with `case`'s fault."""
    result = CaseResult(case.name)
    with _grafana() as server:
        target = GrafanaTarget(server.url, TOKEN, server)
        catalog = make_push_catalog(directory, target, count=4)
        code, _ = run_push(catalog.root, server.url, [])
        assert code == 0, "the baseline push failed"
        others = _others_act(server)
        _change(catalog)
        before = {uid: server.dashboard(uid) for uid in others}

        case.inject(server)
        _, stdout = run_push(catalog.root, server.url, ["--prune", "--format", "json",
                                                         "--timeout", TIMEOUT])
        server.faults.clear()
        result.leaked = TOKEN in stdout
        if case.taken is not None:  # theirs now, as they left it
            others.append(case.taken)
            before[case.taken] = _as_taken(server, case.taken, result)
        _judge(server, catalog, others, before, stdout, result)

        code, stdout = run_push(catalog.root, server.url, ["--prune", "--format", "json"])
        _judge_convergence(server, catalog, others, stdout, result)
    return result


def _as_taken(server: GrafanaServer, uid: str, result: CaseResult) -> dict[str, Any] | None:
    """The dashboard as the one who took it over left it (their last version)."""
    if server.dashboard(uid) is None:
        result.lost.append(uid)
        return None
    last = [v for v in server.versions(uid) if v.created_by in ("carol", "dave")]
    if not last:
        result.clobbered.append(uid)
        return None
    if server.versions(uid)[-1] is not last[-1]:
        result.clobbered.append(uid)  # saved over after they took it
    return last[-1].data


def _others_act(server: GrafanaServer) -> list[str]:
    """What other people do in Grafana before the push; the uids they own."""
    server.seed_dashboard({"uid": "foreign", "title": "Team B", "tags": [
        "metricsctl", "metricsctl:team-b"], "metricsctlHash": "sha256:0"}, actor="team-b")
    _edit(server, "board-1")
    server.seed_dashboard({"uid": "board-4", "title": "Made by hand"}, actor="erin")
    return ["foreign", "board-1", "board-4"]


def _change(catalog: PushCatalog) -> None:
    catalog.folders["shop-ops"] = ("Ops", catalog.uid("shop"))
    catalog.dashboards["board-0"] = ("Board zero", catalog.dashboards["board-0"][1])
    del catalog.dashboards["board-3"]
    catalog.dashboards["board-4"] = ("Board 4", "shop")
    catalog.dashboards["board-5"] = ("Board 5", "shop-ops")
    catalog.write()


def _report(stdout: str) -> dict[str, Any] | None:
    try:
        document = json.loads(stdout)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _judge(server: GrafanaServer, catalog: PushCatalog, others: list[str],
           before: dict[str, dict[str, Any] | None], stdout: str, result: CaseResult) -> None:
    for uid in others:
        now = server.dashboard(uid)
        if now is None:
            if uid not in result.lost:
                result.lost.append(uid)
        elif before[uid] is not None and _content(now) != _content(before[uid]):
            result.clobbered.append(uid)
    for uid in ("board-2",):  # unchanged: must simply still be there
        if server.dashboard(uid) is None:
            result.lost.append(uid)
    report = _report(stdout)
    for entry in (report or {}).get("dashboards", []):
        uid, claimed = entry["uid"], entry["result"]
        live = server.dashboard(uid)
        if claimed in ("created", "updated"):
            title = catalog.dashboards.get(uid, ("?", None))[0]
            if live is None or live.get("title") != title:
                result.false_claims.append(f"{uid} {claimed}")
        elif claimed == "pruned" and live is not None:
            result.false_claims.append(f"{uid} pruned")


def _judge_convergence(server: GrafanaServer, catalog: PushCatalog, others: list[str],
                       stdout: str, result: CaseResult) -> None:
    report = _report(stdout)
    if report is None:
        result.not_converged.append("no JSON report")
        return
    results = {entry["uid"]: entry["result"] for entry in report["dashboards"]}
    for uid, (title, _) in catalog.dashboards.items():
        live = server.dashboard(uid)
        if uid in others:
            if results.get(uid) != "conflict":
                result.not_converged.append(f"{uid} is not a conflict")
        elif live is None or live.get("title") != title:
            result.not_converged.append(f"{uid} not in place")
    if "board-3" in others:  # taken over: kept, and a conflict for prune
        if server.dashboard("board-3") is None or results.get("board-3") != "conflict":
            result.not_converged.append("board-3 taken over but not kept as a conflict")
    elif server.dashboard("board-3") is not None:
        result.not_converged.append("board-3 not pruned")


def _content(dashboard: dict[str, Any] | None) -> dict[str, Any] | None:
    if dashboard is None:
        return None
    content = copy.deepcopy(dashboard)
    for key in ("id", "version"):
        content.pop(key, None)
    return content
