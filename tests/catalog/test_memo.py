"""per_catalog: computed once per catalog object, recomputed for another catalog."""

from __future__ import annotations

from metricsctl.catalog import Catalog
from metricsctl.catalog.memo import per_catalog
from metricsctl.instrumentation import build_instrumentation
from tests.conftest import SMALL_CATALOG, load_valid_catalog


def test_a_result_is_computed_once_per_catalog() -> None:
    calls: list[Catalog] = []

    @per_catalog
    def metric_count(catalog: Catalog) -> int:
        calls.append(catalog)
        return len(catalog.metrics)

    first, second = load_valid_catalog(SMALL_CATALOG), load_valid_catalog(SMALL_CATALOG)

    assert metric_count(first) == metric_count(first) == metric_count(second)
    assert calls == [first, second]


def test_a_catalog_gone_is_never_mistaken_for_a_new_one_at_its_address() -> None:
    calls: list[int] = []

    @per_catalog
    def count(catalog: Catalog) -> int:
        calls.append(1)
        return len(calls)

    for _ in range(3):
        assert count(load_valid_catalog(SMALL_CATALOG)) == len(calls)

    assert len(calls) == 3


def test_the_instrumentation_model_is_shared_by_the_targets_of_one_catalog() -> None:
    catalog = load_valid_catalog(SMALL_CATALOG)

    assert build_instrumentation(catalog) is build_instrumentation(catalog)
