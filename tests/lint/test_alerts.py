"""Alert and rule hygiene: each check triggered and not, with id, severity and position."""

from __future__ import annotations

import pytest

from metricsctl.diagnostics import Severity
from tests.lint.conftest import DOMAIN, RunLint, alert


def test_an_alert_without_a_comparison_always_fires(run_lint: RunLint) -> None:
    run = run_lint(alert("sum(rate(http_requests_total[5m]))"))

    finding = run.one("alert/no-comparison")
    assert finding.severity is Severity.WARNING
    assert finding.message == ("alert `Test` has no comparison: it fires for every series its "
                               "expression returns")
    assert run.where("alert/no-comparison") == run.at("sum(")


@pytest.mark.parametrize("expr", [
    "sum(rate(http_requests_total[5m])) > 1",
    "absent(up)",
    "queue_depth > 5 and on (route) rate(http_requests_total[5m]) > 1",
    "(queue_depth > bool 5) > 0",
    "job:queue:high",
    # kube-prometheus style: a series that was there 2h ago and is gone now.
    "count by (route) (queue_depth offset 2h) unless count by (route) (queue_depth)",
    "sum by (route) (queue_depth) and on (route) sum by (route) (rpc_duration_seconds)",
])
def test_conditions_and_filtered_recording_rules_count(run_lint: RunLint, expr: str) -> None:
    run = run_lint(alert(expr) + """\
recording_rules:
  job:queue:high:
    expr: sum by (job) (queue_depth) > 100
""")

    assert "alert/no-comparison" not in run.codes()


@pytest.mark.parametrize("expr", [
    "queue_depth > bool 5",
    "queue_depth > 5 or queue_depth",
    "count by (route) (queue_depth offset 2h) or count by (route) (queue_depth)",
])
def test_bool_comparisons_and_unfiltered_alternatives_do_not_count(run_lint: RunLint,
                                                                   expr: str) -> None:
    run = run_lint(alert(expr))

    assert "alert/no-comparison" in run.codes()


def test_an_alert_without_for(run_lint: RunLint) -> None:
    run = run_lint(alert("queue_depth > 100").replace("    for: 5m\n", ""))

    finding = run.one("alert/missing-for")
    assert finding.severity is Severity.WARNING
    assert run.where("alert/missing-for") == run.at("Test:")


@pytest.mark.parametrize("expr", [
    "vector(1)",  # kube-prometheus' Watchdog: a dead man's switch, always firing by design
    # kube-prometheus' InfoInhibitor: reads only ALERTS and must follow them at once.
    'ALERTS{severity="info"} == 1 unless on (route) ALERTS{severity="critical"} == 1',
])
def test_constant_alerts_need_neither_condition_nor_for(run_lint: RunLint, expr: str) -> None:
    run = run_lint(alert(f"'{expr}'").replace("    for: 5m\n", ""))

    assert not {"alert/no-comparison", "alert/missing-for"} & run.codes()


@pytest.mark.parametrize("expr", [
    "time() - max(queue_started_timestamp_seconds) > 3600",  # an age: KubeJobNotCompleted
    "cert_ttl_seconds < 86400",  # time left: KubeletClientCertificateExpiration
])
def test_conditions_on_elapsed_or_remaining_time_need_no_for(run_lint: RunLint,
                                                             expr: str) -> None:
    domain = DOMAIN + """\
  queue_started_timestamp_seconds: {type: gauge, help: When the queue started.}
  cert_ttl_seconds: {type: gauge, help: Time left on the certificate.}
"""
    run = run_lint(alert(expr).replace("    for: 5m\n", ""), domain=domain)
    assert "alert/missing-for" not in run.codes()

    for spiky in ("queue_depth > 100",
                  "queue_depth > 100 and time() - max(queue_started_timestamp_seconds) > 60"):
        run = run_lint(alert(spiky).replace("    for: 5m\n", ""), domain=domain)
        assert "alert/missing-for" in run.codes(), spiky


def test_a_zero_for_is_no_for(run_lint: RunLint) -> None:
    run = run_lint(alert("queue_depth > 100").replace("for: 5m", "for: 0s"))

    assert run.where("alert/missing-for") == run.at("0s")


def test_absent_without_for(run_lint: RunLint) -> None:
    run = run_lint(alert("absent(up)").replace("    for: 5m\n", ""))

    finding = run.one("alert/absent-without-for")
    assert finding.severity is Severity.WARNING
    assert run.where("alert/absent-without-for") == run.at("Test:")
    assert "alert/missing-for" not in run.codes()


def test_an_alert_with_for_has_no_for_finding(run_lint: RunLint) -> None:
    run = run_lint(alert("absent(up)"))

    assert not {"alert/missing-for", "alert/absent-without-for"} & run.codes()


