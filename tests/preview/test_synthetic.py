"""Synthetic data looks like a healthy day: failures are a few percent, money grows in cents,
and every line is OpenMetrics that promtool backfills (a bare counter is written unknown)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from metricsctl.preview.synthetic import lookback_seconds, openmetrics, sample_times
from tests.conftest import WriteCatalog, load_valid_catalog

END = 1_790_000_000.0
HOURS_6 = 6 * 3600.0

CHAT = """
    domain: chat
    labels:
      model: {values: [small, large]}
    metrics:
      chat_requests_total: {type: counter, help: Requests., labels: [model]}
      chat_errors_total: {type: counter, help: Failed requests., labels: [model]}
      chat_cost_usd_total: {type: counter, help: Spend., labels: [model]}
      node_vmstat_pgmajfault: {type: counter, total_suffix: false, help: Major faults.}
    """


def last_values(lines: list[str]) -> dict[str, float]:
    """The last value of each sample name, summed over its series."""
    last: dict[str, dict[str, float]] = {}
    for line in lines:
        if line.startswith("#"):
            continue
        series, value, _ = line.rsplit(" ", 2)
        name = re.split(r"[{ ]", series, maxsplit=1)[0]
        last.setdefault(name, {})[series] = float(value)
    return {name: sum(values.values()) for name, values in last.items()}


def test_failures_grow_slowly_and_money_in_cents(write_catalog: WriteCatalog) -> None:
    catalog = load_valid_catalog(write_catalog({"chat.yaml": CHAT}))

    totals = last_values(list(openmetrics(catalog, END, [HOURS_6])))

    assert 0.005 < totals["chat_errors_total"] / totals["chat_requests_total"] < 0.1
    assert totals["chat_cost_usd_total"] / totals["chat_requests_total"] < 0.1


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_backfills_every_line_including_a_bare_counter(write_catalog: WriteCatalog,
                                                               tmp_path: Path) -> None:
    catalog = load_valid_catalog(write_catalog({"chat.yaml": CHAT}))
    lines = list(openmetrics(catalog, END, [HOURS_6]))
    source = tmp_path / "data.om"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert "# TYPE node_vmstat_pgmajfault unknown" in lines
    result = subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics",
                             str(source), str(tmp_path / "blocks")],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr


def test_over_a_week_metrics_rules_read_get_a_sample_4_minutes_before_each(
        write_catalog: WriteCatalog) -> None:
    catalog = load_valid_catalog(write_catalog({"chat.yaml": CHAT}))
    week = 7 * 86400.0

    lines = list(openmetrics(catalog, END, [week], paired={"chat_errors_total"}))

    def times_of(name: str) -> list[int]:
        return sorted({int(line.rsplit(" ", 1)[1]) for line in lines
                       if line.startswith(name + "{") and 'model="small"' in line})

    sparse, paired = times_of("chat_requests_total"), times_of("chat_errors_total")
    assert sparse == sample_times(END, [week])
    assert sparse[1] - sparse[0] > 300  # a [5m] window would hold one sample
    assert set(paired) == set(sparse) | {t - 240 for t in sparse}
    # Instant selectors look back far enough to find a sample at every step of a query.
    assert lookback_seconds(END, [week]) >= 2 * (sparse[1] - sparse[0])
    assert lookback_seconds(END, [HOURS_6]) == 300


CHAT_SLOS = """
    domain: chat
    labels:
      model: {values: [small, large]}
    metrics:
      chat_requests_total: {type: counter, help: Requests., labels: [model]}
      chat_errors_total: {type: counter, help: Failed requests., labels: [model]}
      chat_duration_seconds:
        type: histogram
        help: Latency.
        labels: [model]
        buckets: [0.25, 1, 4]
    slos:
      availability:
        service: chat
        objective: 99.9
        sli: {errors: chat_errors_total, total: chat_requests_total}
      latency:
        service: chat
        objective: 99.5
        sli: {latency: {metric: chat_duration_seconds, threshold: 1}}
    """


def test_slo_errors_and_slow_requests_stay_within_the_error_budget(
        write_catalog: WriteCatalog) -> None:
    catalog = load_valid_catalog(write_catalog({"chat.yaml": CHAT_SLOS}))
    lines = list(openmetrics(catalog, END, [HOURS_6]))

    totals = last_values(lines)
    within_a_second = last_values([line for line in lines if 'le="1"' in line])

    assert totals["chat_errors_total"] / totals["chat_requests_total"] < 0.001
    slow = 1 - within_a_second["chat_duration_seconds_bucket"] / totals[
        "chat_duration_seconds_count"]
    assert 0 < slow < 0.005
