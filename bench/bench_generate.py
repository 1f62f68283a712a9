"""Benchmark `metricsctl generate` on a large synthetic catalog, against a serialization floor.

    .venv/bin/python bench/bench_generate.py [--runs N] [--keep DIR] [--json]

What it measures (see bench/README.md for how to read the report):
1. A synthetic catalog of 2,000 metrics, 200 dashboards of 12 panels and 1,000 alerts, spread
   over 20 domain files of 100 metrics each, and one 10x smaller (2 domain files).
2. `python -m metricsctl generate SPECS --out OUT --quiet` in a fresh process per run, into
   a fresh directory: wall time, and peak memory as the child's maximum resident set size.
3. The same pipeline inside one child process, timed per phase (imports, load + validate,
   render, plan + write) so that linearity is judged without interpreter start-up.
4. The floor, measured in this run: the files generate wrote, parsed back into data, then
   serialized again with `json.dumps` / `yaml.dump` (libyaml when available) alone.
5. `metricsctl generate --check` on the shipped specs/ against the committed generated/.

Exit status 1 when a target is missed (<= 3 s, <= 3x the floor, <= 300 MB, 10x catalog
<= 11x time, --check on specs/ <= 0.5 s).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

TARGET_SECONDS = 3.0
TARGET_FLOOR_RATIO = 3.0
TARGET_PEAK_MB = 300.0
TARGET_LINEARITY = 11.0
TARGET_CHECK_SECONDS = 0.5

# One domain file of a realistic catalog; the catalog scales by adding domains.
METRICS_PER_DOMAIN = 100
DASHBOARDS_PER_DOMAIN = 10
PANELS_PER_DASHBOARD = 12
ALERTS_PER_DOMAIN = 50
RECORDING_RULES_PER_DOMAIN = 5

PHASES = ("imports", "load_validate", "lint", "render", "plan_write")


# --- the synthetic catalog ----------------------------------------------------------------

def _project_file(domains: int) -> str:
    jobs = "\n".join(f"  - job: service-{n:03d}\n    targets: [\"service-{n:03d}:9100\"]\n"
                     f"    labels: {{service: service-{n % 4}}}" for n in range(domains))
    return f"""\
project: bench
description: A synthetic catalog for bench/bench_generate.py.
defaults: {{scrape_interval: 15s, scrape_timeout: 10s, evaluation_interval: 30s}}
labels:
  service:
    description: The service exposing the metric.
    values: [service-0, service-1, service-2, service-3]
grafana:
  folder: bench
  folders:
    bench: {{title: Bench}}
scrape:
{jobs}
alertmanagers: ["alertmanager:9093"]
"""


def _metric_names(domain: str) -> list[tuple[str, str]]:
    """(name, type) of the domain's metrics: 40 counters, 30 gauges, 20 histograms, 10 summaries."""
    names: list[tuple[str, str]] = []
    for n in range(METRICS_PER_DOMAIN):
        kind = n % 10
        if kind < 4:
            names.append((f"{domain}_op{n:02d}_requests_total", "counter"))
        elif kind < 7:
            names.append((f"{domain}_op{n:02d}_queue_items", "gauge"))
        elif kind < 9:
            names.append((f"{domain}_op{n:02d}_duration_seconds", "histogram"))
        else:
            names.append((f"{domain}_op{n:02d}_payload_bytes", "summary"))
    return names


def _metric_yaml(name: str, kind: str, n: int) -> str:
    # Histograms are broken down by route in panels and alerts; others vary in label count.
    labels = ["service", "route"] if kind == "histogram" else \
        ["service", "route", "status"][: 1 + n % 3]
    lines = [f"  {name}:", f"    type: {kind}",
             f"    help: Synthetic {kind} number {n} of this domain, for the benchmark.",
             f"    labels: [{', '.join(labels)}]"]
    if kind == "histogram":
        lines += ["    unit: seconds", "    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]"]
    elif kind == "summary":
        lines.append("    unit: bytes")
    return "\n".join(lines)


def _panel_yaml(name: str, kind: str, n: int) -> str:
    shape = n % 6
    if kind == "histogram" and shape == 0:
        return f"          - {{title: Latency distribution {n}, type: heatmap, metric: {name}}}"
    if kind == "histogram":
        return f"          - {{title: Latency {n}, metric: {name}, by: [route], unit: s}}"
    if kind == "counter" and shape < 3:
        return (f"          - {{title: Rate {n}, metric: {name}, by: [service], unit: reqps, "
                "stack: true}")
    if kind == "counter":
        return (f"          - title: Errors {n}\n            type: stat\n"
                f"            expr: sum(rate({name}[$__rate_interval]))\n"
                "            unit: reqps\n            decimals: 2\n"
                "            thresholds: [{color: green}, {value: 5, color: yellow}, "
                "{value: 10, color: red}]")
    if kind == "gauge" and shape % 2:
        return (f"          - {{title: Level {n}, type: gauge, metric: {name}, min: 0, "
                "max: 500, thresholds: [{color: green}, {value: 400, color: red}]}")
    if kind == "gauge":
        return f"          - {{title: Items {n}, metric: {name}, by: [service]}}"
    return f"          - {{title: Payload {n}, metric: {name}, unit: bytes}}"