def test_missing_annotations(run_lint: RunLint) -> None:
    run = run_lint(alert("queue_depth > 100").replace(
        "    runbook_url: https://runbooks.example.com/test\n", ""))

    finding = run.one("alert/missing-annotation")
    assert finding.severity is Severity.WARNING
    assert finding.message == "alert `Test` has no `runbook_url`"
    assert run.where("alert/missing-annotation") == run.at("Test:")


def test_required_annotations_are_configurable(run_lint: RunLint) -> None:
    run = run_lint(alert("queue_depth > 100").replace(
        "    runbook_url: https://runbooks.example.com/test\n", ""),
        project="lint:\n  required_annotations: [summary]\n")

    assert "alert/missing-annotation" not in run.codes()


def test_value_in_a_label(run_lint: RunLint) -> None:
    run = run_lint(alert("queue_depth > 100", extra='labels: {depth: "{{ $value }}"}\n'))

    finding = run.one("alert/value-in-labels")
    assert finding.severity is Severity.ERROR
    assert finding.message == "label `depth` of alert `Test` uses $value"
    assert run.where("alert/value-in-labels") == run.at("$value }}\"}")


def test_value_in_an_annotation_is_fine(run_lint: RunLint) -> None:
    run = run_lint(alert("queue_depth > 100", extra='labels: {team: queues}\n'))

    assert "alert/value-in-labels" not in run.codes()


@pytest.mark.parametrize(("field", "template", "needle", "problem"), [
    ("summary", '"{{ $value | humanise }}"', "humanise", 'function "humanise" not defined'),
    ("description", '"Depth {{ $lables.route }}"', "$lables",
     'undefined variable "$lables"'),
    ("summary", '"{{ if gt $value 1.0 }}high"', "if", "unexpected EOF: {{if}} has no {{end}}"),
    ("description", '"Depth {{ $value "', "{{ $value \"", "unclosed action"),
])
def test_templates_that_do_not_parse(run_lint: RunLint, field: str, template: str,
                                     needle: str, problem: str) -> None:
    entry = alert("queue_depth > 100")
    lines = [line for line in entry.splitlines(keepends=True)
             if not line.startswith(f"    {field}:")]
    run = run_lint("".join(lines) + f"    {field}: {template}\n")

    finding = run.one("alert/template-syntax")
    assert finding.severity is Severity.ERROR
    assert finding.message == f"template of `{field}` does not parse: {problem}"
    assert run.where("alert/template-syntax") == run.at(needle)


def test_a_template_reading_a_label_the_aggregation_dropped(run_lint: RunLint) -> None:
    run = run_lint(alert("sum(queue_depth) > 100",
                         extra='annotations: {detail: "Route {{ $labels.route }}"}\n'))

    finding = run.one("alert/template-unknown-label")
    assert finding.severity is Severity.WARNING
    assert finding.message == ("`route` is not a label of the series alert `Test` returns, so "
                               "it renders empty")
    assert finding.hint == "the expression keeps: none"
    assert run.where("alert/template-unknown-label") == run.at("route }}")


def test_a_template_reading_a_kept_label_is_fine(run_lint: RunLint) -> None:
    run = run_lint(alert("sum by (route) (queue_depth) > 100",
                         extra='annotations: {detail: "Route {{ $labels.route }}"}\n'))

    assert "alert/template-unknown-label" not in run.codes()


@pytest.mark.parametrize(("expr", "needle"), [
    ("sum(rate(http_requests_total{method=\"POST\", route=\"/error\"}[5m])) > 10", None),
    ("sum(rate(errors_total[5m])) > 10", "> 10"),
    ("sum(increase(payment_failures_total[5m])) > 3", "> 3"),
])
def test_an_absolute_error_threshold(run_lint: RunLint, expr: str, needle: str | None) -> None:
    domain_extra = """\
  errors_total: {type: counter, help: Errors.}
  payment_failures_total: {type: counter, help: Failed payments.}
"""
    run = run_lint(alert(expr), domain=DOMAIN + domain_extra)

    if needle is None:  # an error-looking route value is not an error series
        assert "alert/absolute-error-threshold" not in run.codes()
        return
    finding = run.one("alert/absolute-error-threshold")
    assert finding.severity is Severity.WARNING
    assert run.where("alert/absolute-error-threshold") == run.at(needle)


WITH_STATUS_CODE = DOMAIN.replace(
    "labels: [method, route]", "labels: [method, route, status_code]").replace(
    "  route: {max_cardinality: 20}\n",
    "  route: {max_cardinality: 20}\n  status_code: {max_cardinality: 40}\n")


def test_server_errors_selected_by_status_code(run_lint: RunLint) -> None:
    domain = WITH_STATUS_CODE
    run = run_lint(alert('sum(rate(http_requests_total{status_code=~"5.."}[5m])) > 10'),
                   domain=domain)

    assert run.where("alert/absolute-error-threshold") == run.at("> 10")


