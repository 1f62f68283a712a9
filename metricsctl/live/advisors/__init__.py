"""Advisors: each judges the observation against the catalog for one family of findings.

A new check is one module here with `RULES` (its codes, for SARIF) and
`advise(context) -> Iterator[Diagnostic]`, listed in ADVISORS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType

from metricsctl.diagnostics import Diagnostic
from metricsctl.diagnostics.sarif import RuleDescription
from metricsctl.live.advisors import (
    cardinality,
    help_and_unit,
    histogram_buckets,
    label_sets,
    label_values,
    metric_types,
    missing_metrics,
    unknown_metrics,
)
from metricsctl.live.advisors.context import LiveContext

Advisor = Callable[[LiveContext], Iterator[Diagnostic]]
ADVISORS: tuple[ModuleType, ...] = (unknown_metrics, missing_metrics, metric_types,
                                    help_and_unit, label_sets, label_values, histogram_buckets,
                                    cardinality)


def advise(context: LiveContext) -> list[Diagnostic]:
    """Every advisor's findings."""
    advisors: list[Advisor] = [module.advise for module in ADVISORS]
    return [diagnostic for advisor in advisors for diagnostic in advisor(context)]


def rule_descriptions() -> dict[str, RuleDescription]:
    """Every live-check finding code and what SARIF says about it."""
    rules: dict[str, RuleDescription] = {}
    for module in ADVISORS:
        rules.update(module.RULES)
    return rules


__all__ = ["ADVISORS", "LiveContext", "advise", "rule_descriptions"]
