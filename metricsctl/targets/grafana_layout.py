"""Automatic layout of dashboard panels on Grafana's 24-column grid.

Pure geometry, no grafanalib: a dashboard is a list of sections (the panels above the first
row, then one section per row); each section's panels are placed left to right and wrap to
a new line when the next one does not fit, so panels never overlap and never pass column 24.
Panels without a width from the catalog then widen to share a line's free columns, so three
stats fill a line as well as four do, and every panel of a line takes the line's height, so
a line has no holes (a 6-high gauge beside 4-high stats makes them 6 high).
A panel with an explicit `grid` (e.g. from an imported dashboard) keeps exactly that place;
automatically placed panels of its section go below it.
Panel ids are 1..n in the order Grafana lists panels (a row, then the panels under it).

Grafana's model for rows: a row is a panel of type `row`, one grid unit high and 24 wide.
An expanded row's panels follow it in the dashboard's top-level `panels` list; a collapsed
row carries its panels inside its own `panels` and occupies only its header line, its
panels keeping the positions they take once the row is expanded (just below the header).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

GRID_COLUMNS = 24
ROW_HEIGHT = 1

# Widths and heights by panel type when the catalog gives none: small single-value panels
# sit four to a line, charts two to a line, text across the page.
DEFAULT_SIZES: dict[str, tuple[int, int]] = {
    "stat": (6, 4),
    "gauge": (6, 6),
    "bargauge": (12, 8),
    "timeseries": (12, 8),
    "heatmap": (12, 8),
    "table": (12, 8),
    "text": (24, 3),
}
FALLBACK_SIZE = (12, 8)
WIDE_TABLE_QUERIES = 2  # a table merging this many queries or more gets the full width
MAX_TEXT_HEIGHT = 12


@dataclass(frozen=True, slots=True)
class Size:
    """A panel's width (grid columns, 1..24) and height (grid rows).

    `fixed` when the catalog set the width; other panels widen to fill their line.
    """

    w: int
    h: int
    fixed: bool = False
    grid: GridPosition | None = None  # an explicit place: the layout keeps it


@dataclass(frozen=True, slots=True)
class GridPosition:
    """Where a panel sits: Grafana's gridPos."""

    x: int
    y: int
    w: int
    h: int

    def overlaps(self, other: GridPosition) -> bool:
        return (self.x < other.x + other.w and other.x < self.x + self.w
                and self.y < other.y + other.h and other.y < self.y + self.h)


@dataclass(frozen=True, slots=True)
class Placed:
    """A panel's id and position."""

    id: int
    position: GridPosition


@dataclass(frozen=True, slots=True)
class Section:
    """Panels laid out together: under a row (`row=True`) or above the first row."""

    sizes: tuple[Size, ...]
    row: bool = False
    collapsed: bool = False


@dataclass(frozen=True, slots=True)
class PlacedSection:
    row: Placed | None
    panels: tuple[Placed, ...]


def default_size(panel_type: str, *, query_count: int = 1, text: str | None = None) -> Size:
    """The size a panel of `panel_type` gets when the catalog sets none."""
    width, height = DEFAULT_SIZES.get(panel_type, FALLBACK_SIZE)
    if panel_type == "table" and query_count >= WIDE_TABLE_QUERIES:
        width = GRID_COLUMNS
    if panel_type == "text" and text is not None:
        # Room for the title and every line of the markdown, within reason.
        height = max(height, min(MAX_TEXT_HEIGHT, 2 + text.count("\n") + 1))
    return Size(width, height)


def panel_size(panel_type: str, width: int | None, height: int | None, *,
               query_count: int = 1, text: str | None = None,
               grid: GridPosition | None = None) -> Size:
    """The catalog's width/height where given, the type's default otherwise (clamped);
    an explicit `grid` wins over both."""
    if grid is not None:
        return Size(grid.w, grid.h, fixed=True, grid=grid)
    default = default_size(panel_type, query_count=query_count, text=text)
    w = default.w if width is None else width
    h = default.h if height is None else height
    return Size(min(max(w, 1), GRID_COLUMNS), max(h, 1), fixed=width is not None)


def _lines(sizes: Sequence[Size]) -> list[list[Size]]:
    """Split panels into lines of at most 24 columns, in order."""
    lines: list[list[Size]] = []
    used = GRID_COLUMNS
    for size in sizes:
        if used + size.w > GRID_COLUMNS:
            lines.append([])
            used = 0
        lines[-1].append(size)
        used += size.w
    return lines


def _fill_line(line: list[Size]) -> list[int]:
    """Widths for a line: its free columns shared among panels without a catalog width."""
    widths = [size.w for size in line]
    flexible = [index for index, size in enumerate(line) if not size.fixed]
    free = GRID_COLUMNS - sum(widths)
    if free <= 0 or not flexible:
        return widths
    share, remainder = divmod(free, len(flexible))
    for rank, index in enumerate(flexible):
        widths[index] += share + (1 if rank < remainder else 0)
    return widths


def _place_panels(sizes: Sequence[Size], top: int, first_id: int) -> tuple[list[Placed], int]:
    """Shelf packing from `top`, below any explicitly placed panel of the section: returns
    the placements (in the order of `sizes`) and the first free line below them."""
    explicit = [size.grid for size in sizes if size.grid is not None]
    bottom = max([top, *(grid.y + grid.h for grid in explicit)])
    automatic: list[GridPosition] = []
    y = bottom if explicit else top
    for line in _lines([size for size in sizes if size.grid is None]):
        x = 0
        height = max(size.h for size in line)
        for width in _fill_line(line):
            automatic.append(GridPosition(x, y, width, height))
            x += width
        y += height
    positions = iter(automatic)
    placed = [Placed(first_id + index, size.grid or next(positions))
              for index, size in enumerate(sizes)]
    return placed, max(y, bottom)


def layout(sections: Sequence[Section]) -> list[PlacedSection]:
    """Place every row and panel; ids are 1..n in Grafana's panel order."""
    result: list[PlacedSection] = []
    y, next_id = 0, 1
    for section in sections:
        row: Placed | None = None
        if section.row:
            row = Placed(next_id, GridPosition(0, y, GRID_COLUMNS, ROW_HEIGHT))
            next_id += 1
            y += ROW_HEIGHT
        panels, bottom = _place_panels(section.sizes, y, next_id)
        next_id += len(panels)
        # A collapsed row shows only its header; what follows starts right below it.
        if not (section.row and section.collapsed):
            y = bottom
        result.append(PlacedSection(row, tuple(panels)))
    return result
