"""Normalized comparison and the ownership marker: what makes a push idempotent and safe."""

from __future__ import annotations

from typing import Any

from metricsctl.grafana.normalize import (
    MARKER_KEY,
    Provenance,
    canonical_json,
    content_hash,
    normalize,
    provenance,
    same_content,
    with_marker,
)

BOARD: dict[str, Any] = {"uid": "a", "title": "A", "version": 1, "panels": [{"id": 1, "w": 12}]}


def test_grafana_managed_fields_and_the_marker_are_not_content() -> None:
    live = {**BOARD, "id": 42, "version": 7, "iteration": 1700000000, MARKER_KEY: "sha256:x"}
    assert normalize(live) == {"uid": "a", "title": "A", "panels": [{"id": 1, "w": 12}]}
    assert same_content(live, BOARD)
    assert not same_content({**BOARD, "title": "B"}, BOARD)


def test_numbers_compare_like_grafana_stores_them() -> None:
    # Grafana's Go JSON decodes every number into a float64.
    assert canonical_json({"w": 12.0, "b": [1.0, 0.5]}) == canonical_json({"b": [1, 0.5], "w": 12})
    assert canonical_json({"z": 1, "a": {"y": 2, "b": 3}}) == '{"a":{"b":3,"y":2},"z":1}'


def test_the_marker_is_the_hash_of_the_content_and_survives_a_round_trip() -> None:
    pushed = with_marker(BOARD)
    assert pushed[MARKER_KEY] == content_hash(BOARD)
    assert "version" not in pushed
    stored = {**pushed, "id": 3, "version": 5}  # what Grafana hands back
    assert provenance(stored) is Provenance.PUSHED


def test_an_edit_after_the_push_breaks_the_marker() -> None:
    edited = {**with_marker(BOARD), "title": "Edited"}
    assert provenance(edited) is Provenance.EDITED


def test_a_dashboard_without_marker_was_not_pushed_by_us() -> None:
    assert provenance(dict(BOARD)) is Provenance.UNMARKED
    assert provenance({**BOARD, MARKER_KEY: 17}) is Provenance.UNMARKED


def test_the_hash_is_stable_and_content_sensitive() -> None:
    assert content_hash(BOARD) == content_hash(dict(reversed(list(BOARD.items()))))
    assert content_hash(BOARD) != content_hash({**BOARD, "title": "B"})
    assert content_hash(BOARD).startswith("sha256:") and len(content_hash(BOARD)) == 71


def test_integral_floats_inside_strings_do_not_change_the_text() -> None:
    assert canonical_json({"legend": "p99 1.0,", "w": 1.0}) == '{"legend":"p99 1.0,","w":1}'
    assert canonical_json({"a": [0.5, 2.0]}) == '{"a":[0.5,2]}'
    assert canonical_json({"big": 1e20, "x": -3.0}) == '{"big":1e+20,"x":-3}'


def test_same_content_reads_numbers_as_json_numbers() -> None:
    assert same_content({"uid": "a", "w": 12.0, "id": 1}, {"w": 12, "uid": "a"})
    assert not same_content({"w": [1, 2]}, {"w": [2, 1]})
