"""A checker for the Go text/template syntax Prometheus uses in alert labels and annotations.

Prometheus refuses to load a rule whose label or annotation template does not parse. This
module finds the same problems offline: unclosed actions, unbalanced if/range/with/end,
functions that do not exist, variables never declared, empty commands. It also reports
which `$labels.<name>` (or `.Labels.<name>`) and `$externalLabels.<name>` a template reads
and where `$value` is used.
Messages follow Go's wording (`function "humanise" not defined`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Go's builtins plus the functions Prometheus adds for alert templates.
FUNCTIONS = frozenset({
    "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "html", "js",
    "urlquery", "call", "eq", "ne", "lt", "le", "gt", "ge",
    "humanize", "humanize1024", "humanizeDuration", "humanizePercentage",
    "humanizeTimestamp", "toTime", "query", "first", "label", "value", "strvalue",
    "sortByLabel", "title", "toUpper", "toLower", "match", "reReplaceAll", "graphLink",
    "tableLink", "args", "safeHtml", "stripPort", "stripDomain", "pathPrefix",
    "externalURL", "parseDuration", "urlQueryEscape",
})
# Variables Prometheus declares before expanding an alert template.
PREDECLARED = frozenset({"$", "$labels", "$value", "$externalLabels", "$externalURL"})
_BLOCK_OPENERS = frozenset({"if", "range", "with", "define", "block"})
_KEYWORDS = _BLOCK_OPENERS | frozenset({"else", "end", "template", "break", "continue", "nil",
                                        "true", "false"})
_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|`[^`]*`|'(?:[^'\\\n]|\\.)+')
    |(?P<declare>:=|=)
    |(?P<variable>\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
    |(?P<field>(?:\.[A-Za-z0-9_]+)+|\.)
    |(?P<number>[-+]?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+))
    |(?P<identifier>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<punctuation>[|(),])
    """, re.VERBOSE)


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    message: str
    offset: int  # in the template text


@dataclass
class TemplateReport:
    problems: list[TemplateProblem] = field(default_factory=list)
    label_references: list[tuple[str, int]] = field(default_factory=list)  # (label, offset)
    # `$externalLabels.<name>`: (name, offset)
    external_label_references: list[tuple[str, int]] = field(default_factory=list)
    value_references: list[int] = field(default_factory=list)  # offsets of $value / .Value


@dataclass
class _Action:
    text: str
    start: int  # offset of the action's content in the template


def _actions(template: str, report: TemplateReport) -> list[_Action]:
    actions: list[_Action] = []
    index = 0
    while True:
        open_at = template.find("{{", index)
        if open_at < 0:
            return actions
        content_start = open_at + 2
        if template.startswith("- ", content_start) or template.startswith("-\t", content_start):
            content_start += 1
        close_at = _find_close(template, content_start)
        if close_at < 0:
            report.problems.append(TemplateProblem("unclosed action", open_at))
            return actions
        content_end = close_at
        if template[close_at - 1] == "-" and template[close_at - 2].isspace():
            content_end = close_at - 1
        actions.append(_Action(template[content_start:content_end], content_start))
        index = close_at + 2


def _find_close(template: str, start: int) -> int:
    """The offset of the `}}` that ends the action starting at `start` (quotes skipped)."""
    index = start
    while index < len(template):
        char = template[index]
        if template.startswith("}}", index):
            return index
        if char in "\"'`":
            end = template.find(char, index + 1) if char == "`" else _quoted_end(template, index)
            if end < 0:
                return -1
            index = end + 1
            continue
        if template.startswith("/*", index):
            end = template.find("*/", index + 2)
            if end < 0:
                return -1
            index = end + 2
            continue
        index += 1
    return -1


def _quoted_end(text: str, start: int) -> int:
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == text[start]:
            return index
        if text[index] == "\n":
            return -1
        index += 1
    return -1


