"""The one error generation raises: a summary, every problem found, and how to fix it."""

from __future__ import annotations

from collections.abc import Sequence


class GenerationError(Exception):
    """A problem that stops generation; `problems` lists every one, each on one line."""

    def __init__(self, summary: str, problems: Sequence[str] = (), hint: str | None = None):
        super().__init__(summary)
        self.summary = summary
        self.problems = list(problems)
        self.hint = hint


class LocatedError(Exception):
    """An error in a file the user wrote (a template), already located: `file:line: message`.

    Reported as it is, without the Python frame where it was noticed.
    """
