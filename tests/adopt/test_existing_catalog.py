"""Importing into a catalog that exists: additions appended, conflicts reported, never
overwritten without --force, and --dry-run writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import load_valid_catalog

RULES = """groups:
  - name: payments
    rules:
      - alert: PaymentsFailing
        expr: sum(rate(payment_failures_total[5m])) > 1
        for: 5m
        labels: {severity: critical}
        annotations: {summary: Payments are failing}
      - record: job:payment_failures:rate5m
        expr: sum by (job) (rate(payment_failures_total[5m]))
"""

DOMAIN = """\
# Written by hand; this comment and the order below stay as they are.
domain: payments
rule_group: {name: payments}
metrics:
  payment_failures_total:
    type: counter
    help: Failed payments.   # as the team wrote it
alerts:
  PaymentsSlow:
    expr: sum(rate(payment_failures_total[1h])) > 0
    severity: warning
"""


def _catalog(write_catalog) -> Path:
    return write_catalog({"payments.yaml": DOMAIN})


def _rules(tmp_path: Path, text: str = RULES) -> Path:
    path = tmp_path / "rules.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_new_entries_are_appended_and_the_rest_of_the_file_is_kept(
        cli, write_catalog, tmp_path: Path) -> None:
    specs = _catalog(write_catalog)

    result = cli("import", _rules(tmp_path), "--into", specs)

    assert result.exit_code == 0, result.output
    text = (specs / "payments.yaml").read_text(encoding="utf-8")
    assert text.startswith(DOMAIN.rstrip("\n").rsplit("\n", 1)[0])  # nothing above moved
    assert "  # imported from " in text and "rules.yml:4:9 (group payments)\n  PaymentsFailing:" \
        in text
    catalog = load_valid_catalog(specs)
    assert list(catalog.alerts) == ["PaymentsSlow", "PaymentsFailing"]
    assert list(catalog.recording_rules) == ["job:payment_failures:rate5m"]
    assert "payment_failures_total" in catalog.metrics  # known: not inferred again


def test_importing_again_changes_nothing(cli, write_catalog, tmp_path: Path) -> None:
    specs = _catalog(write_catalog)
    cli("import", _rules(tmp_path), "--into", specs)
    before = {p.name: p.read_bytes() for p in specs.glob("*.yaml")}

    again = cli("import", _rules(tmp_path), "--into", specs, "--format", "json")

    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert report["added"] == [] and report["conflicts"] == []
    assert len(report["unchanged"]) == 2
    assert {p.name: p.read_bytes() for p in specs.glob("*.yaml")} == before


def test_a_different_entry_is_a_conflict_and_kept_unless_forced(
        cli, write_catalog, tmp_path: Path) -> None:
    specs = _catalog(write_catalog)
    cli("import", _rules(tmp_path), "--into", specs)
    changed = _rules(tmp_path, RULES.replace("> 1\n", "> 5\n"))

    kept = cli("import", changed, "--into", specs)

    assert kept.exit_code == 1
    assert "payments.yaml:" in kept.stdout
    assert "alerts `PaymentsFailing` differs from" in kept.stdout
    assert load_valid_catalog(specs).alerts["PaymentsFailing"].expr.endswith("> 1")

    forced = cli("import", changed, "--into", specs, "--force")

    assert forced.exit_code == 0, forced.output
    catalog = load_valid_catalog(specs)
    assert catalog.alerts["PaymentsFailing"].expr.endswith("> 5")
    assert list(catalog.alerts) == ["PaymentsSlow", "PaymentsFailing"]


def test_dry_run_writes_nothing_and_prints_the_plan(cli, write_catalog, tmp_path: Path) -> None:
    specs = _catalog(write_catalog)
    before = {p.name: p.read_bytes() for p in specs.iterdir()}
    new_specs = tmp_path / "fresh"

    into_existing = cli("import", _rules(tmp_path), "--into", specs, "--dry-run")
    into_new = cli("import", _rules(tmp_path), "--into", new_specs, "--dry-run")

    assert into_existing.exit_code == 0 and into_new.exit_code == 0
    assert "would write 1 files" in into_existing.stdout
    assert {p.name: p.read_bytes() for p in specs.iterdir()} == before
    assert not new_specs.exists()


def test_a_name_another_domain_uses_gets_its_own_key(cli, write_catalog, tmp_path) -> None:
    specs = _catalog(write_catalog)
    cli("import", _rules(tmp_path), "--into", specs)
    other = _rules(tmp_path, RULES.replace("name: payments", "name: checkout"))

    result = cli("import", other, "--into", specs)

    assert result.exit_code == 0, result.output
    catalog = load_valid_catalog(specs)
    alert = catalog.alerts["PaymentsFailing_2"]
    rule = catalog.recording_rules["job:payment_failures:rate5m_2"]
    assert (alert.name, alert.domain) == ("PaymentsFailing", "checkout")
    assert (rule.name, rule.domain) == ("job:payment_failures:rate5m", "checkout")
    assert catalog.alerts["PaymentsFailing"].domain == "payments"


def test_a_metric_defined_in_another_domain_is_replaced_there_with_force(
        cli, write_catalog, tmp_path: Path) -> None:
    specs = _catalog(write_catalog)
    exposition = tmp_path / "payments-service.prom"
    exposition.write_text("# HELP payment_failures_total Payments the provider refused.\n"
                          "# TYPE payment_failures_total counter\n"
                          "payment_failures_total 3\n", encoding="utf-8")

    kept = cli("import", exposition, "--into", specs)
    forced = cli("import", exposition, "--into", specs, "--force")

    assert kept.exit_code == 1 and "metrics `payment_failures_total` differs" in kept.stdout
    assert forced.exit_code == 0, forced.output
    catalog = load_valid_catalog(specs)
    metric = catalog.metrics["payment_failures_total"]
    assert (metric.domain, metric.help) == ("payments", "Payments the provider refused.")
    assert sorted(p.name for p in specs.glob("*.yaml")) == ["metricsctl.yaml", "payments.yaml"]


def test_a_severity_the_project_does_not_allow_is_an_error(
        cli, write_catalog, tmp_path: Path) -> None:
    specs = _catalog(write_catalog)
    before = {p.name: p.read_bytes() for p in specs.iterdir()}
    watchdog = _rules(tmp_path, "groups:\n  - name: general\n    rules:\n      - alert: Watchdog\n"
                                "        expr: vector(1)\n        labels: {severity: none}\n")

    result = cli("import", watchdog, "--into", specs)

    assert result.exit_code == 1
    assert "error[import/unknown-severity]: imported alerts use severity `none`" in result.stderr
    assert "add `none` to `severities:`" in result.stderr
    assert {p.name: p.read_bytes() for p in specs.iterdir()} == before


def test_a_new_catalog_allows_the_severities_its_alerts_use(cli, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    watchdog = _rules(tmp_path, "groups:\n  - name: general\n    rules:\n      - alert: Watchdog\n"
                                "        expr: vector(1)\n        labels: {severity: none}\n")

    assert cli("import", watchdog, "--into", specs).exit_code == 0
    catalog = load_valid_catalog(specs)
    assert catalog.project.severities == ("info", "warning", "critical", "none")
    assert (specs / "schema" / "domain.schema.json").is_file()