def _alert_yaml(name: str, kind: str, n: int, domain: str) -> str:
    if kind == "counter":
        expr = f"sum(rate({name}[5m])) > 100"
    elif kind == "histogram":
        expr = (f"histogram_quantile(0.95, sum by (le, route) "
                f"(rate({name.removesuffix('_seconds')}_seconds_bucket[5m]))) > 2")
    elif kind == "gauge":
        expr = f"max by (service) ({name}) > 400"
    else:
        expr = f"sum(rate({name}_sum[5m])) / sum(rate({name}_count[5m])) > 1e6"
    severity = "critical" if n % 5 == 0 else "warning"
    return f"""\
  {domain.title().replace('_', '')}Alert{n:03d}:
    expr: '{expr}'
    for: 5m
    severity: {severity}
    summary: "Synthetic alert {n} fired on {{{{ $labels.service }}}}"
    description: "Value is {{{{ $value | humanize }}}} (alert {n} of domain {domain})."
    runbook_url: https://runbooks.example.com/bench/{domain}/{n}"""


def _domain_file(domain: str) -> str:
    metrics = _metric_names(domain)
    parts = [f"domain: {domain}", f"title: Domain {domain}", "owner: bench", "labels:",
             "  route: {description: Route template., max_cardinality: 50}",
             "  status: {values: [ok, error, timeout]}", "metrics:"]
    parts += [_metric_yaml(name, kind, n) for n, (name, kind) in enumerate(metrics)]
    counters = [name for name, kind in metrics if kind == "counter"]
    parts.append("recording_rules:")
    parts += [f"  service:{name.removesuffix('_total')}:rate5m:\n"
              f"    expr: sum by (service) (rate({name}[5m]))"
              for name in counters[:RECORDING_RULES_PER_DOMAIN]]
    parts.append("alerts:")
    parts += [_alert_yaml(*metrics[n % len(metrics)], n, domain)
              for n in range(ALERTS_PER_DOMAIN)]
    parts.append("dashboards:")
    for board in range(DASHBOARDS_PER_DOMAIN):
        parts += [f"  {domain}-board-{board:02d}:", f"    title: {domain} board {board}",
                  "    tags: [bench]", "    variables: [service]", "    rows:"]
        for row in range(PANELS_PER_DASHBOARD // 4):
            parts.append(f"      - title: Row {row}\n        panels:")
            for slot in range(4):
                n = (board * PANELS_PER_DASHBOARD + row * 4 + slot) % len(metrics)
                parts.append(_panel_yaml(*metrics[n], n))
    return "\n".join(parts) + "\n"


def write_catalog(directory: Path, domains: int) -> Path:
    """A catalog of `domains` domain files (each 100 metrics, 10 dashboards, 50 alerts)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "metricsctl.yaml").write_text(_project_file(domains), encoding="utf-8")
    for n in range(domains):
        domain = f"d{n:03d}"
        (directory / f"{domain}.yaml").write_text(_domain_file(domain), encoding="utf-8")
    return directory


# --- measuring a child process -------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    seconds: float  # wall clock
    cpu_seconds: float  # user + system time of the child: what a quiet machine would take
    peak_mb: float
    exit_code: int


def run_child(args: list[str], *, cwd: Path = REPO_ROOT) -> Run:
    """Run a command, returning its wall time and its own peak RSS (not this process's)."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "0"}
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    stdout, stderr = process.stdout.read() if process.stdout else b"", \
        process.stderr.read() if process.stderr else b""
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code
    if code not in (0, 1):
        sys.stderr.write(stdout.decode() + stderr.decode())
        raise SystemExit(f"{' '.join(args)} failed with exit code {code}")
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1024 if sys.platform != "darwin" else 1
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * scale / 2**20, code)


def generate_cli(specs: Path, out: Path, *extra: str) -> Run:
    return run_child([sys.executable, "-m", "metricsctl", "generate", str(specs),
                      "--out", str(out), "--quiet", *extra])


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda run: run.seconds)


# --- phases inside one process (the --child mode) -------------------------------------------

