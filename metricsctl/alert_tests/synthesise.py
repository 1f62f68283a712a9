"""Compose the tests of a domain: one quiet and one firing case (or more) per alert.

The alerts are read from the generated rule file itself, so a test checks exactly what is
deployed: SLO alerts get burn cases (slo_cases), other alerts threshold or absent() cases
(expr_cases). An alert neither can model is listed with the reason; an alert's
hand-written `tests:` from the catalog run beside whatever was synthesised.
"""

from __future__ import annotations

from metricsctl.alert_tests.evaluator import UnmodelledError
from metricsctl.alert_tests.expr_cases import expression_cases
from metricsctl.alert_tests.model import AlertCase, DomainTests, HandWrittenCase, Untested
from metricsctl.alert_tests.rule_file import RuleFile
from metricsctl.alert_tests.slo_cases import slo_cases
from metricsctl.catalog.model import Alert, Catalog
from metricsctl.slo.absent_alerts import absent_alerts
from metricsctl.slo.rules import slo_alerts

# Synthesis costs a few milliseconds per alert; past this many alerts in one rule file the
# rest are listed (with that reason) rather than let generate run for minutes.
MAX_SYNTHESISED_PER_FILE = 200


def domain_tests(catalog: Catalog, domain: str, rule_file: RuleFile) -> DomainTests:
    by_slo = {item.alert.name: item for item in slo_alerts(catalog) if item.slo.domain == domain}
    written: dict[str, Alert] = {a.name: a for a in catalog.alerts_in(domain)}
    written.update((a.name, a) for a in absent_alerts(catalog, domain))
    cases: list[AlertCase] = []
    hand: list[HandWrittenCase] = []
    untested: list[Untested] = []
    attempted = 0
    for alert in rule_file.alerts:
        catalog_alert = written.get(alert.name) or (
            by_slo[alert.name].alert if alert.name in by_slo else None)
        if catalog_alert is None:
            continue
        extra = {k: v for k, v in alert.annotations.items() if k.startswith("__")}
        hand.extend(HandWrittenCase(catalog_alert, case, extra) for case in catalog_alert.tests)
        attempted += 1
        if attempted > MAX_SYNTHESISED_PER_FILE:
            untested.append(Untested(catalog_alert, (
                f"not synthesised: the rule file has more than {MAX_SYNTHESISED_PER_FILE} "
                "alerts (a bound on generate's time); split the domain or write its test")))
            continue
        try:
            if alert.name in by_slo:
                cases.extend(slo_cases(catalog, rule_file, alert, by_slo[alert.name]))
            else:
                cases.extend(expression_cases(catalog, rule_file, alert))
        except UnmodelledError as reason:
            why = f"not modelled: {reason}"
            if catalog_alert.tests:
                why += " (the catalog's hand-written tests cover it)"
            untested.append(Untested(catalog_alert, why))
    return DomainTests(domain, rule_file.groups, tuple(cases), tuple(hand), tuple(untested))
