"""Writing is atomic, deterministic and manifest-guarded: stale outputs go, foreign files stay."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

from metricsctl import __version__
from metricsctl.catalog import load_catalog
from metricsctl.generation import GenerationError, Plan, Status, apply_plan, plan_output
from metricsctl.generation.manifest import sha256_hex
from metricsctl.generation.paths import MANIFEST_NAME, STAGING_PREFIX
from metricsctl.generation.render import render_targets
from metricsctl.targets import TARGET_MODULES
from tests.generation.directory_snapshot import snapshot_files, snapshot_tree
from tests.generation.fake_targets import (
    render_boards,
    render_failing,
    render_index,
    use_targets,
    write_shop_catalog,
)

ONLY_ORDERS = """
    domain: shop
    metrics:
      orders_total: {type: counter, help: Orders placed.}
    dashboards:
      orders:
        title: Orders
        panels: [{title: Orders, metric: orders_total}]
    """


@pytest.fixture(autouse=True)
def _fake_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    use_targets(monkeypatch, {"boards": render_boards, "index": render_index})


def generate(specs: Path, out: Path, targets: list[str] | None = None, *,
             force: bool = False) -> Plan:
    """What `metricsctl generate` does, through the library."""
    result = load_catalog(specs)
    assert result.ok and result.catalog is not None, result.diagnostics
    rendered = render_targets(result.catalog, targets or list(TARGET_MODULES))
    plan = plan_output(out, rendered, all_targets=targets is None)
    apply_plan(plan, force=force)
    return plan


def statuses(plan: Plan) -> dict[str, str]:
    return {change.path: change.status.value for change in plan.changes}


def test_first_run_writes_every_file_and_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "generated"

    plan = generate(write_shop_catalog(tmp_path / "specs"), out)

    assert statuses(plan) == {"boards/orders.txt": "created", "boards/stock.txt": "created",
                              "index.md": "created"}
    assert snapshot_files(out).keys() == {MANIFEST_NAME, "boards/orders.txt",
                                          "boards/stock.txt", "index.md"}
    assert (out / "boards/orders.txt").read_text() == "Orders\n"
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert manifest["files"]["boards/orders.txt"] == {
        "sha256": sha256_hex(b"Orders\n"), "target": "boards"}
    assert manifest["targets"] == ["boards", "index"]
    assert manifest["metricsctl_version"] == __version__
    assert list(manifest) == sorted(manifest)


def test_the_manifest_has_no_timestamps_or_absolute_paths(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    generate(write_shop_catalog(tmp_path / "specs"), out)

    text = (out / MANIFEST_NAME).read_text()

    assert str(tmp_path) not in text
    assert not any(word in text for word in ("time", "date", "created_at"))
    assert text.endswith("}\n")


def test_output_is_byte_identical_across_runs_and_directories(tmp_path: Path) -> None:
    specs = write_shop_catalog(tmp_path / "specs")

    generate(specs, tmp_path / "one")
    generate(specs, tmp_path / "two")

    assert snapshot_files(tmp_path / "one") == snapshot_files(tmp_path / "two")


def test_a_second_run_rewrites_nothing(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)
    before = {path: (out / path).stat().st_ino for path in snapshot_files(out)}

    plan = generate(specs, out)

    assert set(statuses(plan).values()) == {"unchanged"}
    assert not plan.manifest_changed
    assert {path: (out / path).stat().st_ino for path in snapshot_files(out)} == before


def test_the_file_of_a_deleted_dashboard_is_removed(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)

    plan = generate(write_shop_catalog(specs, **{"shop.yaml": ONLY_ORDERS}), out)

    assert statuses(plan)["boards/stock.txt"] == "removed"
    assert not (out / "boards/stock.txt").exists()
    assert (out / "boards/orders.txt").exists()
    assert "boards/stock.txt" not in json.loads((out / MANIFEST_NAME).read_text())["files"]


def test_a_directory_left_empty_is_pruned_but_one_with_foreign_files_stays(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)
    (out / "notes").mkdir()
    (out / "notes/keep.md").write_text("mine")

    use_targets(monkeypatch, {"boards": lambda _: {}, "index": render_index})
    generate(specs, out)
    assert not (out / "boards").exists()

    use_targets(monkeypatch, {"boards": lambda _: {"notes/board.txt": "x"}, "index": render_index})
    generate(specs, out)
    use_targets(monkeypatch, {"boards": lambda _: {}, "index": render_index})
    generate(specs, out)
    assert snapshot_tree(out / "notes") == {"keep.md": b"mine"}


def test_a_directory_now_standing_where_an_obsolete_file_was_is_left_alone(
        tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)
    (out / "boards/stock.txt").unlink()
    (out / "boards/stock.txt").mkdir()
    (out / "boards/stock.txt/mine.md").write_text("mine")

    plan = generate(write_shop_catalog(specs, **{"shop.yaml": ONLY_ORDERS}), out)

    assert "boards/stock.txt" not in statuses(plan)
    assert (out / "boards/stock.txt/mine.md").read_text() == "mine"
    assert "boards/stock.txt" not in json.loads((out / MANIFEST_NAME).read_text())["files"]


def test_files_metricsctl_did_not_write_are_never_touched(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    (out / "boards").mkdir(parents=True)
    (out / "README.md").write_text("hand-written\r\n")
    (out / "boards/custom.txt").write_text("my own board")
    generate(specs, out)

    generate(write_shop_catalog(specs, **{"shop.yaml": ONLY_ORDERS}), out)

    assert (out / "README.md").read_bytes() == b"hand-written\r\n"
    assert (out / "boards/custom.txt").read_text() == "my own board"
    assert "README.md" not in json.loads((out / MANIFEST_NAME).read_text())["files"]


def test_a_foreign_file_in_the_way_stops_the_run_before_anything_is_written(
        tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    (out / "boards").mkdir(parents=True)
    (out / "boards/orders.txt").write_text("someone else's file\n")
    before = snapshot_tree(out)

    with pytest.raises(GenerationError) as caught:
        generate(specs, out)

    assert caught.value.summary == (f"1 file(s) in {out} were not written by metricsctl and "
                                    "differ from what it generates; nothing was written")
    assert caught.value.problems == [f"{out}/boards/orders.txt (target `boards`)"]
    assert caught.value.hint is not None and "--force" in caught.value.hint
    assert snapshot_tree(out) == before


def test_force_overwrites_a_foreign_file_and_takes_it_over(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    (out / "boards").mkdir(parents=True)
    (out / "boards/orders.txt").write_text("someone else's file\n")

    plan = generate(specs, out, force=True)

    [change] = [c for c in plan.changes if c.path == "boards/orders.txt"]
    assert (change.status, change.foreign) == (Status.UPDATED, True)
    assert (out / "boards/orders.txt").read_text() == "Orders\n"
    assert "boards/orders.txt" in json.loads((out / MANIFEST_NAME).read_text())["files"]


def test_a_foreign_file_with_identical_content_is_adopted(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    (out / "boards").mkdir(parents=True)
    (out / "boards/orders.txt").write_text("Orders\n")

    plan = generate(specs, out)

    assert statuses(plan)["boards/orders.txt"] == "unchanged"
    assert "boards/orders.txt" in json.loads((out / MANIFEST_NAME).read_text())["files"]


def test_hand_edits_to_generated_files_are_overwritten_and_flagged(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)
    (out / "index.md").write_text("edited by hand\n")

    plan = generate(specs, out)

    [change] = [c for c in plan.changes if c.path == "index.md"]
    assert (change.status, change.edited, change.foreign) == (Status.UPDATED, True, False)
    assert (out / "index.md").read_text().startswith("# Metrics")


def test_a_target_subset_replaces_and_removes_only_that_targets_files(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)
    (out / "index.md").write_text("stale index\n")
    write_shop_catalog(specs, **{"shop.yaml": ONLY_ORDERS})

    plan = generate(specs, out, ["boards"])

    assert statuses(plan) == {"boards/orders.txt": "unchanged", "boards/stock.txt": "removed"}
    assert (out / "index.md").read_text() == "stale index\n"
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert sorted(manifest["files"]) == ["boards/orders.txt", "index.md"]
    assert manifest["files"]["index.md"]["target"] == "index"
    assert manifest["targets"] == ["boards", "index"]


def test_a_full_run_removes_files_of_targets_that_no_longer_exist(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)
    use_targets(monkeypatch, {"boards": render_boards})

    plan = generate(specs, out)

    assert statuses(plan)["index.md"] == "removed"
    assert json.loads((out / MANIFEST_NAME).read_text())["targets"] == ["boards"]


def test_a_failing_target_leaves_the_previous_output_untouched(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)
    before = snapshot_tree(out)
    write_shop_catalog(specs, **{"shop.yaml": ONLY_ORDERS})
    use_targets(monkeypatch, {"boards": render_boards, "index": render_failing})

    with pytest.raises(GenerationError, match="rendering failed"):
        generate(specs, out)

    assert snapshot_tree(out) == before


def _fail_on(monkeypatch: pytest.MonkeyPatch, name: str, error: BaseException) -> None:
    """Make moving a staged file onto `name` fail, as a full disk or Ctrl-C would."""
    real_replace = Path.replace

    def replace(self: Path, target: str | os.PathLike[str]) -> Path:
        if Path(target).name == name:
            raise error
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", replace)


@pytest.mark.parametrize("error", [PermissionError(13, "Permission denied"),
                                   OSError(28, "No space left on device")])
def test_a_failure_while_swapping_restores_the_previous_output(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, error: OSError) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)
    (out / "notes.txt").write_text("not ours")
    (out / "index.md").write_text("edited\n")
    before = snapshot_tree(out)
    # boards/ is swapped first (sorted paths), then index.md fails.
    write_shop_catalog(specs, **{"shop.yaml": ONLY_ORDERS.replace("Orders", "All orders")})
    _fail_on(monkeypatch, "index.md", error)

    with pytest.raises(GenerationError) as caught:
        generate(specs, out)

    assert caught.value.summary == (f"cannot write {out}/index.md: {str(error.strerror).lower()}; "
                                    "the previous output was restored")
    assert snapshot_tree(out) == before


def test_ctrl_c_while_swapping_restores_the_previous_output_and_propagates(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)
    before = snapshot_tree(out)
    write_shop_catalog(specs, **{"shop.yaml": ONLY_ORDERS.replace("Orders", "All orders")})
    _fail_on(monkeypatch, MANIFEST_NAME, KeyboardInterrupt())

    with pytest.raises(KeyboardInterrupt):
        generate(specs, out)

    assert snapshot_tree(out) == before


def test_new_directories_are_removed_again_when_a_swap_fails(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    out.mkdir()
    _fail_on(monkeypatch, "index.md", OSError(5, "Input/output error"))

    with pytest.raises(GenerationError, match="previous output was restored"):
        generate(specs, out)

    assert snapshot_tree(out) == {}


def test_an_unwritable_output_directory_changes_nothing_and_says_so(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)
    before = snapshot_tree(out)
    write_shop_catalog(specs, **{"shop.yaml": ONLY_ORDERS})

    def refuse(*_: object, **__: object) -> str:
        raise PermissionError(13, "Permission denied")

    # What a read-only directory does to a non-root user (root ignores the mode bits).
    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    with pytest.raises(GenerationError) as caught:
        generate(specs, out)

    assert caught.value.summary == (f"cannot write to {out}: permission denied; nothing was "
                                    "changed")
    assert caught.value.hint == f"check that you can write to {out} and the directories inside it"
    assert snapshot_tree(out) == before


@pytest.mark.skipif(sys.platform == "win32", reason="the lock is POSIX flock")
def test_a_second_generate_into_the_same_directory_is_refused_while_one_writes(
        tmp_path: Path) -> None:
    import fcntl

    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)
    (out / "index.md").write_text("stale\n")
    descriptor = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # another run is writing
        with pytest.raises(GenerationError, match="another `metricsctl generate` is writing"):
            generate(specs, out)
    finally:
        os.close(descriptor)

    generate(specs, out)  # once the other run is done
    assert (out / "index.md").read_text().startswith("# Metrics")


def test_staging_left_by_a_killed_run_is_cleaned_up(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)
    leftover = out / f"{STAGING_PREFIX}abc123"
    leftover.mkdir()
    (leftover / "000001").write_text("half-written")
    (out / "index.md").write_text("changed\n")

    generate(specs, out)

    assert not leftover.exists()
    assert not any(p.name.startswith(STAGING_PREFIX) for p in out.iterdir())


def test_a_run_that_changes_nothing_leaves_no_staging_behind(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    generate(specs, out)
    generate(specs, out)

    assert sorted(p.name for p in out.iterdir()) == [MANIFEST_NAME, "boards", "index.md"]


def test_a_symlink_leading_outside_the_output_directory_is_not_written_through(
        tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "boards").symlink_to(elsewhere)

    with pytest.raises(GenerationError) as caught:
        generate(specs, out)

    assert caught.value.problems == [f"{out}/boards is a symbolic link leading outside {out}; "
                                     "metricsctl does not write through it"]
    assert list(elsewhere.iterdir()) == []


def test_a_file_where_a_directory_is_needed_is_reported(tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    out.mkdir()
    (out / "boards").write_text("a file")

    with pytest.raises(GenerationError) as caught:
        generate(specs, out)

    assert caught.value.problems == [f"{out}/boards is a file, but metricsctl needs a "
                                     "directory there"]


def test_a_tampered_manifest_cannot_make_metricsctl_delete_outside_files(
        tmp_path: Path) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    out.mkdir()
    (out / MANIFEST_NAME).write_text(json.dumps({"format": 1, "targets": ["boards"], "files": {
        "../precious.txt": {"sha256": sha256_hex(b"keep me"), "target": "boards"}}}))

    with pytest.raises(GenerationError) as caught:
        generate(specs, out)

    assert "unsafe path '../precious.txt'" in caught.value.summary
    assert victim.read_text() == "keep me"


@pytest.mark.parametrize(("text", "reason"), [
    ("{not json", "line 1 column 2"),
    ("[]", "expected a JSON object"),
    ('{"format": 99, "files": {}}', "unknown format 99"),
    ('{"format": 1, "files": {"a.txt": {"sha256": "xyz", "target": "t"}}}', "needs a `sha256`"),
])
def test_a_damaged_manifest_is_reported_with_a_way_out(tmp_path: Path, text: str,
                                                       reason: str) -> None:
    specs, out = write_shop_catalog(tmp_path / "specs"), tmp_path / "generated"
    out.mkdir()
    (out / MANIFEST_NAME).write_text(text)

    with pytest.raises(GenerationError, match=reason) as caught:
        generate(specs, out)

    assert caught.value.hint is not None and f"delete {out}/{MANIFEST_NAME}" in caught.value.hint
