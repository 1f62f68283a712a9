"""`metricsctl live-check` output: text with the catalog line, coverage and a summary; json,
sarif and github reusing the project's renderers; --fail-on; gzip and OpenMetrics files."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import generate_latest as text_exposition
from prometheus_client.openmetrics.exposition import generate_latest as openmetrics_exposition

from tests.live.conftest import STORE

Cli = Callable[..., Any]


def drifted_registry(*, checkouts: bool = True) -> CollectorRegistry:
    """The store service after drifting: an unknown value, an extra metric, no cache gauge."""
    registry = CollectorRegistry()
    Counter("store_requests_total", "Requests served by the store.", ["method", "route"],
            registry=registry).labels("GET", "/").inc()
    Histogram("store_request_duration_seconds", "Time to serve a store request.", ["route"],
              unit="seconds", buckets=(0.1, 0.5, 1), registry=registry).labels("/").observe(1)
    if checkouts:
        Counter("store_checkouts_total", "Checkouts by outcome.", ["outcome"],
                registry=registry).labels("refunded").inc()
    Gauge("store_queue_depth", "Orders waiting to be packed.", registry=registry).set(1)
    Gauge("store_queue_dept", "A typo.", registry=registry).set(1)
    return registry


@pytest.fixture
def exposition_file(tmp_path: Path) -> Path:
    path = tmp_path / "store.prom"
    path.write_bytes(text_exposition(drifted_registry()))
    return path


def test_text_output_shows_the_catalog_line_coverage_and_summary(cli: Cli,
                                                                 exposition_file: Path) -> None:
    result = cli("live-check", STORE, "--file", exposition_file)

    assert result.exit_code == 1
    out = result.stdout
    assert "store.yaml:25:14: error[live/label-value-not-allowed]: store_checkouts_total: " \
           "label 'outcome' has values outside the allowed set: 'refunded'" in out
    assert "25 |     labels: [outcome]" in out
    assert "help: allowed: paid, declined" in out
    assert f"{exposition_file}:" in out and "warning[live/unknown-metric]: store_queue_dept " \
           "(gauge) is exposed but not in the catalog" in out
    assert "help: did you mean store_queue_depth?" in out
    assert "warning[live/missing-metric]: store_cache_entries" in out
    assert "catalog metrics seen: 4/5 (80%)" in out
    # counted once each, though the text format adds a `_created` family to three of them
    assert "exposed metrics in the catalog: 4/5 (80%)" in out
    assert out.rstrip().endswith("✗ 1 error, 2 warnings (failing on error and above)")


@pytest.mark.parametrize(("fail_on", "exit_code"), [
    ("error", 1), ("warning", 1), ("info", 1), ("never", 0)])
def test_fail_on(cli: Cli, exposition_file: Path, fail_on: str, exit_code: int) -> None:
    assert cli("live-check", STORE, "--file", exposition_file,
               "--fail-on", fail_on).exit_code == exit_code


def test_warnings_alone_pass_by_default(cli: Cli, tmp_path: Path) -> None:
    registry = drifted_registry(checkouts=False)
    path = tmp_path / "warnings.prom"
    path.write_bytes(text_exposition(registry))

    assert cli("live-check", STORE, "--file", path).exit_code == 0
    assert cli("live-check", STORE, "--file", path, "--fail-on", "warning").exit_code == 1


def test_json_output(cli: Cli, exposition_file: Path) -> None:
    result = cli("live-check", STORE, "--file", exposition_file, "--format", "json")

    document = json.loads(result.stdout)
    assert document["coverage"] == {"catalog_metrics": 5, "catalog_metrics_seen": 4,
                                    "exposed_metrics": 5, "exposed_metrics_known": 4,
                                    "ignored_metrics": 0}
    assert document["failed"] is True and document["sources"] == [str(exposition_file)]
    [value] = [d for d in document["diagnostics"]
               if d["code"] == "live/label-value-not-allowed"]
    assert (value["line"], value["path"]) == (25, "metrics.store_checkouts_total.labels.0")


def test_sarif_output_describes_every_live_rule(cli: Cli, exposition_file: Path) -> None:
    result = cli("live-check", STORE, "--file", exposition_file, "--format", "sarif")

    run = json.loads(result.stdout)["runs"][0]
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {"live/unknown-metric", "live/missing-metric", "live/type-mismatch",
            "live/percentile-as-gauge", "live/help-differs", "live/unit-differs",
            "live/extra-label", "live/missing-label", "live/label-value-not-allowed",
            "live/buckets-differ", "live/series-over-bound", "live/label-over-bound"} <= rules
    levels = sorted(result["level"] for result in run["results"])
    assert levels == ["error", "warning", "warning"]


def test_github_annotations(cli: Cli, exposition_file: Path) -> None:
    result = cli("live-check", STORE, "--file", exposition_file, "--format", "github")

    lines = result.stdout.splitlines()
    assert any(line.startswith("::error file=") and "store.yaml,line=25,col=14,"
               "title=live/label-value-not-allowed::" in line for line in lines)
    assert len(lines) == 3


def test_gzip_and_openmetrics_files_and_replicas(cli: Cli, tmp_path: Path) -> None:
    packed = tmp_path / "replica-1.prom.gz"
    packed.write_bytes(gzip.compress(text_exposition(drifted_registry())))
    openmetrics = tmp_path / "replica-2.om"
    openmetrics.write_bytes(openmetrics_exposition(drifted_registry()))

    result = cli("live-check", STORE, "--file", packed, "--file", openmetrics, "--format",
                 "json", "--ignore", "store_queue_dept")

    document = json.loads(result.stdout)
    [value] = [d for d in document["diagnostics"] if d["code"] == "live/label-value-not-allowed"]
    assert value["message"].endswith(f"(at {packed}, {openmetrics})")
    assert [d["code"] for d in document["diagnostics"]] == ["live/label-value-not-allowed",
                                                            "live/missing-metric"]
    assert document["coverage"]["ignored_metrics"] == 1


def test_server_text_is_printed_literally(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "markup.prom"
    path.write_text("# HELP store_queue_depth [bold red]Orders[/] :x: waiting\n"
                    "# TYPE store_queue_depth gauge\nstore_queue_depth 1\n")

    result = cli("live-check", STORE, "--file", path, "--fail-on", "never")

    assert "exposed help '[bold red]Orders[/] :x: waiting' differs from the catalog's" in (
        result.stdout)
