"""`--check` findings: missing, stale (with a short diff) and extra files, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricsctl.catalog import load_catalog
from metricsctl.generation import CheckFinding, apply_plan, check_findings, plan_output
from metricsctl.generation.check import MAX_DIFF_LINES, MAX_DIFFS, short_diff
from metricsctl.generation.paths import MANIFEST_NAME
from metricsctl.generation.render import render_targets
from metricsctl.targets import TARGET_MODULES
from tests.generation.directory_snapshot import snapshot_tree
from tests.generation.fake_targets import (
    render_boards,
    render_index,
    use_targets,
    write_shop_catalog,
)


@pytest.fixture(autouse=True)
def _fake_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    use_targets(monkeypatch, {"boards": render_boards, "index": render_index})


def findings(specs: Path, out: Path, targets: list[str] | None = None, *,
             write: bool = False) -> list[CheckFinding]:
    result = load_catalog(specs)
    assert result.ok and result.catalog is not None
    rendered = render_targets(result.catalog, targets or list(TARGET_MODULES))
    plan = plan_output(out, rendered, all_targets=targets is None)
    if write:
        apply_plan(plan)
    return check_findings(plan)


def summary(found: list[CheckFinding]) -> list[tuple[str, str]]:
    return [(finding.problem.value, finding.path) for finding in found]


def test_current_output_has_no_findings(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    findings(specs, out, write=True)

    assert findings(specs, out) == []


def test_an_empty_output_directory_lists_every_file_as_missing(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"

    assert summary(findings(specs, out)) == [
        ("missing", "boards/orders.txt"), ("missing", "boards/stock.txt"),
        ("missing", "index.md"), ("missing", MANIFEST_NAME)]
    assert not out.exists()


def test_stale_extra_and_missing_files_are_each_reported(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    findings(specs, out, write=True)
    (out / "index.md").write_text("# Metrics\n\n- orders_total (gauge)\n- stock_items (gauge)\n")
    (out / "boards/orders.txt").unlink()
    write_shop_catalog(specs, **{"shop.yaml": (specs / "shop.yaml").read_text().replace(
        "  stock:\n    title: Stock\n    panels:\n      - {title: Stock, metric: stock_items}\n",
        "")})
    before = snapshot_tree(out)

    found = findings(specs, out)

    assert summary(found) == [("missing", "boards/orders.txt"), ("extra", "boards/stock.txt"),
                              ("stale", "index.md"), ("stale", MANIFEST_NAME)]
    assert found[1].note == "no longer generated; `metricsctl generate` removes it"
    assert found[2].diff == (
        f"--- {out}/index.md (on disk)",
        f"+++ {out}/index.md (generated)",
        "@@ -1,4 +1,4 @@",
        " # Metrics",
        " ",
        "-- orders_total (gauge)",
        "+- orders_total (counter)",
        " - stock_items (gauge)",
    )
    assert snapshot_tree(out) == before


def test_a_foreign_file_in_the_way_is_stale_and_says_so(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    (out / "boards").mkdir(parents=True)
    (out / "boards/orders.txt").write_text("not ours\n")

    [finding] = [f for f in findings(specs, out) if f.path == "boards/orders.txt"]

    assert (finding.problem.value, finding.note) == ("stale", "not written by metricsctl")


def test_a_subset_check_looks_only_at_that_target(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    findings(specs, out, write=True)
    (out / "index.md").write_text("stale\n")

    assert findings(specs, out, ["boards"]) == []
    assert summary(findings(specs, out, ["index"])) == [("stale", "index.md")]


def test_long_diffs_are_cut(tmp_path: Path) -> None:
    old = "".join(f"line {n}\n" for n in range(200)).encode()
    new = "".join(f"line {n} changed\n" for n in range(200)).encode()

    diff = short_diff(old, new, "x.txt")

    assert len(diff) == MAX_DIFF_LINES + 1
    assert diff[-1] == f"… {403 - MAX_DIFF_LINES} more diff lines"


def test_very_long_lines_are_clipped_in_diffs() -> None:
    diff = short_diff(b"short\n", b"x" * 5000 + b"\n", "x.json")

    assert diff[-1] == "+" + "x" * 199 + "… (4801 more characters)"


def test_a_difference_only_in_line_endings_is_named() -> None:
    assert short_diff(b"a\r\nb\r\n", b"a\nb\n", "x.txt") == [
        "x.txt: only line endings or the trailing newline differ"]


def test_diffs_are_shown_for_the_first_files_only(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    many = {f"f{n:02d}.txt": f"{n}\n" for n in range(MAX_DIFFS + 5)}
    use_targets(monkeypatch, {"many": lambda _: many})
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    findings(specs, out, write=True)
    for name in many:
        (out / name).write_text("edited\n")

    found = findings(specs, out)

    assert [bool(f.diff) for f in found] == [True] * MAX_DIFFS + [False] * 5
