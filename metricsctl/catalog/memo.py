"""Results computed once per catalog and shared by whoever asks again in the same process.

Targets are pure functions of the catalog, and some need what another target (or the same
intermediate model) already computed: `alert-tests` reads the rule files `prometheus-rules`
renders, `python` and `typescript` both build the instrumentation model. When they render
in one process, `per_catalog` makes the second ask free. Nothing is written to disk; the
result lives as long as the catalog object does.

The result is shared, not copied: memoize only functions whose results are immutable (frozen
dataclasses, tuples, strings) or that callers treat as read-only.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from metricsctl.catalog.model import Catalog

T = TypeVar("T")


def per_catalog(function: Callable[[Catalog], T]) -> Callable[[Catalog], T]:
    """`function(catalog)` computed once per live catalog object (by identity: a Catalog holds
    mappings and cannot be hashed, and two equal catalogs are rarely both alive)."""
    # id(catalog) -> (a reference telling whether that catalog is still the one, result)
    results: dict[int, tuple[weakref.ref[Catalog], T]] = {}

    @functools.wraps(function)
    def memoized(catalog: Catalog) -> T:
        cached = results.get(id(catalog))
        if cached is not None and cached[0]() is catalog:
            return cached[1]
        result = function(catalog)
        for key in [key for key, (ref, _) in results.items() if ref() is None]:
            del results[key]  # catalogs gone since: their ids may be reused
        results[id(catalog)] = (weakref.ref(catalog), result)
        return result

    return memoized