def child_phases(specs: Path, out: Path) -> dict[str, float]:
    """Time the pipeline's phases in this process (run in a fresh child by the parent).

    The same steps as `metricsctl generate`, with its garbage-collector setting, except that
    targets render one after the other here so that each phase's cost is its own.
    """
    import gc

    gc.set_threshold(100_000, 50, 100)  # as generate does (commands/generate.py)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    from metricsctl.catalog import load_catalog
    from metricsctl.generation import apply_plan, plan_output, render_targets
    from metricsctl.lint import lint_catalog
    from metricsctl.targets import TARGET_MODULES, load_target

    for name in TARGET_MODULES:
        load_target(name)  # imports each target's libraries (grafanalib, jinja2, ...)
    timings["imports"] = time.perf_counter() - start
    start = time.perf_counter()
    result = load_catalog(specs)
    assert result.ok and result.catalog is not None, [str(d.message) for d in result.errors]
    timings["load_validate"] = time.perf_counter() - start
    start = time.perf_counter()
    lint_catalog(result.catalog)
    timings["lint"] = time.perf_counter() - start
    start = time.perf_counter()
    rendered = render_targets(result.catalog, list(TARGET_MODULES))
    timings["render"] = time.perf_counter() - start
    start = time.perf_counter()
    apply_plan(plan_output(out, rendered, all_targets=True))
    timings["plan_write"] = time.perf_counter() - start
    timings["pipeline"] = sum(timings[phase] for phase in PHASES if phase != "imports")
    timings["files"] = len(rendered.files)
    timings["bytes"] = sum(len(file.data) for file in rendered.files.values())
    return timings


def phases(specs: Path, out: Path) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    completed = subprocess.run([sys.executable, __file__, "--child", str(specs), str(out)],
                               capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    return dict(json.loads(completed.stdout))


# --- the floor ---------------------------------------------------------------------------------

def _generated_data(out: Path) -> Iterator[tuple[str, Any]]:
    import yaml

    for path in sorted(out.rglob("*")):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix == ".json":
            yield "json", json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix in (".yml", ".yaml"):
            yield "yaml", yaml.safe_load(path.read_text(encoding="utf-8"))
        else:
            yield "text", path.read_text(encoding="utf-8")


def floor_seconds(out: Path, repeats: int) -> dict[str, float]:
    """Best time to serialize the generated files' data with json and yaml alone."""
    import yaml

    dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    data = list(_generated_data(out))

    def serialize() -> int:
        size = 0
        for kind, value in data:
            if kind == "json":
                size += len(json.dumps(value, indent=2, sort_keys=True))
            elif kind == "yaml":
                size += len(yaml.dump(value, Dumper=dumper, sort_keys=False,
                                      default_flow_style=False, width=10**6))
            else:
                size += len(value)
        return size

    return {"floor": _best_of(serialize, repeats),
            "libyaml": float(dumper is not yaml.SafeDumper)}


def _best_of(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


# --- the report -------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpu": model, "cores": str(os.cpu_count()), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (best kept)")
    parser.add_argument("--check-runs", type=int, default=10,
                        help="runs of generate --check on specs/ (best kept)")
    parser.add_argument("--keep", type=Path, help="build the catalogs and output here")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--child", nargs=2, metavar=("SPECS", "OUT"),
                        help="only run the pipeline once in this process, timing its phases "
                        "(to profile it)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_phases(Path(args.child[0]), Path(args.child[1]))))
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="metricsctl-bench-"))
    try:
        results = measure(work, args.runs, args.check_runs)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2, sort_keys=True))
    else:
        print(report(results))
    return 0 if all(results["verdicts"].values()) else 1


