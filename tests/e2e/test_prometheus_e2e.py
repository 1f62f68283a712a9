"""End to end: the generated artifacts of the shipped catalog, working together in a real
Prometheus.

1. `metricsctl generate specs --out <tmp>` in a real process, as users run it;
2. a small app (tests/e2e/stub_app.py, its own process) imports the generated Python module,
   records every metric through the typed helpers and serves /metrics on 127.0.0.1;
3. a real Prometheus (/usr/bin/prometheus) on 127.0.0.1 runs the generated prometheus.yml and
   rule files, with these changes to the test's copies only, so the test takes seconds:
   - global scrape/evaluation intervals of 1s (and any rule group interval),
   - every alert's `for:` shortened to 2s (LowDiemBalance and CriticalDiemBalance say 1m),
   - every scrape job's targets pointed at the app,
   - no `alerting:` section: the catalog's Alertmanager is not reachable from a test, and
     the alerts' state is read from Prometheus itself;
4. through Prometheus's HTTP API: every target is up, every generated rule group is loaded
   and healthy, every catalog metric has metadata with its type and help, and the Diem
   alerts fire once the app sets venice_balance_diem to 3 (and not while it is 100).

Every wait has a deadline inside one overall budget; both processes are stopped (terminate,
then kill) whatever happens, and the test checks their ports are closed afterwards.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

from tests.conftest import REPO_ROOT, SHIPPED_SPECS, load_valid_catalog, run_metricsctl

pytestmark = pytest.mark.prometheus

BUDGET_SECONDS = 120  # the whole test; each wait below gets what is left of it
TEST_INTERVAL = "1s"
TEST_FOR = "2s"
LISTENING = re.compile(r'msg="Listening on" address=(\S+)')

T = TypeVar("T")


class Budget:
    """One deadline for the whole test, so a hang anywhere fails it in bounded time."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def wait_for(self, what: str, probe: Callable[[], tuple[bool, T]],
                 logs: tuple[Path, ...] = ()) -> T:
        """Poll `probe` (-> (done, observed)) until done; fail with the last observation."""
        observed: Any = None
        while time.monotonic() < self.deadline:
            try:
                done, observed = probe()
            except (OSError, ValueError) as error:  # not listening yet, or half a response
                done, observed = False, repr(error)
            if done:
                return observed  # type: ignore[no-any-return]
            time.sleep(0.25)
        tails = "".join(f"\n--- {log.name} (last lines) ---\n{tail(log)}" for log in logs)
        pytest.fail(f"timed out waiting for {what}; last observed: {observed!r}{tails}")


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def running(command: list[str], log: Path, cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Start a process logging to `log`; always stop it (terminate, then kill) on exit."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def api(base: str, path: str, **query: str) -> Any:
    """The `data` of a Prometheus API response (which must say success)."""
    suffix = f"?{urllib.parse.urlencode(query)}" if query else ""
    body = get_json(f"{base}/api/v1/{path}{suffix}")
    assert body["status"] == "success", body
    return body["data"]


def port_is_closed(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, int(port))) != 0


