"""parse_promql: the AST of valid expressions, located errors for invalid ones."""

from __future__ import annotations

import pytest

from metricsctl.promql.parse import parse_promql, substitute_grafana_variables


def test_a_valid_expression_has_an_ast_and_no_error() -> None:
    result = parse_promql('sum by (route) (rate(http_requests_total{code=~"5.."}[5m]))')

    assert result.ok
    assert type(result.ast).__name__ == "AggregateExpr"
    assert result.error is None


# `^` marks where the error is reported.
@pytest.mark.parametrize(("expr", "message", "caret"), [
    ("sum(rate(x[5m])", "unclosed left parenthesis", "   ^"),
    ('x{a="b"', "unexpected end of input inside braces", "       ^"),
    ("rate(x)", "expected type matrix in call to function 'rate', got vector", "^"),
    ("foo bar", "invalid PromQL syntax", "    ^"),
    ("1 +* 2", "invalid PromQL syntax", "   ^"),
    ("x >", "invalid PromQL syntax", "   ^"),
    ("sum(x) by", "invalid PromQL syntax", "         ^"),
    ("unknownfn(x)", "unknown function with name 'unknownfn'", "^"),
    ('x{a=~"("}', "illegal regex for (", "     ^"),
    ("x{a=b}", "unexpected identifier 'b' in label matching, expected string", "    ^"),
    ('x{a="b"}}', "unexpected right brace '}'", "        ^"),
    ("x[5x]", "bad number or duration syntax: 5x", "  ^"),
    ('"open', 'unterminated quoted string "', "^"),
    ("x ? y", "unexpected character: '?'", "  ^"),
])
def test_errors_are_located_in_the_expression(expr: str, message: str, caret: str) -> None:
    result = parse_promql(expr)

    assert result.error is not None
    assert result.error.message == message
    assert result.error.offset == caret.index("^")


def test_an_error_after_a_variable_is_located_in_the_original_text() -> None:
    expr = "rate(x[$__rate_interval]) +"

    result = parse_promql(expr)

    assert result.error is not None
    assert result.error.offset == len(expr)


def test_an_error_the_parser_cannot_place_has_no_offset() -> None:
    result = parse_promql("rate(x[5m]) offset 1m")

    assert result.error is not None
    assert result.error.offset is None
    assert "offset modifier" in result.error.message


@pytest.mark.parametrize(("expr", "parsed"), [
    ("rate(x[$__rate_interval])", "rate(x[3000000000ms])"),
    ("rate(x[${__rate_interval}])", "rate(x[3000000000ms])"),
    ("rate(x[$__interval] offset $shift)", "rate(x[3000000000ms] offset 3000000001ms)"),
    ("max_over_time(x[$__range:$__interval])", "max_over_time(x[3000000000ms:3000000001ms])"),
    ("rate(x[[[window]]])", "rate(x[3000000000ms])"),
    ("x * $__range_s", "x * 1"),
    ("topk($n, x)", "topk(1, x)"),
    ('x{service=~"$service"}', 'x{service=~"$service"}'),
    ('x{service=~"${service:regex}"}', 'x{service=~"$service"}'),
    ('x{service=~"[[service]]"}', 'x{service=~"$service"}'),
    ("sum($metric)", "sum(__grafana_variable_metric)"),
    ("${metric}{job=\"a\"}", '__grafana_variable_metric{job="a"}'),
])
def test_grafana_variables_get_stand_ins_of_the_right_kind(expr: str, parsed: str) -> None:
    text, _ = substitute_grafana_variables(expr)

    assert text == parsed
    assert parse_promql(expr).ok


def test_the_offset_map_points_back_into_the_original() -> None:
    expr = "rate(x[$__rate_interval]) / foo"
    text, offsets = substitute_grafana_variables(expr)

    assert offsets.to_original(text.index("foo")) == expr.index("foo")
    assert offsets.to_original(text.index("3000000000ms")) == expr.index("$__rate_interval")
    assert offsets.to_original(3) == 3


def test_a_window_from_a_variable_names_its_variable() -> None:
    result = parse_promql("rate(x[5m]) + rate(y[$__rate_interval])")
    windows = [call.args[0].range.total_seconds() for call in (result.ast.lhs, result.ast.rhs)]

    assert result.offsets.for_duration(windows[0]) is None
    variable = result.offsets.for_duration(windows[1])
    assert variable is not None and variable.name == "__rate_interval"


def test_a_string_keeps_its_escapes_and_its_dollar_signs() -> None:
    text, offsets = substitute_grafana_variables(r'label_replace(x, "dst", "$1", "src", "(.*)")')

    assert text == r'label_replace(x, "dst", "$1", "src", "(.*)")'
    assert offsets.substitutions == ()
