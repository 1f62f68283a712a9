"""live-check against real components, end to end.

- `metricsctl generate` writes the Python module of tests/live/catalogs/store and of its
  drifted copy (store-drifted: an extra label, a value outside the allowed set, changed
  buckets, a missing metric);
- two services (tests/live/instrumented_service.py, their own processes) import those
  modules and serve them on 127.0.0.1;
- Debian's prometheus-node-exporter runs on a free port;
- a real Prometheus on 127.0.0.1 scrapes both services (jobs `store`, `store-drifted`), the
  node exporter (`node`) and itself (`prometheus`), every second.

`metricsctl live-check` (a real process) then runs against the endpoints and against the
Prometheus API: the conforming service shows nothing, the drifted one exactly its four
drifts, the exporters nobody here wrote show as unknown metrics, silenced by --ignore/--job.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT, run_metricsctl
from tests.live.conftest import STORE, STORE_DRIFTED
from tests.live.processes import Deadline, free_port, prometheus_api, running

pytestmark = pytest.mark.prometheus

SETUP_SECONDS = 150  # generous: the suite shares 2 cores with other jobs
LISTENING = re.compile(r'msg="Listening on" address=(\S+)')
# What the drifted service does differently, as (code, catalog path) of the findings.
DRIFTS = [
    ("live/buckets-differ", "metrics.store_request_duration_seconds.buckets"),
    ("live/extra-label", "metrics.store_requests_total.labels"),
    ("live/label-value-not-allowed", "metrics.store_checkouts_total.labels.0"),
    ("live/missing-metric", "metrics.store_cache_entries"),
]
# The name prefixes of node_exporter's and Prometheus's own metrics.
EXPORTER_PATTERNS = ["node_*", "go_*", "process_*", "promhttp_*", "prometheus_*",
                     "net_conntrack_*"]


@dataclass(frozen=True)
class Stack:
    good: str  # the services' /metrics URLs
    drifted: str
    node_exporter: str
    prometheus: str  # base URL


def _wait_for_port_file(deadline: Deadline, process: Any, port_file: Path, log: Path) -> int:
    def probe() -> tuple[bool, int | None]:
        assert process.poll() is None, f"the service exited: {log.read_text()}"
        return port_file.exists(), int(port_file.read_text()) if port_file.exists() else None
    port = deadline.wait_for("a service to listen", probe, (log,))
    assert port is not None
    return port


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    prometheus_binary = shutil.which("prometheus")
    node_exporter = shutil.which("prometheus-node-exporter")
    assert prometheus_binary and node_exporter, (
        "needs Debian's prometheus and prometheus-node-exporter (scripts/test.sh installs them)")
    tmp = tmp_path_factory.mktemp("live")
    deadline = Deadline(SETUP_SECONDS)
    with contextlib.ExitStack() as processes:
        urls = {}
        for name, catalog in (("good", STORE), ("drifted", STORE_DRIFTED)):
            out = tmp / f"generated-{name}"
            generate = run_metricsctl("generate", catalog, "--out", out, "--quiet",
                                      cwd=REPO_ROOT)
            assert generate.returncode == 0, generate.stdout + generate.stderr
            port_file, log = tmp / f"{name}.port", tmp / f"{name}.log"
            service = processes.enter_context(running(
                [sys.executable, "-m", "tests.live.instrumented_service", "--module",
                 str(out / "python" / "store_metrics.py"), "--specs", str(catalog),
                 "--port-file", str(port_file)], log, REPO_ROOT))
            port = _wait_for_port_file(deadline, service, port_file, log)
            urls[name] = f"http://127.0.0.1:{port}/metrics"
        node_port = free_port()
        processes.enter_context(running(
            [node_exporter, f"--web.listen-address=127.0.0.1:{node_port}",
             "--collector.disable-defaults", "--collector.loadavg", "--collector.meminfo"],
            tmp / "node.log", tmp))
        config_path = tmp / "prometheus.yml"
        jobs = {"store": urls["good"], "store-drifted": urls["drifted"],
                "node": f"http://127.0.0.1:{node_port}/metrics"}
        _write_config(config_path, jobs)
        prometheus_log = tmp / "prometheus.log"
        prometheus = processes.enter_context(running(
            [prometheus_binary, f"--config.file={config_path}",
             f"--storage.tsdb.path={tmp / 'data'}", "--web.listen-address=127.0.0.1:0"],
            prometheus_log, tmp))

        def listening() -> tuple[bool, str | None]:
            assert prometheus.poll() is None, prometheus_log.read_text()
            found = LISTENING.search(prometheus_log.read_text(errors="replace"))
            return found is not None, found.group(1) if found else None
        address = deadline.wait_for("prometheus to listen", listening, (prometheus_log,))
        base = f"http://{address}"
        # Now that its port is known, Prometheus scrapes itself too (reloaded on SIGHUP).
        jobs["prometheus"] = f"{base}/metrics"
        _write_config(config_path, jobs)
        prometheus.send_signal(signal.SIGHUP)

        def scraped() -> tuple[bool, Any]:
            up = {item["metric"]["job"]: item["value"][1] for item in
                  prometheus_api(base, "query", query="up")["result"]}
            metadata = prometheus_api(base, "metadata")
            ready = up == dict.fromkeys(jobs, "1") and "store_checkouts" in metadata and (
                "node_load1" in metadata)
            return ready, (up, sorted(metadata)[:5])
        deadline.wait_for("every job to be scraped", scraped, (prometheus_log,))
        yield Stack(urls["good"], urls["drifted"], jobs["node"], base)


def _write_config(path: Path, jobs: dict[str, str]) -> None:
    config = {"global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
              "scrape_configs": [
                  {"job_name": job, "static_configs": [{"targets": [url.split("/")[2]]}],
                   "metrics_path": "/" + url.split("/", 3)[3]}
                  for job, url in jobs.items()]}
    path.write_text(yaml.safe_dump(config), encoding="utf-8")


def live_check(*args: str) -> tuple[int, dict[str, Any]]:
    """Run live-check in a real process with --format json; (exit code, document)."""
    result = run_metricsctl("live-check", STORE, "--format", "json", *args, cwd=REPO_ROOT,
                            env={"PROMETHEUS_TOKEN": ""})
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def findings(document: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((d["code"], d["path"] or d["message"]) for d in document["diagnostics"])


def test_the_conforming_service_has_no_findings(stack: Stack) -> None:
    code, document = live_check("--url", stack.good)

    assert (code, document["diagnostics"]) == (0, [])
    assert document["coverage"]["catalog_metrics_seen"] == 5


def test_the_drifted_service_shows_each_drift_and_nothing_else(stack: Stack) -> None:
    code, document = live_check("--url", stack.drifted)

    assert code == 1
    assert findings(document) == DRIFTS
    messages = {d["code"]: d["message"] for d in document["diagnostics"]}
    assert "'refunded'" in messages["live/label-value-not-allowed"]
    assert "label 'region'" in messages["live/extra-label"]
    assert "added [0.25, 2.5]" in messages["live/buckets-differ"]
    assert document["coverage"]["catalog_metrics_seen"] == 4


def test_through_the_prometheus_api_per_job(stack: Stack) -> None:
    good_code, good = live_check("--prometheus", stack.prometheus, "--job", "store")
    drifted_code, drifted = live_check("--prometheus", stack.prometheus, "--job",
                                       "store-drifted")

    assert (good_code, good["diagnostics"]) == (0, [])
    assert drifted_code == 1
    assert findings(drifted) == DRIFTS
    [buckets] = [d for d in drifted["diagnostics"] if d["code"] == "live/buckets-differ"]
    assert 'job="store-drifted"' in buckets["message"]


def test_the_whole_prometheus_shows_the_exporters_as_unknown_until_ignored(
        stack: Stack) -> None:
    _, everything = live_check("--prometheus", stack.prometheus)
    unknown = {d["message"].split(" ", 1)[0] for d in everything["diagnostics"]
               if d["code"] == "live/unknown-metric"}
    code, ignored = live_check("--prometheus", stack.prometheus,
                               *(f"--ignore={pattern}" for pattern in EXPORTER_PATTERNS))
    _, by_job = live_check("--prometheus", stack.prometheus, "--job", "store",
                           "--job", "store-drifted")

    assert {"node_load1", "go_goroutines", "prometheus_build_info",
            "promhttp_metric_handler_requests_total"} <= unknown
    assert all(name.startswith(("node_", "go_", "process_", "promhttp_", "prometheus_",
                                "net_conntrack_")) for name in unknown), unknown
    # both services together: the missing metric is exposed by the good one
    expected = [drift for drift in DRIFTS if drift[0] != "live/missing-metric"]
    assert findings(ignored) == expected
    assert code == 1 and ignored["coverage"]["ignored_metrics"] > 100
    assert findings(by_job) == expected


def test_real_exporters_on_their_own_are_unknown_metrics(stack: Stack) -> None:
    code, document = live_check("--url", stack.node_exporter)
    quiet_code, quiet = live_check("--url", stack.node_exporter, "--ignore", "*",
                                   "--fail-on", "info")

    codes = {d["code"] for d in document["diagnostics"]}
    assert codes == {"live/unknown-metric", "live/missing-metric"}
    assert code == 0  # warnings; --fail-on error by default
    assert [d["code"] for d in quiet["diagnostics"]] == ["live/missing-metric"] * 5
    assert quiet_code == 1
