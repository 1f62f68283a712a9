"""Real exporters nobody here wrote: Debian's prometheus-node-exporter and Prometheus's own
/metrics, started on 127.0.0.1. Their metadata is imported; the catalog validates; the Python
module generated from it, served, exposes series that the imported catalog accepts."""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricsctl.diagnostics import Severity
from metricsctl.exposition import parse_exposition
from tests.conftest import REPO_ROOT, load_valid_catalog, run_metricsctl
from tests.live.conftest import check_expositions
from tests.live.processes import Deadline, free_port, running

SETUP_SECONDS = 60


def _scrape(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return bytes(response.read())


def _answering(deadline: Deadline, url: str, log: Path) -> None:
    def probe() -> tuple[bool, int]:
        return True, len(_scrape(url))
    deadline.wait_for(f"{url} to answer", probe, (log,))


@contextlib.contextmanager
def _exporter(name: str, tmp_path: Path) -> Iterator[str]:
    """The /metrics URL of a real exporter running on a free port."""
    port = free_port()
    if name == "node-exporter":
        binary = shutil.which("prometheus-node-exporter")
        command = [str(binary), f"--web.listen-address=127.0.0.1:{port}",
                   "--collector.disable-defaults", "--collector.loadavg",
                   "--collector.meminfo", "--collector.cpu", "--collector.filesystem"]
    else:
        binary = shutil.which("prometheus")
        (tmp_path / "prometheus.yml").write_text("global: {scrape_interval: 1h}\n",
                                                 encoding="utf-8")
        command = [str(binary), f"--config.file={tmp_path / 'prometheus.yml'}",
                   f"--storage.tsdb.path={tmp_path / 'data'}",
                   f"--web.listen-address=127.0.0.1:{port}"]
    assert binary, f"needs Debian's {name} (scripts/test.sh installs it)"
    log = tmp_path / f"{name}.log"
    with running(command, log, tmp_path):
        url = f"http://127.0.0.1:{port}/metrics"
        _answering(Deadline(SETUP_SECONDS), url, log)
        yield url


@pytest.mark.parametrize("exporter", ["node-exporter", "prometheus"])
def test_imported_metadata_generates_a_module_whose_series_the_catalog_accepts(
        exporter: str, cli, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    with _exporter(exporter, tmp_path) as url:
        imported = cli("import", url, "--into", specs, "--domain", "exporter",
                       "--format", "json")
        assert imported.exit_code == 0, imported.output
        scraped = parse_exposition(_scrape(url), url)
    catalog = load_valid_catalog(specs)
    report = json.loads(imported.stdout)
    unmapped = {item["name"] for item in report["items"] if item["outcome"] == "unmapped"}

    # Every family the exporter exposes is in the catalog with its type, or in the report.
    types = {m.name: m.type.value for m in catalog.metrics.values()}
    for family in scraped.families.values():
        name = family.name + ("_total" if family.type == "counter"
                              and not family.name.endswith("_total") else "")
        if family.name in unmapped:
            continue
        assert name in types, name
        if family.type in ("counter", "gauge", "histogram", "summary"):
            assert types[name] == family.type, name

    out = tmp_path / "generated"
    generate = run_metricsctl("generate", specs, "--out", out, "--target", "python",
                              "--quiet", cwd=REPO_ROOT)
    assert generate.returncode == 0, generate.stdout + generate.stderr
    (module,) = (out / "python").glob("*_metrics.py")
    port_file, log = tmp_path / "service.port", tmp_path / "service.log"
    with running([sys.executable, "-m", "tests.live.instrumented_service", "--module",
                  str(module), "--specs", str(specs), "--port-file", str(port_file)],
                 log, REPO_ROOT) as service:
        def listening() -> tuple[bool, int | None]:
            assert service.poll() is None, log.read_text()
            return port_file.exists(), int(port_file.read_text()) if port_file.exists() else None
        port = Deadline(SETUP_SECONDS).wait_for("the service to listen", listening, (log,))
        served = f"http://127.0.0.1:{port}/metrics"
        body = _scrape(served)

    checked = check_expositions(catalog, (served, body))
    assert [d for d in checked.diagnostics if d.severity is Severity.ERROR] == []
    assert len(parse_exposition(body, served).families) >= len(scraped.families) // 2


def test_metadata_from_a_prometheus_server_scraping_node_exporter(cli, tmp_path: Path) -> None:
    import yaml

    from tests.live.processes import prometheus_api

    node_port, prometheus_port = free_port(), free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump({
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
        "scrape_configs": [{"job_name": "node", "static_configs": [
            {"targets": [f"127.0.0.1:{node_port}"]}]}]}), encoding="utf-8")
    base = f"http://127.0.0.1:{prometheus_port}"
    with running([str(shutil.which("prometheus-node-exporter")),
                  f"--web.listen-address=127.0.0.1:{node_port}", "--collector.disable-defaults",
                  "--collector.loadavg", "--collector.meminfo"], tmp_path / "node.log", tmp_path), \
            running([str(shutil.which("prometheus")), f"--config.file={config}",
                     f"--storage.tsdb.path={tmp_path / 'data'}",
                     f"--web.listen-address=127.0.0.1:{prometheus_port}"],
                    tmp_path / "prometheus.log", tmp_path):
        def scraped() -> tuple[bool, object]:
            metadata = prometheus_api(base, "metadata")
            return "node_load1" in metadata, sorted(metadata)[:3]
        Deadline(SETUP_SECONDS).wait_for("node_load1 in Prometheus", scraped,
                                         (tmp_path / "prometheus.log",))
        result = cli("import", "--prometheus", base, "--into", tmp_path / "specs")

    assert result.exit_code == 0, result.output
    catalog = load_valid_catalog(tmp_path / "specs")
    load1 = catalog.metrics["node_load1"]
    assert (load1.type.value, load1.domain, load1.type_inferred) == ("gauge", "node", False)
    assert load1.help == "1m load average."
