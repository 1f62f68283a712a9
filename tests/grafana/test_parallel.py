"""Bounded parallel work: every item once, results in the items' order."""

from __future__ import annotations

import threading
import time

from metricsctl.grafana.parallel import in_parallel


def test_results_keep_the_order_of_the_items() -> None:
    def slow_square(n: int) -> int:
        time.sleep(0.01 * (5 - n))  # later items finish first
        return n * n

    assert in_parallel(slow_square, [1, 2, 3, 4], 4) == [1, 4, 9, 16]


def test_never_more_than_concurrency_at_once() -> None:
    running = peak = 0
    lock = threading.Lock()

    def work(_: int) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1

    in_parallel(work, list(range(12)), 3)
    assert peak == 3


def test_concurrency_one_runs_in_the_calling_thread() -> None:
    assert in_parallel(lambda _: threading.current_thread().name, [1, 2], 1) == [
        threading.current_thread().name] * 2
