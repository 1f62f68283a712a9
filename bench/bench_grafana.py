"""Benchmark the dashboards: `generate --target grafana` against a bare builder, and `preview`.

    .venv/bin/pip install grafanalib   # the peer's library; not a metricsctl dependency
    .venv/bin/python bench/bench_grafana.py [--runs N] [--no-preview] [--json]

1. Dashboards only: a catalog of 20 domain files, each 10 metrics, 2 alerts and 10
   dashboards of 12 panels (derived rates, latency quantiles, a heatmap, stats, a gauge with
   thresholds, a table), 200 x 12 in all. `python -m metricsctl generate SPECS --target
   grafana` in a fresh process per run, alternating in the same run with a bare script that
   builds and writes the same 200 dashboards (titles, queries, units, positions read from
   our output) with grafanalib and no catalog, when grafanalib is importable, else with
   plain dicts and `json.dumps`; the report says which. Both are timed alike (wall and CPU,
   fresh processes, best of N). Target: ours <= 1.2x the bare script.
2. Preview: a 12-panel dashboard drawn to PNG with synthetic data evaluated by a real
   Prometheus (started once, outside the timing), in one process: target <= 2 s.
3. Import cost of grafanalib (what the grafana target no longer pays).

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "bench"))

from bench_generate import Run, best, machine, run_child  # noqa: E402

TARGET_RATIO = 1.2
TARGET_PREVIEW_SECONDS = 2.0
DOMAINS = 20
DASHBOARDS_PER_DOMAIN = 10

PROJECT = """\
project: bench
scrape:
  - {job: api, targets: ["api:9100"], labels: {service: api}}
  - {job: worker, targets: ["worker:9100"], labels: {service: worker}}
"""
DOMAIN = """\
domain: {d}
labels:
  route: {{max_cardinality: 20}}
  outcome: {{values: [ok, error]}}
metrics:
  {d}_requests_total: {{type: counter, help: Requests., labels: [route, outcome]}}
  {d}_errors_total: {{type: counter, help: Errors., labels: [route]}}
  {d}_duration_seconds:
    type: histogram
    unit: seconds
    help: Latency.
    labels: [route]
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5]
  {d}_queue_depth: {{type: gauge, help: Queued jobs.}}
  {d}_workers: {{type: gauge, help: Busy workers., labels: [outcome]}}
  {d}_bytes_total: {{type: counter, unit: bytes, help: Bytes sent.}}
  {d}_balance: {{type: gauge, help: Credits left.}}
  {d}_retries_total: {{type: counter, help: Retries.}}
  {d}_batch_size: {{type: gauge, help: Batch size.}}
  {d}_cache_hits_total: {{type: counter, help: Cache hits.}}
alerts:
  {D}LowBalance:
    expr: {d}_balance < 10
    severity: warning
    summary: Low balance
    description: The balance is low.
    runbook_url: https://runbooks.example/{d}/low-balance
  {D}DeepQueue:
    expr: {d}_queue_depth > 100
    severity: critical
    summary: Deep queue
    description: The queue is deep.
    runbook_url: https://runbooks.example/{d}/deep-queue
dashboards:
"""
BOARD = """\
  {d}-{n}:
    title: {D} board {n}
    variables: [service]
    rows:
      - title: Traffic
        panels:
          - {{title: Requests, metric: {d}_requests_total, by: [route], unit: reqps}}
          - {{title: Errors, metric: {d}_errors_total, by: [route], unit: reqps}}
          - title: Error ratio
            type: stat
            expr: >-
              sum(rate({d}_errors_total[$__rate_interval]))
              / sum(rate({d}_requests_total[$__rate_interval]))
            unit: percentunit
          - {{title: Bytes, metric: {d}_bytes_total}}
      - title: Latency
        panels:
          - {{title: Latency, metric: {d}_duration_seconds, by: [route]}}
          - {{title: Distribution, type: heatmap, metric: {d}_duration_seconds}}
          - {{title: Retries, type: stat, metric: {d}_retries_total}}
          - {{title: Cache hits, metric: {d}_cache_hits_total}}
      - title: Capacity
        panels:
          - title: Balance
            type: gauge
            expr: {d}_balance
            min: 0
            max: 100
            thresholds: [{{color: red}}, {{value: 10, color: green}}]
          - {{title: Queue, expr: {d}_queue_depth}}
          - {{title: Workers, type: bargauge, metric: {d}_workers, by: [outcome]}}
          - title: Top routes
            type: table
            queries:
              - expr: topk(10, sum by (route) (rate({d}_requests_total[1h])))
                instant: true
                format: table
