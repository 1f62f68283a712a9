"""Benchmark `metricsctl push` of 200 dashboards to the loopback Grafana.

    .venv/bin/python bench/bench_push.py [--runs N] [--dashboards N] [--latency MS] [--json]
    .venv/bin/python bench/bench_push.py --faults [--json]

What it measures, for --concurrency 1 and 8, each on a fresh loopback Grafana:
1. The first push (2 folders and every dashboard created): `python -m metricsctl push` in a
   fresh process, wall time, and the number of write requests Grafana received.
2. A second push with nothing changed: wall time and write requests (must be 0).
3. Where the second push's time goes, inside one process: interpreter start-up and
   imports, loading the catalog, rendering the dashboards (the grafana target), and
   talking to Grafana (preflight, then one GET per dashboard) - so that the HTTP part is
   judged without start-up.

With --latency, the server waits that long before answering each request, like a Grafana
across a network; that is where --concurrency pays off.

Targets (exit status 1 when missed): the second push makes no writes and takes < 1 s.
The loopback server runs in this process (threads), the CLI in a child process, on the
same machine: the numbers include both sides of every request.

With --faults: the fault matrix of tests/grafana_server/fault_matrix.py (every fault the
loopback server injects, at every kind of request, plus races with people editing in
Grafana), with the real retry policy and timeouts; it counts faults tried, dashboards lost,
clobbered, results claimed that did not happen, pushes that did not converge afterwards and
credentials leaked, and the time each push took. Target: all counts 0.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bench_generate import machine  # noqa: E402  (the same machine description in every report)

from tests.grafana_server import GrafanaServer  # noqa: E402  (needs the repository on the path)

TOKEN = "bench-token"
TARGET_SECOND_PUSH_SECONDS = 1.0
DOMAINS = 10
PANELS_PER_DASHBOARD = 6


def write_catalog(directory: Path, dashboards: int) -> Path:
    """A catalog of `dashboards` dashboards (6 panels each) over 10 domain files, in two
    nested folders."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "metricsctl.yaml").write_text(
        "project: bench\n"
        "grafana:\n"
        "  folder: bench\n"
        "  folders:\n"
        "    bench: {title: Bench}\n"
        "    bench-deep: {title: Deep, parent: bench}\n", encoding="utf-8")
    per_domain = -(-dashboards // DOMAINS)
    made = 0
    for d in range(DOMAINS):
        lines = [f"domain: d{d}", "metrics:"]
        for m in range(PANELS_PER_DASHBOARD):
            lines += [f"  d{d}_requests_{m}_total:", "    type: counter",
                      f"    help: Requests of kind {m}.",
                      f"  d{d}_latency_{m}_seconds:", "    type: histogram",
                      "    unit: seconds", f"    help: Latency of kind {m}."]
        lines.append("dashboards:")
        for b in range(per_domain):
            if made == dashboards:
                break
            made += 1
            lines += [f"  d{d}-board-{b}:", f"    title: Domain {d} board {b}",
                      f"    folder: {'bench-deep' if b % 2 else 'bench'}", "    panels:"]
            for m in range(PANELS_PER_DASHBOARD):
                metric = f"d{d}_requests_{m}_total" if m % 2 else f"d{d}_latency_{m}_seconds"
                lines.append(f"      - {{title: Panel {m}, metric: {metric}}}")
        (directory / f"d{d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def push(specs: Path, url: str, concurrency: int) -> tuple[float, dict[str, Any]]:
    """One `metricsctl push` in a fresh process: wall seconds and its JSON report."""
    environment = {**os.environ, "GRAFANA_TOKEN": TOKEN, "NO_COLOR": "1"}
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "metricsctl", "push", str(specs), "--grafana-url", url,
         "--concurrency", str(concurrency), "--format", "json"],
        capture_output=True, text=True, env=environment, cwd=REPO_ROOT, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"push failed ({completed.returncode}):\n{completed.stderr}"
                         f"{completed.stdout[-2000:]}")
    report: dict[str, Any] = json.loads(completed.stdout)
    return elapsed, report


def phases(specs: Path, url: str, concurrency: int) -> dict[str, float]:
    """The second push's phases, timed inside one child process."""
    script = f"""
import json, os, sys, time
started = time.perf_counter()
from metricsctl.catalog import load_catalog
from metricsctl.grafana.client import GrafanaClient
from metricsctl.grafana.plan import make_plan, push_request
from metricsctl.grafana.preflight import preflight
from metricsctl.grafana.settings import ConnectionSettings, Credentials
import requests
imported = time.perf_counter()
catalog = load_catalog(__import__("pathlib").Path({str(specs)!r})).catalog
loaded = time.perf_counter()
request = push_request(catalog)
rendered = time.perf_counter()
settings = ConnectionSettings({url!r}, Credentials(token={TOKEN!r}))
with GrafanaClient(settings) as client:
    preflight(client)
    plan = make_plan(client, request, concurrency={concurrency})
planned = time.perf_counter()
assert all(step.action.value == "unchanged" for step in plan.steps()), "not unchanged"
print(json.dumps({{"imports": imported - started, "load": loaded - imported,
                  "render": rendered - loaded, "preflight + plan (HTTP)": planned - rendered}}))
"""
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               cwd=REPO_ROOT, check=True)
    total = time.perf_counter() - started
    measured: dict[str, float] = json.loads(completed.stdout)
    measured["interpreter + exit"] = total - sum(measured.values())
    return measured