@pytest.mark.parametrize("expr", [
    'sum(rate(http_requests_total{status_code=~"5.."}[5m])) '
    "/ sum(rate(http_requests_total[5m])) > 0.05",
    'sum(rate(http_requests_total{status_code=~"5.."}[5m])) > 0',
    # node-exporter's NodeTextFileCollectorScrapeError: a 0/1 state, not a count of errors.
    "textfile_scrape_error == 1",
])
def test_error_ratios_and_any_error_conditions_are_fine(run_lint: RunLint, expr: str) -> None:
    domain = WITH_STATUS_CODE + "  textfile_scrape_error: {type: gauge, help: 1 on error.}\n"
    run = run_lint(alert(expr), domain=domain)

    assert "alert/absolute-error-threshold" not in run.codes()


def test_a_rule_group_evaluated_rarely(run_lint: RunLint) -> None:
    run = run_lint("rule_group: {interval: 10m}\n" + alert("queue_depth > 100"))

    finding = run.one("alert/group-interval")
    assert finding.severity is Severity.WARNING
    assert run.where("alert/group-interval") == run.at("10m")


def test_a_rule_group_of_five_minutes_is_fine(run_lint: RunLint) -> None:
    run = run_lint("rule_group: {interval: 5m}\n" + alert("queue_depth > 100"))

    assert "alert/group-interval" not in run.codes()


def test_duplicated_alerts_and_recording_rules(run_lint: RunLint) -> None:
    run = run_lint(alert("queue_depth > 100", name="DepthHigh")
                   + alert("queue_depth  >  100", name="QueueDeep").replace("alerts:\n", "")
                   + """\
recording_rules:
  job:queue_depth:sum:
    expr: sum by (job) (queue_depth)
  job:queue_depth:total:
    expr: sum by(job)(queue_depth)
""")

    found = run.find("rule/duplicate")
    assert [d.severity for d in found] == [Severity.WARNING, Severity.WARNING]
    assert [f"app.yaml:{d.line}:{d.column}" for d in found] == [
        run.at("QueueDeep:"), run.at("job:queue_depth:total:")]
    assert found[0].message.startswith(
        "alert `QueueDeep` duplicates alert `DepthHigh` (defined at ")


def test_different_rules_are_not_duplicates(run_lint: RunLint) -> None:
    run = run_lint(alert("queue_depth > 100", name="DepthHigh")
                   + alert("queue_depth > 200", name="QueueDeep").replace("alerts:\n", ""))

    assert "rule/duplicate" not in run.codes()


def test_a_template_reading_an_external_label_through_labels(run_lint: RunLint) -> None:
    run = run_lint(alert("sum by (route) (queue_depth) > 100",
                         extra='annotations: {where: "{{ $labels.cluster }}/{{ '
                               '$externalLabels.cluster }}"}\n'),
                   project="external_labels: {cluster: production}\n")

    finding = run.one("alert/template-unknown-label")
    assert finding.message == ("`cluster` is an external label, not a label of the series "
                               "alert `Test` returns: $labels.cluster renders empty")
    assert finding.hint == "use {{ $externalLabels.cluster }}"
    assert run.where("alert/template-unknown-label") == run.at("cluster }}")


@pytest.mark.parametrize(("project", "reported"), [
    ("external_labels: {cluster: production}\n", False),
    ("external_labels: {region: eu}\n", True),
    ("", True),
])
def test_a_template_reading_an_external_label_the_project_does_not_set(
        run_lint: RunLint, project: str, reported: bool) -> None:
    run = run_lint(alert("sum by (route) (queue_depth) > 100",
                         extra='annotations: {where: "{{ $externalLabels.cluster }}"}\n'),
                   project=project)

    if not reported:
        assert "alert/unknown-external-label" not in run.codes()
        return
    finding = run.one("alert/unknown-external-label")
    assert finding.severity is Severity.WARNING
    assert finding.message == ("`cluster` is not an external label of the project, so "
                               "$externalLabels.cluster renders empty")
    assert run.where("alert/unknown-external-label") == run.at("cluster }}")


def test_labels_inside_range_query_are_the_query_results(run_lint: RunLint) -> None:
    # The Ceph mixin's CephOSDDown description lists the down OSDs from a query.
    description = ('"Down: {{- range query \\"ceph_osd_up == 0\\" }} {{ .Labels.ceph_daemon }}'
                   ' {{- end }} (seen by {{ $labels.hostname }})"')
    run = run_lint(alert("count(queue_depth == 0) > 0",
                         extra=f"annotations: {{osds: {description}}}\n"))

    # `.Labels.ceph_daemon` reads each query result; `$labels.hostname` the alert's labels,
    # which count() dropped.
    finding = run.one("alert/template-unknown-label")
    assert finding.message.startswith("`hostname` is not a label")
