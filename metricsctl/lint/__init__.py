"""Lint: Prometheus best practices and catalog-aware PromQL checks, offline.

`lint_catalog(catalog)` runs every rule of every family (promql, naming, alert/rule,
cardinality) and applies the project's `lint.rules` and the entries' `lint: {disable}`.
"""

from metricsctl.lint.engine import lint_catalog
from metricsctl.lint.registry import all_rules
from metricsctl.lint.rule import Finding, Rule

__all__ = ["Finding", "Rule", "all_rules", "lint_catalog"]
