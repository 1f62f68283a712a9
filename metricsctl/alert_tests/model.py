"""What a synthesised test is made of: input series, and alert states at eval times."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from metricsctl.alert_tests.evaluator import STEP_SECONDS, Labels
from metricsctl.catalog.model import Alert


@dataclass(frozen=True, slots=True)
class InputSeries:
    labels: Labels  # `__name__` included
    values: tuple[float | None, ...]  # one per minute from 0


@dataclass(frozen=True, slots=True)
class ExpectedAlert:
    labels: Mapping[str, str]
    annotations: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class AlertCheck:
    """At `minute`, the alert fires exactly with `alerts` (empty: it does not fire)."""

    minute: int
    alerts: tuple[ExpectedAlert, ...]
    why: str


@dataclass(frozen=True, slots=True)
class AlertCase:
    name: str
    alert: str
    series: tuple[InputSeries, ...]
    checks: tuple[AlertCheck, ...]


@dataclass(frozen=True, slots=True)
class HandWrittenCase:
    """A test the catalog carries for an alert, as written."""

    alert: Alert
    case: Mapping[str, Any]
    # Annotations the generator adds to the rule (`__dashboardUid__`...): a hand-written
    # expectation need not repeat them.
    generated_annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Untested:
    """An alert no test was synthesised for, and why."""

    alert: Alert
    reason: str


@dataclass(frozen=True, slots=True)
class DomainTests:
    domain: str
    groups: tuple[str, ...] = ()  # the rule file's groups, evaluated in this order
    cases: tuple[AlertCase, ...] = ()
    hand_written: tuple[HandWrittenCase, ...] = ()
    untested: tuple[Untested, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.cases and not self.hand_written


def duration_text(minute: int) -> str:
    """`90m` style eval times, the form promtool reads."""
    seconds = minute * STEP_SECONDS
    return f"{seconds // 60}m"
