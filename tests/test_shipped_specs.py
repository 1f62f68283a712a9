"""The shipped catalog's contract: names other tools and tests rely on (issue: the catalog)."""

from __future__ import annotations

import pytest

from metricsctl.catalog import load_catalog
from metricsctl.catalog.model import Catalog
from tests.conftest import SHIPPED_SPECS

METRICS = {
    # name: (domain, type, labels, buckets)
    "http_requests_total": ("http", "counter", ["method", "route", "status_code"], None),
    "http_request_duration_seconds": ("http", "histogram", ["method", "route", "status_code"],
                                      [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10]),
    "chat_completion_duration_seconds": ("chat", "histogram", ["model", "streaming"],
                                         [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40]),
    "chat_completion_tokens_total": ("chat", "counter", ["model", "type"], None),
    "chat_completion_cost_usd_total": ("chat", "counter", ["model"], None),
    "chat_completion_errors_total": ("chat", "counter", ["model", "error_type"], None),
    "venice_balance_diem": ("venice", "gauge", [], None),
    "venice_tokens_total": ("venice", "counter", ["type"], None),
    "venice_rate_limit_remaining": ("venice", "gauge", [], None),
    "active_users": ("kpis", "gauge", ["service"], None),
    "generation_success_total": ("kpis", "counter", ["service", "type"], None),
    "generation_failure_total": ("kpis", "counter", ["service", "type", "error_type"], None),
    "token_spend_total": ("kpis", "counter", ["service", "model", "type"], None),
    "payment_conversions_total": ("kpis", "counter", ["service", "payment_method", "plan"], None),
    "payment_failures_total": ("kpis", "counter",
                               ["service", "payment_method", "plan", "error_type"], None),
    "errors_total": ("kpis", "counter", ["service", "error_type", "severity"], None),
    "queue_job_duration_seconds": ("queues", "histogram", ["queue_name", "job_type"], "any"),
    "queue_failures_total": ("queues", "counter", ["queue_name"], None),
    "active_jobs": ("queues", "gauge", ["queue_name"], None),
}

ALERTS = {
    # name: (severity, for)
    "LowDiemBalance": ("warning", "1m"), "CriticalDiemBalance": ("critical", "1m"),
    "HighErrorRate": ("warning", "5m"), "CriticalErrorRate": ("critical", "1m"),
    "PaymentFailures": ("critical", "1m"), "LowGenerationSuccessRate": ("warning", "10m"),
    "HighResponseTime": ("warning", "5m"),
    "ServiceDown": ("critical", "1m"), "ChatCostBudgetExceeded": ("warning", None),
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    result = load_catalog(SHIPPED_SPECS)
    assert result.diagnostics == []
    assert result.catalog is not None
    return result.catalog


@pytest.mark.parametrize("name", sorted(METRICS))
def test_contract_metric(catalog: Catalog, name: str) -> None:
    domain, metric_type, labels, buckets = METRICS[name]
    metric = catalog.metrics[name]
    assert (metric.domain, metric.type.value, list(metric.label_names)) == (
        domain, metric_type, labels)
    if buckets == "any":
        assert metric.buckets
    elif buckets is not None:
        assert list(metric.buckets or ()) == buckets


def test_enumerated_token_types(catalog: Catalog) -> None:
    for name in ("chat_completion_tokens_total", "venice_tokens_total", "token_spend_total"):
        label = catalog.metrics[name].label("type")
        assert label is not None and label.values == ("prompt", "completion"), name


def test_the_seed_gauges_named_total_are_fixed(catalog: Catalog) -> None:
    assert "active_users_total" not in catalog.metrics
    assert "active_jobs_total" not in catalog.metrics
    assert all(m.name.endswith("_total") == (m.type.value == "counter")
               for m in catalog.metrics.values())


@pytest.mark.parametrize("name", sorted(ALERTS))
def test_contract_alert(catalog: Catalog, name: str) -> None:
    severity, for_ = ALERTS[name]
    alert = catalog.alerts[name]
    assert alert.severity == severity
    if for_ is not None:
        assert alert.for_ == for_
    assert alert.summary and alert.description and alert.runbook_url


@pytest.mark.parametrize(("name", "fragment"), [
    ("LowDiemBalance", "venice_balance_diem < 10"),
    ("CriticalDiemBalance", "venice_balance_diem < 5"),
    ("HighErrorRate", "sum(rate(errors_total[5m])) > 10"),
    ("CriticalErrorRate", 'errors_total{severity="critical"}'),
    ("PaymentFailures", "sum(increase(payment_failures_total[5m])) > 3"),
    ("LowGenerationSuccessRate", "< 0.9"),
    ("HighResponseTime", "histogram_quantile(0.95"),
    ("HighResponseTime", "and on (route)"),
    ("ServiceDown", "up == 0"),
    ("ChatCostBudgetExceeded", "sum(increase(chat_completion_cost_usd_total[24h])) > 8"),
])
def test_alert_conditions(catalog: Catalog, name: str, fragment: str) -> None:
    assert fragment in catalog.alerts[name].expr


def test_the_seed_error_ratio_and_failure_count_alerts_are_slos_now(catalog: Catalog) -> None:
    # issue 12: an SLO says them better, per model and per queue, fast burns and slow ones
    assert "HighChatErrorRate" not in catalog.alerts
    assert "HighQueueFailureRate" not in catalog.alerts
    chat = catalog.slos["chat-availability"]
    assert chat.errors is not None and chat.errors.series == "chat_completion_errors_total"
    assert chat.by == ("model",)
    jobs = catalog.slos["worker-jobs"]
    assert jobs.errors is not None and jobs.errors.series == "queue_failures_total"
    assert jobs.total is not None and jobs.total.series == "queue_job_duration_seconds_count"
    assert (jobs.by, jobs.objective) == (("queue_name",), "99")


def test_model_and_queue_are_alerting_dimensions(catalog: Catalog) -> None:
    for metric, label in (("chat_completion_errors_total", "model"),
                          ("venice_requests_total", "model"),
                          ("queue_failures_total", "queue_name")):
        definition = catalog.metrics[metric].label(label)
        assert definition is not None and definition.alert_dimension, (metric, label)


def test_dashboards(catalog: Catalog) -> None:
    titles = {board.title for board in catalog.dashboards.values()}
    assert titles >= {"Service Overview", "Business KPIs", "Queue Monitoring", "Venice API",
                      "Chat Completions", "HTTP API"}


def test_scrape_jobs(catalog: Catalog) -> None:
    jobs = {job.name: job for job in catalog.project.scrape_jobs}
    for name in ("api", "bot", "worker"):
        assert jobs[name].targets == (f"{name}:9091",)
        assert jobs[name].labels == {"service": name}
    assert jobs["api-gateway"].targets == ("api-gateway:4000",)
