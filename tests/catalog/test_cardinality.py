"""Series estimates from label bounds."""

from __future__ import annotations

from metricsctl.catalog import load_catalog
from metricsctl.catalog.cardinality import estimate_catalog, total_series
from tests.conftest import WriteCatalog


def test_series_are_the_product_of_label_bounds_times_samples(
        write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        labels:
          method: {values: [GET, POST]}
          route: {max_cardinality: 10}
          user_id: {}
        metrics:
          req_total: {type: counter, help: h, labels: [method, route]}
          lat_seconds: {type: histogram, help: h, labels: [method], buckets: [0.1, 1]}
          sessions: {type: gauge, help: h, labels: [user_id]}
        """})
    catalog = load_catalog(root).catalog
    assert catalog is not None
    estimates = estimate_catalog(catalog)
    assert estimates["req_total"].series == 20
    assert estimates["lat_seconds"].series == 2 * (2 + 1 + 2)  # buckets, +Inf, _count, _sum
    assert estimates["sessions"].series is None
    assert estimates["sessions"].unbounded == ("user_id",)
    assert total_series(estimates) == 30
