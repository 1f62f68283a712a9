"""Console output: rich where it helps people, plain where scripts read it."""

from __future__ import annotations

import os
import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@cache
def stdout() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True, no_color="NO_COLOR" in os.environ)


@cache
def stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True,
                   no_color="NO_COLOR" in os.environ)


def write(text: str) -> None:
    """Plain text to stdout, exactly as given (machine formats)."""
    sys.stdout.write(text)
    sys.stdout.flush()
