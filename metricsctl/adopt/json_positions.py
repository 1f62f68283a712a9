"""Line and column of every value in a JSON text, by path, for located import messages.

`json` gives no positions; this scanner walks the text once with a regular expression
(strings, structural characters, bare scalars), only when a message needs a place.
"""

from __future__ import annotations

import json
import re

from metricsctl.catalog.yaml_source import PathKey
from metricsctl.diagnostics import Location

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.DOTALL)


class JsonPositions:
    """Positions of the values of one JSON document (computed on first use)."""

    def __init__(self, text: str, display: str) -> None:
        self.text, self.display = text, display
        self._positions: dict[PathKey, tuple[int, int]] | None = None

    def locate(self, path: PathKey) -> Location:
        """The value at `path`, or its nearest ancestor with a known place."""
        positions = self._scan()
        for depth in range(len(path), -1, -1):
            found = positions.get(path[:depth])
            if found is not None:
                return Location(self.display, *found)
        return Location(self.display, 1, 1)

    def _scan(self) -> dict[PathKey, tuple[int, int]]:
        if self._positions is not None:
            return self._positions
        positions: dict[PathKey, tuple[int, int]] = {}
        line_starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        stack: list[tuple[PathKey, str, list[object]]] = []  # path, kind, [key or index]
        path: PathKey = ()
        expecting_key = False
        pending_key: str | int | None = None
        import bisect

        def place(offset: int) -> tuple[int, int]:
            line = bisect.bisect_right(line_starts, offset)
            return line, offset - line_starts[line - 1] + 1

        for match in _TOKEN.finditer(self.text):
            token = match.group()
            if stack and stack[-1][1] == "object" and expecting_key and token.startswith('"'):
                pending_key = json.loads(token)
                expecting_key = False
                continue
            if token == ":":
                continue
            if token == ",":
                if stack and stack[-1][1] == "object":
                    expecting_key = True
                elif stack:
                    stack[-1][2][0] = int(stack[-1][2][0]) + 1  # type: ignore[call-overload]
                continue
            if token in ("}", "]"):
                if stack:
                    path = stack.pop()[0]
                continue
            # A value: where it sits.
            if stack and stack[-1][1] == "object":
                here: PathKey = (*path, pending_key) if pending_key is not None else path
            elif stack:
                here = (*path, int(stack[-1][2][0]))  # type: ignore[call-overload]
            else:
                here = ()
            positions.setdefault(here, place(match.start()))
            if token in ("{", "["):
                stack.append((path, "object" if token == "{" else "array", [0]))
                path = here
                expecting_key = token == "{"
        self._positions = positions
        return positions
