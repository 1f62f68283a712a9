"""A small deterministic YAML emitter for the Prometheus targets.

`yaml.safe_dump` sorts or keeps keys, folds long lines unless told not to, and picks scalar
styles that change between versions; Prometheus files read better and diff better with one
fixed layout. This emitter writes block style only, keys in the order given, sequences
indented under their key, and each string in the most readable style that loads back to
exactly the same string in YAML 1.1 (PyYAML) and in Go's yaml.v2/v3 (Prometheus):

- plain when the text cannot be mistaken for anything else (`5m`, `HighErrorRate`,
  `https://runbooks.example.com/x`, `sum(rate(x{code="500"}[5m])) > 1`);
- a literal block (`|`) for multi-line text such as long PromQL, so it reads as written;
- single quotes for other one-line printable text (`'{{ $labels.route }}'`, PromQL with `"`),
  which need no escapes besides doubling `'`;
- double quotes with escapes for anything holding control or line-break characters.

Lines are never folded, so no width limit applies.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

INDENT = 2

# Text that may stand unquoted: starts with a letter, `_` or `/`, continues in printable
# ASCII without `#`, and never ends with a space or `:`. Flow indicators (`[]{},`) are
# ordinary characters inside a plain scalar in block context, so PromQL reads as written;
# `: ` (a mapping) is excluded separately.
_PLAIN = re.compile(r"[A-Za-z_/](?:[ -\"$-~]*[!-\"$-9;-~])?")
# Digit-led text is only plain when it is a duration (`15s`, `1h30m`): never a number or date.
_DURATION = re.compile(r"(?:[0-9]+(?:ms|[ywdhms]))+")
# Words YAML 1.1 (and Go's yaml.v2, which adds y/n) reads as booleans or null.
_RESERVED_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
# Characters YAML forbids unescaped in a document (controls but tab and LF), plus the ones it
# treats as line breaks (CR, NEL, LS, PS) and the byte-order mark: all need an escape.
_UNPRINTABLE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff"
_NEEDS_ESCAPE = re.compile(f"[{_UNPRINTABLE}]")
_DOUBLE_QUOTED_SPECIAL = re.compile('[\\\\"\t\n' + _UNPRINTABLE + "]")
_TAB_OR_NEWLINE = re.compile("[\t\n]")
_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\0": "\\0", "\a": "\\a", "\b": "\\b",
                  "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r",
                  "\x1b": "\\e", "\x85": "\\N", "\u2028": "\\L",
                  "\u2029": "\\P"}
# Implicit (unmarked) keys are limited to 1024 characters on one line; longer keys use `? `.
_MAX_IMPLICIT_KEY = 1024

Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Commented:
    """A sequence item preceded by comment lines (e.g. a recording rule's description)."""

    comment: str
    value: Node


Node = Scalar | Mapping[str, "Node"] | Sequence["Node"] | Commented


def dump_yaml(document: Mapping[str, Node], *, header: str = "") -> str:
    """The YAML text of `document`, after `header` as `#` comment lines; ends with one LF."""
    lines = [*comment_lines(header, 0)]
    lines.extend(_mapping(document, 0))
    return "\n".join(lines) + "\n"


def comment_lines(text: str, indent: int) -> Iterator[str]:
    """`text` as comment lines; characters that would end or corrupt a comment are escaped."""
    if not text:
        return
    prefix = " " * indent + "#"
    for line in text.split("\n"):
        safe = _escape(line, quote=False)
        yield f"{prefix} {safe}" if safe else prefix


def _mapping(mapping: Mapping[str, Node], indent: int) -> Iterator[str]:
    pad = " " * indent
    for key, value in mapping.items():
        rendered_key = _key(key)
        if len(rendered_key) > _MAX_IMPLICIT_KEY or "\n" in rendered_key:
            yield f"{pad}? {_double_quoted(key)}"
            rendered_key = ""
        inline, block = _value(value, indent)
        yield f"{pad}{rendered_key}: {inline}" if inline else f"{pad}{rendered_key}:"
        yield from block


def _sequence(items: Sequence[Node], indent: int) -> Iterator[str]:
    pad = " " * indent
    for item in items:
        if isinstance(item, Commented):
            yield from comment_lines(item.comment, indent)
            item = item.value
        inline, block = _value(item, indent)
        if inline:
            yield f"{pad}- {inline}"
            yield from block
        else:
            # A nested block starts on the dash's line: `- key: value` / `- - item`.
            yield f"{pad}- {block[0][indent + INDENT:]}"
            yield from block[1:]


def _value(value: Node, indent: int) -> tuple[str, list[str]]:
    """A value under a key or dash at `indent`: the text on that line and the lines below.

    Empty collections and scalars start on the key's line; other collections are a block
    one level deeper.
    """
    # dict and list first: the ABC checks below (Mapping, Sequence) cost more than the rest.
    if isinstance(value, dict):
        return ("", list(_mapping(value, indent + INDENT))) if value else ("{}", [])
    if isinstance(value, list):
        return ("", list(_sequence(value, indent + INDENT))) if value else ("[]", [])
    if value is None or isinstance(value, str | int | float):  # bool is an int
        first, *rest = _scalar(value, indent + INDENT)
        return first, rest
    if isinstance(value, Commented):
        raise TypeError("comments are only supported on sequence items")
    if isinstance(value, Mapping):
        return ("", list(_mapping(value, indent + INDENT))) if value else ("{}", [])
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ("", list(_sequence(value, indent + INDENT))) if value else ("[]", [])
    first, *rest = _scalar(value, indent + INDENT)
    return first, rest


@functools.lru_cache(maxsize=4096)  # keys repeat: every panel's `gridPos`, `type`, `expr`
def _key(key: str) -> str:
    if not isinstance(key, str):
        raise TypeError(f"mapping keys must be strings, not {type(key).__name__}")
    return key if _is_plain(key) else _quoted(key)


def _scalar(value: Scalar, content_indent: int) -> list[str]:
    """The lines of a scalar; the first continues its `key:` or `-` line."""
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, int):
        return [str(value)]
    if isinstance(value, float):
        return [_float(value)]
    if not isinstance(value, str):
        raise TypeError(f"cannot write a {type(value).__name__} as YAML")
    if _is_plain(value):
        return [value]
    if _fits_literal_block(value):
        return _literal_block(value, content_indent)
    return [_quoted(value)]


