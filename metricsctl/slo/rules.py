"""Compose the rule stages: an SLO's three rule groups, named as Sloth names them."""

from __future__ import annotations

from dataclasses import dataclass

from metricsctl.catalog.model import Catalog, RecordingRule, Slo
from metricsctl.slo.alert_rules import SloAlert, alert_rules
from metricsctl.slo.metadata_rules import metadata_rules
from metricsctl.slo.sli_rules import sli_rules


@dataclass(frozen=True, slots=True)
class SloRuleGroups:
    slo: Slo
    sli: list[RecordingRule]
    metadata: list[RecordingRule]
    alerts: list[SloAlert]

    @property
    def group_names(self) -> tuple[str, str, str]:
        return (f"sloth-slo-sli-recordings-{self.slo.id}",
                f"sloth-slo-meta-recordings-{self.slo.id}",
                f"sloth-slo-alerts-{self.slo.id}")


def slo_rule_groups(slo: Slo) -> SloRuleGroups:
    return SloRuleGroups(slo, sli_rules(slo), metadata_rules(slo), alert_rules(slo))


def domain_slo_rule_groups(catalog: Catalog, domain: str) -> list[SloRuleGroups]:
    """The rule groups of a domain's SLOs, in catalog order."""
    return [slo_rule_groups(slo) for slo in catalog.slos_in(domain)]


def slo_alerts(catalog: Catalog) -> list[SloAlert]:
    """Every SLO alert of the catalog."""
    return [alert for slo in catalog.slos.values() for alert in alert_rules(slo)]