def check_template(template: str) -> TemplateReport:
    """Parse `template` as Prometheus would; report problems and what it reads."""
    report = TemplateReport()
    declared = set(PREDECLARED)
    # Open blocks: (keyword, offset, whether dot is rebound inside). In `range` and `with`
    # dot is the pipeline's value (a query result, a label value), not the alert's data, so
    # `.Labels.x` there is no label of the alert; `$labels` keeps meaning the alert's.
    blocks: list[tuple[str, int, bool]] = []
    for action in _actions(template, report):
        stripped = action.text.strip()
        if stripped.startswith("/*"):
            if not stripped.endswith("*/"):
                report.problems.append(TemplateProblem("unclosed comment", action.start))
            continue
        tokens = _tokenize(action, report)
        if tokens is None:
            continue
        if not tokens:
            report.problems.append(TemplateProblem("missing value for command", action.start))
            continue
        kind, word, offset = tokens[0]
        # The pipeline of `range`/`with` itself is evaluated with the enclosing dot.
        dot_is_alert = not any(rebinds for _, _, rebinds in blocks)
        if kind == "identifier" and word in _BLOCK_OPENERS:
            blocks.append((word, offset, word != "if"))
            tokens = tokens[1:]
            if word in ("define", "block"):
                tokens = tokens[1:]  # the template's name
        elif kind == "identifier" and word == "end":
            if not blocks:
                report.problems.append(TemplateProblem("unexpected {{end}}", offset))
            else:
                blocks.pop()
            continue
        elif kind == "identifier" and word == "else":
            if not blocks or blocks[-1][0] not in ("if", "range", "with"):
                report.problems.append(TemplateProblem("unexpected {{else}}", offset))
            chained = tokens[1][1] if len(tokens) > 1 and tokens[1][1] in ("if", "with") else None
            if blocks:
                # `else` runs with the dot outside the block; `else with` rebinds it again.
                opener, opened_at, _ = blocks.pop()
                dot_is_alert = not any(rebinds for _, _, rebinds in blocks)
                blocks.append((opener, opened_at, chained == "with"))
            tokens = tokens[2:] if chained else []
        elif kind == "identifier" and word in ("break", "continue"):
            continue
        elif kind == "identifier" and word == "template":
            tokens = tokens[2:]
        _check_pipeline(tokens, declared, report, dot_is_alert=dot_is_alert)
    for word, offset, _ in blocks:
        report.problems.append(TemplateProblem(f"unexpected EOF: {{{{{word}}}}} has no {{{{end}}}}",
                                               offset))
    return report


Token = tuple[str, str, int]  # (kind, text, offset in the template)


def _tokenize(action: _Action, report: TemplateReport) -> list[Token] | None:
    tokens: list[Token] = []
    index = 0
    while index < len(action.text):
        match = _TOKEN.match(action.text, index)
        if match is None or match.lastgroup is None:
            report.problems.append(TemplateProblem(
                f"unexpected {action.text[index]!r} in command", action.start + index))
            return None
        if match.lastgroup != "space":
            tokens.append((match.lastgroup, match.group(), action.start + index))
        index = match.end()
    return tokens


def _check_pipeline(tokens: list[Token], declared: set[str], report: TemplateReport, *,
                    dot_is_alert: bool = True) -> None:
    declaration: Token | None = None
    if len(tokens) >= 2 and tokens[0][0] == "variable" and tokens[1][0] == "declare":
        declared.add(tokens[0][1])
        declaration, tokens = tokens[1], tokens[2:]
    elif (len(tokens) >= 4 and tokens[0][0] == "variable" and tokens[1][1] == ","
          and tokens[2][0] == "variable" and tokens[3][0] == "declare"):
        declared.update((tokens[0][1], tokens[2][1]))  # range $i, $x := ...
        declaration, tokens = tokens[3], tokens[4:]
    if declaration is not None and not tokens:
        report.problems.append(TemplateProblem("missing value for command", declaration[2]))
        return
    open_parens: list[int] = []
    expect_command = True
    for kind, text, offset in tokens:
        if text == "(":
            open_parens.append(offset)
            expect_command = True
            continue
        if text == ")":
            if not open_parens:
                report.problems.append(TemplateProblem("unexpected right paren", offset))
                return
            open_parens.pop()
            continue
        if text == "|":
            if expect_command:
                report.problems.append(TemplateProblem("missing command before '|'", offset))
                return
            expect_command = True
            continue
        expect_command = False
        if kind == "variable":
            _variable(text, offset, declared, report)
        elif kind == "field" and dot_is_alert:
            _field(text, offset, report)
        elif kind == "identifier" and text not in _KEYWORDS and text not in FUNCTIONS:
            report.problems.append(TemplateProblem(f'function "{text}" not defined', offset))
        elif kind == "declare":
            report.problems.append(TemplateProblem(f"unexpected {text!r} in command", offset))
    if open_parens:
        report.problems.append(TemplateProblem("unclosed left paren", open_parens[-1]))
    # A trailing `|` is accepted: Go's parser ends the pipeline at `}}` without complaint.


def _variable(text: str, offset: int, declared: set[str], report: TemplateReport) -> None:
    name, _, path = text.partition(".")
    if name not in declared:
        report.problems.append(TemplateProblem(f'undefined variable "{name}"', offset))
        return
    if name == "$labels" and path:
        report.label_references.append((path.split(".")[0], offset + len(name) + 1))
    if name == "$externalLabels" and path:
        report.external_label_references.append((path.split(".")[0], offset + len(name) + 1))
    if name == "$value":
        report.value_references.append(offset)


def _field(text: str, offset: int, report: TemplateReport) -> None:
    parts = text.split(".")[1:]
    if parts[:1] == ["Labels"] and len(parts) > 1:
        report.label_references.append((parts[1], offset + len(".Labels.")))
    if parts[:1] == ["Value"]:
        report.value_references.append(offset)
