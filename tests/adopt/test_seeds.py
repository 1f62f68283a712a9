"""The seeds' hand-written alert groups, dashboard snippets and scrape configs, imported
together, make a catalog that validates and lints without errors."""

from __future__ import annotations

from pathlib import Path

from tests.adopt.conftest import FIXTURES
from tests.conftest import load_valid_catalog

SEEDS = FIXTURES / "seeds"


def test_the_seeds_import_into_a_catalog_that_lints(cli, tmp_path: Path) -> None:
    specs = tmp_path / "specs"

    imported = cli("import", SEEDS, "--into", specs)
    linted = cli("lint", specs)

    assert imported.exit_code == 0, imported.output
    assert linted.exit_code == 0, linted.output
    catalog = load_valid_catalog(specs)
    # Three teams each wrote a HighErrorRate: three alerts, one name.
    assert sorted((a.key, a.domain) for a in catalog.alerts.values()
                  if a.name == "HighErrorRate") == [
        ("HighErrorRate", "gatewayz_alerts"), ("HighErrorRate_2", "sidepanel"),
        ("HighErrorRate_3", "service_alerts")]
    assert [job.name for job in catalog.project.scrape_jobs] == [
        "api-gateway", "gatewayz-api", "api", "bot", "worker"]
    assert catalog.project.alertmanagers == ("alertmanager:9093",)
    assert "up" not in catalog.metrics  # Prometheus writes it; never a catalog metric
    assert {m.name: m.type_inferred for m in catalog.metrics.values()}["token_spend_total"]
