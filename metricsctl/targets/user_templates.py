"""User templates: the project file's `templates:` directories, each file a target of its own.

Every `*.j2` file in a template directory renders over the same context as the built-in
instrumentation templates (`instrumentation`, `catalog`) to `<out>/<its path without .j2>`;
its target name is that output path (`metricsctl generate --target go/metrics.go`). Files whose
name starts with `_` are partials for `{% include %}` and `{% import %}` and render nothing;
other files are ignored (a README can sit beside the templates).

Templates run in jinja2's sandbox, with undefined names as errors; a template error is a
LocatedError naming the template file and line, never a traceback. See docs/templates.md.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metricsctl.generation.errors import LocatedError
from metricsctl.instrumentation.identifiers import camel_case, pascal_case, snake_case

if TYPE_CHECKING:
    from jinja2 import Environment

    from metricsctl.catalog.model import Catalog, TemplateDir

TEMPLATE_SUFFIX = ".j2"
PARTIAL_PREFIX = "_"

_GO_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\a": "\\a",
               "\b": "\\b", "\f": "\\f", "\v": "\\v"}
_GO_SPECIALS = re.compile(r'[\\"\x00-\x1f\x7f-\U0010ffff]')


def go_string(text: str) -> str:
    """`text` as a Go interpreted string literal (as strconv.Quote writes it, UTF-8 kept).

    Lone surrogates cannot be in a Go (UTF-8) string: they become U+FFFD, as Go does.
    """
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in _GO_ESCAPES:
            return _GO_ESCAPES[char]
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            return "\\ufffd"
        if char.isprintable():
            return char
        return f"\\x{code:02x}" if code < 0x80 else (
            f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")

    return '"' + _GO_SPECIALS.sub(escape, text) + '"'


def json_value(value: Any) -> str:
    """`value` as JSON (strings, numbers, lists, mappings), UTF-8 kept, keys as given."""
    return json.dumps(value, ensure_ascii=False)


def csv_row(values: Any) -> str:
    """One CSV record (RFC 4180 quoting) of `values`, without the line ending."""
    buffer = io.StringIO()
    # The line ending is given so that fields holding line breaks are quoted, then dropped.
    csv.writer(buffer, lineterminator="\r\n").writerow(["" if v is None else v for v in values])
    return buffer.getvalue().removesuffix("\r\n")


def one_line(text: str) -> str:
    """`text` with every run of whitespace (line breaks included) made one space."""
    return " ".join(str(text).split())


def template_filters() -> dict[str, Callable[..., Any]]:
    """The filters every user template has (docs/templates.md lists them)."""
    from metricsctl.targets.python_stubs import py_docstring_body, py_string
    from metricsctl.targets.typescript import ts_comment_text, ts_string

    return {"go_string": go_string, "py_string": py_string, "py_docstring": py_docstring_body,
            "ts_string": ts_string, "ts_comment": ts_comment_text, "json": json_value,
            "csv_row": csv_row, "one_line": one_line, "camel_case": camel_case,
            "pascal_case": pascal_case, "snake_case": snake_case}


def template_files(directory: Path) -> list[str]:
    """The templates in `directory` that render (POSIX paths relative to it), sorted."""
    found = []
    for parent, subdirectories, files in os.walk(directory):
        subdirectories.sort()
        for name in files:
            if name.endswith(TEMPLATE_SUFFIX) and not name.startswith(PARTIAL_PREFIX) \
                    and len(name) > len(TEMPLATE_SUFFIX):
                found.append((Path(parent) / name).relative_to(directory).as_posix())
    return sorted(found)


def _display_directory(catalog: Catalog, template_dir: TemplateDir) -> str:
    """The template directory as the user would type it (`specs/templates/go`)."""
    project_file = catalog.project.source.file
    root = project_file.rsplit("/", 1)[0] + "/" if "/" in project_file else ""
    return root + Path(template_dir.dir).as_posix().rstrip("/")


@dataclass
class UserTemplate:
    """One template file as a target: NAME, DESCRIPTION and render(catalog), like a module."""

    NAME: str  # the output path, which is also the target's name
    DESCRIPTION: str
    template_dir: TemplateDir
    template: str  # relative to the template directory
    shown_dir: str  # the template directory as the user would type it, for messages

    @property
    def display(self) -> str:
        return f"{self.shown_dir}/{self.template}"

    def render(self, catalog: Catalog) -> dict[str, str]:
        from jinja2 import TemplateError

        from metricsctl.instrumentation import build_instrumentation

        environment = _environment(self.template_dir.path)
        try:
            text = environment.get_template(self.template).render(
                instrumentation=build_instrumentation(catalog), catalog=catalog)
        except RecursionError:
            raise LocatedError(f"{self.display}: the template recurses too deeply") from None
        except TemplateError as error:
            raise LocatedError(_located(error, self, error.message or str(error))) from None
        except Exception as error:  # e.g. a division by zero in the template: still its fault
            raise LocatedError(_located(error, self, f"{type(error).__name__}: {error}")) \
                from None
        return {self.NAME: text}


def _environment(directory: Path) -> Environment:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    environment = SandboxedEnvironment(
        loader=FileSystemLoader(directory, followlinks=False), undefined=StrictUndefined,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, autoescape=False)
    environment.filters.update(template_filters())
    return environment


def _located(error: Exception, target: UserTemplate, message: str) -> str:
    """`file:line: message` for a template error, at the innermost template line."""
    from jinja2 import TemplateSyntaxError

    if isinstance(error, TemplateSyntaxError) and error.lineno:
        shown = _shown_path(error.filename, target) if error.filename else None
        return f"{shown or target.display}:{error.lineno}: {message}"
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        shown = _shown_path(frame.filename, target)
        if shown is not None:
            return f"{shown}:{frame.lineno}: {message}"
    return f"{target.display}: {message}"


def _shown_path(filename: str, target: UserTemplate) -> str | None:
    """How to show `filename` when it is a file of the template directory, else None."""
    try:
        relative = Path(filename).resolve().relative_to(target.template_dir.path)
    except (ValueError, OSError):
        return None
    return f"{target.shown_dir}/{relative.as_posix()}"


def user_targets(catalog: Catalog) -> list[UserTemplate]:
    """One target per template file of every `templates:` directory, in the order given."""
    targets: list[UserTemplate] = []
    for template_dir in catalog.project.templates:
        shown = _display_directory(catalog, template_dir)
        for template in template_files(template_dir.path):
            name = f"{template_dir.out}/{template.removesuffix(TEMPLATE_SUFFIX)}"
            targets.append(UserTemplate(name, f"user template {shown}/{template}",
                                        template_dir, template, shown))
    return targets
