"""SLOs: SLI recording rules, error-budget rules, burn-rate alerts and a dashboard.

Generation is a chain of small stages, each with one job, as in Sloth's plugin chain:

    validate        the SLO against the catalog (metrics, types, labels, buckets, windows)
    sli_rules       `slo:sli_error:ratio_rate<W>` for the alert windows and the SLO window
    metadata_rules  objective, error budget, burn rates and remaining budget
    alert_rules     multiwindow, multi-burn-rate page and ticket alerts
    dashboard       one SLO dashboard per domain, as catalog Dashboard objects

`absent_alerts` adds the absent() companion of an alert on a single-exporter gauge (derived
alerting like the SLO alerts, so it lives beside them). `rules.slo_rule_groups` composes
the rule stages; names and labels follow Sloth's so its
public Grafana dashboards work unchanged. Numbers are exact decimals (`numbers`), never
float products such as 0.014400000000000001.
"""
