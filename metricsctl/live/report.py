"""The result of a live check: findings plus coverage, like Weaver's live-check stats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from metricsctl.diagnostics import Diagnostic
from metricsctl.live.matching import Matches


@dataclass(frozen=True, slots=True)
class Coverage:
    """Catalog metrics seen / all; exposed metrics known / all (ignored ones left out)."""

    catalog_seen: int
    catalog_total: int
    exposed_known: int
    exposed_total: int
    ignored: int

    @classmethod
    def of(cls, matches: Matches) -> Coverage:
        """Exposed metrics are counted as people count them: a catalog metric once, whatever
        families carry it (the text format's `x_created`, a histogram's bare samples)."""
        seen = [match for match in matches.by_metric.values()
                if match.seen or match.percentile_gauges]
        known = sum(int(match.seen) + len(match.percentile_gauges)
                    for match in matches.by_metric.values())
        return cls(len(seen), len(matches.by_metric), known, known + len(matches.unknown),
                   len(matches.ignored))

    def lines(self) -> list[str]:
        ignored = f" ({self.ignored} ignored)" if self.ignored else ""
        return [
            f"catalog metrics seen: {self.catalog_seen}/{self.catalog_total}"
            f" ({_percent(self.catalog_seen, self.catalog_total)})",
            f"exposed metrics in the catalog: {self.exposed_known}/{self.exposed_total}"
            f" ({_percent(self.exposed_known, self.exposed_total)}){ignored}",
        ]

    def to_dict(self) -> dict[str, Any]:
        return {"catalog_metrics_seen": self.catalog_seen,
                "catalog_metrics": self.catalog_total,
                "exposed_metrics_known": self.exposed_known,
                "exposed_metrics": self.exposed_total,
                "ignored_metrics": self.ignored}


def _percent(part: int, whole: int) -> str:
    return "n/a" if whole == 0 else f"{100 * part / whole:.0f}%"


@dataclass(frozen=True, slots=True)
class LiveReport:
    sources: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    coverage: Coverage
