"""prometheus.yml: static jobs become the project's scrape jobs; the rest is reported."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import load_valid_catalog

PROMETHEUS_YML = """\
global:
  scrape_interval: 30s
  evaluation_interval: 30s
  external_labels: {cluster: eu-1}
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['alertmanager:9093']
rule_files: [/etc/prometheus/rules/*.yml]
scrape_configs:
  - job_name: api
    metrics_path: /internal/metrics
    scrape_interval: 15s
    static_configs:
      - targets: ['api-1:9091', 'api-2:9091']
        labels: {service: api}
  - job_name: kubernetes-pods
    kubernetes_sd_configs: [{role: pod}]
    relabel_configs:
      - {source_labels: [__meta_kubernetes_pod_label_app], target_label: app}
  - job_name: node
    static_configs:
      - targets: ['node-1:9100']
    relabel_configs:
      - {source_labels: [__address__], target_label: instance}
"""


def test_static_jobs_defaults_and_alertmanagers(cli, tmp_path: Path) -> None:
    source = tmp_path / "prometheus.yml"
    source.write_text(PROMETHEUS_YML, encoding="utf-8")
    specs = tmp_path / "specs"

    result = cli("import", source, "--into", specs, "--format", "json")

    assert result.exit_code == 0, result.output
    project = load_valid_catalog(specs).project
    assert [(j.name, j.targets, dict(j.labels), j.metrics_path, j.interval)
            for j in project.scrape_jobs] == [
        ("api", ("api-1:9091", "api-2:9091"), {"service": "api"}, "/internal/metrics", "15s"),
        ("node", ("node-1:9100",), {}, "/metrics", None)]
    assert (project.scrape_interval, project.evaluation_interval) == ("30s", "30s")
    assert dict(project.external_labels) == {"cluster": "eu-1"}
    assert project.alertmanagers == ("alertmanager:9093",)
    unmapped = {(i["name"], i["line"]) for i in json.loads(result.stdout)["items"]
                if i["outcome"] == "unmapped"}
    assert unmapped == {("rule_files", 9), ("kubernetes-pods", 17),
                        ("node.relabel_configs", 24)}
