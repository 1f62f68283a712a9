"""Counted nouns for messages people read: `1 alert`, `2 alerts`, `1 series`."""

from __future__ import annotations

_IRREGULAR = {"series": "series", "index": "indexes", "query": "queries"}


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and `noun`, the noun in the plural unless the count is exactly one."""
    if count == 1:
        return f"1 {noun}"
    if plural is None:
        head, _, last = noun.rpartition(" ")
        plural = f"{head} " * bool(head) + _IRREGULAR.get(last, last + "s")
    return f"{count:,} {plural}"
