"""Stage `metadata_rules`: objective, budget, burn rates and the budget left (Sloth's names)."""

from __future__ import annotations

from metricsctl.catalog.durations import parse_duration
from metricsctl.catalog.model import RecordingRule, Slo
from metricsctl.slo.numbers import decimal_text, exact
from metricsctl.slo.sli import error_budget, id_labels, id_matchers, sli_error_record

OBJECTIVE = "slo:objective:ratio"
ERROR_BUDGET = "slo:error_budget:ratio"
TIME_PERIOD_DAYS = "slo:time_period:days"
CURRENT_BURN_RATE = "slo:current_burn_rate:ratio"
PERIOD_BURN_RATE = "slo:period_burn_rate:ratio"
BUDGET_REMAINING = "slo:period_error_budget_remaining:ratio"
INFO = "sloth_slo_info"
_JOIN = "/ on (sloth_id, sloth_slo, sloth_service) group_left"


def metadata_rules(slo: Slo) -> list[RecordingRule]:
    ids = id_matchers(slo)
    labels = {**slo.labels, **id_labels(slo)}
    days = decimal_text(exact(str(int(parse_duration(slo.window)))) / 86400)

    def rule(name: str, expr: str, extra: dict[str, str] | None = None) -> RecordingRule:
        return RecordingRule(name=name, expr=expr, domain=slo.domain, source=slo.source,
                             labels={**labels, **(extra or {})})

    info = {"sloth_objective": slo.objective, "sloth_spec": "metricsctl/v1",
            "sloth_mode": "cli-gen-prom"}
    if slo.owner:
        info["owner"] = slo.owner
    return [
        rule(OBJECTIVE, f"vector({decimal_text(exact(slo.objective) / 100)})"),
        rule(ERROR_BUDGET, f"vector({decimal_text(error_budget(slo))})"),
        rule(TIME_PERIOD_DAYS, f"vector({days})"),
        rule(CURRENT_BURN_RATE,
             f"{sli_error_record('5m')}{{{ids}}}\n{_JOIN}\n{ERROR_BUDGET}{{{ids}}}"),
        rule(PERIOD_BURN_RATE,
             f"{sli_error_record(slo.window)}{{{ids}}}\n{_JOIN}\n{ERROR_BUDGET}{{{ids}}}"),
        rule(BUDGET_REMAINING, f"1 - {PERIOD_BURN_RATE}{{{ids}}}"),
        rule(INFO, "vector(1)", info),
    ]
