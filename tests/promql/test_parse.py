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


# -- size and nesting limits, checked before the parser runs ---------------------------------

def nested(depth: int, inner: str = "up") -> str:
    return "(" * depth + inner + ")" * depth


def chain(terms: int, operator: str = "+") -> str:
    return f" {operator} ".join(["up"] * terms)


@pytest.mark.parametrize(("expr", "message", "offset"), [
    # 1.8 GB and a RecursionError before the limit; 50,000 crashed the process
    (nested(5_000), "PromQL expression nested more than 64 levels deep (parentheses, "
                    "brackets and braces)", 64),
    (nested(50_000), "PromQL expression of 100,002 characters; the limit is 65,536", 65_536),
    # 5 GB and a crash before the limit
    (chain(20_000), "PromQL expression of 99,997 characters; the limit is 65,536", 65_536),
    (chain(300, "or"), "PromQL expression with more than 256 operators", 256 * 6 + 3),
    (chain(300, "/"), "PromQL expression with more than 256 operators", 256 * 5 + 3),
    ("-" * 1_000 + "up", "PromQL expression with more than 256 operators", 256),
    ("abs(" * 100 + "up" + ")" * 100, "PromQL expression nested more than 64 levels deep "
                                      "(parentheses, brackets and braces)", 64 * 4 + 3),
])
def test_expressions_past_the_limits_are_refused_before_parsing(
        expr: str, message: str, offset: int) -> None:
    result = parse_promql(expr)
    assert result.ast is None and result.error is not None
    assert (result.error.message, result.error.offset) == (message, offset)


def test_expressions_at_the_limits_parse_and_walk_without_running_out_of_stack() -> None:
    from metricsctl.promql.references import expr_references
    from metricsctl.promql.syntax_tree import locate_tree, syntax_tree

    for expr in (nested(63, chain(256)), nested(64), "-" * 256 + "up",
                 nested(30, "sum by (job) (" + chain(200, "^") + ")"),
                 'up{job="' + "(" * 500 + '"}', "sum(rate(x[5m])) # " + "(" * 500):
        result = parse_promql(expr)
        assert result.ok, (expr[:80], result.error)
        tree = syntax_tree(result)
        assert tree is not None and locate_tree(tree, result)
        assert expr_references(expr) is not None


def test_brackets_in_strings_and_comments_and_matcher_operators_do_not_count() -> None:
    expr = ('up{a="((((", b=~"' + "1+2-3*4/" * 100 + '", c!="x"} '
            + " ".join(f"and on(x) up{{c{i}=\"v\"}}" for i in range(100)))
    assert parse_promql(expr).ok


def test_real_world_rule_sets_and_dashboards_stay_far_below_the_limits() -> None:
    import json
    from pathlib import Path

    import yaml

    from metricsctl.promql.limits import MAX_NESTING, MAX_OPERATORS, check_limits

    def expressions(data: object) -> list[str]:
        if isinstance(data, dict):
            return [value for key, value in data.items()
                    if key == "expr" and isinstance(value, str)] + [
                found for value in data.values() for found in expressions(value)]
        if isinstance(data, list):
            return [found for value in data for found in expressions(value)]
        return []

    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "adopt"
    found: list[str] = []
    for path in sorted(fixtures.rglob("*")):
        if path.suffix in (".yaml", ".yml"):
            found += [e for d in yaml.safe_load_all(path.read_text()) for e in expressions(d)]
        elif path.suffix == ".json":
            found += expressions(json.loads(path.read_text()))
    assert len(found) > 50
    assert [e for e in found if check_limits(e) is not None] == []
    # ... with room to spare: 48 more levels around each, or each three times over, pass too
    assert all(check_limits("(" * 48 + e + ")" * 48) is None for e in found)
    assert all(check_limits(" or ".join([e] * 3)) is None for e in found)
    assert MAX_NESTING == 64 and MAX_OPERATORS == 256
