"""The result of comparing two catalogs: classified changes, who depends on them, series deltas."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from metricsctl.catalog.cardinality import SeriesEstimate
from metricsctl.diagnostics import Location

# Summaries, reasons and hints are plain text in which names, values and expressions are
# marked with code(): each renderer shows them its own way (backticks in text, code spans in
# Markdown), so a value holding a backtick or a `|` can never break the report's markup.
_CODE_START, _CODE_END = "\x01", "\x02"
_CODE = re.compile(f"{_CODE_START}([^{_CODE_END}]*){_CODE_END}")


def code(value: object) -> str:
    """Mark `value` as a name, value or expression inside a message."""
    text = str(value).replace(_CODE_START, "").replace(_CODE_END, "")
    return f"{_CODE_START}{text}{_CODE_END}"


def codes(values: Iterable[object]) -> str:
    """`a`, `b`, `c`: several marked values."""
    return ", ".join(code(value) for value in values)


def spans(message: str) -> Iterator[tuple[str, bool]]:
    """The message as (text, is_code) pieces, in order."""
    position = 0
    for match in _CODE.finditer(message):
        if match.start() > position:
            yield message[position:match.start()], False
        yield match.group(1), True
        position = match.end()
    if position < len(message):
        yield message[position:], False


def plain(message: str) -> str:
    """The message with code marked by backticks (terminal and JSON)."""
    return "".join(f"`{text}`" if is_code else text for text, is_code in spans(message))


# What a change's `before`/`after` hold: plain data that prints and serializes as written.
Value = str | int | float | bool | None | tuple["Value", ...] | Mapping[str, "Value"]


class Classification(StrEnum):
    """How a change affects the people who read these metrics; ordered worst first."""

    BREAKING = "breaking"
    RISKY = "risky"
    SAFE = "safe"

    @property
    def rank(self) -> int:
        return list(Classification).index(self)


class Subject(StrEnum):
    """What kind of catalog entry a change is about; the order reports list them in."""

    METRIC = "metric"
    LABEL = "label"
    RECORDING_RULE = "recording rule"
    ALERT = "alert"
    DASHBOARD = "dashboard"
    PANEL = "panel"
    QUERY = "query"
    SCRAPE_JOB = "scrape job"
    SLO = "slo"

    @property
    def rank(self) -> int:
        return list(Subject).index(self)


class Side(StrEnum):
    """Which catalog something was found in."""

    BASE = "base"
    HEAD = "head"


@dataclass(frozen=True, slots=True)
class Dependent:
    """A query that uses a changed thing: an alert, a recording rule or a dashboard panel.

    `side` is HEAD when the head catalog still has it (it will break or change), BASE when
    only the base had it (it was changed or removed in the same change).
    """

    kind: str  # "alert", "recording rule", "panel"
    name: str  # the alert or rule name, or "dashboard uid / panel title"
    location: Location
    side: Side

    def sort_key(self) -> tuple[bool, int, str, str, int]:
        """Head dependents first, then alerts, rules and panels, each by name."""
        order = ("alert", "recording rule", "panel")
        rank = order.index(self.kind) if self.kind in order else len(order)
        return (self.side is not Side.HEAD, rank, self.name, self.location.file,
                self.location.line)


@dataclass(frozen=True, slots=True)
class CardinalityDelta:
    """Estimated series of one metric in the base and the head (None: absent on that side)."""

    metric: str
    before: SeriesEstimate | None
    after: SeriesEstimate | None

    @property
    def before_series(self) -> int | None:
        """Series in the base: 0 when the metric is absent, None when unbounded."""
        return 0 if self.before is None else self.before.series

    @property
    def after_series(self) -> int | None:
        return 0 if self.after is None else self.after.series

    @property
    def delta(self) -> int | None:
        """The change in series, None when either side is unbounded."""
        before, after = self.before_series, self.after_series
        return None if before is None or after is None else after - before

    @property
    def newly_unbounded(self) -> bool:
        return self.after_series is None and self.before_series is not None

    @property
    def increased(self) -> bool:
        """More series than before, or no longer bounded at all."""
        return self.newly_unbounded or (self.delta is not None and self.delta > 0)

    @property
    def changed(self) -> bool:
        if self.delta is not None:
            return self.delta != 0
        before = self.before.unbounded if self.before else ()
        after = self.after.unbounded if self.after else ()
        return before != after or (self.before is None) != (self.after is None)


@dataclass(frozen=True)
class Change:
    """One semantic change between the base and the head catalog.

    `kind` is a stable id (`metric.removed`, `alert.threshold-changed`, ...); `summary` is the
    one line people read; `reason` says why it got its classification; `hint` what to do.
    `location` points at the head entry, or at the base entry when it was removed
    (`location_side` says which).
    """

    kind: str
    subject_kind: Subject
    subject: str
    classification: Classification
    summary: str
    reason: str = ""
    field: str | None = None
    before: Value = None
    after: Value = None
    hint: str | None = None
    location: Location | None = None
    location_side: Side = Side.HEAD
    dependents: tuple[Dependent, ...] = ()
    cardinality: tuple[CardinalityDelta, ...] = ()

    def sort_key(self) -> tuple[int, int, str, str, str, str]:
        return (self.classification.rank, self.subject_kind.rank, self.subject, self.kind,
                self.field or "", self.summary)


@dataclass(frozen=True, slots=True)
class CatalogSide:
    """How a report names one side: `origin/main merge-base (1a2b3c4d5e6f)`, `specs/`."""

    description: str
    specs: str


@dataclass(frozen=True)
class CardinalityTotals:
    """Series over all bounded metrics, and the metrics whose labels are unbounded."""

    before: int
    after: int
    unbounded_before: tuple[str, ...]
    unbounded_after: tuple[str, ...]

    @property
    def delta(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class DiffReport:
    """Every change, sorted (breaking first), with the series estimates of both sides."""

    base: CatalogSide
    head: CatalogSide
    changes: tuple[Change, ...]
    cardinality: tuple[CardinalityDelta, ...]  # metrics whose estimate changed, by name
    totals: CardinalityTotals
    notes: tuple[str, ...] = field(default=())

    def of(self, classification: Classification) -> list[Change]:
        return [c for c in self.changes if c.classification is classification]

    def counts(self) -> dict[Classification, int]:
        return {c: len(self.of(c)) for c in Classification}
