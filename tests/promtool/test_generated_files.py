"""promtool, the tool Prometheus ships, accepts every rule file and config metricsctl writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from metricsctl.catalog.model import Catalog
from metricsctl.slo.absent_alerts import absent_alerts
from metricsctl.targets import prometheus_rules, scrape
from tests.conftest import SHIPPED_SPECS, SMALL_CATALOG, WriteCatalog, load_valid_catalog
from tests.promtool.promtool import promtool, write_files
from tests.targets.test_yaml_output import HOSTILE_STRINGS

pytestmark = pytest.mark.prometheus

CATALOGS = {"small": SMALL_CATALOG, "shipped": SHIPPED_SPECS}
_SURROGATE_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")


def ascii_yaml(value: object) -> str:
    """`value` as ASCII-only JSON, which is YAML, written without our emitter.

    YAML has no surrogate pairs, so characters beyond the BMP become `\\U` escapes.
    """
    def astral(match: re.Match[str]) -> str:
        code = 0x10000 + ((int(match[1], 16) - 0xD800) << 10) + (int(match[2], 16) - 0xDC00)
        return f"\\U{code:08x}"

    return _SURROGATE_PAIR.sub(astral, json.dumps(value, ensure_ascii=True, indent=1))


def generate(catalog: Catalog, out: Path) -> Path:
    """Write both Prometheus targets under `out`; the directory holding prometheus.yml."""
    write_files({**prometheus_rules.render(catalog), **scrape.render(catalog)}, out)
    return out / "prometheus"


@pytest.mark.parametrize("name", CATALOGS)
def test_every_rule_file_passes_promtool_check_rules_with_all_lints_fatal(
        name: str, tmp_path: Path) -> None:
    catalog = load_valid_catalog(CATALOGS[name])
    rule_files = sorted((generate(catalog, tmp_path) / "rules").glob("*.rules.yml"))
    assert [f"prometheus/rules/{path.name}" for path in rule_files] == \
        prometheus_rules.rule_files(catalog)
    checked = promtool("check", "rules", "--lint=all", "--lint-fatal", *rule_files)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # Each SLO adds 8 SLI and 7 metadata recording rules and 2 alerts; each unlabelled gauge
    # an alert compares, one absent() companion.
    rule_count = (len(catalog.alerts) + len(catalog.recording_rules) + 17 * len(catalog.slos)
                  + len(absent_alerts(catalog)))
    found = sum(int(line.split()[1]) for line in checked.stdout.splitlines()
                if line.strip().startswith("SUCCESS:"))
    assert found == rule_count, checked.stdout


@pytest.mark.parametrize("name", CATALOGS)
def test_prometheus_yml_passes_promtool_check_config_with_its_rule_files(
        name: str, tmp_path: Path) -> None:
    catalog = load_valid_catalog(CATALOGS[name])
    config = generate(catalog, tmp_path) / "prometheus.yml"
    checked = promtool("check", "config", config)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rule_files = len(prometheus_rules.rule_files(catalog))
    assert f"SUCCESS: {rule_files} rule files found" in checked.stdout


def test_check_config_fails_when_a_referenced_rule_file_is_missing(tmp_path: Path) -> None:
    """The oracle can fail: prometheus.yml really points at the generated rule files."""
    write_files(scrape.render(load_valid_catalog(SMALL_CATALOG)), tmp_path)
    checked = promtool("check", "config", tmp_path / "prometheus" / "prometheus.yml")
    assert checked.returncode != 0
    assert "shop.rules.yml" in checked.stdout + checked.stderr


def test_the_scrape_configs_fragment_is_a_valid_config_on_its_own(tmp_path: Path) -> None:
    write_files(scrape.render(load_valid_catalog(SHIPPED_SPECS)), tmp_path)
    checked = promtool("check", "config", tmp_path / "prometheus" / "scrape_configs.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def hostile_catalog(write_catalog: WriteCatalog) -> tuple[Catalog, dict[str, str]]:
    """An alert that always fires, whose labels and annotations are every hostile string."""
    # Go templates are expanded when the alert fires; these tests want the text untouched.
    texts = [text for text in HOSTILE_STRINGS if "{{" not in text]
    annotations = {f"text_{index:02d}": text for index, text in enumerate(texts)}
    labels = {f"label_{index:02d}": text for index, text in enumerate(texts) if text}
    domain = {"domain": "hostile", "alerts": {"Hostile": {
        "expr": "vector(1)", "keep_firing_for": "5m", "severity": "warning", "labels": labels,
        "annotations": annotations}}}
    catalog = load_valid_catalog(write_catalog({"hostile.yaml": ascii_yaml(domain)}))
    assert dict(catalog.alerts["Hostile"].annotations) == annotations
    return catalog, labels


def test_prometheus_reads_hostile_labels_and_annotations_exactly_as_the_catalog_wrote_them(
        write_catalog: WriteCatalog, tmp_path: Path) -> None:
    """Go's YAML parser, not just PyYAML, reads the generated text back to the same strings.

    promtool fires the alert and compares its labels and annotations with the expected
    values, which are written as JSON (ASCII escapes only), independent of our emitter.
    """
    catalog, labels = hostile_catalog(write_catalog)
    rules_dir = generate(catalog, tmp_path / "out") / "rules"
    test_file = tmp_path / "out" / "prometheus" / "hostile.test.yml"
    test = {
        "rule_files": [str(rules_dir / "hostile.rules.yml")],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [],
            "alert_rule_test": [{
                "eval_time": "1m",
                "alertname": "Hostile",
                "exp_alerts": [{
                    "exp_labels": {"severity": "warning", **labels},
                    "exp_annotations": dict(catalog.alerts["Hostile"].annotations),
                }],
            }],
        }],
    }
    test_file.write_text(ascii_yaml(test), encoding="utf-8")
    checked = promtool("check", "rules", "--lint=all", "--lint-fatal",
                       rules_dir / "hostile.rules.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = promtool("test", "rules", test_file)
    assert tested.returncode == 0, tested.stdout + tested.stderr
