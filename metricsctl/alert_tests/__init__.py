"""Synthesise promtool unit tests for every alert from the catalog and the generated rules.

    rule_file      read the generated rule file back (tests check what is deployed)
    evaluator      a small rule engine with Prometheus 2.x semantics
    runner         run rules and an alert expression minute by minute; when it fires
    labels         label values for synthetic series, allowed by the catalog
    expr_cases     `<expr> <cmp> <number>` and absent() alerts: quiet and firing cases
    slo_cases      burn-rate alerts: fast burn pages, slow burn tickets, quiet just below
    templates      annotations rendered as Prometheus renders them
    synthesise     compose a domain's cases; list what cannot be modelled, with the reason
    promtool_file  write the cases in promtool's test file format
"""