"""


def write_catalog(directory: Path) -> Path:
    """200 dashboards x 12 panels over 20 small domains (see the module docstring)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "metricsctl.yaml").write_text(PROJECT, encoding="utf-8")
    for index in range(DOMAINS):
        d = f"d{index:02d}"
        text = DOMAIN.format(d=d, D=d.upper()) + "".join(
            BOARD.format(d=d, D=d.upper(), n=n) for n in range(DASHBOARDS_PER_DOMAIN))
        (directory / f"{d}.yaml").write_text(text, encoding="utf-8")
    return directory

BARE_GRAFANALIB = r'''
import json, sys
from pathlib import Path
from grafanalib import core as g
from grafanalib._gen import DashboardEncoder

plan = json.loads(Path(sys.argv[1]).read_text())
out = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)


def panel(p, targets):
    common = dict(title=p["title"], gridPos=g.GridPos(**p["gridPos"]), targets=targets,
                  dataSource="prometheus")
    unit = p.get("unit") or ""
    if p["type"] == "stat":
        return g.Stat(format=unit or "none", **common)
    if p["type"] == "gauge":
        return g.GaugePanel(format=unit or "none", **common)
    if p["type"] == "bargauge":
        return g.BarGauge(format=unit or "none", **common)
    if p["type"] == "heatmap":
        return g.Heatmap(**common)
    if p["type"] == "table":
        return g.Table(unit=unit, **common)
    return g.TimeSeries(unit=unit, **common)


for board in plan:
    panels = []
    for p in board["panels"]:
        if p["type"] == "row":
            panels.append(g.RowPanel(title=p["title"], gridPos=g.GridPos(**p["gridPos"])))
            continue
        targets = [g.Target(expr=t["expr"], legendFormat=t["legendFormat"], refId=t["refId"],
                            instant=t["instant"], format=t["format"]) for t in p["targets"]]
        panels.append(panel(p, targets))
    dashboard = g.Dashboard(title=board["title"], uid=board["uid"], panels=panels,
                            tags=board["tags"]).auto_panel_ids()
    (out / (board["uid"] + ".json")).write_text(
        json.dumps(dashboard.to_json_data(), cls=DashboardEncoder, sort_keys=True, indent=2))
'''

BARE_JSON = r'''
import json, sys
from pathlib import Path

plan = json.loads(Path(sys.argv[1]).read_text())
out = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
for board in plan:
    panels = []
    for p in board["panels"]:
        panel = {"title": p["title"], "type": p["type"], "gridPos": p["gridPos"]}
        if p["type"] != "row":
            panel["targets"] = [{"expr": t["expr"], "refId": t["refId"]} for t in p["targets"]]
            panel["fieldConfig"] = {"defaults": {"unit": p.get("unit") or ""}, "overrides": []}
        panels.append(panel)
    dashboard = {"title": board["title"], "uid": board["uid"], "panels": panels,
                 "tags": board["tags"], "schemaVersion": 42}
    (out / (board["uid"] + ".json")).write_text(json.dumps(dashboard, sort_keys=True, indent=2))
'''


