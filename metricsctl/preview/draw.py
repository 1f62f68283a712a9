"""Draw one dashboard (its Grafana JSON and each panel's query results) to a PNG.

Grafana's dark theme and 24-column grid: a grid unit is GRID_COLUMN_PX wide and ROW_PX
high, so a panel sits where Grafana puts it. Time series draw their lines, legend and
threshold lines; stat, gauge and bar gauge show the latest value in its threshold colour;
heatmaps their buckets over time; tables their rows; text panels their markdown as text.
Without data (`wireframe`) every panel still shows its title, type and unit. All text is
literal (no mathtext: `$service` stays `$service`). Imports matplotlib: load it lazily.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle, Wedge
from matplotlib.ticker import FuncFormatter, MaxNLocator

from metricsctl.preview.source import Series
from metricsctl.preview.units import format_value

WIDTH_PX = 1600
GRID_COLUMNS = 24
ROW_PX = 36  # Grafana: 30 px per grid row plus the 6 px gap
HEADER_PX = 56
MARGIN_PX = 8
TITLE_PX = 24
DPI = 100

BACKGROUND = "#111217"
PANEL = "#181b1f"
BORDER = "#2c3235"
TEXT = "#ccccdc"
MUTED = "#8e8e8e"
GRID = "#2c3235"
# Grafana's named colours (the dark theme's shades) and its classic series palette.
NAMED_COLORS = {
    "green": "#73bf69", "red": "#f2495c", "orange": "#ff9830", "yellow": "#fade2a",
    "blue": "#5794f2", "purple": "#b877d9", "dark-green": "#37872d", "dark-red": "#c4162a",
    "dark-orange": "#fa6400", "dark-yellow": "#e0b400", "semi-dark-green": "#56a64b",
    "semi-dark-red": "#e02f44", "semi-dark-orange": "#ff780a", "semi-dark-yellow": "#f2cc0c",
    "light-green": "#96d98d", "light-red": "#ff7383", "light-orange": "#ffb357",
    "transparent": "#00000000", "text": TEXT,
}
PALETTE = ("#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1", "#ba43a6",
           "#705da0", "#508642", "#cca300")
MAX_LEGEND_ENTRIES = 6
_LEGEND_LABEL = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_MARKDOWN = re.compile(r"(\*\*|__|`|^#+\s*|^\s*[-*]\s+)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class QueryResult:
    """One target of a panel and what it returned."""

    target: Mapping[str, Any]
    series: Sequence[Series]


def color(name: str | None) -> str:
    """A Grafana colour name or #rrggbb as a colour matplotlib draws."""
    if not name:
        return NAMED_COLORS["green"]
    if name in NAMED_COLORS:
        return NAMED_COLORS[name]
    return name if matplotlib.colors.is_color_like(name) else NAMED_COLORS["green"]


def image_size(dashboard: Mapping[str, Any]) -> tuple[int, int]:
    """The PNG's width and height in pixels."""
    bottom = max((_bottom(panel) for panel in _visible(dashboard)), default=0)
    return WIDTH_PX, HEADER_PX + bottom * ROW_PX + MARGIN_PX


def panel_box(dashboard: Mapping[str, Any], panel: Mapping[str, Any]) -> tuple[int, int, int,
                                                                                int]:
    """Where a panel is drawn: (left, top, right, bottom) in pixels from the top left."""
    del dashboard  # the box depends on the panel's gridPos only; kept for the call shape
    grid = panel["gridPos"]
    column = (WIDTH_PX - MARGIN_PX) / GRID_COLUMNS
    left = MARGIN_PX + grid["x"] * column
    top = HEADER_PX + grid["y"] * ROW_PX
    return (round(left), round(top), round(left + grid["w"] * column - MARGIN_PX),
            round(top + grid["h"] * ROW_PX - MARGIN_PX))


def _bottom(panel: Mapping[str, Any]) -> int:
    grid = panel.get("gridPos", {})
    return int(grid.get("y", 0)) + int(grid.get("h", 0))


