"""The alerts promtool should report: labels and annotations as Prometheus builds them."""

from __future__ import annotations

from metricsctl.alert_tests.evaluator import Vector
from metricsctl.alert_tests.model import ExpectedAlert
from metricsctl.alert_tests.rule_file import RuleFileAlert
from metricsctl.alert_tests.templates import render_template


def expected_alerts(alert: RuleFileAlert, firing: Vector) -> tuple[ExpectedAlert, ...]:
    """One ExpectedAlert per firing element: its labels (without `__name__`) plus the rule's,
    annotations expanded with the element's labels and value."""
    result = []
    for labels, value in sorted(firing.items()):
        sample = dict(labels)
        exp_labels = {k: v for k, v in sample.items() if k != "__name__"}
        exp_labels.update(alert.labels)
        annotations = {name: render_template(text, sample, value)
                       for name, text in alert.annotations.items()}
        result.append(ExpectedAlert(dict(sorted(exp_labels.items())), annotations))
    return tuple(result)