def dashboard_plan(out: Path) -> list[dict[str, Any]]:
    """What the bare builder needs to build the same dashboards, read from our output."""
    plan = []
    for path in sorted((out / "grafana" / "dashboards").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        panels = []
        for panel in data["panels"]:
            panels.append({
                "title": panel["title"], "type": panel["type"], "gridPos": panel["gridPos"],
                "unit": panel.get("fieldConfig", {}).get("defaults", {}).get("unit"),
                "targets": [{"expr": t["expr"], "refId": t["refId"],
                             "legendFormat": t.get("legendFormat", ""),
                             "instant": t.get("instant", False),
                             "format": t.get("format", "time_series")}
                            for t in panel.get("targets", [])]})
        plan.append({"uid": data["uid"], "title": data["title"], "tags": data["tags"],
                     "panels": panels})
    return plan


def import_seconds(module: str) -> float | None:
    """Wall time of `python -c "import <module>"` minus bare start-up (best of 5)."""
    if importlib.util.find_spec(module.split(".")[0]) is None:
        return None

    def timed(code: str) -> float:
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            runs.append(time.perf_counter() - start)
        return min(runs)

    return timed(f"import {module}") - timed("pass")


def bench_dashboards(work: Path, runs: int) -> dict[str, Any]:
    """Ours and the bare script alternately, each a fresh process into an empty directory.

    Both are timed the same way (run_child: wall time, and user + system CPU of the process),
    best of `runs` by wall time; a run that fails or writes fewer than 200 dashboards stops
    the benchmark (a crashing baseline once passed for a fast one).
    """
    specs = write_catalog(work / "specs")
    ours, bare = [], []
    has_grafanalib = importlib.util.find_spec("grafanalib") is not None
    script = work / "bare.py"
    script.write_text(BARE_GRAFANALIB if has_grafanalib else BARE_JSON, encoding="utf-8")
    plan_file = work / "plan.json"
    for index in range(runs):
        out = work / f"out-{index}"
        ours.append(checked(run_child([sys.executable, "-m", "metricsctl", "generate",
                                       str(specs), "--out", str(out), "--target", "grafana",
                                       "--quiet"]),
                            out / "grafana" / "dashboards", "metricsctl generate"))
        if index == 0:
            plan = dashboard_plan(out)
            assert len(plan) == 200 and all(
                sum(p["type"] != "row" for p in board["panels"]) == 12 for board in plan)
            plan_file.write_text(json.dumps(plan), encoding="utf-8")
        bare_out = work / f"bare-{index}"
        bare.append(checked(run_child([sys.executable, str(script), str(plan_file),
                                       str(bare_out)]), bare_out, "the bare script"))
        shutil.rmtree(out)
        shutil.rmtree(bare_out)
    ours_best, bare_best = best(ours), best(bare)
    ours_cpu = min(run.cpu_seconds for run in ours)
    bare_cpu = min(run.cpu_seconds for run in bare)
    return {"ours_seconds": ours_best.seconds, "bare_seconds": bare_best.seconds,
            "ratio": ours_best.seconds / bare_best.seconds,
            "ours_cpu_seconds": ours_cpu, "bare_cpu_seconds": bare_cpu,
            "cpu_ratio": ours_cpu / bare_cpu,
            "baseline": "grafanalib" if has_grafanalib else "json.dumps (grafanalib absent)"}


def checked(run: Run, dashboards: Path, what: str) -> Run:
    """The run, once it is known to have succeeded and written all 200 dashboards."""
    written = len(list(dashboards.glob("*.json"))) if dashboards.is_dir() else 0
    if run.exit_code != 0 or written != 200:
        raise SystemExit(f"{what} failed (exit code {run.exit_code}, {written} dashboards)")
    return run


def bench_preview(work: Path) -> dict[str, Any] | None:
    """A 12-panel dashboard previewed with synthetic data; None without prometheus."""
    if shutil.which("prometheus") is None or importlib.util.find_spec("matplotlib") is None:
        return None
    code = f"""
import json, sys, time
from pathlib import Path
from metricsctl.catalog.loader import load_catalog
from metricsctl.preview.synthetic import SyntheticPrometheus
from metricsctl.preview.render import preview_dashboards
catalog = load_catalog(Path({str(REPO_ROOT / 'specs')!r})).catalog
board = max(catalog.dashboards.values(), key=lambda d: len(list(d.all_panels())))
work = Path({str(work)!r})
with SyntheticPrometheus(catalog, work / "tsdb") as source:
    started = time.perf_counter()
    written = preview_dashboards(catalog, [board.uid], source, work / "png")
    seconds = time.perf_counter() - started
print(json.dumps({{"seconds": seconds, "panels": len(list(board.all_panels())),
                  "uid": board.uid}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=REPO_ROOT)
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-preview", action="store_true", help="only the dashboards part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-grafana-") as tmp:
        work = Path(tmp)
        results: dict[str, Any] = {"machine": machine(),
                                   "dashboards": bench_dashboards(work, args.runs),
                                   "preview": None if args.no_preview else bench_preview(work),
                                   "grafanalib_import_seconds": import_seconds("grafanalib.core"),
                                   "load_average": " ".join(
                                       f"{value:.2f}" for value in os.getloadavg())}
    failed = results["dashboards"]["ratio"] > TARGET_RATIO or (
        results["preview"] is not None
        and results["preview"]["seconds"] > TARGET_PREVIEW_SECONDS)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        d, p = results["dashboards"], results["preview"]
        print(f"machine: {results['machine']['cpu']} x{results['machine']['cores']}, "
              f"load average after the run {results['load_average']}")
        print(f"generate --target grafana, 200 x 12: {d['ours_seconds']:.2f} s "
              f"(CPU {d['ours_cpu_seconds']:.2f} s); bare {d['baseline']}: "
              f"{d['bare_seconds']:.2f} s (CPU {d['bare_cpu_seconds']:.2f} s); ratio "
              f"{d['ratio']:.2f}, CPU {d['cpu_ratio']:.2f} (target <= {TARGET_RATIO})")
        if p is None:
            print("preview: skipped (--no-preview, or prometheus or matplotlib missing)")
        else:
            print(f"preview of {p['uid']} ({p['panels']} panels), synthetic data: "
                  f"{p['seconds']:.2f} s (target <= {TARGET_PREVIEW_SECONDS} s)")
        imported = results["grafanalib_import_seconds"]
        print("grafanalib import: " + ("not installed" if imported is None
                                       else f"{imported * 1000:.0f} ms"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