def shorten_for_the_test(out: Path, app_address: str, prometheus_dir: Path) -> list[Path]:
    """Copy the generated config and rules into `prometheus_dir`, changed as the module
    docstring says; returns the copied rule files."""
    config = yaml.safe_load((out / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    config["global"].update(scrape_interval=TEST_INTERVAL, scrape_timeout=TEST_INTERVAL,
                            evaluation_interval=TEST_INTERVAL)
    config.pop("alerting", None)
    for job in config["scrape_configs"]:
        job.pop("scrape_interval", None)
        job.pop("scrape_timeout", None)
        for static in job["static_configs"]:
            static["targets"] = [app_address]
    (prometheus_dir / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    copies = []
    for relative in config["rule_files"]:
        rules = yaml.safe_load((out / "prometheus" / relative).read_text(encoding="utf-8"))
        for group in rules["groups"]:
            if "interval" in group:
                group["interval"] = TEST_INTERVAL
            for rule in group["rules"]:
                if "for" in rule:
                    rule["for"] = TEST_FOR
        copy = prometheus_dir / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
        copies.append(copy)
    return copies


def test_generated_module_config_and_rules_work_in_a_real_prometheus(tmp_path: Path) -> None:
    prometheus_binary = shutil.which("prometheus")
    assert prometheus_binary is not None, (
        "prometheus not found: install Debian's `prometheus` package or deselect with "
        "-m 'not prometheus'")
    budget = Budget(BUDGET_SECONDS)
    catalog = load_valid_catalog(SHIPPED_SPECS)
    out = tmp_path / "generated"
    generate = run_metricsctl("generate", SHIPPED_SPECS, "--out", out, "--quiet",
                              cwd=REPO_ROOT, timeout=BUDGET_SECONDS)
    assert generate.returncode == 0, generate.stdout + generate.stderr
    module = out / "python" / "ai_platform_metrics.py"
    assert module.is_file()

    app_log, prometheus_log = tmp_path / "app.log", tmp_path / "prometheus.log"
    port_file = tmp_path / "app.port"
    app_command = [sys.executable, "-m", "tests.e2e.stub_app", "--module", str(module),
                   "--specs", str(SHIPPED_SPECS), "--port-file", str(port_file)]
    with contextlib.ExitStack() as stack:
        app = stack.enter_context(running(app_command, app_log, REPO_ROOT))

        def app_port() -> tuple[bool, str | None]:
            assert app.poll() is None, f"the app exited:\n{tail(app_log)}"
            return port_file.exists(), port_file.read_text() if port_file.exists() else None

        app_address = f"127.0.0.1:{budget.wait_for('the app to listen', app_port, (app_log,))}"
        app_url = f"http://{app_address}"

        prometheus_dir = tmp_path / "prometheus"
        prometheus_dir.mkdir()
        rule_files = shorten_for_the_test(out, app_address, prometheus_dir)
        prometheus = stack.enter_context(running(
            [prometheus_binary, f"--config.file={prometheus_dir / 'prometheus.yml'}",
             f"--storage.tsdb.path={prometheus_dir / 'data'}",
             # port 0: the kernel picks a free port, Prometheus logs which (no race)
             "--web.listen-address=127.0.0.1:0"],
            prometheus_log, prometheus_dir))

        def listening() -> tuple[bool, str | None]:
            assert prometheus.poll() is None, f"prometheus exited:\n{tail(prometheus_log)}"
            found = LISTENING.search(prometheus_log.read_text(encoding="utf-8", errors="replace"))
            return found is not None, found.group(1) if found else None

        prometheus_address = budget.wait_for("prometheus to listen", listening,
                                             (prometheus_log,))
        base = f"http://{prometheus_address}"
        logs = (prometheus_log, app_log)

        def ready() -> tuple[bool, int]:
            with urllib.request.urlopen(f"{base}/-/ready", timeout=5) as response:
                return response.status == 200, response.status

        budget.wait_for("prometheus to be ready", ready, logs)

        # 1. every scrape job of the catalog targets the app, and is up
        jobs = {job.name for job in catalog.project.scrape_jobs}

        def targets_up() -> tuple[bool, dict[str, str]]:
            active = api(base, "targets", state="active")["activeTargets"]
            health = {t["labels"]["job"]: f"{t['health']} {t['lastError']}".strip()
                      for t in active}
            return set(health) == jobs and all(h == "up" for h in health.values()), health

        budget.wait_for("every target to be up", targets_up, logs)

        # 2. every generated rule group is loaded, each rule evaluated without error
        expected_groups = {}
        for path in rule_files:
            for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
                expected_groups[group["name"]] = [rule.get("alert") or rule.get("record")
                                                  for rule in group["rules"]]

        def rules_healthy() -> tuple[bool, dict[str, list[tuple[str, str, str]]]]:
            groups = {group["name"]: [(rule["name"], rule["health"], rule.get("lastError", ""))
                                      for rule in group["rules"]]
                      for group in api(base, "rules")["groups"]}
            loaded = {name: [rule for rule, _, _ in rules] for name, rules in groups.items()}
            healthy = all(health == "ok" for rules in groups.values() for _, health, _ in rules)
            return loaded == expected_groups and healthy, groups

        budget.wait_for("every rule group to be loaded and healthy", rules_healthy, logs)
        # one group per domain with hand-written rules (queues has only an SLO), and Sloth's
        # three per SLO (SLI, metadata, alerts)
        with_rules = [domain for domain in catalog.domains
                      if catalog.alerts_in(domain) or catalog.recording_rules_in(domain)]
        assert len(expected_groups) == len(with_rules) + 3 * len(catalog.slos)

        # 3. every catalog metric is known to Prometheus with its type and help; prometheus_client
        # serves OpenMetrics to Prometheus, which names a counter's family without `_total`
        def metadata_complete() -> tuple[bool, dict[str, Any]]:
            metadata = api(base, "metadata")
            found = {}
            for metric in catalog.metrics.values():
                entries = metadata.get(metric.series.family) or metadata.get(metric.name) or []
                found[metric.name] = [(e["type"], e["help"]) for e in entries]
            return all(entries == [(metric.type.value, metric.help)]
                       for metric, entries in zip(catalog.metrics.values(), found.values(),
                                                  strict=True)), found

        budget.wait_for("metadata of every catalog metric", metadata_complete, logs)

        # 4. the Diem alerts stay quiet at 100 Diem and fire at 3
        def diem_alerts() -> dict[str, set[str]]:
            states: dict[str, set[str]] = {}
            for alert in api(base, "alerts")["alerts"]:
                if alert["labels"]["alertname"] in ("LowDiemBalance", "CriticalDiemBalance"):
                    states.setdefault(alert["labels"]["alertname"], set()).add(alert["state"])
            return states

        def balance_is(value: str) -> Callable[[], tuple[bool, Any]]:
            def probe() -> tuple[bool, Any]:
                result = api(base, "query", query="venice_balance_diem")["result"]
                values = {sample["value"][1] for sample in result}
                return values == {value}, values
            return probe

        def diem_rules() -> dict[str, tuple[str, str]]:
            """Alerting rule name -> (state, lastEvaluation) for the two Diem alerts."""
            return {rule["name"]: (rule["state"], rule["lastEvaluation"])
                    for group in api(base, "rules", type="alert")["groups"]
                    for rule in group["rules"]
                    if rule["name"] in ("LowDiemBalance", "CriticalDiemBalance")}

        budget.wait_for("Prometheus to scrape venice_balance_diem = 100", balance_is("100"),
                        logs)
        seen = diem_rules()

        def evaluated_since() -> tuple[bool, dict[str, tuple[str, str]]]:
            now = diem_rules()
            return all(now[name][1] != seen[name][1] for name in seen), now

        # an evaluation that saw the balance at 100 leaves both alerts inactive
        states = budget.wait_for("a rule evaluation after the scrape", evaluated_since, logs)
        assert {name: state for name, (state, _) in states.items()} == {
            "LowDiemBalance": "inactive", "CriticalDiemBalance": "inactive"}
        assert diem_alerts() == {}, "the Diem alerts are active although the balance is 100"
        with urllib.request.urlopen(f"{app_url}/set?metric=venice_balance_diem&value=3",
                                    timeout=5) as response:
            assert response.status == 200

        budget.wait_for("Prometheus to scrape venice_balance_diem = 3", balance_is("3"), logs)

        def firing() -> tuple[bool, dict[str, set[str]]]:
            states = diem_alerts()
            return states == {"LowDiemBalance": {"firing"},
                              "CriticalDiemBalance": {"firing"}}, states

        budget.wait_for("LowDiemBalance and CriticalDiemBalance to fire", firing, logs)
        critical = [alert for alert in api(base, "alerts")["alerts"]
                    if alert["labels"]["alertname"] == "CriticalDiemBalance"]
        assert {alert["labels"]["severity"] for alert in critical} == {"critical"}
        assert {alert["annotations"]["description"] for alert in critical} == {
            "The Venice balance is 3 Diem; top up or throttle traffic now."}

    # both processes are gone and their ports closed
    assert app.returncode is not None and prometheus.returncode is not None
    assert port_is_closed(app_address) and port_is_closed(prometheus_address)
