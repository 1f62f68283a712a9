"""Pulled file names and writes: sanitised and atomic."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricsctl.grafana.download import safe_file_name, write_atomically


@pytest.mark.parametrize("uid", ["shop-overview", "A_b-9", "x" * 40])
def test_well_formed_uids_keep_their_name(uid: str) -> None:
    assert safe_file_name(uid) == f"{uid}.json"


@pytest.mark.parametrize("uid", ["../../etc", "..", ".", "/abs", "a/b", "a\\b", "con\x00",
                                 "", "ü", "x" * 200])
def test_any_other_uid_becomes_a_plain_unique_name(uid: str) -> None:
    name = safe_file_name(uid)
    stem = name.removesuffix(".json")
    assert all(c.isascii() and (c.isalnum() or c in "_-") for c in stem)
    assert not name.startswith(".") and len(name) <= 100
    assert Path(name).name == name


def test_different_hostile_uids_do_not_collide() -> None:
    names = {safe_file_name(uid) for uid in ("a/b", "a\\b", "a?b", "a_b")}
    assert len(names) == 4


def test_write_atomically_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_text("old\n")
    write_atomically(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
