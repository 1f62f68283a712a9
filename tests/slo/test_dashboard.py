"""Each domain with SLOs gets a dashboard, built as catalog objects the Grafana target renders."""

from __future__ import annotations

import json

from metricsctl.targets import grafana
from tests.conftest import SHIPPED_SPECS, load_valid_catalog


def test_the_shipped_domains_with_slos_get_an_slo_dashboard() -> None:
    catalog = load_valid_catalog(SHIPPED_SPECS)
    boards = {uid: b for uid, b in catalog.dashboards.items() if uid.endswith("-slos")}
    assert sorted(boards) == ["chat-slos", "http-slos", "queues-slos", "venice-slos"]
    http = boards["http-slos"]
    assert [row.title.split(":")[0] for row in http.rows] == ["availability", "latency"]
    titles = [panel.title for panel in http.rows[0].panels]
    assert titles == ["availability: SLI over 30d", "availability: Error budget remaining",
                      "availability: SLI against objective",
                      "availability: Burn rate per window", "availability: Alerts"]
    exprs = [q.expr for panel in http.rows[0].panels for q in panel.queries]
    assert 'slo:period_error_budget_remaining:ratio{sloth_id="gateway-availability", ' \
        'sloth_service="gateway", sloth_slo="availability"}' in exprs
    assert sum("slo:sli_error:ratio_rate" in e and "group_left" in e for e in exprs) == 7


def test_the_grafana_target_renders_the_slo_dashboards() -> None:
    catalog = load_valid_catalog(SHIPPED_SPECS)
    files = grafana.render(catalog)
    board = json.loads(files["grafana/dashboards/chat-slos.json"])
    assert board["title"] == "Chat Completions SLOs"
    text = json.dumps(board)
    assert "slo:objective:ratio" in text and "ALERTS{" in text
