"""Exposition files in both formats: the catalog gets each family's type, help, unit,
labels with their observed values, and bucket bounds."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import load_valid_catalog

OPENMETRICS = """\
# TYPE shop_checkouts counter
# HELP shop_checkouts Checkouts finished.
shop_checkouts_total{outcome="paid"} 10
shop_checkouts_total{outcome="declined"} 2
shop_checkouts_created{outcome="paid"} 1.7e9
# TYPE shop_request_duration_seconds histogram
# UNIT shop_request_duration_seconds seconds
# HELP shop_request_duration_seconds Time to answer a request.
shop_request_duration_seconds_bucket{le="0.1"} 4
shop_request_duration_seconds_bucket{le="0.5"} 9
shop_request_duration_seconds_bucket{le="+Inf"} 10
shop_request_duration_seconds_count 10
shop_request_duration_seconds_sum 2.5
# TYPE shop_build info
# HELP shop_build Version of the shop.
shop_build_info{version="1.4.2"} 1
# EOF
"""

TEXT = """\
# HELP queue_depth Jobs waiting.
# TYPE queue_depth gauge
queue_depth{queue="emails"} 3
queue_depth{queue="exports"} 0
legacy_requests{code="200"} 7
"""


def test_openmetrics_and_text_format_files(cli, tmp_path: Path) -> None:
    (tmp_path / "shop.metrics").write_text(OPENMETRICS, encoding="utf-8")
    (tmp_path / "worker.prom").write_text(TEXT, encoding="utf-8")
    specs = tmp_path / "specs"

    result = cli("import", tmp_path / "shop.metrics", tmp_path / "worker.prom", "--into", specs)

    assert result.exit_code == 0, result.output
    metrics = load_valid_catalog(specs).metrics
    checkouts = metrics["shop_checkouts_total"]
    assert (checkouts.type.value, checkouts.help, checkouts.domain) == (
        "counter", "Checkouts finished.", "shop")
    assert checkouts.labels[0].values == ("declined", "paid")
    duration = metrics["shop_request_duration_seconds"]
    assert (duration.type.value, duration.unit, duration.buckets) == (
        "histogram", "seconds", (0.1, 0.5))
    assert metrics["shop_build_info"].type.value == "gauge"
    assert metrics["queue_depth"].labels[0].values == ("emails", "exports")
    legacy = metrics["legacy_requests"]
    assert (legacy.type.value, legacy.type_inferred, legacy.domain) == ("gauge", True, "worker")
    assert "legacy_requests: untyped in the exposition: type inferred as gauge" in result.stdout
