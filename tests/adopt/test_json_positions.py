"""Where a value is in a JSON text, by its path: what located import messages point at."""

from __future__ import annotations

from metricsctl.adopt.json_positions import JsonPositions

TEXT = """\ufeff{
  "title": "Nodes \\"prod\\" \\u00e9t\\u00e9 { [",
  "empty": {}, "none": [],
  "panels": [
    {"type": "row", "panels": [ {"title": "ünïcode", "targets": [
        {"expr": "up"} ,
        { "expr" :"rate(x[5m])"}]}]},
    {"title": "b",
     "targets": [{"expr": "a"}]},
    3.5e2,
    null
  ],
  "dup": 1, "dup": [true]
}
"""


def _at(*path: str | int) -> tuple[int, int]:
    location = JsonPositions(TEXT, "d.json").locate(path)
    assert location.file == "d.json"
    return location.line, location.column


def test_values_by_key_and_index_through_escapes_and_unicode() -> None:
    assert _at() == (1, 2)  # after the byte order mark
    assert _at("title") == (2, 12)
    assert _at("empty") == (3, 12)
    assert _at("none") == (3, 24)
    assert _at("panels", 0) == (5, 5)
    assert _at("panels", 0, "panels", 0, "title") == (5, 43)
    assert _at("panels", 0, "panels", 0, "targets", 1) == (7, 9)
    assert _at("panels", 0, "panels", 0, "targets", 1, "expr") == (7, 19)
    assert _at("panels", 1, "targets", 0, "expr") == (9, 27)
    assert _at("panels", 2) == (10, 5)
    assert _at("panels", 3) == (11, 5)


def test_a_path_that_goes_nowhere_names_its_nearest_ancestor() -> None:
    assert _at("panels", 1, "gridPos") == _at("panels", 1)
    assert _at("panels", 9) == _at("panels")
    assert _at("panels", 2, "x") == _at("panels", 2)  # inside a number
    assert _at("empty", "x") == _at("empty")


def test_a_key_written_twice_is_where_json_takes_its_value_from() -> None:
    assert _at("dup") == (13, 20)


def test_many_lookups_give_the_same_answers_as_fresh_ones() -> None:
    positions = JsonPositions(TEXT, "d.json")
    paths = [("panels", 1, "targets", 0, "expr"), ("panels", 0, "panels", 0, "targets", 0),
             ("title",), ("panels", 1, "targets", 0, "expr")]

    assert [positions.locate(p) for p in paths] == [JsonPositions(TEXT, "d.json").locate(p)
                                                    for p in paths]
