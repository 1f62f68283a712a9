"""`metricsctl diff --previews DIR`: the changed dashboards drawn before and after.

A dashboard changed when its generated JSON differs between the two catalogs (added and
removed ones too). Each side is drawn with its own catalog's synthetic data and recorded
series (or as a wireframe without Prometheus) for the same time range ending at the same
instant, so a panel that did not change looks the same in both pictures. The markdown
report gets a table that references the images.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metricsctl.catalog.model import Catalog


@dataclass(frozen=True, slots=True)
class PreviewPair:
    uid: str
    title: str
    before: Path | None  # None: the dashboard is new
    after: Path | None  # None: the dashboard was removed


def changed_dashboards(base: Catalog, head: Catalog) -> list[tuple[str, dict[str, Any] | None,
                                                                  dict[str, Any] | None]]:
    """(uid, base JSON, head JSON) of every dashboard whose generated JSON differs."""
    from metricsctl.targets.grafana import build_dashboards

    old, new = build_dashboards(base), build_dashboards(head)
    return [(uid, old.get(uid), new.get(uid)) for uid in sorted({*old, *new})
            if old.get(uid) != new.get(uid)]


def _draw_side(catalog: Catalog, boards: dict[str, dict[str, Any]], directory: Path,
               suffix: str, now: float) -> dict[str, Path]:
    from metricsctl.preview.render import dashboard_queries, draw_dashboard, range_seconds
    from metricsctl.preview.synthetic import SyntheticPrometheus

    if not boards:
        return {}

    def draw_all(source: Any, subtitle: str) -> dict[str, Path]:
        return {uid: draw_dashboard(board, source, directory / f"{uid}.{suffix}.png",
                                    subtitle=subtitle, now=now)
                for uid, board in boards.items()}

    if not SyntheticPrometheus.available():
        return draw_all(None, f"{suffix}: wireframe (no prometheus/promtool on PATH)")
    ranges = sorted({range_seconds(board.get("time", {}).get("from"))
                     for board in boards.values()}, reverse=True)
    with tempfile.TemporaryDirectory(prefix="metricsctl-preview-") as work, \
            SyntheticPrometheus(catalog, Path(work), ranges=ranges, end=now,
                                queries=dashboard_queries(boards.values())) as source:
        return draw_all(source, f"{suffix}: synthetic data from the catalog and its rules")


def draw_previews(base: Catalog, head: Catalog, directory: Path) -> list[PreviewPair]:
    """Draw every changed dashboard into `directory` as <uid>.before.png / <uid>.after.png."""
    changed = changed_dashboards(base, head)
    now = float(int(time.time()))
    before = _draw_side(base, {uid: old for uid, old, _ in changed if old is not None},
                        directory, "before", now)
    after = _draw_side(head, {uid: new for uid, _, new in changed if new is not None},
                       directory, "after", now)
    return [PreviewPair(uid, str((new or old or {}).get("title", uid)), before.get(uid),
                        after.get(uid))
            for uid, old, new in changed]


def previews_markdown(pairs: list[PreviewPair]) -> str:
    """A Markdown section with the before/after images of each changed dashboard."""
    if not pairs:
        return "\n### Dashboard previews\n\nNo dashboard changed.\n"
    lines = ["", "### Dashboard previews", "", "| Dashboard | Before | After |",
             "|---|---|---|"]

    def cell(path: Path | None, alt: str) -> str:
        return f"![{alt}]({path.as_posix()})" if path is not None else "(none)"

    for pair in pairs:
        title = pair.title.replace("|", "\\|")
        lines.append(f"| {title} (`{pair.uid}`) | {cell(pair.before, 'before')} | "
                     f"{cell(pair.after, 'after')} |")
    return "\n".join(lines) + "\n"
