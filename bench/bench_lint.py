"""Benchmark `metricsctl lint` on the synthetic catalog of bench_generate.py.

    .venv/bin/python bench/bench_lint.py [--runs N] [--json]

What it measures:
1. `python -m metricsctl lint SPECS --format json` in a fresh process per run on a catalog of
   2,000 metrics, 200 dashboards of 12 panels and 1,000 alerts (about 4,300 expressions),
   and on one 10x smaller: wall time, CPU time (user + system, what a quiet machine takes)
   and peak memory.
2. Inside one child process: loading the catalog, then linting it (the cost the
   `metricsctl generate` lint gate adds to a run).
3. `metricsctl lint` on the shipped specs/.

Exit status 1 when a target is missed: lint phase <= 1.5 s and CLI CPU <= 3 s on the large
catalog, 10x catalog <= 11x lint time, shipped specs <= 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_generate import REPO_ROOT, Run, best, write_catalog

TARGET_LINT_SECONDS = 1.5
TARGET_CLI_CPU_SECONDS = 3.0
TARGET_LINEARITY = 11.0
TARGET_SPECS_SECONDS = 0.5


def lint_cli(specs: Path) -> Run:
    """A fresh `metricsctl lint` process; its (large) output goes to /dev/null, not a pipe
    that would fill up while we wait for the process."""
    import os
    import subprocess

    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "metricsctl", "lint", str(specs),
                                "--format", "json"], cwd=REPO_ROOT,
                               env={**os.environ, "NO_COLOR": "1"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code
    if code not in (0, 1):
        raise SystemExit(f"metricsctl lint {specs} failed with exit code {code}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code)


def child_phases(specs: Path) -> dict[str, float]:
    """Load, then lint, timed inside this process (run in a fresh child by the parent)."""
    from metricsctl.catalog import load_catalog
    from metricsctl.lint import lint_catalog

    start = time.perf_counter()
    result = load_catalog(specs)
    assert result.ok and result.catalog is not None
    loaded = time.perf_counter()
    findings = lint_catalog(result.catalog)
    linted = time.perf_counter()
    catalog = result.catalog
    expressions = (len(catalog.alerts) + len(catalog.recording_rules)
                   + sum(1 for board in catalog.dashboards.values()
                         for _ in board.all_panels()))
    return {"load": loaded - start, "lint": linted - loaded, "findings": len(findings),
            "entries_with_expressions": expressions}


def phases(specs: Path) -> dict[str, float]:
    import subprocess

    completed = subprocess.run([sys.executable, __file__, "--child", str(specs)],
                               capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    return dict(json.loads(completed.stdout))


def measure(work: Path, runs: int) -> dict[str, Any]:
    large = write_catalog(work / "large", 20)
    small = write_catalog(work / "small", 2)
    large_runs = [lint_cli(large) for _ in range(runs)]
    small_runs = [lint_cli(small) for _ in range(runs)]
    large_phases = min((phases(large) for _ in range(runs)), key=lambda p: p["lint"])
    small_phases = min((phases(small) for _ in range(runs)), key=lambda p: p["lint"])
    specs_runs = [lint_cli(REPO_ROOT / "specs") for _ in range(runs)]
    return {
        "large_cli": best(large_runs).__dict__,
        "small_cli": best(small_runs).__dict__,
        "large_phases": large_phases,
        "small_phases": small_phases,
        "linearity": large_phases["lint"] / max(small_phases["lint"], 1e-9),
        "specs_cli": best(specs_runs).__dict__,
    }


def verdicts(r: dict[str, Any]) -> list[tuple[str, bool]]:
    return [
        (f"lint phase on 2,000 metrics {r['large_phases']['lint']:.2f} s "
         f"<= {TARGET_LINT_SECONDS} s", r["large_phases"]["lint"] <= TARGET_LINT_SECONDS),
        (f"CLI CPU on 2,000 metrics {r['large_cli']['cpu_seconds']:.2f} s "
         f"<= {TARGET_CLI_CPU_SECONDS} s",
         r["large_cli"]["cpu_seconds"] <= TARGET_CLI_CPU_SECONDS),
        (f"10x catalog takes {r['linearity']:.1f}x the lint time <= {TARGET_LINEARITY}x",
         r["linearity"] <= TARGET_LINEARITY),
        (f"shipped specs {r['specs_cli']['seconds']:.2f} s <= {TARGET_SPECS_SECONDS} s",
         r["specs_cli"]["seconds"] <= TARGET_SPECS_SECONDS),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child_phases(args.child)))
        return 0
    with tempfile.TemporaryDirectory() as work:
        result = measure(Path(work), args.runs)
    checks = verdicts(result)
    if args.json:
        print(json.dumps({**result, "targets": dict(checks)}, indent=2, sort_keys=True))
    else:
        large = result["large_phases"]
        print(f"large catalog: {large['entries_with_expressions']} alerts, rules and panels; "
              f"load {large['load']:.2f} s, lint {large['lint']:.2f} s, "
              f"{large['findings']} findings")
        print(f"large CLI: {result['large_cli']['seconds']:.2f} s wall, "
              f"{result['large_cli']['cpu_seconds']:.2f} s CPU, "
              f"{result['large_cli']['peak_mb']:.0f} MB peak")
        for text, ok in checks:
            print(f"{'ok  ' if ok else 'MISS'} {text}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
