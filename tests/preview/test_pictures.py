"""The pictures themselves: PNGs that decode, have the dashboard's size, and show different
pixels exactly in the panels whose data differ (synthetic data on a real Prometheus)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from metricsctl.catalog.model import Catalog
from metricsctl.targets import grafana
from tests.conftest import SHIPPED_SPECS, WriteCatalog, load_valid_catalog, run_metricsctl

matplotlib = pytest.importorskip("matplotlib", reason="the preview extra (matplotlib)")

from matplotlib import image  # noqa: E402

from metricsctl.preview.draw import image_size, panel_box  # noqa: E402
from metricsctl.preview.render import draw_dashboard  # noqa: E402
from metricsctl.preview.synthetic import SyntheticPrometheus  # noqa: E402

NOW = 1_767_225_600.0  # a fixed end of the time range: the same data in every drawing
PROJECT = """\
project: pictures
scrape:
  - {job: api, targets: ["api:9100"], labels: {service: api}}
"""
DOMAIN = """\
domain: shop
metrics:
  cart_items: {type: gauge, help: Items in carts.}
  orders_total: {type: counter, help: Orders.}
dashboards:
  shop:
    title: Shop
    time_from: now-6h
    panels:
      - {title: Carts now, type: stat, expr: cart_items, unit: short}
      - {title: Carts, expr: CARTS_EXPR}
      - {title: Orders, metric: orders_total, unit: short}
"""


def catalog_with(write_catalog: WriteCatalog, carts: str, directory: str) -> Catalog:
    root = write_catalog({"shop.yaml": DOMAIN.replace("CARTS_EXPR", carts)}, project=PROJECT,
                         directory=directory)
    return load_valid_catalog(root)


def pixels(path: Path) -> Any:
    return image.imread(str(path))


def region(picture: Any, box: tuple[int, int, int, int]) -> Any:
    left, top, right, bottom = box
    return picture[top:bottom, left:right]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not SyntheticPrometheus.available():
        pytest.fail("prometheus and promtool are needed (Debian: apt-get install prometheus)")
    catalog = load_valid_catalog(SHIPPED_SPECS)
    with SyntheticPrometheus(catalog, tmp_path_factory.mktemp("tsdb"), ranges=(6 * 3600,),
                             end=NOW) as source:
        yield source


pytestmark = pytest.mark.prometheus


def test_panels_differ_exactly_where_their_data_differ(write_catalog: WriteCatalog,
                                                        tmp_path: Path) -> None:
    base = catalog_with(write_catalog, "cart_items", "base")
    head = catalog_with(write_catalog, "cart_items * 3", "head")
    with SyntheticPrometheus(base, tmp_path / "tsdb", ranges=(6 * 3600,), end=NOW) as source:
        before = draw_dashboard(grafana.build_dashboards(base)["shop"], source,
                                tmp_path / "before.png", subtitle="", now=NOW)
        after = draw_dashboard(grafana.build_dashboards(head)["shop"], source,
                               tmp_path / "after.png", subtitle="", now=NOW)
    dashboard = grafana.build_dashboards(head)["shop"]
    old, new = pixels(before), pixels(after)
    width, height = image_size(dashboard)
    assert old.shape[:2] == new.shape[:2] == (height, width)
    boxes = {panel["title"]: panel_box(dashboard, panel) for panel in dashboard["panels"]}
    assert (region(old, boxes["Carts"]) != region(new, boxes["Carts"])).any()
    for title in ("Carts now", "Orders"):
        assert (region(old, boxes[title]) == region(new, boxes[title])).all(), title
    # The panels drew something: the plotted one is not one flat colour.
    assert len({tuple(p) for p in region(new, boxes["Carts"]).reshape(-1, 4)[::97]}) > 3


def test_shipped_dashboard_previews_at_its_size_with_data(synthetic: Any,
                                                          tmp_path: Path) -> None:
    catalog = load_valid_catalog(SHIPPED_SPECS)
    dashboard = grafana.build_dashboards(catalog)["http-api"]
    drawn = draw_dashboard(dashboard, synthetic, tmp_path / "http-api.png",
                           subtitle="synthetic", now=NOW, time_from="now-6h")
    wire = draw_dashboard(dashboard, None, tmp_path / "wire.png", subtitle="wireframe",
                          now=NOW)

    data, frame = pixels(drawn), pixels(wire)
    assert data.shape[:2] == frame.shape[:2] == image_size(dashboard)[::-1]
    assert not synthetic.errors
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    for panel in panels:  # every panel shows data where the wireframe shows a placeholder
        box = panel_box(dashboard, panel)
        assert (region(data, box) != region(frame, box)).any(), panel["title"]


def test_preview_command_writes_a_wireframe_without_prometheus(tmp_path: Path) -> None:
    # A PATH without prometheus/promtool: the picture is a wireframe, and says so.
    result = run_metricsctl("preview", SHIPPED_SPECS, "--dashboard", "venice-api", "--out",
                            tmp_path, env={"PATH": str(Path(os.__file__).parent)})

    assert result.returncode == 0, result.stderr
    picture = pixels(tmp_path / "venice-api.png")
    dashboard = grafana.build_dashboards(load_valid_catalog(SHIPPED_SPECS))["venice-api"]
    assert picture.shape[:2] == image_size(dashboard)[::-1]


def test_preview_command_refuses_an_unknown_dashboard(tmp_path: Path) -> None:
    result = run_metricsctl("preview", SHIPPED_SPECS, "--dashboard", "nope", "--out", tmp_path)

    assert result.returncode == 2
    assert "no dashboard with uid nope" in result.stderr
    assert not list(tmp_path.iterdir())


def test_preview_command_with_an_unreachable_prometheus_fails(tmp_path: Path) -> None:
    result = run_metricsctl("preview", SHIPPED_SPECS, "-d", "venice-api", "--out", tmp_path,
                            "--prometheus", "http://127.0.0.1:9")

    assert result.returncode == 1
    assert "127.0.0.1:9" in result.stderr
    assert (tmp_path / "venice-api.png").exists()  # panels say "No data"
