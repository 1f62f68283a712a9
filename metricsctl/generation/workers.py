"""Render targets in forked processes, one per target or group, so a large catalog uses every
core.

Targets are pure and independent, so they can run side by side. The processes are forked
after the catalog is loaded and read it from the parent's memory (copy-on-write: nothing is
pickled on the way in); only each target's files come back, through the target's own pipe.
Results are read in the targets' order, so the output never depends on scheduling, and the
parent is free meanwhile (generate lints the catalog while the targets render).

Fork is used only on Linux (macOS system libraries are not fork-safe); no thread is started
before forking, so it is safe there.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkProcess

# What rendering one target gives: (its files, or None and a one-line problem).
Outcome = tuple[Any, str | None]
RunTarget = Callable[[str], Outcome]

# Below this many catalog entries the whole render takes less than forking (about 30 ms).
PARALLEL_THRESHOLD = 1000


def worth_forking(catalog_size: int) -> bool:
    """Whether to render in separate processes: a large catalog, several cores of which one
    is free, Linux.

    A forked process costs CPU time the in-process render does not (pages of the catalog
    copied on write, PromQL parsed again: about 0.2 s on bench/bench_grafana.py's catalog),
    which pays only when it runs on a core that would otherwise idle. When the 1-minute load
    average already fills every core, rendering in-process is faster.
    """
    cores = os.cpu_count() or 1
    if catalog_size < PARALLEL_THRESHOLD or cores < 2 or sys.platform != "linux":
        return False
    if _busy(cores):
        return False
    import multiprocessing  # only now: most runs render in-process and never need it

    return "fork" in multiprocessing.get_all_start_methods()


def _busy(cores: int) -> bool:
    """Whether the processes waiting to run already fill every core."""
    try:
        return os.getloadavg()[0] >= cores
    except OSError:  # not available: assume a free core, as before
        return False


def _render_and_send(run: RunTarget, names: Sequence[str], connection: Connection) -> None:
    # Ctrl-C reaches the whole process group: the parent handles it and stops this process,
    # which must not print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in names:  # one message per target, in order, each sent as soon as rendered
        outcome = run(name)
        try:
            connection.send(outcome)
        except Exception as error:  # e.g. a target returned something that cannot be pickled
            connection.send((None, f"target `{name}` failed: its output cannot be sent back "
                                   f"from its process: {type(error).__name__}: {error}"))
    connection.close()


class ForkedRendering:
    """One forked process per group of target names, started at once; `outcomes()` collects
    them in the order of `names`.

    `groups` (default: each target alone) puts targets that share work in one process, where
    what the first computes per catalog (metricsctl.catalog.memo) is free for the next.
    """

    def __init__(self, run: RunTarget, names: Sequence[str],
                 groups: Sequence[Sequence[str]] | None = None) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._names = list(names)
        self._groups = [list(group) for group in groups] if groups is not None else \
            [[name] for name in self._names]
        assert sorted(n for group in self._groups for n in group) == sorted(self._names)
        self._processes: list[tuple[ForkProcess, Connection]] = []
        # Objects alive now (the catalog, imported modules) move to the collector's permanent
        # generation in the children: their collections never walk, and so never write to,
        # the pages shared with this process (copying them on write cost CPU in every child).
        gc.freeze()
        try:
            self._start(run, context)
        finally:
            gc.unfreeze()  # this process collects as before

    def _start(self, run: RunTarget, context: Any) -> None:
        for group in self._groups:
            parent_end, child_end = context.Pipe(duplex=False)
            process = context.Process(target=_render_and_send, args=(run, group, child_end),
                                      name=f"metricsctl-render-{'+'.join(group)}", daemon=True)
            process.start()
            child_end.close()
            self._processes.append((process, parent_end))

    def outcomes(self) -> list[Outcome]:
        """Each target's outcome, in order; a process that dies is reported, not fatal."""
        results: dict[str, Outcome] = {}
        for group, (process, connection) in zip(self._groups, self._processes, strict=True):
            for name in group:
                try:
                    results[name] = connection.recv()
                except (EOFError, OSError):
                    process.join(timeout=5)
                    results[name] = (None, f"target `{name}` failed: its process ended "
                                           f"unexpectedly (exit code {process.exitcode})")
        return [results[name] for name in self._names]

    def close(self) -> None:
        """Stop every process, at once if it is still rendering (lint refused the catalog)."""
        for process, connection in self._processes:
            connection.close()
            process.join(timeout=0.1)
            if process.is_alive():
                process.kill()
                process.join()
            with contextlib.suppress(ValueError):
                process.close()
        self._processes = []
