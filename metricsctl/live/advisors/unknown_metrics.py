"""Exposed, not in the catalog: with "did you mean" on near names and renames."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from metricsctl.diagnostics import Diagnostic, Severity
from metricsctl.diagnostics.sarif import RuleDescription
from metricsctl.live.advisors.context import LiveContext, exposed_finding
from metricsctl.live.matching import family_names

RULES = {"live/unknown-metric": RuleDescription(
    "A metric is exposed that the catalog does not describe",
    "Every exposed metric should be in the catalog, so dashboards, alerts and docs know it. "
    "Add it, rename it to the catalog's name, or silence exporters you do not own with "
    "--ignore or --job.", Severity.WARNING)}


def advise(context: LiveContext) -> Iterator[Diagnostic]:
    catalog = context.catalog
    renamed = {old: metric.name for metric in catalog.metrics.values()
               for old in metric.renamed_from}
    known = {name: metric.name for metric in catalog.metrics.values()
             for name in family_names(metric)}
    for observed in context.matches.unknown:
        message = f"{observed.display_name} ({observed.type}) is exposed but not in the catalog"
        new_name = renamed.get(observed.name) or renamed.get(observed.display_name)
        if new_name is not None:
            hint = f"the catalog renamed it to {new_name}: update the code that exposes it"
        else:
            near = difflib.get_close_matches(observed.display_name, list(known), n=1,
                                             cutoff=0.8)
            hint = (f"did you mean {known[near[0]]}?" if near else
                    "add it to the catalog, or --ignore it if you do not own it")
        yield exposed_finding("live/unknown-metric", Severity.WARNING, observed, message, hint)
