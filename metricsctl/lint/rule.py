"""What a lint rule is (a stable id, a default severity, a summary and the why-and-fix) and
what a check reports (a Finding, before the project's configuration is applied)."""

from __future__ import annotations

from dataclasses import dataclass

from metricsctl.diagnostics import Location, Severity


@dataclass(frozen=True, slots=True)
class Rule:
    """A lint rule. `id` is `family/name` and never changes once released."""

    id: str
    severity: Severity
    summary: str  # one line: what is wrong
    explanation: str  # why it matters and how to fix it

    @property
    def family(self) -> str:
        return self.id.split("/", 1)[0]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by a check.

    `disabled` holds the `lint: {disable: [...]}` lists of the entries the finding belongs
    to (an alert; a panel and its dashboard; a metric and its label), so that the engine can
    drop it when one of them names the rule.
    """

    rule: Rule
    message: str
    location: Location
    hint: str | None = None
    disabled: frozenset[str] = frozenset()
    end_column: int | None = None