@functools.lru_cache(maxsize=4096)
def _is_plain(text: str) -> bool:
    if text.lower() in _RESERVED_WORDS:
        return False
    if _PLAIN.fullmatch(text):
        return ": " not in text
    return _DURATION.fullmatch(text) is not None


def _fits_literal_block(text: str) -> bool:
    """Multi-line printable text with something besides blank lines in it.

    Text ending in blank lines is left to double quotes: a literal block would need `|+`
    and trailing blank lines, which the writer's newline normalisation would eat at the end
    of a file.
    """
    return ("\n" in text and text.strip(" \n") != "" and not text.endswith("\n\n")
            and _NEEDS_ESCAPE.search(text) is None)


def _literal_block(text: str, content_indent: int) -> list[str]:
    # `|` keeps exactly one final newline, `|-` none.
    chomping = "" if text.endswith("\n") else "-"
    # Content that starts with a space (or a blank line) would mislead indentation detection.
    indicator = str(INDENT) if text[0] in " \n" else ""
    pad = " " * content_indent
    lines = [f"|{indicator}{chomping}"]
    lines.extend(f"{pad}{line}" if line else "" for line in text.removesuffix("\n").split("\n"))
    return lines


def _quoted(text: str) -> str:
    """Single quotes (no escapes but `''`) unless the text needs a double-quoted escape."""
    if _NEEDS_ESCAPE.search(text) or _TAB_OR_NEWLINE.search(text):
        return _double_quoted(text)
    return "'" + text.replace("'", "''") + "'"


def _double_quoted(text: str) -> str:
    return '"' + _escape(text, quote=True) + '"'


def _escape(text: str, *, quote: bool) -> str:
    """Escape what a double-quoted scalar (quote=True) or a comment (quote=False) cannot hold."""
    pattern = _DOUBLE_QUOTED_SPECIAL if quote else _NEEDS_ESCAPE
    return pattern.sub(lambda match: _escape_char(match.group()), text)


def _escape_char(char: str) -> str:
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def _float(value: float) -> str:
    """The shortest text that reads back as `value` in YAML 1.1 and 1.2."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    # YAML 1.1 only reads exponents after a `.` and with a sign: 1e-07 -> 1.0e-07.
    mantissa, _, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    if exponent and exponent[0] not in "+-":
        exponent = "+" + exponent
    return f"{mantissa}e{exponent}" if exponent else mantissa
