"""Layout on Grafana's 24-column grid: no overlaps, nothing past column 24, ids 1..n."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from metricsctl.targets.grafana_layout import (
    GRID_COLUMNS,
    GridPosition,
    Placed,
    PlacedSection,
    Section,
    Size,
    layout,
    panel_size,
)


def visible(placed: list[PlacedSection], sections: list[Section]) -> list[Placed]:
    """What Grafana lays out on the page: rows, and panels not hidden in a collapsed row."""
    result: list[Placed] = []
    for section, done in zip(sections, placed, strict=True):
        if done.row is not None:
            result.append(done.row)
        if not (section.row and section.collapsed):
            result.extend(done.panels)
    return result


def all_placed(placed: list[PlacedSection]) -> list[Placed]:
    return [item for done in placed
            for item in ([done.row] if done.row is not None else []) + list(done.panels)]


def assert_no_overlap(items: list[Placed]) -> None:
    for first, second in itertools.combinations(items, 2):
        assert not first.position.overlaps(second.position), (first, second)


sizes = st.builds(Size, w=st.integers(1, GRID_COLUMNS), h=st.integers(1, 12),
                  fixed=st.booleans())
sections = st.lists(
    st.builds(Section, sizes=st.lists(sizes, max_size=12).map(tuple), row=st.booleans(),
              collapsed=st.booleans()),
    max_size=6)


@given(sections)
def test_random_dashboards_never_overlap_and_stay_on_the_grid(dashboard: list[Section]) -> None:
    placed = layout(dashboard)

    assert_no_overlap(visible(placed, dashboard))
    for section, done in zip(dashboard, placed, strict=True):
        # A collapsed row's panels must not overlap each other once it is expanded.
        assert_no_overlap(list(done.panels))
        assert (done.row is not None) == section.row
    for item in all_placed(placed):
        assert item.position.x >= 0 and item.position.y >= 0
        assert item.position.w >= 1 and item.position.x + item.position.w <= GRID_COLUMNS


@given(sections)
def test_panel_ids_are_one_to_n_in_grafana_order(dashboard: list[Section]) -> None:
    ids = [item.id for item in all_placed(layout(dashboard))]

    assert ids == list(range(1, len(ids) + 1))


@given(sections)
def test_catalog_widths_are_kept_and_lines_share_the_tallest_height(
        dashboard: list[Section]) -> None:
    for section, done in zip(dashboard, layout(dashboard), strict=True):
        for size, item in zip(section.sizes, done.panels, strict=True):
            assert item.position.h >= size.h
            assert item.position.w == size.w if size.fixed else item.position.w >= size.w
        by_line: dict[int, set[int]] = {}
        for item in done.panels:
            by_line.setdefault(item.position.y, set()).add(item.position.h)
        assert all(len(heights) == 1 for heights in by_line.values()), by_line


@given(sections)
def test_panels_read_left_to_right_then_top_to_bottom(dashboard: list[Section]) -> None:
    for done in layout(dashboard):
        order = [(item.position.y, item.position.x) for item in done.panels]
        assert order == sorted(order)


def test_a_full_line_wraps_to_the_next() -> None:
    charts = Section((Size(12, 8), Size(12, 8), Size(12, 8)))

    [placed] = layout([charts])

    assert [p.position for p in placed.panels] == [
        GridPosition(0, 0, 12, 8), GridPosition(12, 0, 12, 8), GridPosition(0, 8, 24, 8)]


def test_free_columns_are_shared_by_panels_without_a_catalog_width() -> None:
    three_stats = Section((Size(6, 4), Size(6, 4), Size(6, 4)))
    stat_and_fixed_chart = Section((Size(6, 4), Size(12, 8, fixed=True)))

    [stats], [mixed] = layout([three_stats]), layout([stat_and_fixed_chart])

    assert [p.position.w for p in stats.panels] == [8, 8, 8]
    assert [p.position.w for p in mixed.panels] == [12, 12]


def test_rows_take_one_line_and_their_panels_start_below() -> None:
    top = Section((Size(24, 3),))
    expanded = Section((Size(12, 8), Size(12, 8)), row=True)
    collapsed = Section((Size(12, 8),), row=True, collapsed=True)
    last = Section((Size(24, 8),), row=True)

    placed = layout([top, expanded, collapsed, last])

    assert placed[0].row is None
    assert placed[1].row == Placed(2, GridPosition(0, 3, 24, 1))
    assert [p.position.y for p in placed[1].panels] == [4, 4]
    assert placed[2].row == Placed(5, GridPosition(0, 12, 24, 1))
    # Inside the collapsed row, where it will sit once expanded...
    assert placed[2].panels[0].position == GridPosition(0, 13, 24, 8)
    # ...while the next row follows the collapsed row's header directly.
    assert placed[3].row == Placed(7, GridPosition(0, 13, 24, 1))


def test_default_sizes_by_panel_type() -> None:
    assert panel_size("stat", None, None) == Size(6, 4)
    assert panel_size("gauge", None, None) == Size(6, 6)
    assert panel_size("timeseries", None, None) == Size(12, 8)
    assert panel_size("heatmap", None, None) == Size(12, 8)
    assert panel_size("table", None, None) == Size(12, 8)
    assert panel_size("table", None, None, query_count=2) == Size(24, 8)
    assert panel_size("text", None, None, text="one line") == Size(24, 3)
    assert panel_size("text", None, None, text="\n".join("abcdef")) == Size(24, 8)


def test_catalog_width_and_height_win_over_defaults() -> None:
    assert panel_size("stat", 24, 3) == Size(24, 3, fixed=True)
    assert panel_size("timeseries", None, 12) == Size(12, 12)
