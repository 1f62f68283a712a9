"""The YAML emitter behind the Prometheus targets: readable, fixed layout, exact round trip."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metricsctl.targets.yaml_output import Commented, Node, dump_yaml

HOSTILE_STRINGS = [
    "",
    " ",
    "plain text",
    'say "hi"',
    "it's",
    "key: value",
    "ends with colon:",
    "a # not a comment",
    "#comment",
    "*alias",
    "&anchor",
    "!tag",
    "!!python/object:os.system",
    "%directive",
    "@at",
    "`tick",
    "- dash",
    "-",
    "---",
    "...",
    "? question",
    "| pipe",
    "> fold",
    "[flow, seq]",
    "{flow: map}",
    "{{ $labels.route }}",
    "{{ $value | humanize }}",
    'Errors on {{ $labels.route }}: {{ $value | printf "%.2f" }}',
    "yes", "No", "ON", "off", "y", "N", "true", "False", "null", "Null", "~",
    "0", "10", "-1", "1.5", "1e3", "0x1F", "0o17", "0b101", "1_000", "1:30", ".inf", "-.inf",
    ".nan", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "=", "<<",
    "5m", "1h30m", "0s",
    "https://runbooks.example.com/a#fragment",
    "trailing space ",
    " leading space",
    "tab\there",
    "line\nbreak",
    "line\nbreak\n",
    "two trailing newlines\n\n",
    "\nleading newline",
    "  indented\nblock\n",
    "carriage\r\nreturn",
    "nul\x00byte",
    "bell\x07 escape\x1b del\x7f",
    "next line\x85 line sep\u2028 para sep\u2029",
    "bom\ufeff",
    "non-breaking\xa0space",
    "ünïcödé – “quotes” 日本語 😀",
    "back\\slash \\n not a newline",
    'sum(rate(http_requests_total{status_code=~"5.."}[5m])) > 0.05',
    "x" * 300,
]


def round_trip(document: dict[str, Node]) -> object:
    return yaml.safe_load(dump_yaml(document))


def test_every_hostile_string_loads_back_exactly_as_value_key_and_list_item() -> None:
    for text in HOSTILE_STRINGS:
        document: dict[str, Node] = {"value": text, "list": [text, {"nested": text}]}
        assert round_trip(document) == document, text
        if text:
            assert round_trip({text: "v"}) == {text: "v"}, text


def test_go_templates_stay_byte_for_byte() -> None:
    text = dump_yaml({"summary": "{{ $labels.route }}", "description": "{{ $value | humanize }}"})
    assert text == ("summary: '{{ $labels.route }}'\n"
                    "description: '{{ $value | humanize }}'\n")


def test_multi_line_text_becomes_a_literal_block_that_keeps_its_final_newline() -> None:
    expr = "sum(rate(a[5m]))\n  / sum(rate(b[5m]))\n> 0.05\n"
    text = dump_yaml({"rules": [{"alert": "A", "expr": expr}]})
    assert text == ("rules:\n"
                    "  - alert: A\n"
                    "    expr: |\n"
                    "      sum(rate(a[5m]))\n"
                    "        / sum(rate(b[5m]))\n"
                    "      > 0.05\n")
    assert yaml.safe_load(text)["rules"][0]["expr"] == expr


def test_literal_block_without_final_newline_strips_it() -> None:
    assert dump_yaml({"expr": "a\nb"}) == "expr: |-\n  a\n  b\n"


def test_literal_block_starting_with_a_space_gets_an_indentation_indicator() -> None:
    text = dump_yaml({"expr": "  a\nb\n"})
    assert text == "expr: |2\n    a\n  b\n"
    assert yaml.safe_load(text) == {"expr": "  a\nb\n"}


def test_readable_styles() -> None:
    text = dump_yaml({
        "for": "5m",
        "expr": 'sum(rate(x{code=~"5.."}[5m])) > 0.05',
        "url": "https://example.com/runbook",
        "summary": "Venice balance below 10 Diem",
        "number_like": "10",
        "bool_like": "on",
        "quote": "'quoted' word",
        "control": "tab\there",
    })
    assert text == ("for: 5m\n"
                    'expr: sum(rate(x{code=~"5.."}[5m])) > 0.05\n'
                    "url: https://example.com/runbook\n"
                    "summary: Venice balance below 10 Diem\n"
                    "number_like: '10'\n"
                    "bool_like: 'on'\n"
                    "quote: '''quoted'' word'\n"
                    'control: "tab\\there"\n')


def test_keys_keep_their_order_and_nested_layout_is_fixed() -> None:
    # `y` is quoted: Go's yaml.v2 (Prometheus's config parser) reads a bare y as true.
    text = dump_yaml({"b": 1, "a": {"z": True, "y": None}, "c": [], "d": {}, "e": [[1, 2], []]})
    assert text == ("b: 1\n"
                    "a:\n"
                    "  z: true\n"
                    "  'y': null\n"
                    "c: []\n"
                    "d: {}\n"
                    "e:\n"
                    "  - - 1\n"
                    "    - 2\n"
                    "  - []\n")


def test_numbers_print_in_their_shortest_form_and_read_back_as_numbers() -> None:
    values: list[Node] = [0.1 + 0.2, 0.3, 1.0, 1e-07, 2.5e20, float("inf"), -3]
    text = dump_yaml({"v": values})
    assert text == ("v:\n  - 0.30000000000000004\n  - 0.3\n  - 1.0\n  - 1.0e-07\n"
                    "  - 2.5e+20\n  - .inf\n  - -3\n")
    assert yaml.safe_load(text) == {"v": values}


def test_header_and_item_comments() -> None:
    text = dump_yaml({"rules": [Commented("Why this rule.\nSecond line.", {"record": "a:b"})]},
                     header="Generated.\n\nDo not edit.")
    assert text == ("# Generated.\n"
                    "#\n"
                    "# Do not edit.\n"
                    "rules:\n"
                    "  # Why this rule.\n"
                    "  # Second line.\n"
                    "  - record: a:b\n")


def test_a_comment_cannot_smuggle_yaml_through_a_line_break() -> None:
    for breaker in ("\r", "\x85", "\u2028", "\u2029"):
        text = dump_yaml({"a": 1}, header=f"spec.yaml{breaker}evil: true")
        assert yaml.safe_load(text) == {"a": 1}, repr(breaker)


def test_very_long_keys_use_the_explicit_key_form() -> None:
    key = "k" * 2000
    assert round_trip({key: [1]}) == {key: [1]}


_ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
_YAML_SOUP = st.text(alphabet=st.sampled_from(
    list(" \n\t\r'\"#:-*&!{}[]|>%@`,?~\\aZ09._$=\x85\u2028\ufeff\x00é😀")), max_size=24)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_ANY_TEXT, _YAML_SOUP), st.one_of(_ANY_TEXT, _YAML_SOUP))
def test_any_string_round_trips_in_every_position(first: str, second: str) -> None:
    document: dict[str, Node] = {"value": first, "items": [first, {"key": second}, [second]]}
    text = dump_yaml(document, header=first)
    assert text.endswith("\n") and not text.endswith("\n\n") and "\r" not in text
    assert yaml.safe_load(text) == document
    if first:
        assert round_trip({first: {second: first}}) == {first: {second: first}}
