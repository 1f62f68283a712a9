"""Where a preview's data comes from: range and instant queries on a Prometheus.

Grafana variables in the panels' queries are set as Grafana would with every variable at
All (`.*`), and its interval variables from the time range and step.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from metricsctl.exposition.http import FetchError, HttpGetter, HttpSettings
from metricsctl.live.prometheus_api import PrometheusApi

# Points per range query: enough for a smooth line on a panel a few hundred pixels wide.
POINTS = 240
MIN_STEP_SECONDS = 15
SCRAPE_SECONDS = 15
_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)(?::\w+)?\]\]")


@dataclass(frozen=True, slots=True)
class Series:
    """One series of a query result: its labels and its (unix time, value) points."""

    labels: Mapping[str, str]
    points: tuple[tuple[float, float], ...]

    @property
    def last(self) -> float | None:
        return self.points[-1][1] if self.points else None


@dataclass(frozen=True, slots=True)
class TimeRange:
    start: float
    end: float

    @property
    def step(self) -> int:
        """Seconds between points: a multiple of 15 s giving about POINTS points."""
        raw = (self.end - self.start) / POINTS
        return max(MIN_STEP_SECONDS, math.ceil(raw / MIN_STEP_SECONDS) * MIN_STEP_SECONDS)


class DataSource(Protocol):
    def range_query(self, expr: str, window: TimeRange) -> list[Series]: ...

    def instant_query(self, expr: str, at: float) -> list[Series]: ...


def with_variables(expr: str, window: TimeRange) -> str:
    """`expr` as Grafana sends it with every dashboard variable at All."""
    step = window.step
    span = int(window.end - window.start)
    builtin = {
        "__rate_interval": f"{max(step + SCRAPE_SECONDS, 4 * SCRAPE_SECONDS)}s",
        "__interval": f"{step}s", "__interval_ms": str(step * 1000),
        "__range": f"{span}s", "__range_s": str(span), "__range_ms": str(span * 1000),
    }

    def value(match: re.Match[str]) -> str:
        name = match[1] or match[2] or match[3]
        return builtin.get(name, ".*")

    return _VARIABLE.sub(value, expr)


class _Queries(PrometheusApi):
    def matrix(self, expr: str, start: float, end: float, step: int) -> list[Series]:
        data = self._data("/api/v1/query_range", {
            "query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": str(step)},
            post=True)
        return _series(data, "values")

    def vector(self, expr: str, at: float) -> list[Series]:
        data = self._data("/api/v1/query", {"query": expr, "time": f"{at:.3f}"}, post=True)
        return _series(data, "value")


def _series(data: Any, key: str) -> list[Series]:
    result = data.get("result", []) if isinstance(data, dict) else []
    found = []
    for item in result if isinstance(result, list) else []:
        if not isinstance(item, dict):
            continue
        raw = item.get(key)
        pairs = [raw] if key == "value" else raw
        points = []
        for pair in pairs if isinstance(pairs, list) else []:
            try:
                points.append((float(pair[0]), float(pair[1])))
            except (TypeError, ValueError, IndexError):
                continue
        labels = item.get("metric")
        found.append(Series(dict(labels) if isinstance(labels, dict) else {}, tuple(points)))
    return found


class PrometheusSource:
    """Queries on a Prometheus server; a failing query gives no data (the panel says so)."""

    def __init__(self, url: str, settings: HttpSettings | None = None) -> None:
        self.url = url
        self._getter = HttpGetter(settings or HttpSettings(timeout=30.0))
        self._api = _Queries(url, self._getter)
        self.errors: list[str] = []

    def __enter__(self) -> PrometheusSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self._getter.__exit__(*exc)

    def range_query(self, expr: str, window: TimeRange) -> list[Series]:
        try:
            return self._api.matrix(with_variables(expr, window), window.start, window.end,
                                    window.step)
        except FetchError as error:
            self.errors.append(error.message)
            return []

    def evaluate(self, expr: str, start: float, end: float, step: int) -> list[Series]:
        """`expr` (no Grafana variables) at `start`, `start + step` ... `end`; FetchError
        when Prometheus cannot evaluate it."""
        return self._api.matrix(expr, start, end, step)

    def instant_query(self, expr: str, at: float) -> list[Series]:
        window = TimeRange(at - 3600, at)
        try:
            return self._api.vector(with_variables(expr, window), at)
        except FetchError as error:
            self.errors.append(error.message)
            return []
