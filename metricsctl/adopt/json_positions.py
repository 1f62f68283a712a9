"""Line and column of values in a JSON text, by path, for located import messages.

`json` gives no positions, but its C scanner parses one value from any offset and says
where the value ends. A lookup walks the requested path from the root: in each object or
array on the way, the offset of every child is found by scanning past its siblings, and
kept, so each container is walked once however many paths go through it. Only the
containers on requested paths are walked (a dashboard's panels and their targets, not the
options and colours inside them), which costs a fraction of composing the whole document
with positions (libyaml's nodes: three to eight times as long on 100 dashboards).

The text must be valid JSON (it was parsed before anything is located in it). For a key
written twice, the position is the last one's, the value `json` keeps.
"""

from __future__ import annotations

import bisect
import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]  # C, as json uses
from json.scanner import make_scanner
from typing import Any

from metricsctl.catalog.yaml_source import PathKey
from metricsctl.diagnostics import Location

_SPACE = re.compile(r"[ \t\n\r]*")
_LINE_END = re.compile("\n")
# The scanner json.loads runs (C): (text, offset) -> (value, offset after it).
_scan_value: Any = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


class JsonPositions:
    """Positions of the values of one JSON document (walked on demand)."""

    def __init__(self, text: str, display: str) -> None:
        self.text, self.display = text, display
        self._children: dict[int, dict[str | int, int]] = {}  # container offset -> children
        self._line_starts: list[int] | None = None

    def locate(self, path: PathKey) -> Location:
        """The value at `path`, or its nearest ancestor with a known place."""
        text = self.text
        offset = _after_space(text, 1 if text.startswith("\ufeff") else 0)
        for part in path:
            if offset >= len(text) or text[offset] not in "{[":
                break
            child = self._children_of(offset).get(part)
            if child is None:
                break
            offset = child
        if self._line_starts is None:  # once per text: a count per lookup would be quadratic
            self._line_starts = [0, *(m.end() for m in _LINE_END.finditer(text))]
        line = bisect.bisect_right(self._line_starts, offset)
        return Location(self.display, line, offset - self._line_starts[line - 1] + 1)

    def _children_of(self, start: int) -> dict[str | int, int]:
        """The offset of each member (by key) or item (by index) of the container at
        `start`."""
        found = self._children.get(start)
        if found is not None:
            return found
        text = self.text
        found = self._children[start] = {}
        is_object = text[start] == "{"
        offset = _after_space(text, start + 1)
        index = 0
        while text[offset] not in "}]":
            if is_object:
                key, offset = scanstring(text, offset + 1)
                offset = _after_space(text, _after_space(text, offset) + 1)  # past the ':'
                found[key] = offset
            else:
                found[index] = offset
                index += 1
            _, offset = _scan_value(text, offset)
            offset = _after_space(text, offset)
            if text[offset] == ",":
                offset = _after_space(text, offset + 1)
        return found


def _after_space(text: str, offset: int) -> int:
    """The offset of the first character at or after `offset` that is not JSON space."""
    match = _SPACE.match(text, offset)
    return match.end() if match is not None else offset
