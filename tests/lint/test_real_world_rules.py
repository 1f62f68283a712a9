"""Lint over public real-world rule sets (tests/fixtures/rules/, wrapped into a catalog by
tests/lint/rule_files.py).

The findings per rule id are pinned, so that a change which adds false findings, or loses
true ones, shows here. Every finding has a verdict in bench/lint_precision_verdicts.json
(the judged list is in docs/lint.md); lint's own precision on them must stay at 90% or more.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from bench.lint_precision import judge, summarize
from metricsctl.catalog import load_catalog
from metricsctl.diagnostics import Diagnostic
from metricsctl.lint import lint_catalog
from tests.lint.rule_files import write_rule_files_catalog

RULES = Path(__file__).resolve().parent.parent / "fixtures" / "rules"

EXPECTED = {
    "alert/absolute-error-threshold": 3,
    # CoreDNS' p99 per zone and per upstream, etcd's per gRPC method (issue 12).
    "alert/latency-without-traffic-guard": 3,
    "alert/missing-for": 5,
    "alert/template-unknown-label": 11,
    "naming/camel-case": 3,
    "naming/reserved-suffix": 2,
    "promql/division-in-aggregation": 1,
    # No rate-on-gauge: the 11 counters exporters expose without _total (node_vmstat_*,
    # pg_stat_database_*...) are declared as such (total_suffix: false), as import does.
    "promql/regex-without-regex": 4,
}


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Diagnostic], Path]:
    root = tmp_path_factory.mktemp("rule-files") / "specs"
    written = write_rule_files_catalog(sorted(RULES.glob("*.yaml")), root)
    # Rules defined twice under one name (at two severities) keep their first definition;
    # KubeAggregatedAPIDown reads a gauge whose name kube-apiserver's counter family takes.
    assert len(written.skipped) == 13
    assert {"node_vmstat_pgmajfault", "pg_stat_database_xact_commit",
            "mysql_global_status_innodb_log_waits"} <= set(written.bare_counters)
    loaded = load_catalog(root)
    assert loaded.catalog is not None and loaded.ok, [str(d) for d in loaded.errors]
    return lint_catalog(loaded.catalog), root


def test_finding_counts_per_rule_are_pinned(linted: tuple[list[Diagnostic], Path]) -> None:
    diagnostics, _ = linted

    assert dict(collections.Counter(d.code for d in diagnostics)) == EXPECTED


def test_every_finding_is_judged_and_lint_is_right_on_nine_in_ten(
        linted: tuple[list[Diagnostic], Path]) -> None:
    diagnostics, root = linted

    summary = summarize(judge(diagnostics, root))

    assert "unjudged" not in summary["verdicts"]
    assert summary["precision_lint"] >= 0.9


@pytest.mark.parametrize("message", [
    # kubelet.rules: `max` is on the group_left side, `le` comes from the left.
    "`max` drops the `le` label histogram_quantile() needs",
    # Alertmanager's and Prometheus' min over a ratio: min skips NaN.
    "division inside `min`",
    # kube-prometheus' count(sum by (instance, cpu) (node_cpu_seconds_total)).
    "is read without rate() or increase()",
    # Watchdog's vector(1).
    "has no comparison",
    # kubernetes-mixin's and Thanos' time() - max by (job_name, ...) (...): time() is a
    # number, so the labels of the other side survive.
    "`job_name` is not a label of the series alert `KubeJobNotCompleted`",
    "`job` is not a label of the series alert `ThanosCompactHasNotRun`",
])
def test_issue_9_false_findings_stay_gone(linted: tuple[list[Diagnostic], Path],
                                          message: str) -> None:
    diagnostics, _ = linted

    assert not [d for d in diagnostics if message in d.message]


@pytest.mark.parametrize("alert", [
    # Thanos guards its query latency: `and sum by (job) (rate(..._count[5m])) > 0`.
    "ThanosQueryInstantLatencyHigh",
    # Periodic work has steady traffic: etcd's WAL fsyncs, backend commits, peer probes.
    "etcdHighFsyncDurations", "etcdHighCommitDurations", "etcdMemberCommunicationSlow",
    # A certificate's remaining lifetime is a duration, not a latency.
    "KubeClientCertificateExpiration",
])
def test_guarded_and_periodic_latencies_are_not_reported(
        linted: tuple[list[Diagnostic], Path], alert: str) -> None:
    diagnostics, _ = linted

    assert not [d for d in diagnostics if d.code == "alert/latency-without-traffic-guard"
                and f"`{alert}`" in d.message]