def measure(dashboards: int, concurrency: int, runs: int, work: Path,
            latency: float = 0.0) -> dict[str, Any]:
    specs = write_catalog(work / f"specs-{dashboards}", dashboards)
    first: list[float] = []
    second: list[float] = []
    first_writes = second_writes = 0
    breakdown: list[dict[str, float]] = []
    for _ in range(runs):
        with GrafanaServer(tokens={TOKEN: "Admin"}) as grafana:
            if latency:
                grafana.faults.delay(latency, times=None)
            elapsed, report = push(specs, grafana.url, concurrency)
            assert report["summary"]["created"] == dashboards, report["summary"]
            first.append(elapsed)
            first_writes = len(grafana.writes())
            grafana.clear_log()
            elapsed, report = push(specs, grafana.url, concurrency)
            assert report["summary"]["unchanged"] == dashboards, report["summary"]
            second.append(elapsed)
            second_writes = len(grafana.writes())
            breakdown.append(phases(specs, grafana.url, concurrency))
    return {
        "concurrency": concurrency,
        "first_push_s": statistics.median(first),
        "first_push_writes": first_writes,
        "second_push_s": statistics.median(second),
        "second_push_writes": second_writes,
        "second_push_phases_s": {key: statistics.median(b[key] for b in breakdown)
                                 for key in breakdown[0]},
    }


def fault_matrix() -> dict[str, Any]:
    """Run every case of the fault matrix in this process; counts and timings."""
    from typer.testing import CliRunner

    from metricsctl.cli import app
    from tests.grafana_server.fault_matrix import TOKEN as MATRIX_TOKEN
    from tests.grafana_server.fault_matrix import fault_cases, run_case

    runner = CliRunner()
    environment = {"GRAFANA_TOKEN": MATRIX_TOKEN, "NO_PROXY": "*", "no_proxy": "*"}
    durations: list[float] = []

    def run_push(root: Path, url: str, flags: list[str]) -> tuple[int, str]:
        started = time.perf_counter()
        result = runner.invoke(app, ["push", str(root), "--grafana-url", url, *flags],
                               env=environment)
        durations.append(time.perf_counter() - started)
        return result.exit_code, result.stdout

    cases = fault_cases()
    outcomes = []
    faulty: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-push-faults-") as work:
        for number, case in enumerate(cases):
            outcomes.append(run_case(case, Path(work) / str(number), run_push))
            faulty.append(durations[-2])  # baseline, faulty push, clean push
    return {
        "faults_tried": len(cases),
        "dashboards_lost": sum(len(o.lost) for o in outcomes),
        "dashboards_clobbered": sum(len(o.clobbered) for o in outcomes),
        "false_claims": sum(len(o.false_claims) for o in outcomes),
        "not_converged": sum(1 for o in outcomes if o.not_converged),
        "credentials_leaked": sum(1 for o in outcomes if o.leaked),
        "faulty_push_s": {"median": statistics.median(faulty), "max": max(faulty)},
        "problems": {o.name: [*o.lost, *o.clobbered, *o.false_claims, *o.not_converged]
                     for o in outcomes if not o.clean},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per setting (median kept)")
    parser.add_argument("--dashboards", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS",
                        help="milliseconds the server waits before each answer")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--faults", action="store_true",
                        help="run the fault matrix instead (see above)")
    arguments = parser.parse_args()
    if arguments.faults:
        matrix = fault_matrix()
        if arguments.json:
            print(json.dumps({"machine": machine(), **matrix}, indent=2))
        else:
            print(f"push faults tried {matrix['faults_tried']}, dashboards lost "
                  f"{matrix['dashboards_lost']}, clobbered {matrix['dashboards_clobbered']}, "
                  f"false claims {matrix['false_claims']}, not converged "
                  f"{matrix['not_converged']}, credentials leaked "
                  f"{matrix['credentials_leaked']}; faulty push median "
                  f"{matrix['faulty_push_s']['median']:.2f} s, max "
                  f"{matrix['faulty_push_s']['max']:.2f} s")
            for name, problems in matrix["problems"].items():
                print(f"  {name}: {', '.join(problems)}")
        return 0 if not matrix["problems"] else 1
    latency = arguments.latency / 1000
    with tempfile.TemporaryDirectory(prefix="bench-push-") as work:
        results = [measure(arguments.dashboards, concurrency, arguments.runs, Path(work),
                           latency) for concurrency in (1, 8)]
    document = {"machine": machine(), "dashboards": arguments.dashboards,
                "runs": arguments.runs, "latency_ms": arguments.latency, "results": results}
    # The time target is for the loopback as is; with --latency only "no writes" applies.
    missed = [r for r in results if r["second_push_writes"] != 0
              or (not latency and r["second_push_s"] >= TARGET_SECOND_PUSH_SECONDS)]
    document["targets_met"] = not missed
    if arguments.json:
        print(json.dumps(document, indent=2))
    else:
        info = document["machine"]
        print(f"{info['cpu']}, {info['cores']} cores, Python {info['python']}, "
              f"{info['system']}")
        print(f"{arguments.dashboards} dashboards, median of {arguments.runs} runs, "
              f"{arguments.latency:g} ms server latency")
        print(f"{'concurrency':>11} | {'1st push':>9} | {'writes':>6} | {'2nd push':>9} | "
              f"{'writes':>6} | 2nd push phases")
        for r in results:
            detail = ", ".join(f"{k} {v:.2f}s" for k, v in r["second_push_phases_s"].items())
            print(f"{r['concurrency']:>11} | {r['first_push_s']:>8.2f}s | "
                  f"{r['first_push_writes']:>6} | {r['second_push_s']:>8.2f}s | "
                  f"{r['second_push_writes']:>6} | {detail}")
        print("targets met" if not missed else
              f"TARGET MISSED: the second push must make 0 writes in < "
              f"{TARGET_SECOND_PUSH_SECONDS:g} s")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
