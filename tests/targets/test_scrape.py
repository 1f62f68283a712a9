"""The scrape target: a runnable prometheus.yml and a scrape_configs fragment to merge."""

from __future__ import annotations

from typing import Any

import yaml

from metricsctl.catalog.model import Catalog
from metricsctl.targets import load_target, scrape
from tests.conftest import SHIPPED_SPECS, SMALL_CATALOG, WriteCatalog, load_valid_catalog
from tests.targets.golden_files import assert_matches_golden


def rendered(catalog: Catalog, name: str) -> Any:
    return yaml.safe_load(scrape.render(catalog)[f"prometheus/{name}"])


def test_target_is_registered_under_its_name() -> None:
    assert load_target("scrape") is scrape
    assert scrape.NAME == "scrape"
    assert scrape.DESCRIPTION


def test_small_catalog_matches_golden_files() -> None:
    files = scrape.render(load_valid_catalog(SMALL_CATALOG))
    assert sorted(files) == ["prometheus/prometheus.yml", "prometheus/scrape_configs.yml"]
    assert_matches_golden(files, "prometheus", "*.yml")


def test_prometheus_yml_of_the_small_catalog() -> None:
    config = rendered(load_valid_catalog(SMALL_CATALOG), "prometheus.yml")
    assert list(config) == ["global", "rule_files", "alerting", "scrape_configs"]
    assert config["global"] == {"scrape_interval": "15s", "scrape_timeout": "10s",
                                "evaluation_interval": "30s",
                                "external_labels": {"cluster": "test"}}
    # Relative to prometheus.yml, where Prometheus resolves them.
    assert config["rule_files"] == ["rules/shop.rules.yml"]
    assert config["alerting"] == {
        "alertmanagers": [{"static_configs": [{"targets": ["alertmanager:9093"]}]}]}


def test_each_job_carries_its_settings_and_labels() -> None:
    jobs = rendered(load_valid_catalog(SMALL_CATALOG), "prometheus.yml")["scrape_configs"]
    assert jobs == [
        {"job_name": "web", "metrics_path": "/metrics", "scheme": "http",
         "static_configs": [{"targets": ["web:9100"], "labels": {"service": "web"}}]},
        {"job_name": "worker", "scrape_interval": "30s", "metrics_path": "/metrics",
         "scheme": "http",
         "static_configs": [{"targets": ["worker-1:9100", "worker-2:9100"],
                             "labels": {"service": "worker"}}]},
    ]


def test_every_job_option_is_written_when_set(write_catalog: WriteCatalog) -> None:
    root = write_catalog({}, project="""\
project: tuned
scrape:
  - job: secure
    targets: ["a:443", "b:443"]
    labels: {zone: b, tier: "1", env: prod}
    metrics_path: /internal/metrics
    scheme: https
    interval: 30s
    timeout: 20s
    honor_labels: true
""")
    (job,) = rendered(load_valid_catalog(root), "prometheus.yml")["scrape_configs"]
    assert list(job) == ["job_name", "scrape_interval", "scrape_timeout", "metrics_path",
                         "scheme", "honor_labels", "static_configs"]
    assert job["honor_labels"] is True
    assert job["static_configs"] == [{"targets": ["a:443", "b:443"],
                                      "labels": {"env": "prod", "tier": "1", "zone": "b"}}]
    assert list(job["static_configs"][0]["labels"]) == ["env", "tier", "zone"]


def test_fragment_holds_exactly_the_scrape_configs_of_prometheus_yml() -> None:
    catalog = load_valid_catalog(SHIPPED_SPECS)
    fragment = rendered(catalog, "scrape_configs.yml")
    assert list(fragment) == ["scrape_configs"]
    assert fragment["scrape_configs"] == rendered(catalog, "prometheus.yml")["scrape_configs"]
    assert [job["job_name"] for job in fragment["scrape_configs"]] == [
        "api", "bot", "worker", "api-gateway"]


def test_rule_files_list_the_domains_with_rules_in_name_order(
        write_catalog: WriteCatalog) -> None:
    root = write_catalog({
        "zeta.yaml": "domain: zeta\nalerts:\n  Z: {expr: up == 0, severity: info}\n",
        "alpha.yaml": "domain: alpha\nrecording_rules:\n  a:up:sum: {expr: sum(up)}\n",
        "quiet.yaml": "domain: quiet\n",
    })
    config = rendered(load_valid_catalog(root), "prometheus.yml")
    assert config["rule_files"] == ["rules/alpha.rules.yml", "rules/zeta.rules.yml"]


def test_a_bare_project_gets_a_minimal_valid_config(write_catalog: WriteCatalog) -> None:
    config = rendered(load_valid_catalog(write_catalog({})), "prometheus.yml")
    assert config == {"global": {"scrape_interval": "15s", "scrape_timeout": "10s",
                                 "evaluation_interval": "15s"},
                      "scrape_configs": []}


def test_default_timeout_is_shortened_to_a_shorter_interval(write_catalog: WriteCatalog) -> None:
    # Prometheus refuses a global timeout above the interval; its own default shrinks too.
    root = write_catalog({}, project="project: fast\ndefaults: {scrape_interval: 5s}\n")
    config = rendered(load_valid_catalog(root), "prometheus.yml")
    assert config["global"]["scrape_timeout"] == "5s"


def test_header_names_the_project_file_and_says_not_to_edit() -> None:
    files = scrape.render(load_valid_catalog(SMALL_CATALOG))
    for text in files.values():
        assert text.startswith("# Generated by metricsctl from metricsctl.yaml (project shop). "
                               "Do not edit by hand:\n")
    assert ("# The scrape jobs of the catalog alone, to merge into the scrape_configs of your "
            "own prometheus.yml.\n") in files["prometheus/scrape_configs.yml"]


def test_output_is_deterministic_and_free_of_local_paths() -> None:
    first = scrape.render(load_valid_catalog(SMALL_CATALOG))
    assert first == scrape.render(load_valid_catalog(SMALL_CATALOG))
    for text in first.values():
        assert str(SMALL_CATALOG) not in text
        assert text.endswith("\n") and not text.endswith("\n\n") and "\r" not in text
