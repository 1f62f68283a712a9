"""Rendering in forked processes gives the same output, and failures the same messages."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

import pytest

from metricsctl.catalog import Catalog, load_catalog
from metricsctl.generation import GenerationError, Rendering, render_targets, worth_forking
from metricsctl.generation.render import run_target
from metricsctl.generation.workers import PARALLEL_THRESHOLD, ForkedRendering
from metricsctl.targets import TARGET_MODULES, render_groups
from tests.conftest import SMALL_CATALOG
from tests.generation.fake_targets import (
    render_boards,
    render_failing,
    render_index,
    use_targets,
    write_shop_catalog,
)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forking is used on Linux only")


def load(path: Path) -> Catalog:
    result = load_catalog(path)
    assert result.ok and result.catalog is not None
    return result.catalog


@pytest.fixture
def shop(tmp_path: Path) -> Catalog:
    return load(write_shop_catalog(tmp_path / "specs"))


def test_the_real_targets_render_identically_in_processes_and_in_process() -> None:
    catalog = load(SMALL_CATALOG)
    targets = list(TARGET_MODULES)

    forked = render_targets(catalog, targets, parallel=True)
    here = render_targets(catalog, targets)

    assert forked == here
    assert multiprocessing.active_children() == []


def test_a_single_target_renders_in_its_own_process_identically() -> None:
    catalog = load(SMALL_CATALOG)

    with Rendering(catalog, ["grafana"], parallel=True) as rendering:
        assert multiprocessing.active_children() != []  # rendering while the caller lints
        forked = rendering.result()

    assert forked == render_targets(catalog, ["grafana"])
    assert multiprocessing.active_children() == []


def test_targets_sharing_work_render_in_one_process() -> None:
    assert render_groups(list(TARGET_MODULES)) == [
        ["grafana"], ["prometheus-rules", "alert-tests"], ["scrape"], ["python", "typescript"],
        ["docs"]]
    assert render_groups(["alert-tests", "docs", "prometheus-rules"]) == [
        ["prometheus-rules", "alert-tests"], ["docs"]]
    assert render_groups(["typescript"]) == [["typescript"]]


def test_a_group_returns_its_targets_outcomes_in_the_callers_order(
        monkeypatch: pytest.MonkeyPatch, shop: Catalog) -> None:
    use_targets(monkeypatch, {"boards": render_boards, "index": render_index,
                              "failing": render_failing})
    names = ["index", "failing", "boards"]

    forked = ForkedRendering(lambda name: run_target(name, shop), names,
                             [["boards", "index"], ["failing"]])
    try:
        outcomes = forked.outcomes()
    finally:
        forked.close()

    assert outcomes == [run_target(name, shop) for name in names]


def test_a_crash_in_a_group_reports_the_targets_it_did_not_send(
        monkeypatch: pytest.MonkeyPatch, shop: Catalog) -> None:
    def crash(_: Catalog) -> dict[str, str]:
        os._exit(3)

    use_targets(monkeypatch, {"index": render_index, "crash": crash, "boards": render_boards})
    forked = ForkedRendering(lambda name: run_target(name, shop), ["index", "crash", "boards"],
                             [["index", "crash", "boards"]])
    try:
        outcomes = forked.outcomes()
    finally:
        forked.close()

    assert outcomes[0] == run_target("index", shop)
    assert [problem for _, problem in outcomes[1:]] == [
        f"target `{name}` failed: its process ended unexpectedly (exit code 3)"
        for name in ("crash", "boards")]


def test_a_failing_target_is_reported_as_in_process(monkeypatch: pytest.MonkeyPatch,
                                                    shop: Catalog) -> None:
    use_targets(monkeypatch, {"boards": render_boards, "failing": render_failing})

    with pytest.raises(GenerationError) as forked:
        render_targets(shop, ["boards", "failing"], parallel=True)
    with pytest.raises(GenerationError) as here:
        render_targets(shop, ["boards", "failing"])

    assert forked.value.problems == here.value.problems
    assert forked.value.problems[0].startswith("target `failing` failed: RuntimeError")


def test_a_target_that_kills_its_process_is_reported(monkeypatch: pytest.MonkeyPatch,
                                                     shop: Catalog) -> None:
    def crash(_: Catalog) -> dict[str, str]:
        os._exit(3)

    use_targets(monkeypatch, {"index": render_index, "crash": crash})

    with pytest.raises(GenerationError) as caught:
        render_targets(shop, ["index", "crash"], parallel=True)

    assert caught.value.problems == ["target `crash` failed: its process ended unexpectedly "
                                     "(exit code 3)"]


def test_output_that_cannot_be_sent_back_is_reported(monkeypatch: pytest.MonkeyPatch,
                                                     shop: Catalog) -> None:
    use_targets(monkeypatch, {"index": render_index,
                              "odd": lambda _: {"a.txt": (lambda: "not picklable")}})

    with pytest.raises(GenerationError) as caught:
        render_targets(shop, ["index", "odd"], parallel=True)

    assert caught.value.problems[0].startswith(
        "target `odd` failed: its output cannot be sent back from its process:")


def test_leaving_early_stops_targets_still_rendering(monkeypatch: pytest.MonkeyPatch,
                                                    shop: Catalog) -> None:
    def slow(_: Catalog) -> dict[str, str]:
        time.sleep(60)
        return {}

    use_targets(monkeypatch, {"slow": slow, "index": render_index})
    start = time.monotonic()

    with Rendering(shop, ["slow", "index"], parallel=True):
        pass  # e.g. lint refused the catalog

    assert time.monotonic() - start < 10
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(("size", "expected"), [(0, False), (PARALLEL_THRESHOLD - 1, False),
                                                (PARALLEL_THRESHOLD, True)])
def test_only_large_catalogs_are_worth_forking(size: int, expected: bool,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.5, 0.5, 0.5))

    assert worth_forking(size) is expected


@pytest.mark.parametrize(("load", "expected"), [(1.9, True), (2.0, False), (5.5, False)])
def test_forking_needs_a_core_the_load_leaves_free(load: float, expected: bool,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))

    assert worth_forking(10 * PARALLEL_THRESHOLD) is expected


def test_one_core_is_not_worth_forking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 1)

    assert worth_forking(10 * PARALLEL_THRESHOLD) is False
