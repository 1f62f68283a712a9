"""Synthetic data from the catalog, evaluated by a real Prometheus on 127.0.0.1.

Every metric gets a few series (its labels' allowed values, a handful of made-up values for
unbounded labels, the scrape jobs' target labels), with values shaped by its type: counters
grow at a varying rate (error outcomes slowly: the errors an SLO counts, and its latency
SLI's slow requests, use 30% of its error budget), gauges wave around a level (near the
threshold of an alert on them, so the panel shows it), histograms fill their buckets from a
log-normal latency, summaries their `_sum` and `_count`; every scrape job has `up`. The
samples are written as OpenMetrics, turned into TSDB blocks by `promtool tsdb
create-blocks-from openmetrics`, and served by `prometheus` started on a free 127.0.0.1 port.
The recording rules the previewed dashboards read are then evaluated by that Prometheus and
backfilled the same way (`recorded`). The same catalog, dashboards and end time always give
the same data.
"""

from __future__ import annotations

import itertools
import math
import random
import shutil
import socket
import subprocess
import time
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from types import TracebackType

from metricsctl.catalog.model import Catalog, Metric, RecordingRule, ScrapeJob
from metricsctl.catalog.naming import MetricType
from metricsctl.preview.recorded import (
    Grid,
    generated_recording_rules,
    names_read,
    record_level,
    rules_read,
)
from metricsctl.preview.source import PrometheusSource, TimeRange

# Samples at most this far apart, and at least two in the shortest rate window a panel uses;
# but no more than MAX_POINTS per series (a week-long range gets sparser samples).
MAX_SAMPLE_SECONDS = 120
MAX_POINTS = 1000
# The shortest fixed window of the rules (Sloth's [5m]): a pair of samples 4 minutes apart
# makes rate() over it extrapolate to the exact rate.
RATE_PAIR_SECONDS = 240
MAX_SERIES_PER_METRIC = 6
# Failure series grow at this share of their siblings' rate, as on a healthy day; those an
# SLO counts as errors at SLO_BUDGET_SHARE of its error budget.
FAILURE_SHARE = 0.02
SLO_BUDGET_SHARE = 0.3
LATENCY_SIGMA = 0.8
MADE_UP_VALUES = 3
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
READY_TIMEOUT_SECONDS = 30.0
BACKFILL_TIMEOUT_SECONDS = 300.0


class PreviewDataError(Exception):
    """The synthetic Prometheus could not be prepared or started (message says why)."""


def _labels_text(labels: dict[str, str]) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

    return "{" + ",".join(f'{k}="{escape(v)}"' for k, v in sorted(labels.items())) + "}"


# Made-up values for unbounded labels whose name says what they hold, so that the usual
# queries (`status_code=~"5.."`) find series.
TYPICAL_VALUES = {"status_code": ("200", "404", "503"), "code": ("200", "404", "503"),
                  "method": ("GET", "POST"), "status": ("success", "error")}


def _made_up_values(name: str) -> list[str]:
    return list(TYPICAL_VALUES.get(name, ())) or [
        f"{name}-{index + 1}" for index in range(MADE_UP_VALUES)]


def _label_sets(catalog: Catalog, metric: Metric) -> list[dict[str, str]]:
    """The label sets of a metric's synthetic series, each with a scrape job's labels."""
    jobs = catalog.project.scrape_jobs or (ScrapeJob("metrics", ("localhost:9100",),
                                                     metric.source),)
    choices = []
    for label in metric.labels:
        if label.name in catalog.project.target_labels:
            continue  # set by the job below
        values = list(label.values or ())[:4] or _made_up_values(label.name)
        choices.append([(label.name, value) for value in values])
    sets = []
    for index, combination in enumerate(itertools.product(*choices)):
        if index >= MAX_SERIES_PER_METRIC:
            break
        job = jobs[zlib.crc32(f"{metric.name}{index}".encode()) % len(jobs)]
        labels = {"job": job.name, "instance": job.targets[0] if job.targets else job.name}
        labels.update(job.labels)
        labels.update(combination)
        sets.append(labels)
    return sets


def _gauge_level(catalog: Catalog, metric: Metric) -> tuple[float, float]:
    """A level and an amplitude for a gauge, near the threshold of an alert on it."""
    from metricsctl.targets.grafana_alerts import alert_comparison

    for alert in catalog.alerts.values():
        comparison = alert_comparison(alert)
        if comparison is not None and comparison.plotted == metric.name:
            level = abs(comparison.threshold) * 2.5 or 1.0
            return level, level * 0.7
    name = metric.name
    if "ratio" in name or metric.unit == "ratio":
        return 0.5, 0.3
    if metric.unit == "seconds":
        return 0.5, 0.3
    if metric.unit == "bytes":
        return 5e8, 2e8
    return 50.0, 30.0


