"""Run one piece of work over many items with a bounded thread pool, results in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def in_parallel(work: Callable[[T], R], items: Sequence[T], concurrency: int) -> list[R]:
    """`work` over `items` with up to `concurrency` threads; results in the items' order."""
    if concurrency <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(concurrency, len(items)),
                            thread_name_prefix="metricsctl-grafana") as pool:
        return list(pool.map(work, items))
