"""Line and column of values in a JSON text, by path, for located import messages.

`json` gives no positions. JSON is (almost always) YAML too, so libyaml composes the text
into nodes that carry their marks, in C; a lookup then walks only the requested path. Text
libyaml refuses (rare escapes) falls back to a scanner over the tokens.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from metricsctl.catalog.yaml_source import PathKey
from metricsctl.diagnostics import Location

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.DOTALL)


class JsonPositions:
    """Positions of the values of one JSON document (composed on first use)."""

    def __init__(self, text: str, display: str) -> None:
        self.text, self.display = text, display
        self._root: Any = None
        self._scanned: dict[PathKey, tuple[int, int]] | None = None

    def locate(self, path: PathKey) -> Location:
        """The value at `path`, or its nearest ancestor with a known place."""
        if self._scanned is None and self._root is None:
            self._compose()
        if self._scanned is not None:
            for depth in range(len(path), -1, -1):
                found = self._scanned.get(path[:depth])
                if found is not None:
                    return Location(self.display, *found)
            return Location(self.display, 1, 1)
        node = self._root
        for part in path:
            child = _child(node, part)
            if child is None:
                break
            node = child
        mark = node.start_mark
        return Location(self.display, mark.line + 1, mark.column + 1)

    def _compose(self) -> None:
        import yaml

        loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            self._root = loader(self.text).get_single_node()
        except yaml.YAMLError:
            self._root = None
        if self._root is None:
            self._scanned = _scan(self.text)


def _child(node: Any, part: str | int) -> Any:
    value = getattr(node, "value", None)
    if not isinstance(value, list):
        return None
    if isinstance(part, int):
        return value[part] if 0 <= part < len(value) and not isinstance(value[part], tuple) \
            else None
    for item in value:
        if isinstance(item, tuple) and getattr(item[0], "value", None) == part:
            return item[1]
    return None


def _scan(text: str) -> dict[PathKey, tuple[int, int]]:
    """Every value's position, from a token scan (the fallback)."""
    positions: dict[PathKey, tuple[int, int]] = {}
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
    stack: list[tuple[PathKey, bool, list[int]]] = []  # parent path, is object, [index]
    path: PathKey = ()
    expecting_key = False
    pending_key: str | None = None
    for match in _TOKEN.finditer(text):
        token = match.group()
        in_object = bool(stack) and stack[-1][1]
        if in_object and expecting_key and token.startswith('"'):
            pending_key, expecting_key = json.loads(token), False
            continue
        if token == ":":
            continue
        if token == ",":
            if in_object:
                expecting_key = True
            elif stack:
                stack[-1][2][0] += 1
            continue
        if token in ("}", "]"):
            if stack:
                path = stack.pop()[0]
            continue
        if in_object:
            here: PathKey = (*path, pending_key) if pending_key is not None else path
        elif stack:
            here = (*path, stack[-1][2][0])
        else:
            here = ()
        line = bisect.bisect_right(line_starts, match.start())
        positions.setdefault(here, (line, match.start() - line_starts[line - 1] + 1))
        if token in ("{", "["):
            stack.append((path, token == "{", [0]))
            path, expecting_key = here, token == "{"
    return positions