_MONEY_WORDS = ("cost", "usd", "eur", "dollar", "spend", "price")
_FAILURE_WORDS = ("error", "fail", "declin", "reject", "timeout", "dropped")


def _is_failure(metric: Metric, labels: dict[str, str]) -> bool:
    """Series of failures grow slowly: a few percent of their siblings, as on a healthy day."""
    if any(word in metric.name for word in _FAILURE_WORDS):
        return True
    return any(value in ("error", "failed", "failure", "timeout") or value.startswith("5")
               for key, value in labels.items() if key not in ("job", "instance"))


@dataclass(frozen=True, slots=True)
class SloShapes:
    """How the SLOs shape the synthetic data: their failures use SLO_BUDGET_SHARE of the
    error budget (so the SLO dashboards show a healthy service, not -1800% of budget left)."""

    failure_share: Mapping[str, float]  # metric -> its failure series' share of the rate
    slowest_median: Mapping[str, float]  # histogram -> highest median latency, in its unit
    steady: frozenset[str]  # metrics SLOs read: base rates within 2.7x, not 20x

    @classmethod
    def of(cls, catalog: Catalog) -> SloShapes:
        by_sample = {name: metric.name for metric in catalog.metrics.values()
                     for name in (metric.name, *metric.series.samples)}
        shares: dict[str, float] = {}
        medians: dict[str, float] = {}
        steady: set[str] = set()
        for slo in catalog.slos.values():
            try:
                budget = 1 - float(slo.objective) / 100
            except ValueError:
                continue
            read = [by_sample.get(selector.series) for selector in
                    (slo.errors, slo.good, slo.total, slo.latency) if selector is not None]
            steady.update(name for name in read if name is not None)
            errors = by_sample.get(slo.errors.series) if slo.errors is not None else None
            if errors is not None and budget > 0:
                shares[errors] = min(shares.get(errors, FAILURE_SHARE),
                                     SLO_BUDGET_SHARE * budget)
            latency = by_sample.get(slo.latency.series) if slo.latency is not None else None
            if latency is not None and slo.threshold is not None and 0 < budget < 1:
                # P(latency > threshold) = SLO_BUDGET_SHARE * budget for a log-normal
                z = NormalDist().inv_cdf(1 - SLO_BUDGET_SHARE * budget)
                median = float(slo.threshold) / math.exp(LATENCY_SIGMA * z)
                medians[latency] = min(medians.get(latency, math.inf), median)
        return cls(shares, medians, frozenset(steady))


def _metric_lines(catalog: Catalog, metric: Metric, times: list[int],
                  slos: SloShapes) -> Iterator[str]:
    series = metric.series
    kind = metric.type
    # OpenMetrics wants a counter's samples to end in _total: a counter exposed under its
    # bare name (`total_suffix: false`) is written as `unknown`, which PromQL reads the same.
    bare = kind is MetricType.COUNTER and not metric.total_suffix
    yield f"# TYPE {series.family} {'unknown' if bare else kind.value}"
    span = times[-1] - times[0] or 1
    for labels in _label_sets(catalog, metric):
        text = _labels_text(labels)
        rng = random.Random(zlib.crc32((metric.name + text).encode()))
        phase = rng.uniform(0, 2 * math.pi)
        waves = [1 + 0.35 * math.sin(phase + 2 * math.pi * 3 * (t - times[0]) / span)
                 + rng.uniform(-0.08, 0.08) for t in times]
        if kind is MetricType.GAUGE:
            if "timestamp" in metric.name:
                for t in times:
                    yield f"{metric.name}{text} {t + 5400} {t}"
                continue
            level, amplitude = _gauge_level(catalog, metric)
            level *= rng.uniform(0.8, 1.2)
            for t, wave in zip(times, waves, strict=True):
                value = max(0.0, level + amplitude * (wave - 1) / 0.35)
                yield f"{metric.name}{text} {value:.6g} {t}"
            continue
        rate = rng.uniform(15, 40) if metric.name in slos.steady else rng.uniform(2, 40)
        if _is_failure(metric, labels):
            rate *= slos.failure_share.get(metric.name, FAILURE_SHARE)
        if any(word in metric.name for word in _MONEY_WORDS):
            rate *= 0.01  # cents per request, not dollars
        total = 0.0
        counts = []
        for index, wave in enumerate(waves):
            if index:
                total += rate * wave * (times[index] - times[index - 1])
            counts.append(total)
        if kind is MetricType.COUNTER:
            for t, count in zip(times, counts, strict=True):
                yield f"{series.samples[0]}{text} {count:.6f} {t}"
            continue
        median = rng.uniform(0.08, 0.6) if metric.unit in (None, "seconds") else 10.0
        median = min(median, slos.slowest_median.get(metric.name, math.inf))
        buckets = [(f"{series.bucket}{_labels_text({**labels, 'le': format(bound, 'g')})}",
                    _lognormal_cdf(bound, median))
                   for bound in (metric.buckets or DEFAULT_BUCKETS)]
        buckets.append((f"{series.bucket}{_labels_text({**labels, 'le': '+Inf'})}", 1.0))
        for t, count in zip(times, counts, strict=True):
            if kind is MetricType.HISTOGRAM:
                for name, share in buckets:
                    yield f"{name} {count * share:.6f} {t}"
            yield f"{series.sum}{text} {count * median * 1.2:.6f} {t}"
            yield f"{series.count}{text} {count:.6f} {t}"