def measure(work: Path, runs: int, check_runs: int) -> dict[str, Any]:
    large = write_catalog(work / "large" / "specs", domains=20)
    small = write_catalog(work / "small" / "specs", domains=2)
    validity = run_child([sys.executable, "-m", "metricsctl", "validate", str(large)])
    if validity.exit_code != 0:
        raise SystemExit("the synthetic catalog is invalid; run metricsctl validate on it")

    cold = []
    for n in range(runs):
        out = work / "large" / f"out-{n}"
        shutil.rmtree(out, ignore_errors=True)
        cold.append(generate_cli(large, out))
    out = work / "large" / "out-0"
    unchanged = best([generate_cli(large, out) for _ in range(runs)])
    check_large = best([generate_cli(large, out, "--check") for _ in range(runs)])
    small_runs = []
    for _ in range(runs):
        shutil.rmtree(work / "small" / "out", ignore_errors=True)
        small_runs.append(generate_cli(small, work / "small" / "out"))
    large_phases = min((phases(large, work / "large" / "phases") for _ in range(runs)),
                       key=lambda p: p["pipeline"])
    small_phases = min((phases(small, work / "small" / "phases") for _ in range(runs)),
                       key=lambda p: p["pipeline"])
    floor = floor_seconds(out, max(runs, 3))
    check_specs = best([run_child([sys.executable, "-m", "metricsctl", "generate", "--check",
                                   "--quiet"]) for _ in range(check_runs)])

    generate_large = best(cold)
    peak = max(run.peak_mb for run in cold)
    linearity = large_phases["pipeline"] / small_phases["pipeline"]
    results: dict[str, Any] = {
        "machine": machine(),
        "catalog": {"metrics": 20 * METRICS_PER_DOMAIN, "dashboards": 20 * DASHBOARDS_PER_DOMAIN,
                    "panels_per_dashboard": PANELS_PER_DASHBOARD,
                    "alerts": 20 * ALERTS_PER_DOMAIN, "domain_files": 20,
                    "files_generated": int(large_phases["files"]),
                    "bytes_generated": int(large_phases["bytes"])},
        "generate_large": asdict(generate_large),
        "generate_large_peak_mb": peak,
        "generate_large_unchanged": asdict(unchanged),
        "check_large": asdict(check_large),
        "generate_small": asdict(best(small_runs)),
        "phases_large": large_phases,
        "phases_small": small_phases,
        "floor": floor,
        "floor_ratio": generate_large.seconds / floor["floor"],
        "pipeline_floor_ratio": large_phases["pipeline"] / floor["floor"],
        "linearity": linearity,
        "check_specs": asdict(check_specs),
    }
    results["verdicts"] = {
        f"generate <= {TARGET_SECONDS:g} s": generate_large.seconds <= TARGET_SECONDS,
        f"generate <= {TARGET_FLOOR_RATIO:g}x floor": results["floor_ratio"] <= TARGET_FLOOR_RATIO,
        f"peak memory <= {TARGET_PEAK_MB:g} MB": peak <= TARGET_PEAK_MB,
        f"10x catalog <= {TARGET_LINEARITY:g}x time": linearity <= TARGET_LINEARITY,
        f"generate --check on specs/ <= {TARGET_CHECK_SECONDS:g} s":
            check_specs.seconds <= TARGET_CHECK_SECONDS,
    }
    return results


def _row(name: str, run: dict[str, float], peak_mb: float | None = None) -> str:
    peak = run["peak_mb"] if peak_mb is None else peak_mb
    return (f"| {name} | {run['seconds']:.3f} s | {run['cpu_seconds']:.3f} s | "
            f"{peak:.0f} MB |")


def report(r: dict[str, Any]) -> str:
    m, c, lp, sp = r["machine"], r["catalog"], r["phases_large"], r["phases_small"]
    lines = [
        f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['system']}",
        f"catalog: {c['metrics']} metrics, {c['dashboards']} dashboards x "
        f"{c['panels_per_dashboard']} panels, {c['alerts']} alerts in {c['domain_files']} "
        f"domain files -> {c['files_generated']} files, {c['bytes_generated'] / 2**20:.1f} MiB",
        "",
        "| measurement | wall (best) | CPU user+sys | peak RSS |",
        "|---|---|---|---|",
        _row("generate, large catalog, empty output dir", r["generate_large"],
             r["generate_large_peak_mb"]),
        _row("generate, large catalog, nothing changed", r["generate_large_unchanged"]),
        _row("generate --check, large catalog", r["check_large"]),
        _row("generate, 10x smaller catalog", r["generate_small"]),
        _row("generate --check on specs/", r["check_specs"]),
        "",
        "| phase (in one process) | large | 10x smaller | ratio |",
        "|---|---|---|---|",
    ]
    for phase in (*PHASES, "pipeline"):
        ratio = lp[phase] / sp[phase] if sp[phase] else float("nan")
        lines.append(f"| {phase} | {lp[phase]:.3f} s | {sp[phase]:.3f} s | {ratio:.1f}x |")
    floor = r["floor"]
    lines += [
        "",
        f"floor (json.dumps + yaml.dump{' with libyaml' if floor['libyaml'] else ''} of the "
        f"same output data): {floor['floor']:.3f} s",
        f"generate / floor: {r['floor_ratio']:.1f}x (whole process); "
        f"pipeline / floor: {r['pipeline_floor_ratio']:.1f}x (load + validate + lint + render "
        "+ write in one process, no start-up)",
        "",
    ]
    lines += [f"{'PASS' if ok else 'MISS'}  {name}" for name, ok in r["verdicts"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
