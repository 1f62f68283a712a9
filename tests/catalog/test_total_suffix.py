"""Counters exposed without `_total`: `total_suffix: false`, from import to lint to targets.

Exporters written before OpenMetrics naming expose counters under their bare name
(node_exporter's `node_vmstat_pgmajfault` when typed, many JMX and Go exporters):
`# TYPE x counter` then `x 5`. Prometheus accepts that, so the catalog must hold it, and
every consumer must read the series as named.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metricsctl.catalog import load_catalog
from metricsctl.catalog.naming import MetricType, exposed_series, registered_names
from metricsctl.lint import lint_catalog
from metricsctl.targets.python_stubs import render_module
from metricsctl.targets.typescript import render as render_typescript
from tests.conftest import WriteCatalog, load_valid_catalog

FAULTS = """
    domain: node
    metrics:
      node_vmstat_pgmajfault:
        type: counter
        total_suffix: false
        help: Major page faults.
      node_forks_total: {type: counter, help: Forks.}
    alerts:
      ManyMajorFaults:
        expr: rate(node_vmstat_pgmajfault[5m]) > 500
        for: 5m
        severity: warning
        summary: Many major page faults
        description: "{{ $value }} per second"
        runbook_url: https://runbooks.example.com/faults
    """


def test_the_series_of_a_bare_counter_is_its_name() -> None:
    series = exposed_series("node_vmstat_pgmajfault", MetricType.COUNTER, total_suffix=False)

    assert (series.family, series.samples, series.created) == (
        "node_vmstat_pgmajfault", ("node_vmstat_pgmajfault",), None)
    assert registered_names("x", MetricType.COUNTER, total_suffix=False) == ("x",)


def test_lint_reads_it_as_a_counter_under_its_bare_name(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"node.yaml": FAULTS})

    findings = lint_catalog(load_valid_catalog(root))

    # No wrong-suffix, no rate-on-gauge: only the naming advice, with a hint for the owner.
    assert [(f.code, f.hint) for f in findings] == [
        ("naming/counter-total", "if you own the code that exposes it, expose it as "
         "`node_vmstat_pgmajfault_total` and remove `total_suffix: false`")]


def test_its_total_series_is_not_one_of_its_series(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"node.yaml": FAULTS.replace(
        "rate(node_vmstat_pgmajfault[5m])", "rate(node_vmstat_pgmajfault_total[5m])")})

    codes = [f.code for f in lint_catalog(load_valid_catalog(root))]

    assert "promql/unknown-metric" in codes or "promql/wrong-suffix" in codes


@pytest.mark.parametrize(("body", "message"), [
    ("{type: gauge, help: h, total_suffix: false}",
     "`total_suffix` only applies to counters; `x` is a gauge"),
    ("{type: counter, help: h, total_suffix: false}",
     "`x_total` ends in _total already: `total_suffix: false` says its series carry no _total"),
])
def test_it_is_refused_where_it_means_nothing(write_catalog: WriteCatalog, body: str,
                                              message: str) -> None:
    name = "x_total" if "counter" in body else "x"
    root = write_catalog({"a.yaml": f"""
        domain: a
        metrics:
          {name}: {body}
        """})

    [diagnostic] = load_catalog(root).diagnostics

    assert (diagnostic.code, diagnostic.message) == ("catalog/invalid-total-suffix", message)
    [line] = [text for text in (root / "a.yaml").read_text(encoding="utf-8").splitlines()
              if "total_suffix" in text]
    assert str(diagnostic.location) == f"{root}/a.yaml:3:{line.index('total_suffix') + 1}"


def test_the_python_module_leaves_it_out_and_says_why(write_catalog: WriteCatalog) -> None:
    module = render_module(load_valid_catalog(write_catalog({"node.yaml": FAULTS})))

    assert "Not declared here: node_vmstat_pgmajfault." in module
    assert '"node_vmstat_pgmajfault",' not in module  # prometheus_client would add _total
    assert '"node_forks_total",' in module


def test_the_typescript_module_declares_it_as_named(write_catalog: WriteCatalog) -> None:
    [module] = render_typescript(load_valid_catalog(write_catalog({"node.yaml": FAULTS}))).values()

    assert 'name: "node_vmstat_pgmajfault",' in module  # prom-client keeps names as given


def test_import_keeps_a_text_format_counter_without_total_as_exposed(cli, tmp_path: Path) -> None:
    (tmp_path / "node.prom").write_text(
        "# HELP node_vmstat_pgmajfault Major page faults.\n"
        "# TYPE node_vmstat_pgmajfault counter\n"
        "node_vmstat_pgmajfault 12\n"
        "# HELP node_forks_total Forks.\n"
        "# TYPE node_forks_total counter\n"
        "node_forks_total 3\n", encoding="utf-8")
    specs = tmp_path / "specs"

    result = cli("import", tmp_path / "node.prom", "--into", specs)

    assert result.exit_code == 0, result.output
    metrics = load_valid_catalog(specs).metrics
    assert metrics["node_vmstat_pgmajfault"].series.samples == ("node_vmstat_pgmajfault",)
    assert metrics["node_forks_total"].series.samples[0] == "node_forks_total"
    assert "total_suffix: false" in (specs / "node.yaml").read_text(encoding="utf-8")


def test_import_infers_a_rated_series_without_total_as_such_a_counter(cli,
                                                                     tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(
        "groups:\n"
        "  - name: node\n"
        "    rules:\n"
        "      - alert: ManyMajorFaults\n"
        "        expr: rate(node_vmstat_pgmajfault{job=\"node\"}[5m]) > 500\n", encoding="utf-8")
    specs = tmp_path / "specs"

    result = cli("import", tmp_path / "rules.yml", "--into", specs, "--format", "json")

    assert result.exit_code == 0, result.output
    catalog = load_valid_catalog(specs)
    faults = catalog.metrics["node_vmstat_pgmajfault"]
    assert (faults.type, faults.type_inferred, faults.total_suffix) == (
        MetricType.COUNTER, True, False)
    assert "promql/rate-on-gauge" not in {f.code for f in lint_catalog(catalog)}
    assert "rate() over it" in json.dumps(json.loads(result.stdout))


def test_live_check_finds_it_where_the_exporter_puts_it(write_catalog: WriteCatalog,
                                                        tmp_path: Path) -> None:
    from tests.conftest import run_metricsctl

    root = write_catalog({"node.yaml": FAULTS})
    exposition = tmp_path / "node.prom"
    exposition.write_text("# HELP node_vmstat_pgmajfault Major page faults.\n"
                          "# TYPE node_vmstat_pgmajfault counter\n"
                          "node_vmstat_pgmajfault 12\n"
                          "# HELP node_forks_total Forks.\n"
                          "# TYPE node_forks_total counter\n"
                          "node_forks_total 3\n", encoding="utf-8")

    result = run_metricsctl("live-check", root, "--file", exposition, "--format", "json")

    report = json.loads(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert report["diagnostics"] == []
