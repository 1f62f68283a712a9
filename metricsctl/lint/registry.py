"""The registry of lint rules: every family module and the rules it defines, by id."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from types import ModuleType

from metricsctl.diagnostics import Severity
from metricsctl.lint import (
    alert_dimensions,
    alerts,
    cardinality,
    inferred_types,
    latency_alerts,
    naming,
    promql_rules,
)
from metricsctl.lint.context import LintContext
from metricsctl.lint.rule import Finding, Rule

# Each family module defines RULES and `check(context) -> Iterator[Finding]`.
FAMILIES: tuple[ModuleType, ...] = (promql_rules, naming, alerts, alert_dimensions, latency_alerts,
                                    cardinality, inferred_types)

UNKNOWN_RULE = Rule(
    "lint/unknown-rule", Severity.ERROR, "an unknown lint rule id in the configuration",
    "A rule id in `lint.rules` or in an entry's `lint: {disable: [...]}` that no rule has "
    "does nothing, so the finding it was meant to silence or tune is still reported (or the "
    "typo hides that it never was). Use one of the ids `metricsctl lint --list-rules` prints.")


def all_rules() -> dict[str, Rule]:
    """Every rule, by id, sorted."""
    rules = [UNKNOWN_RULE, *(rule for family in FAMILIES for rule in family.RULES)]
    return {rule.id: rule for rule in sorted(rules, key=lambda rule: rule.id)}


def run_checks(context: LintContext) -> Iterator[Finding]:
    for family in FAMILIES:
        yield from family.check(context)


def suggest_rule(rule_id: str) -> str | None:
    close = difflib.get_close_matches(rule_id, list(all_rules()), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None
