"""Console output: rich where it helps people, plain where scripts read it.

Both consoles print literally by default: no markup (`[bold]`), no emoji codes (`:x:`), no
highlighting, so names, paths, excerpts and server text print as they are. Colour is
explicit: a `Text` (see `styled`), or `markup=True` on a string whose data went through
`rich.markup.escape`.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


@cache
def stdout() -> Console:
    from rich.console import Console

    return Console(highlight=False, markup=False, emoji=False, soft_wrap=True,
                   no_color=bool(os.environ.get("NO_COLOR")))


@cache
def stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True,
                   no_color=bool(os.environ.get("NO_COLOR")))


def styled(*parts: str | tuple[str, str]) -> Text:
    """Plain strings and (text, style) pairs as one literal line.

    `styled(("✓", "green"), " ok")`: nothing in the strings is read as markup or emoji.
    """
    from rich.text import Text

    line = Text()
    for part in parts:
        if isinstance(part, tuple):
            line.append(part[0], style=part[1])
        else:
            line.append(part)
    return line


def write(text: str) -> None:
    """Plain text to stdout, exactly as given (machine formats)."""
    sys.stdout.write(text)
    sys.stdout.flush()
