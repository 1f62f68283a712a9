"""Benchmark `metricsctl live-check` on a 100,000-series exposition and on a real Prometheus.

    .venv/bin/python bench/bench_live_check.py [--runs N] [--json]

What it measures:
1. An exposition of 100,000 series (sample lines) for the shipped catalog in specs/: every
   metric with its help and type, enumerated labels taking their allowed values, free labels
   (route, model ...) many values, so that cardinality findings come out too (the text format
   prometheus_client writes; about 12 MB).
   a. `python -m metricsctl live-check specs --file big.prom --format json` in a fresh process
      per run: wall time, CPU time (user + system) and peak memory;
   b. inside this process: parse, ingest and check (no process start, no catalog load).
2. A Prometheus-API check of the shipped catalog on loopback: a service instrumented with the
   shipped generated module (generated/python/) scraped by a real Prometheus on 127.0.0.1;
   `live-check specs --prometheus URL` in a fresh process (wall) and its four API requests
   plus the check inside this process.

Exit status 1 when a target is missed: 1a CPU time <= 2 s (what the check takes on an idle
machine; on a shared one the wall time also counts waiting for a core), 2 (in-process,
the API requests and the check) <= 1 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from metricsctl.catalog import load_catalog
from metricsctl.catalog.model import Catalog
from metricsctl.catalog.naming import MetricType

REPO_ROOT = Path(__file__).resolve().parent.parent

SERIES = 100_000
TARGET_EXPOSITION_SECONDS = 2.0
TARGET_PROMETHEUS_SECONDS = 1.0
SPECS = REPO_ROOT / "specs"
LISTENING = re.compile(r'msg="Listening on" address=(\S+)')


def shipped_catalog() -> Catalog:
    result = load_catalog(SPECS)
    assert result.catalog is not None and result.ok
    return result.catalog


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def write_exposition(catalog: Catalog, path: Path, series: int = SERIES) -> int:
    """About `series` sample lines over the catalog's metrics; returns the exact count."""
    metrics = list(catalog.metrics.values())
    per_metric = -(-series // len(metrics))  # rounded up: at least `series` in all
    lines: list[str] = []
    written = 0
    for metric in metrics:
        samples_per_set = (len(metric.buckets or ()) + 3 if metric.type is MetricType.HISTOGRAM
                           else 1)
        label_sets = max(1, -(-per_metric // samples_per_set))
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} {metric.type.value}")
        for number in range(label_sets):
            labels = {}
            for position, label in enumerate(metric.labels):
                if label.values:
                    labels[label.name] = label.values[(number >> position) % len(label.values)]
                else:
                    labels[label.name] = f"/{label.name}/{number}"
            text = ",".join(f'{name}="{_escape(value)}"' for name, value in labels.items())
            if metric.type is MetricType.HISTOGRAM:
                for bound in (*(metric.buckets or ()), "+Inf"):
                    le = bound if isinstance(bound, str) else repr(float(bound))
                    joined = f"{text},le=\"{le}\"" if text else f'le="{le}"'
                    lines.append(f"{metric.name}_bucket{{{joined}}} {number}")
                lines.append(f"{metric.name}_count{{{text}}} {number}")
                lines.append(f"{metric.name}_sum{{{text}}} {number * 0.25}")
                written += len(metric.buckets or ()) + 3
            else:
                lines.append(f"{metric.name}{{{text}}} {number}")
                written += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def cli(args: list[str]) -> dict[str, Any]:
    """A fresh metricsctl process: wall, CPU, peak memory, exit code."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "metricsctl", *args], cwd=REPO_ROOT,
                               env={**os.environ, "NO_COLOR": "1"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"metricsctl {' '.join(args)} failed ({code}): "
                         f"{process.stderr.read().decode() if process.stderr else ''}")
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024, "exit_code": code}


def in_process_exposition(catalog: Catalog, path: Path) -> dict[str, float]:
    from metricsctl.exposition import parse_exposition
    from metricsctl.live.check import dropped_labels, live_check
    from metricsctl.live.exposition_input import ingest_exposition
    from metricsctl.live.samples import Observation

    data = path.read_bytes()
    start = time.perf_counter()
    exposition = parse_exposition(data, str(path))
    parsed = time.perf_counter()
    observation = Observation()
    ingest_exposition(observation, exposition, dropped_labels(catalog))
    ingested = time.perf_counter()
    report = live_check(catalog, observation)
    checked = time.perf_counter()
    assert exposition.ok
    return {"parse": parsed - start, "ingest": ingested - parsed, "check": checked - ingested,
            "total": checked - start, "findings": len(report.diagnostics)}


@contextlib.contextmanager
def prometheus_stack(directory: Path) -> Any:
    """The shipped module served by a service, scraped by a real Prometheus; yields its URL."""
    binary = shutil.which("prometheus")
    if binary is None:
        raise SystemExit("prometheus not found (Debian package prometheus)")
    port_file = directory / "service.port"
    with contextlib.ExitStack() as stack:
        service = subprocess.Popen(
            [sys.executable, "-m", "tests.live.instrumented_service", "--module",
             str(REPO_ROOT / "generated" / "python" / "ai_platform_metrics.py"), "--specs",
             str(SPECS), "--port-file", str(port_file)], cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stack.callback(_stop, service)
        deadline = time.monotonic() + 60
        while not port_file.exists():
            if time.monotonic() > deadline or service.poll() is not None:
                raise SystemExit("the instrumented service did not start")
            time.sleep(0.1)
        config = directory / "prometheus.yml"
        config.write_text(json.dumps({
            "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
            "scrape_configs": [{"job_name": "ai-platform", "static_configs": [
                {"targets": [f"127.0.0.1:{port_file.read_text()}"]}]}]}), encoding="utf-8")
        log = directory / "prometheus.log"
        with log.open("wb") as output:
            prometheus = subprocess.Popen(
                [binary, f"--config.file={config}", f"--storage.tsdb.path={directory / 'data'}",
                 "--web.listen-address=127.0.0.1:0"], stdout=output, stderr=subprocess.STDOUT)
        stack.callback(_stop, prometheus)
        address = None
        while address is None:
            found = LISTENING.search(log.read_text(errors="replace"))
            address = found.group(1) if found else None
            if time.monotonic() > deadline:
                raise SystemExit("prometheus did not start")
            time.sleep(0.1)
        url = f"http://{address}"
        names = {metric.series.family for metric in shipped_catalog().metrics.values()}
        while not names <= _metadata_names(url):  # every metric scraped at least once
            if time.monotonic() > deadline or prometheus.poll() is not None:
                raise SystemExit(f"prometheus did not scrape the service: {log.read_text()}")
            time.sleep(0.2)
        yield url


def _metadata_names(url: str) -> set[str]:
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}/api/v1/metadata", timeout=5) as response:
            return set(json.load(response).get("data", {}))
    except OSError:
        return set()


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def in_process_prometheus(catalog: Catalog, url: str) -> dict[str, float]:
    from metricsctl.exposition.http import HttpGetter, HttpSettings
    from metricsctl.live.check import dropped_labels, live_check
    from metricsctl.live.prometheus_api import PrometheusApi
    from metricsctl.live.prometheus_input import ingest_prometheus
    from metricsctl.live.samples import Observation

    start = time.perf_counter()
    observation = Observation()
    with HttpGetter(HttpSettings()) as getter:
        ingest_prometheus(observation, catalog, PrometheusApi(url, getter), [],
                          dropped_labels(catalog))
    fetched = time.perf_counter()
    report = live_check(catalog, observation)
    checked = time.perf_counter()
    return {"api": fetched - start, "check": checked - fetched, "total": checked - start,
            "findings": len(report.diagnostics),
            "catalog_seen": report.coverage.catalog_seen}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    catalog = shipped_catalog()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-live-") as temporary:
        directory = Path(temporary)
        exposition = directory / "big.prom"
        results["series"] = write_exposition(catalog, exposition)
        results["exposition_mb"] = exposition.stat().st_size / 1e6
        runs = [cli(["live-check", str(SPECS), "--file", str(exposition), "--format", "json"])
                for _ in range(options.runs)]
        results["exposition_cli"] = min(runs, key=lambda run: run["cpu_seconds"])
        results["exposition_in_process"] = min(
            (in_process_exposition(catalog, exposition) for _ in range(options.runs)),
            key=lambda run: run["total"])
        with prometheus_stack(directory) as url:
            api_runs = [in_process_prometheus(catalog, url) for _ in range(options.runs)]
            results["prometheus_in_process"] = min(api_runs, key=lambda run: run["total"])
            results["prometheus_cli"] = min(
                (cli(["live-check", str(SPECS), "--prometheus", url, "--format", "json"])
                 for _ in range(options.runs)), key=lambda run: run["seconds"])
    missed = []
    if results["exposition_cli"]["cpu_seconds"] > TARGET_EXPOSITION_SECONDS:
        missed.append(f"exposition CLI {results['exposition_cli']['cpu_seconds']:.2f} s CPU > "
                      f"{TARGET_EXPOSITION_SECONDS} s")
    if results["prometheus_in_process"]["total"] > TARGET_PROMETHEUS_SECONDS:
        missed.append(f"Prometheus check {results['prometheus_in_process']['total']:.2f} s > "
                      f"{TARGET_PROMETHEUS_SECONDS} s")
    results["missed"] = missed
    if options.json:
        print(json.dumps(results, indent=2, sort_keys=True))
    else:
        cli_run, inner = results["exposition_cli"], results["exposition_in_process"]
        print(f"exposition: {results['series']:,} series, {results['exposition_mb']:.1f} MB")
        print(f"  live-check --file (fresh process): {cli_run['seconds']:.2f} s wall, "
              f"{cli_run['cpu_seconds']:.2f} s CPU, {cli_run['peak_mb']:.0f} MB peak")
        print(f"  in process: parse {inner['parse']:.2f} s, ingest {inner['ingest']:.2f} s, "
              f"check {inner['check']:.3f} s, total {inner['total']:.2f} s "
              f"({inner['findings']} findings)")
        api, api_cli = results["prometheus_in_process"], results["prometheus_cli"]
        print(f"prometheus API, shipped catalog ({api['catalog_seen']} metrics seen):")
        print(f"  in process: API {api['api']:.3f} s, check {api['check']:.3f} s, total "
              f"{api['total']:.3f} s ({api['findings']} findings)")
        print(f"  live-check --prometheus (fresh process): {api_cli['seconds']:.2f} s wall, "
              f"{api_cli['cpu_seconds']:.2f} s CPU")
        for miss in missed:
            print(f"MISSED: {miss}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
