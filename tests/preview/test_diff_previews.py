"""`metricsctl diff --previews DIR`: changed dashboards drawn before and after, referenced
from the markdown report; panels that did not change look the same in both pictures."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricsctl.targets import grafana
from tests.conftest import WriteCatalog, load_valid_catalog, run_metricsctl
from tests.preview.test_pictures import DOMAIN, PROJECT, pixels, region

pytest.importorskip("matplotlib", reason="the preview extra (matplotlib)")

from metricsctl.preview.draw import panel_box

pytestmark = pytest.mark.prometheus


def test_changed_dashboards_are_drawn_before_and_after(write_catalog: WriteCatalog,
                                                       tmp_path: Path) -> None:
    old = write_catalog({"shop.yaml": DOMAIN.replace("CARTS_EXPR", "cart_items")},
                        project=PROJECT, directory="old")
    new = write_catalog({"shop.yaml": DOMAIN.replace("CARTS_EXPR", "cart_items * 3")},
                        project=PROJECT, directory="new")
    images = tmp_path / "previews"

    result = run_metricsctl("diff", old, new, "--format", "markdown", "--previews", images)

    assert result.returncode == 0, result.stderr
    before, after = images / "shop.before.png", images / "shop.after.png"
    assert f"![before]({before.as_posix()})" in result.stdout
    assert f"![after]({after.as_posix()})" in result.stdout
    dashboard = grafana.build_dashboards(load_valid_catalog(new))["shop"]
    boxes = {panel["title"]: panel_box(dashboard, panel) for panel in dashboard["panels"]}
    was, now = pixels(before), pixels(after)
    assert (region(was, boxes["Carts"]) != region(now, boxes["Carts"])).any()
    assert (region(was, boxes["Orders"]) == region(now, boxes["Orders"])).all()


def test_no_changed_dashboard_means_no_pictures(write_catalog: WriteCatalog,
                                                tmp_path: Path) -> None:
    same = DOMAIN.replace("CARTS_EXPR", "cart_items")
    old = write_catalog({"shop.yaml": same}, project=PROJECT, directory="old")
    new = write_catalog({"shop.yaml": same}, project=PROJECT, directory="new")

    result = run_metricsctl("diff", old, new, "--format", "markdown", "--previews",
                            tmp_path / "previews")

    assert result.returncode == 0, result.stderr
    assert "No dashboard changed." in result.stdout
    assert not (tmp_path / "previews").exists()
