"""Benchmark `metricsctl import` on 1,000 alert rules and on 100 dashboards.

    .venv/bin/python bench/bench_import.py [--runs N] [--json]

What it measures, each in a fresh `python -m metricsctl import SOURCE --into <empty dir>`
process (wall time, CPU time and peak memory; the best of --runs):
1. 1,000 alerting rules (and 100 recording rules) in 10 rule files of 5 groups each, with
   the shapes real rule files have (rates, ratios, histogram quantiles, labels, annotations
   with templates): read, metrics inferred, catalog written and validated.
2. 100 Grafana dashboards of 20 rows and panels each (the node-exporter fixture of
   tests/fixtures/adopt twice over: rows, overrides, thresholds, repeated, library and
   mixed-datasource panels, variables), each with its own metric names.
3. `promtool check rules` on the same 10 rule files, for scale.

Exit status 1 when a target is missed: each import <= 3 s of CPU time (user + system of the
import process: what it takes on a quiet machine; on a shared one the wall time also counts
the waits for a core, so the load average is printed beside it).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_generate import REPO_ROOT, Run, best, machine

TARGET_SECONDS = 3.0
RULE_FILES, GROUPS_PER_FILE, ALERTS_PER_GROUP, RECORDS_PER_GROUP = 10, 5, 20, 2
DASHBOARDS = 100
DASHBOARD_FIXTURE = REPO_ROOT / "tests" / "fixtures" / "adopt" / "dashboards" / \
    "node-exporter-nodes.json"

_ALERT_SHAPES = (
    "sum by (route) (rate({m}_errors_total{{service=\"svc{g}\"}}[5m]))\n  / sum by (route) "
    "(rate({m}_requests_total{{service=\"svc{g}\"}}[5m])) > 0.0{k}",
    "histogram_quantile(0.99, sum by (le, route) (rate({m}_duration_seconds_bucket[5m]))) > {k}",
    "{m}_queue_depth{{queue=\"q{k}\"}} > {k}00",
    "increase({m}_restarts_total[1h]) > {k}",
)


def write_rule_files(directory: Path) -> int:
    directory.mkdir(parents=True)
    alerts = 0
    for file_index in range(RULE_FILES):
        lines = ["groups:"]
        for group_index in range(GROUPS_PER_FILE):
            g = file_index * GROUPS_PER_FILE + group_index
            metric = f"app{g}"
            lines += [f"  - name: app{g}.rules", "    interval: 1m", "    rules:"]
            for k in range(RECORDS_PER_GROUP):
                lines += [f"      - record: route:{metric}_requests:rate5m{k}",
                          f"        expr: sum by (route) (rate({metric}_requests_total[5m]))"]
            for k in range(ALERTS_PER_GROUP):
                expr = _ALERT_SHAPES[k % len(_ALERT_SHAPES)].format(m=metric, g=g, k=k % 9 + 1)
                lines += [f"      - alert: App{g}Problem{k}", "        expr: |",
                          *(f"          {line}" for line in expr.split("\n")),
                          "        for: 5m", "        labels:",
                          f"          severity: {'critical' if k % 3 == 0 else 'warning'}",
                          f"          team: team{g % 7}", "        annotations:",
                          "          summary: '{{ $labels.route }} of " + metric + " is unwell'",
                          "          description: 'Value {{ $value | humanize }} for 5m.'",
                          f"          runbook_url: https://runbooks.example.com/{metric}/{k}"]
                alerts += 1
        (directory / f"rules{file_index}.yml").write_text("\n".join(lines) + "\n",
                                                         encoding="utf-8")
    return alerts


def write_dashboards(directory: Path) -> int:
    directory.mkdir(parents=True)
    source = json.loads(DASHBOARD_FIXTURE.read_text(encoding="utf-8"))
    panels = source["panels"]
    for index in range(DASHBOARDS):
        board = copy.deepcopy(source)
        board["uid"], board["title"] = f"bench-{index}", f"Nodes {index}"
        board["panels"] = []
        for copy_index in range(2):  # the fixture's rows and panels twice
            for panel in copy.deepcopy(panels):
                text = json.dumps(panel).replace("node_", f"node{index}_")
                moved = json.loads(text)
                moved["gridPos"]["y"] += copy_index * 40
                board["panels"].append(moved)
        (directory / f"dashboard{index}.json").write_text(json.dumps(board, indent=2),
                                                          encoding="utf-8")
    return DASHBOARDS * 2 * len(panels)


def import_cli(source: Path, into: Path) -> Run:
    """A fresh `metricsctl import` process. Its report (large: every item) goes to a file,
    not a pipe, which would fill up and stall the process while we wait for it."""
    if into.exists():
        shutil.rmtree(into)
    report = into.parent / "report.json"
    start = time.perf_counter()
    with report.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "metricsctl", "import", str(source), "--into", str(into),
             "--format", "json"], cwd=REPO_ROOT, env={**os.environ, "NO_COLOR": "1"},
            stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"metricsctl import {source} failed (exit {code}):\n"
                         + report.read_text(encoding="utf-8")[-2000:])
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code)


def promtool_check(rules: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["promtool", "check", "rules", *sorted(map(str, rules.glob("*.yml")))],
                   check=True, capture_output=True, timeout=120)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        alerts = write_rule_files(work / "rules")
        panels = write_dashboards(work / "dashboards")
        rules = best([import_cli(work / "rules", work / "specs") for _ in range(options.runs)])
        boards = best([import_cli(work / "dashboards", work / "specs")
                       for _ in range(options.runs)])
        promtool = min(promtool_check(work / "rules") for _ in range(options.runs))
    result: dict[str, Any] = {
        "machine": machine(),
        "rules": {"alerts": alerts, "seconds": rules.seconds, "cpu_seconds": rules.cpu_seconds,
                  "peak_mb": rules.peak_mb},
        "dashboards": {"dashboards": DASHBOARDS, "panels": panels, "seconds": boards.seconds,
                       "cpu_seconds": boards.cpu_seconds, "peak_mb": boards.peak_mb},
        "promtool_check_rules_seconds": promtool,
        "target_seconds": TARGET_SECONDS,
        "load_average": " ".join(f"{value:.1f}" for value in os.getloadavg()),
    }
    if options.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"machine: {result['machine']}, load average {result['load_average']}")
        print(f"import {alerts} alerts: {rules.seconds:.2f} s wall, {rules.cpu_seconds:.2f} s "
              f"CPU, {rules.peak_mb:.0f} MB peak (target: CPU <= {TARGET_SECONDS} s)")
        print(f"import {DASHBOARDS} dashboards ({panels} panels): {boards.seconds:.2f} s wall, "
              f"{boards.cpu_seconds:.2f} s CPU, {boards.peak_mb:.0f} MB peak "
              f"(target: CPU <= {TARGET_SECONDS} s)")
        print(f"promtool check rules on the same rule files: {promtool:.2f} s")
    return 0 if max(rules.cpu_seconds, boards.cpu_seconds) <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