def _visible(dashboard: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Rows and the panels Grafana shows (a collapsed row keeps its panels hidden)."""
    return [panel for panel in dashboard.get("panels", []) if "gridPos" in panel]


def legend_name(target: Mapping[str, Any], series: Series) -> str:
    """The legend of a series: the target's legendFormat filled in, else its labels."""
    template = target.get("legendFormat")
    if template and template != "__auto":
        return _LEGEND_LABEL.sub(lambda m: series.labels.get(m[1], ""), template)
    labels = {k: v for k, v in series.labels.items() if k != "__name__"}
    name = series.labels.get("__name__", "")
    if not labels:
        return name or "Value"
    return name + "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def threshold_color(defaults: Mapping[str, Any], value: float | None) -> str:
    steps = defaults.get("thresholds", {}).get("steps") or [{"color": "green", "value": None}]
    chosen = steps[0].get("color")
    for step in steps[1:]:
        if value is not None and step.get("value") is not None and value >= step["value"]:
            chosen = step.get("color")
    return color(chosen)


class DashboardDrawing:
    """One dashboard's figure; `draw_panel` per panel, then `save`."""

    def __init__(self, dashboard: Mapping[str, Any], subtitle: str, *,
                 wireframe: bool) -> None:
        self.dashboard = dashboard
        self.wireframe = wireframe
        width, height = image_size(dashboard)
        self.size = (width, height)
        self.figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI,
                             facecolor=BACKGROUND)
        FigureCanvasAgg(self.figure)
        self._text(MARGIN_PX, 14, str(dashboard.get("title", "")), size=15, weight="bold")
        self._text(MARGIN_PX, 36, subtitle, size=9, color=MUTED)

    # -- geometry -------------------------------------------------------------------------

    def _fraction(self, left: float, top: float, right: float,
                  bottom: float) -> tuple[float, float, float, float]:
        width, height = self.size
        return (left / width, 1 - bottom / height, (right - left) / width,
                (bottom - top) / height)

    def _text(self, x: float, y: float, text: str, **style: Any) -> None:
        """Literal text with its top left at pixel (x, y)."""
        width, height = self.size
        style.setdefault("color", TEXT)
        style.setdefault("size", 10)
        self.figure.text(x / width, 1 - y / height, text, va="top", ha="left",
                         parse_math=False, **style)

    def _axes(self, box: tuple[float, float, float, float]) -> Axes:
        axes = self.figure.add_axes(self._fraction(*box))
        axes.set_facecolor(PANEL)
        for spine in axes.spines.values():
            spine.set_visible(False)
        axes.tick_params(colors=MUTED, labelsize=7, length=0)
        return axes

    # -- panels ---------------------------------------------------------------------------

    def draw_panel(self, panel: Mapping[str, Any], results: Sequence[QueryResult]) -> None:
        kind = panel.get("type")
        left, top, right, bottom = panel_box(self.dashboard, panel)
        if kind == "row":
            marker = "▸ " if panel.get("collapsed") else "▾ "
            self._text(left, top + 6, marker + str(panel.get("title", "")), size=12,
                       weight="bold")
            return
        frame = self._axes((left, top, right, bottom))
        frame.set_xticks([])
        frame.set_yticks([])
        frame.add_patch(FancyBboxPatch((0, 0), 1, 1, boxstyle="round,pad=0,rounding_size=0.01",
                                       transform=frame.transAxes, facecolor=PANEL,
                                       edgecolor=BORDER, linewidth=1))
        self._text(left + 8, top + 6, str(panel.get("title", "")), size=10, weight="bold")
        inner = (left + 8, top + TITLE_PX + 4, right - 8, bottom - 6)
        defaults = panel.get("fieldConfig", {}).get("defaults", {})
        if kind == "text":
            self._markdown(inner, str(panel.get("options", {}).get("content", "")))
            return
        if self.wireframe:
            self._placeholder(inner, panel, defaults)
            return
        series = [(result.target, s) for result in results for s in result.series]
        if not series:
            self._centered(inner, "No data", MUTED, 12)
            return
        if kind in ("stat",):
            self._stat(inner, series, defaults)
        elif kind == "gauge":
            self._gauge(inner, series, defaults)
        elif kind == "bargauge":
            self._bargauge(inner, series, defaults)
        elif kind == "heatmap":
            self._heatmap(inner, series, panel)
        elif kind == "table":
            self._table(inner, series, defaults)
        else:
            self._timeseries(inner, series, panel, defaults)

    def _centered(self, box: tuple[float, float, float, float], text: str, fill: str,
                  size: float, **style: Any) -> None:
        width, height = self.size
        left, top, right, bottom = box
        self.figure.text((left + right) / 2 / width, 1 - (top + bottom) / 2 / height, text,
                         ha="center", va="center", color=fill, size=size, parse_math=False,
                         **style)

    def _placeholder(self, box: tuple[float, float, float, float], panel: Mapping[str, Any],
                     defaults: Mapping[str, Any]) -> None:
        unit = defaults.get("unit") or panel.get("options", {}).get("yAxis", {}).get("unit")
        kind = str(panel.get("type"))
        label = kind + (f" · unit {unit}" if unit else "")
        axes = self._axes(box)
        axes.set_xticks([])
        axes.set_yticks([])
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1)
        if kind in ("timeseries", "heatmap"):
            axes.plot([0.02, 0.3, 0.55, 0.8, 0.98], [0.3, 0.55, 0.4, 0.7, 0.5], color=BORDER,
                      linewidth=2, linestyle="--")
        elif kind in ("gauge", "bargauge"):
            axes.add_patch(Rectangle((0.1, 0.4), 0.8, 0.15, facecolor=BORDER))
        exprs = [t.get("expr", "") for t in panel.get("targets", [])]
        self._centered(box, label, MUTED, 10)
        if exprs:
            first = exprs[0] if len(exprs[0]) <= 70 else exprs[0][:67] + "..."
            left, _top, _right, bottom = box
            self._text(left, bottom - 16, first, size=7, color=MUTED, family="monospace")

    def _markdown(self, box: tuple[float, float, float, float], content: str) -> None:
        left, top, right, _ = box
        plain = _MARKDOWN.sub("", content)
        columns = max(20, int((right - left) / 6.5))
        lines: list[str] = []
        for line in plain.splitlines():
            while len(line) > columns:
                cut = line.rfind(" ", 0, columns)
                cut = cut if cut > 0 else columns
                lines.append(line[:cut])
                line = line[cut:].lstrip()
            lines.append(line)
        self._text(left, top, "\n".join(lines[:30]), size=9)

    def _stat(self, box: tuple[float, float, float, float],
              series: Sequence[tuple[Mapping[str, Any], Series]],
              defaults: Mapping[str, Any]) -> None:
        _target, first = series[0]
        value = first.last
        fill = threshold_color(defaults, value)
        axes = self._axes(box)
        axes.set_xticks([])
        axes.set_yticks([])
        if len(first.points) > 1:
            xs = [point[0] for point in first.points]
            ys = [point[1] for point in first.points]
            axes.fill_between(xs, ys, min(ys), color=fill, alpha=0.18, linewidth=0)
            axes.plot(xs, ys, color=fill, linewidth=1, alpha=0.6)
            span = (max(ys) - min(ys)) or 1.0
            axes.set_ylim(min(ys), max(ys) + span * 2.2)
            axes.set_xlim(xs[0], xs[-1])
        left, top, right, bottom = box
        size = max(12.0, min(40.0, (bottom - top) / 3.2, (right - left) / 6.5))
        text = format_value(value, defaults.get("unit"), defaults.get("decimals"))
        self._centered((left, top, right, bottom - (bottom - top) * 0.15), text, fill, size,
                       weight="bold")

    def _gauge(self, box: tuple[float, float, float, float],
               series: Sequence[tuple[Mapping[str, Any], Series]],
               defaults: Mapping[str, Any]) -> None:
        value = series[0][1].last
        low = float(defaults.get("min", 0))
        high = float(defaults.get("max", 100))
        axes = self._axes(box)
        axes.set_aspect("equal")
        axes.set_xlim(-1.15, 1.15)
        axes.set_ylim(-0.35, 1.15)
        axes.set_xticks([])
        axes.set_yticks([])
        axes.add_patch(Wedge((0, 0), 1, 0, 180, width=0.22, facecolor=BORDER))
        steps = defaults.get("thresholds", {}).get("steps") or []
        for index, step in enumerate(steps):
            start = low if index == 0 or step.get("value") is None else float(step["value"])
            end = (float(steps[index + 1]["value"]) if index + 1 < len(steps) else high)
            axes.add_patch(Wedge((0, 0), 1.08, 180 - _angle(end, low, high),
                                 180 - _angle(start, low, high), width=0.05,
                                 facecolor=color(step.get("color"))))
        fill = threshold_color(defaults, value)
        if value is not None:
            axes.add_patch(Wedge((0, 0), 1, 180 - _angle(value, low, high), 180, width=0.22,
                                 facecolor=fill))
        text = format_value(value, defaults.get("unit"), defaults.get("decimals"))
        axes.text(0, 0.12, text, ha="center", va="center", color=fill, weight="bold",
                  size=16, parse_math=False)

    def _bargauge(self, box: tuple[float, float, float, float],
                  series: Sequence[tuple[Mapping[str, Any], Series]],
                  defaults: Mapping[str, Any]) -> None:
        shown = series[:8]
        values = [s.last or 0.0 for _, s in shown]
        high = float(defaults.get("max", max([*values, 0.0]) or 1.0))
        axes = self._axes(box)
        axes.set_xlim(0, 1)
        axes.set_ylim(len(shown), 0)
        axes.set_xticks([])
        axes.set_yticks([])
        for index, ((target, item), value) in enumerate(zip(shown, values, strict=True)):
            fill = threshold_color(defaults, value)
            axes.add_patch(Rectangle((0.25, index + 0.2), 0.6, 0.6, facecolor=BORDER))
            axes.add_patch(Rectangle((0.25, index + 0.2), 0.6 * min(1.0, value / high), 0.6,
                                     facecolor=fill))
            axes.text(0.23, index + 0.5, legend_name(target, item), ha="right", va="center",
                      color=TEXT, size=8, parse_math=False)
            axes.text(0.87, index + 0.5, format_value(value, defaults.get("unit"),
                                                      defaults.get("decimals")),
                      ha="left", va="center", color=fill, size=9, weight="bold",
                      parse_math=False)

    def _timeseries(self, box: tuple[float, float, float, float],
                    series: Sequence[tuple[Mapping[str, Any], Series]],
                    panel: Mapping[str, Any], defaults: Mapping[str, Any]) -> None:
        left, top, right, bottom = box
        legend_rows = min(len(series), MAX_LEGEND_ENTRIES)
        legend_px = min((bottom - top) * 0.4, 14 * legend_rows + 6)
        axes = self._axes((left + 46, top, right, bottom - legend_px - 14))
        unit, decimals = defaults.get("unit"), defaults.get("decimals")
        custom = defaults.get("custom", {})
        stacked = custom.get("stacking", {}).get("mode", "none") != "none"
        baseline = None
        for index, (target, item) in enumerate(series):
            if not item.points:
                continue
            xs = [point[0] for point in item.points]
            ys = [point[1] for point in item.points]
            fill = PALETTE[index % len(PALETTE)]
            if stacked:
                below = baseline if baseline is not None and len(baseline) == len(ys) \
                    else [0.0] * len(ys)
                ys = [a + b for a, b in zip(below, ys, strict=True)]
                axes.fill_between(xs, below, ys, color=fill, alpha=0.25, linewidth=0)
                baseline = ys
            axes.plot(xs, ys, color=fill, linewidth=1.2,
                      label=legend_name(target, item) if index < MAX_LEGEND_ENTRIES else None)
        if custom.get("thresholdsStyle", {}).get("mode", "off") != "off":
            for step in (defaults.get("thresholds", {}).get("steps") or [])[1:]:
                if step.get("value") is not None:
                    axes.axhline(step["value"], color=color(step.get("color")), linewidth=1,
                                 linestyle="--")
        axes.grid(color=GRID, linewidth=0.6)
        axes.yaxis.set_major_locator(MaxNLocator(4))
        axes.yaxis.set_major_formatter(FuncFormatter(
            lambda value, _: format_value(value, unit, decimals)))
        axes.xaxis.set_major_locator(MaxNLocator(6))
        axes.xaxis.set_major_formatter(FuncFormatter(
            lambda value, _: datetime.fromtimestamp(value, UTC).strftime("%H:%M")))
        for label in (*axes.get_xticklabels(), *axes.get_yticklabels()):
            label.set_parse_math(False)
        names = [legend_name(t, s) for t, s in series[:MAX_LEGEND_ENTRIES]]
        more = len(series) - MAX_LEGEND_ENTRIES
        for index, name in enumerate(names):
            y = bottom - legend_px + index * 14
            self.figure.patches.append(Rectangle(
                ((left + 4) / self.size[0], 1 - (y + 8) / self.size[1]), 10 / self.size[0],
                3 / self.size[1], transform=self.figure.transFigure,
                facecolor=PALETTE[index % len(PALETTE)]))
            last = series[index][1].last
            self._text(left + 18, y, f"{name}   last {format_value(last, unit, decimals)}",
                       size=7.5)
        if more > 0:
            self._text(right - 90, bottom - 14, f"+{more} more series", size=7.5, color=MUTED)

    def _heatmap(self, box: tuple[float, float, float, float],
                 series: Sequence[tuple[Mapping[str, Any], Series]],
                 panel: Mapping[str, Any]) -> None:
        def bound(item: Series) -> float:
            text = item.labels.get("le", "+Inf")
            try:
                return float(text)
            except ValueError:
                return float("inf")

        rows = sorted((s for _, s in series if s.points), key=bound)
        if not rows:
            self._centered(box, "No data", MUTED, 12)
            return
        width = min(len(s.points) for s in rows)
        matrix = [[point[1] for point in s.points[:width]] for s in rows]
        if panel.get("options", {}).get("rowsFrame", {}).get("layout") == "le":
            # Prometheus buckets are cumulative; each row shows its own bucket.
            matrix = [matrix[0]] + [[max(0.0, a - b) for a, b in zip(upper, lower, strict=True)]
                                    for lower, upper in itertools.pairwise(matrix)]
        left, top, right, bottom = box
        axes = self._axes((left + 46, top, right, bottom - 16))
        axes.imshow(matrix, aspect="auto", origin="lower", cmap="Oranges",
                    interpolation="nearest")
        labels = [s.labels.get("le", "") for s in rows]
        step = max(1, len(labels) // 6)
        axes.set_yticks(range(0, len(labels), step))
        axes.set_yticklabels(labels[::step])
        axes.set_xticks([])

    def _table(self, box: tuple[float, float, float, float],
               series: Sequence[tuple[Mapping[str, Any], Series]],
               defaults: Mapping[str, Any]) -> None:
        keys = sorted({k for _, s in series for k in s.labels if k != "__name__"})[:4]
        columns = [*keys, "Value"]
        rows = sorted(((s.labels, s.last) for _, s in series),
                      key=lambda row: -(row[1] or 0.0))
        left, top, right, bottom = box
        column_px = (right - left) / len(columns)
        for index, name in enumerate(columns):
            self._text(left + index * column_px, top, name, size=8.5, weight="bold",
                       color=NAMED_COLORS["blue"])
        fit = max(0, int((bottom - top - 18) / 16))
        for line, (labels, value) in enumerate(rows[:fit]):
            y = top + 18 + line * 16
            for index, key in enumerate(keys):
                self._text(left + index * column_px, y, str(labels.get(key, ""))[:28], size=8)
            self._text(left + len(keys) * column_px, y,
                       format_value(value, defaults.get("unit"), defaults.get("decimals")),
                       size=8)

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.figure.savefig(path, format="png", facecolor=BACKGROUND,
                            metadata={"Software": None})
        return path


def _angle(value: float, low: float, high: float) -> float:
    span = (high - low) or 1.0
    return 180 * min(1.0, max(0.0, (value - low) / span))
