"""The catalog writer: YAML as a person writes it, that reads back exactly as given."""

from __future__ import annotations

import yaml

from metricsctl.catalog.writer import Entry, entry_lines, render_domain_file, render_project_file


def test_a_domain_file_reads_like_hand_written_yaml() -> None:
    text = render_domain_file("Imported from rules.yml.", {"rule_group": {"limit": 5,
                                                                         "name": "api.rules"},
                                                          "domain": "api"}, {
        "alerts": [Entry("ApiDown", {"labels": {"team": "web"}, "severity": "critical",
                                     "expr": 'up{job="api"} == 0', "for": "5m"},
                         "imported from rules.yml:4:9 (group api.rules)")],
        "metrics": [],
    })

    assert text == """\
# yaml-language-server: $schema=schema/domain.schema.json
# Imported from rules.yml.
domain: api

rule_group:
  name: api.rules
  limit: 5

alerts:
  # imported from rules.yml:4:9 (group api.rules)
  ApiDown:
    expr: up{job="api"} == 0
    for: 5m
    severity: critical
    labels:
      team: web
"""


def test_values_read_back_exactly_whatever_they_hold() -> None:
    tricky = {"expr": "sum by (route) (\n  rate(x_total[5m])\n)\n", "summary": "{{ $labels.x }}",
              "description": "yes", "runbook_url": "https://r.example.com/a#b: c",
              "labels": {"quantile": "0.99", "on": "true", "empty": ""}}

    text = render_domain_file("", {"domain": "d"}, {"alerts": [Entry("A", tricky)]})

    assert yaml.safe_load(text)["alerts"]["A"] == tricky
    assert "    expr: |\n      sum by (route) (\n" in text  # PromQL as a literal block


def test_entry_lines_indent_under_an_existing_section() -> None:
    lines = entry_lines(Entry("x_total", {"help": "X.", "type": "counter"}, "from a"),
                        "metrics", indent=4)

    assert lines == ["    # from a", "    x_total:", "      type: counter", "      help: X."]


def test_a_project_file_keeps_its_settings_in_reading_order() -> None:
    text = render_project_file("", {"scrape": [{"targets": ["api:9091"], "job": "api"}],
                                    "project": "shop"})

    assert text.splitlines()[1:] == ["project: shop", "", "scrape:", "  - job: api",
                                     "    targets:", "      - api:9091"]