def _lognormal_cdf(x: float, median: float, sigma: float = LATENCY_SIGMA) -> float:
    if x <= 0:
        return 0.0
    return 0.5 * (1 + math.erf(math.log(x / median) / (sigma * math.sqrt(2))))


def sample_seconds(span: float) -> int:
    """Seconds between synthetic samples for a time range of `span` seconds: half the
    step of a preview's queries (so every `$__rate_interval` window holds two), at most
    MAX_SAMPLE_SECONDS (so fixed windows like [5m] do), and never more than MAX_POINTS
    samples per series. Always 15 s times a power of two: the grids of several ranges then
    nest, and the union of their samples stays evenly spaced within each range."""
    wanted = min(MAX_SAMPLE_SECONDS, TimeRange(0, span).step // 2)
    every = 15
    while every * 2 <= wanted:
        every *= 2
    while span / every > MAX_POINTS:
        every *= 2
    return every


def sample_grids(end: float, ranges: Sequence[float]) -> list[Grid]:
    """The sample grid of each time range ending at `end`: multiples of its spacing."""
    grids = []
    for span in ranges:
        every = sample_seconds(span)
        grids.append(Grid(int(end - span) // every * every, int(end), every))
    return grids


def sample_times(end: float, ranges: Sequence[float], *, paired: bool = False) -> list[int]:
    """Sample times covering each time range ending at `end`, each as densely as its own
    queries need (a week-long range does not make the last six hours sparse). `paired`:
    samples sparser than MAX_SAMPLE_SECONDS get a companion RATE_PAIR_SECONDS earlier, so
    that a recording rule's `[5m]` rate evaluated at a sample time sees two samples."""
    times: set[int] = set()
    for grid in sample_grids(end, ranges):
        grid_times = range(grid.start, grid.end + 1, grid.step)
        times.update(grid_times)
        if paired and grid.step > MAX_SAMPLE_SECONDS:
            times.update(t - RATE_PAIR_SECONDS for t in grid_times)
    return sorted(times)


def openmetrics(catalog: Catalog, end: float, ranges: Sequence[float],
                paired: Collection[str] = frozenset()) -> Iterator[str]:
    """The synthetic samples of every catalog metric and every job's `up` over `ranges`
    (seconds before `end`), as OpenMetrics; the metrics named in `paired` (those recording
    rules read) with paired samples (see sample_times)."""
    times = sample_times(end, ranges)
    times_paired = sample_times(end, ranges, paired=True)
    slos = SloShapes.of(catalog)
    for metric in catalog.metrics.values():
        names = {metric.name, *metric.series.samples}
        yield from _metric_lines(catalog, metric,
                                 times_paired if names & set(paired) else times, slos)
    if catalog.project.scrape_jobs and "up" not in catalog.metrics:
        yield "# TYPE up gauge"
        for job in catalog.project.scrape_jobs:
            for target in job.targets or (job.name,):
                text = _labels_text({"job": job.name, "instance": target, **job.labels})
                for t in times:
                    yield f"up{text} 1 {t}"
    yield "# EOF"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SyntheticPrometheus:
    """A Prometheus on 127.0.0.1 serving the catalog's synthetic data for `ranges`
    (seconds) before `end` (default: now), and the series of the recording rules that
    `queries` (the drawn dashboards' PromQL) read, evaluated by that Prometheus.

    Use as a context manager: entering backfills and starts it (PreviewDataError if that
    fails), the value is a PrometheusSource on it, leaving stops the server. A recording
    rule that cannot be evaluated is listed in the source's `errors`.
    """

    def __init__(self, catalog: Catalog, directory: Path, *,
                 ranges: Sequence[float] = (24 * 3600,), end: float | None = None,
                 queries: Iterable[str] = ()) -> None:
        self.catalog = catalog
        self.directory = directory
        self.end = float(int(end if end is not None else time.time()))
        self.ranges = tuple(ranges)
        self.queries = tuple(queries)
        self._process: subprocess.Popen[bytes] | None = None
        self._source: PrometheusSource | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("prometheus") is not None and shutil.which("promtool") is not None

    @property
    def _data(self) -> Path:
        return self.directory / "data"

    def _backfill(self, lines: Iterable[str], name: str) -> None:
        """`lines` (OpenMetrics) turned into blocks in the data directory by promtool."""
        samples = self.directory / f"{name}.om"
        with samples.open("w", encoding="utf-8") as out:
            for line in lines:
                out.write(line + "\n")
        promtool = shutil.which("promtool")
        if promtool is None:
            raise PreviewDataError("promtool is not on PATH")
        # Blocks as long as the longest range: a week is 2 blocks instead of 84 of 2 hours
        # (10x faster to write and to open). The flag is hidden; a promtool without it
        # writes 2-hour blocks.
        hours = max(2, math.ceil(max(self.ranges, default=0) / 3600))
        command = [promtool, "tsdb", "create-blocks-from", "openmetrics", str(samples),
                   str(self._data)]
        result = subprocess.run([*command[:4], f"--max-block-duration={hours}h",
                                 *command[4:]], capture_output=True, text=True,
                                timeout=BACKFILL_TIMEOUT_SECONDS, check=False)
        if result.returncode != 0 and "max-block-duration" in result.stderr:
            result = subprocess.run(command, capture_output=True, text=True,
                                    timeout=BACKFILL_TIMEOUT_SECONDS, check=False)
        if result.returncode != 0:
            raise PreviewDataError(f"promtool could not backfill the {name} data: "
                                   + " ".join(result.stderr.split())[-300:])
        samples.unlink()

    def __enter__(self) -> PrometheusSource:
        if shutil.which("prometheus") is None:
            raise PreviewDataError("prometheus is not on PATH")
        self.directory.mkdir(parents=True, exist_ok=True)
        levels = rules_read(self.queries, generated_recording_rules(self.catalog))
        read = names_read(rule for rules in levels for rule in rules)
        self._backfill(openmetrics(self.catalog, self.end, self.ranges, paired=read),
                       "synthetic")
        try:
            source = self._record_rules(self._start(), levels)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return source

    def _record_rules(self, source: PrometheusSource,
                      levels: Sequence[Sequence[RecordingRule]]) -> PrometheusSource:
        """Backfill the series of the recording rules in `levels`, level by level,
        restarting Prometheus after each level so that it serves the new blocks; the
        source on the last start, its `errors` naming the rules that could not be
        evaluated."""
        grids = sample_grids(self.end, self.ranges)
        errors: list[str] = []
        for number, rules in enumerate(levels):
            recorded = record_level(rules, source, grids)
            errors.extend(recorded.errors)
            if recorded.samples:
                self._backfill([*recorded.lines, "# EOF"], f"recorded-{number}")
                self._stop()
                source = self._start()
        source.errors.extend(errors)
        return source

    def _start(self) -> PrometheusSource:
        """Start Prometheus on the data directory and a free port; the source on it."""
        binary = shutil.which("prometheus")
        if binary is None:
            raise PreviewDataError("prometheus is not on PATH")
        config = self.directory / "prometheus.yml"
        config.write_text("global:\n  scrape_interval: 15s\n", encoding="utf-8")
        port = _free_port()
        log = (self.directory / "prometheus.log").open("ab")
        self._process = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={self._data}",
             f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=30d",
             f"--query.lookback-delta={lookback_seconds(self.end, self.ranges)}s"],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        url = f"http://127.0.0.1:{port}"
        self._wait_ready(url)
        self._source = PrometheusSource(url)
        return self._source

    def _wait_ready(self, url: str) -> None:
        import requests

        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                break
            try:
                if requests.get(f"{url}/-/ready", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.__exit__(None, None, None)
        raise PreviewDataError(f"prometheus did not become ready on {url} (see "
                               f"{self.directory / 'prometheus.log'})")

    def _stop(self) -> None:
        if self._source is not None:
            self._source.__exit__(None, None, None)
            self._source = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
            self._process = None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop()


def lookback_seconds(end: float, ranges: Sequence[float]) -> int:
    """Prometheus' lookback for instant selectors: twice the sparsest sample spacing, at
    least Prometheus' 5 minutes, so a gauge or a recorded series sampled every 16 minutes
    over a week still has a value at every step of a query."""
    steps = [grid.step for grid in sample_grids(end, ranges)]
    return max(300, 2 * max(steps, default=0))
