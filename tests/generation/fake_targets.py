"""Fake generation targets, registered for one test, to exercise the writer on its own.

`use_targets(monkeypatch, {"boards": render_boards})` replaces the whole target registry
with the given render functions (restored after the test), so tests control exactly what
each target renders, including failures.
"""

from __future__ import annotations

import sys
import textwrap
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from metricsctl.catalog.model import Catalog
from metricsctl.targets import TARGET_MODULES

# Returns object: tests also register targets that break the {path: text} contract.
Render = Callable[[Catalog], object]

SHOP_CATALOG = {
    "metricsctl.yaml": "project: shop\n",
    "shop.yaml": """
        domain: shop
        metrics:
          orders_total:
            type: counter
            help: Orders placed.
          stock_items:
            type: gauge
            help: Items in stock.
        dashboards:
          orders:
            title: Orders
            panels:
              - {title: Orders, metric: orders_total}
          stock:
            title: Stock
            panels:
              - {title: Stock, metric: stock_items}
        """,
}


def write_shop_catalog(directory: Path, **replace: str) -> Path:
    """Write SHOP_CATALOG (files overridden by `replace`, name -> YAML) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in {**SHOP_CATALOG, **replace}.items():
        (directory / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return directory


def render_boards(catalog: Catalog) -> dict[str, str]:
    """One file per dashboard: deleting a dashboard must delete its file."""
    return {f"boards/{board.uid}.txt": f"{board.title}\n" for board in catalog.dashboards.values()}


def render_index(catalog: Catalog) -> dict[str, str]:
    lines = [f"- {name} ({metric.type.value})" for name, metric in catalog.metrics.items()]
    return {"index.md": "# Metrics\n\n" + "\n".join(lines) + "\n"}


def render_failing(catalog: Catalog) -> dict[str, str]:
    raise RuntimeError(f"cannot render {len(catalog.metrics)} metrics")


def use_targets(monkeypatch: pytest.MonkeyPatch, renders: dict[str, Render]) -> None:
    """Make `renders` the only registered targets, in this order, for the current test."""
    for name in list(TARGET_MODULES):
        monkeypatch.delitem(TARGET_MODULES, name)
    for name, render in renders.items():
        module_name = f"tests.generation.fake_target_{name.replace('-', '_')}"
        module = types.ModuleType(module_name)
        module.NAME = name  # type: ignore[attr-defined]
        module.DESCRIPTION = f"fake target {name}"  # type: ignore[attr-defined]
        module.render = render  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module_name, module)
        monkeypatch.setitem(TARGET_MODULES, name, module_name)
