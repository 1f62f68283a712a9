"""Reading YAML with positions: every value and key keeps its line and column."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from metricsctl.catalog.spec_files import MAX_FILE_BYTES
from metricsctl.catalog.yaml_source import parse_yaml, read_yaml_file


def parse(text: str):  # type: ignore[no-untyped-def]
    document, diagnostics = parse_yaml(text.encode(), "f.yaml")
    return document, diagnostics


def test_values_and_keys_keep_their_positions() -> None:
    document, diagnostics = parse("domain: x\nmetrics:\n  up_total:\n    type: counter\n")
    assert diagnostics == []
    assert document is not None
    assert document.data == {"domain": "x", "metrics": {"up_total": {"type": "counter"}}}
    assert str(document.locate(("metrics", "up_total"), key=True)) == "f.yaml:3:3"
    assert str(document.locate(("metrics", "up_total", "type"))) == "f.yaml:4:11"


def test_a_missing_path_falls_back_to_its_nearest_ancestor() -> None:
    document, _ = parse("a:\n  b: 1\n")
    assert document is not None
    assert str(document.locate(("a", "b", "c", 0))) == "f.yaml:2:6"


def test_duplicate_keys_are_reported_at_the_second_one() -> None:
    document, diagnostics = parse("alert:\n  severity: warning\n  severity: critical\n")
    assert [(str(d.location), d.code) for d in diagnostics] == [
        ("f.yaml:3:3", "catalog/duplicate-key")]
    assert diagnostics[0].message == ("duplicate key `severity` (first defined at line 2); "
                                      "YAML would silently keep only this one")
    assert document is not None and document.data == {"alert": {"severity": "warning"}}


def test_keys_stay_strings_as_written() -> None:
    document, _ = parse("on: 1\n10: ten\nyes: 2\n")
    assert document is not None
    assert document.data == {"on": 1, "10": "ten", "yes": 2}


def test_scalars_get_yaml_types_and_timestamps_stay_text() -> None:
    document, _ = parse("i: 3\nf: 0.25\nb: true\nn: null\ns: '3'\nt: 2024-01-01\n")
    assert document is not None
    assert document.data == {"i": 3, "f": 0.25, "b": True, "n": None, "s": "3", "t": "2024-01-01"}


def test_merge_keys_merge_and_explicit_keys_win() -> None:
    document, diagnostics = parse(
        "base: &base {unit: s, width: 6}\npanel:\n  <<: *base\n  width: 12\n")
    assert diagnostics == []
    assert document is not None
    assert document.data["panel"] == {"unit": "s", "width": 12}
    assert str(document.locate(("panel", "width"))) == "f.yaml:4:10"


def test_a_small_alias_is_fine() -> None:
    document, diagnostics = parse("a: &x [1, 2]\nb: *x\n")
    assert diagnostics == []
    assert document is not None and document.data == {"a": [1, 2], "b": [1, 2]}


def test_billion_laughs_is_refused_before_expanding() -> None:
    levels = ["a: &a [" + ", ".join(['"lol"'] * 10) + "]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    document, diagnostics = parse("\n".join(levels) + "\n")
    assert document is None
    assert diagnostics[0].code == "catalog/alias-expansion"
    assert "1,234,567,909 nodes" in diagnostics[0].message


@pytest.mark.parametrize("levels", [100, 999, 1001, 5000])
def test_deep_flow_nesting_is_refused_at_our_bound_whatever_libyaml_allows(levels: int) -> None:
    # Some libyaml builds stop at 1,000 levels on their own; the refusal must not depend on it.
    document, diagnostics = parse("x: " + "[" * levels + "]" * levels + "\n")
    assert document is None
    assert [(str(d.location), d.code) for d in diagnostics] == [("f.yaml:1:68",
                                                                 "catalog/too-deep")]
    assert "64 levels" in diagnostics[0].message


@pytest.mark.parametrize("levels", [100, 1500])
def test_deep_block_nesting_is_refused_at_our_bound(levels: int) -> None:
    text = "x:\n" + "".join(" " * depth + "-\n" for depth in range(levels)) + " " * levels + "1\n"
    document, diagnostics = parse(text)
    assert document is None
    assert [(str(d.location), d.code) for d in diagnostics] == [("f.yaml:66:65",
                                                                 "catalog/too-deep")]


def test_anchors_reused_a_few_times_are_not_an_expansion_problem() -> None:
    panels = "\n".join(f"  - <<: *panel\n    title: P{n}" for n in range(200))
    document, diagnostics = parse(f"base: &panel {{type: stat, unit: s, width: 6}}\np:\n{panels}\n")
    assert diagnostics == []
    assert document is not None and len(document.data["p"]) == 200


def test_a_recursive_alias_is_refused() -> None:
    document, diagnostics = parse("a: &a\n  - *a\n")
    assert document is None
    assert diagnostics[0].code == "catalog/alias-expansion"
    assert "recursive" in diagnostics[0].message


@pytest.mark.parametrize("text", [
    "x: !!python/object/apply:os.system ['true']\n",
    "x: !!python/name:os.system\n",
    "x: !custom {a: 1}\n",
    "x: !!binary aGVsbG8=\n",
])
def test_only_standard_tags_are_accepted(text: str) -> None:
    document, diagnostics = parse(text)
    assert [d.code for d in diagnostics] == ["catalog/unsupported-tag"]
    assert str(diagnostics[0].location) == "f.yaml:1:4"
    assert document is not None and document.data == {"x": None}


def test_syntax_errors_say_where_the_open_construct_started() -> None:
    document, diagnostics = parse("a: 1\nb: [1, 2\n")
    assert document is None
    assert diagnostics[0].code == "catalog/yaml-syntax"
    assert "started at line 2, column 4" in diagnostics[0].message


def test_invalid_utf8_is_located_at_the_byte() -> None:
    document, diagnostics = parse_yaml(b"a: 1\nhelp: caf\xe9\n", "f.yaml")
    assert document is None
    assert (str(diagnostics[0].location), diagnostics[0].code) == ("f.yaml:2:10",
                                                                   "catalog/encoding")


def test_a_byte_order_mark_is_accepted() -> None:
    document, diagnostics = parse_yaml("\ufeffa: 1\n".encode(), "f.yaml")
    assert diagnostics == [] and document is not None and document.data == {"a": 1}


def test_a_file_over_the_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    document, diagnostics = read_yaml_file(big, "big.yaml")
    assert document is None
    assert diagnostics[0].code == "catalog/file-too-large"
    assert str(diagnostics[0].location) == "big.yaml:1:1"


@pytest.mark.parametrize(("text", "offset", "expected"), [
    ("expr: rate(x[5m]) > 1\n", 5, "f.yaml:1:12"),
    ("expr: 'rate(x[5m]) > 1'\n", 5, "f.yaml:1:13"),
    ('expr: "rate(x[5m]) > 1"\n', 5, "f.yaml:1:13"),
    ("expr: |\n  sum(\n    rate(x[5m])\n  ) > 1\n", 9, "f.yaml:3:7"),
    ("expr: |\n\n  up\n", 1, "f.yaml:3:3"),
    ("expr: >\n  rate(x[5m])\n  > 1\n", 5, "f.yaml:1:7"),
])
def test_offsets_inside_a_scalar_map_to_file_positions(text: str, offset: int,
                                                        expected: str) -> None:
    document, _ = parse(text)
    assert document is not None
    assert str(document.locate_in_scalar(("expr",), offset)) == expected


@pytest.mark.parametrize(("number", "column"), [
    ("9" * 5000, 12),  # past Python's 4,300-digit int-str conversion limit
    ("-" + "1" * 400, 12),  # converts, but no float holds it
    ("1.0e+400", 12),  # a finite number written, infinity read
    ("0x" + "f" * 300, 12),
])
def test_a_number_no_double_can_hold_is_a_located_error_and_null(
        number: str, column: int) -> None:
    document, diagnostics = parse(f"buckets: [1, {number}]\n")
    assert [(d.code, str(d.location)) for d in diagnostics] == [
        ("catalog/number-out-of-range", f"f.yaml:1:{column + 2}")]
    assert "is out of range: numbers must fit a 64-bit float" in diagnostics[0].message
    assert document is not None and document.data == {"buckets": [1, None]}
    assert document.refused == {("buckets", 1)}


def test_numbers_a_double_holds_are_kept_and_infinity_written_as_such_is_a_value() -> None:
    big = "1" + "0" * 307
    document, diagnostics = parse(f"a: [{big}, 1.5e+308, .inf, -.inf, 1_000]\n")
    assert diagnostics == [] and document is not None
    assert document.data["a"][0] == 10**307 and document.data["a"][1] == 1.5e308
    assert document.data["a"][2:4] == [math.inf, -math.inf]
    assert document.data["a"][4] == 1000


def test_a_file_of_more_values_than_the_limit_is_refused_before_it_is_composed() -> None:
    from metricsctl.catalog.yaml_source import MAX_VALUES

    text = "domain: x\nitems: [" + "1," * MAX_VALUES + "1]\n"
    document, diagnostics = parse(text)
    assert document is None
    assert [(d.code, d.message, d.location.line if d.location else None)
            for d in diagnostics] == [
        ("catalog/too-many-values", "file holds more than 300,000 values", 2)]
