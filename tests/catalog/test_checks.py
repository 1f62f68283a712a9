"""Semantic checks: each rule with a fixture that breaks it, asserting file:line:col and message."""

from __future__ import annotations

from pathlib import Path

from metricsctl.catalog import load_catalog
from metricsctl.diagnostics import Severity
from tests.conftest import WriteCatalog


def found(root: Path) -> list[tuple[str, str, str]]:
    """(file:line:col relative to the catalog, code, message) of every diagnostic."""
    prefix = f"{root}/"
    return [(str(d.location).removeprefix(prefix), d.code, d.message)
            for d in load_catalog(root).diagnostics]


def hints(root: Path) -> list[str | None]:
    return [d.hint for d in load_catalog(root).diagnostics]


def test_a_label_reference_must_be_defined(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        labels:
          route: {max_cardinality: 10}
        metrics:
          x_total: {type: counter, help: h, labels: [rout]}
        """})
    assert found(root) == [("a.yaml:5:46", "catalog/unknown-label", "label `rout` is not defined")]
    assert hints(root) == ["did you mean `route`?"]


def test_project_labels_are_shared_and_domain_labels_take_precedence(
        write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        labels:
          type: {values: [image, text]}
        metrics:
          x_total: {type: counter, help: h, labels: [service, type]}
        """}, project="project: p\nlabels:\n  service: {values: [api]}\n  type: {values: [a]}\n")
    result = load_catalog(root)
    assert result.ok
    assert result.catalog is not None
    labels = result.catalog.metrics["x_total"].labels
    assert [(label.name, label.scope, label.values) for label in labels] == [
        ("service", "project", ("api",)), ("type", "a", ("image", "text"))]


def test_reserved_label_names(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        labels:
          __name: {values: [x]}
        metrics:
          x_total: {type: counter, help: h, labels: [le]}
          y_total:
            type: counter
            help: h
            labels: [{name: quantile, values: ["0.5"]}]
        """})
    assert found(root) == [
        ("a.yaml:3:3", "catalog/reserved-label", "label `__name` cannot be used: names starting "
         "with `__` are reserved for Prometheus' internal use"),
        ("a.yaml:5:46", "catalog/reserved-label",
         "label `le` cannot be used: it is reserved for histogram bucket bounds"),
        ("a.yaml:9:21", "catalog/reserved-label",
         "label `quantile` cannot be used: it is reserved for summary quantiles"),
    ]


def test_a_metric_cannot_list_a_label_twice(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        labels: {route: {max_cardinality: 3}}
        metrics:
          x_total: {type: counter, help: h, labels: [route, route]}
        """})
    assert found(root) == [("a.yaml:4:53", "catalog/duplicate-label",
                            "metric `x_total` lists label `route` twice")]


def test_label_values_are_unique_and_agree_with_the_bound(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        labels:
          streaming: {values: [true, "true"]}
          kind: {values: [a, b, c], max_cardinality: 2}
        """})
    assert found(root) == [
        ("a.yaml:3:30", "catalog/duplicate-value",
         "label `streaming` lists the value `true` twice"),
        ("a.yaml:4:46", "catalog/invalid-value",
         "label `kind` lists 3 values but max_cardinality is 2"),
    ]


def test_buckets_must_be_strictly_increasing(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        metrics:
          x_seconds: {type: histogram, help: h, buckets: [0.1, 0.5, 0.5, 1]}
          y_seconds: {type: histogram, help: h, buckets: [1, .inf]}
        """})
    assert found(root) == [
        ("a.yaml:3:61", "catalog/buckets-order",
         "buckets must be strictly increasing: 0.5 follows 0.5"),
        ("a.yaml:4:54", "catalog/invalid-buckets", "bucket bound inf is not a finite number"),
    ]


def test_buckets_only_apply_to_histograms(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        metrics:
          x_total: {type: counter, help: h, buckets: [1, 2]}
        """})
    assert found(root) == [("a.yaml:3:37", "catalog/buckets-not-histogram",
                            "`buckets` only applies to histograms; `x_total` is a counter")]


def test_severity_comes_from_the_configured_set(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        alerts:
          Down: {expr: up == 0, for: 1m, severity: critcal}
        """}, project="project: p\nseverities: [warning, critical]\n")
    assert found(root) == [("a.yaml:3:44", "catalog/unknown-severity",
                            "severity `critcal` is not one of the project's severities")]
    assert hints(root) == ["did you mean `critical`?"]


def test_alert_labels_cannot_override_what_prometheus_sets(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        alerts:
          Down:
            expr: up == 0
            severity: critical
            labels: {severity: page, alertname: X, team: sre}
        """})
    assert [(loc, code) for loc, code, _ in found(root)] == [
        ("a.yaml:6:14", "catalog/reserved-label"), ("a.yaml:6:30", "catalog/reserved-label")]


def test_renamed_from_must_name_a_metric_that_no_longer_exists(
        write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        metrics:
          old_total: {type: counter, help: h}
          new_total: {type: counter, help: h, renamed_from: old_total}
          other_total: {type: counter, help: h, renamed_from: [gone_total]}
          third_total: {type: counter, help: h, renamed_from: [gone_total]}
        """})
    assert found(root) == [
        ("a.yaml:4:53", "catalog/invalid-rename",
         "`renamed_from: old_total` names a metric that is still defined"),
        ("a.yaml:6:56", "catalog/invalid-rename",
         "`gone_total` is claimed as a former name by `other_total` too"),
    ]


def test_names_are_unique_across_files(write_catalog: WriteCatalog) -> None:
    root = write_catalog({
        "a.yaml": """
            domain: a
            metrics: {x_total: {type: counter, help: h}}
            alerts: {Down: {expr: up == 0, severity: warning}}
            dashboards: {board: {title: A}}
            """,
        "b.yaml": """
            domain: a
            metrics: {x_total: {type: counter, help: h}}
            alerts: {Down: {expr: up == 0, severity: warning}}
            dashboards: {board: {title: B}}
            """,
    })
    first = f"{root}/a.yaml"
    assert found(root) == [
        ("b.yaml:1:1", "catalog/duplicate-domain",
         f"domain `a` is defined twice (first at {first}:1:1)"),
        ("b.yaml:2:11", "catalog/duplicate-metric",
         f"metric `x_total` is defined twice (first at {first}:2:11)"),
        ("b.yaml:3:10", "catalog/duplicate-alert",
         f"alert `Down` is defined twice (first at {first}:3:10)"),
        ("b.yaml:4:14", "catalog/duplicate-dashboard",
         f"dashboard `board` is defined twice (first at {first}:4:14)"),
    ]


def test_a_recording_rule_cannot_take_a_metric_name(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        metrics: {x_total: {type: counter, help: h}}
        recording_rules: {x_total: {expr: up}}
        """})
    assert [(loc, code) for loc, code, _ in found(root)] == [
        ("a.yaml:3:19", "catalog/duplicate-metric")]


def test_folders_must_be_declared_and_acyclic(write_catalog: WriteCatalog) -> None:
    project = """project: p
grafana:
  folder: main
  folders:
    a: {title: A, parent: b}
    b: {title: B, parent: a}
    c: {title: C, parent: nowhere}
"""
    root = write_catalog({"a.yaml": "domain: a\ndashboards:\n  board: {title: T, folder: mian}\n"},
                         project=project)
    assert found(root) == [
        ("a.yaml:3:29", "catalog/unknown-folder",
         "folder `mian` is not declared under grafana.folders in the project file"),
        ("metricsctl.yaml:3:11", "catalog/unknown-folder",
         "default folder `main` is not declared under grafana.folders"),
        ("metricsctl.yaml:5:27", "catalog/folder-cycle", "folder `a` is its own ancestor"),
        ("metricsctl.yaml:6:27", "catalog/folder-cycle", "folder `b` is its own ancestor"),
        ("metricsctl.yaml:7:27", "catalog/unknown-folder",
         "parent folder `nowhere` is not declared under grafana.folders"),
    ]


def test_panels_show_exactly_one_thing(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        metrics: {x_total: {type: counter, help: h}, g: {type: gauge, help: h}}
        dashboards:
          board:
            title: T
            panels:
              - {title: Empty}
              - {title: Both, expr: up, metric: x_total}
              - {title: Notes, type: text}
              - {title: Graph, expr: up, content: hi}
              - {title: Grouped, expr: up, by: [x]}
              - {title: Quantiles, metric: g, quantiles: [0.5]}
              - {title: Heat, type: heatmap, metric: x_total}
        """})
    assert found(root) == [
        ("a.yaml:7:17", "catalog/panel-source", "panel `Empty` has nothing to show"),
        ("a.yaml:8:17", "catalog/panel-source", "panel `Both` sets expr/queries and metric; "
         "use exactly one"),
        ("a.yaml:9:17", "catalog/panel-source", "panel `Notes` has nothing to show"),
        ("a.yaml:9:30", "catalog/panel-source", "a text panel needs `content`"),
        ("a.yaml:10:17", "catalog/panel-source",
         "panel `Graph` sets expr/queries and content; use exactly one"),
        ("a.yaml:11:36", "catalog/panel-source", "`by` only applies with `metric`"),
        ("a.yaml:12:39", "catalog/panel-source", "`quantiles` needs a histogram; `g` is a gauge"),
        ("a.yaml:13:29", "catalog/panel-source",
         "a derived heatmap needs a histogram; `x_total` is a counter"),
    ]


def test_derived_panels_reference_catalog_metrics_and_their_labels(
        write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        labels: {route: {max_cardinality: 5}}
        metrics: {x_total: {type: counter, help: h, labels: [route]}}
        dashboards:
          board:
            title: T
            panels:
              - {title: Rate, metric: x_totl}
              - {title: By, metric: x_total, by: [rout]}
        """})
    assert found(root) == [
        ("a.yaml:8:31", "catalog/unknown-metric", "unknown metric `x_totl`"),
        ("a.yaml:9:43", "catalog/unknown-label", "metric `x_total` has no label `rout`"),
    ]
    assert hints(root) == ["did you mean `x_total`?", "did you mean `route`?"]


def test_variables_need_a_label_some_metric_or_scrape_job_has(
        write_catalog: WriteCatalog) -> None:
    project = "project: p\nscrape: [{job: api, targets: ['api:1'], labels: {service: api}}]\n"
    root = write_catalog({"a.yaml": """
        domain: a
        metrics: {x_total: {type: counter, help: h}}
        dashboards:
          board:
            title: T
            variables: [service, model, {label: env, metric: x_total}, service, datasource]
        """}, project=project)
    assert found(root) == [
        ("a.yaml:6:26", "catalog/unknown-label",
         "no metric or scrape job in the catalog has the label `model`"),
        ("a.yaml:6:41", "catalog/unknown-label", "metric `x_total` has no label `env`"),
        ("a.yaml:6:64", "catalog/duplicate-variable", "variable `$service` is defined twice"),
        ("a.yaml:6:73", "catalog/duplicate-variable",
         "variable `$datasource` is defined twice (`datasource` is always generated)"),
    ]


def test_thresholds_and_ranges(write_catalog: WriteCatalog) -> None:
    steps = "[{color: green}, {value: 5, color: red}, {value: 2, color: blue}, {color: x}]"
    root = write_catalog({"a.yaml": f"""
        domain: a
        dashboards:
          board:
            title: T
            panels:
              - title: S
                expr: up
                min: 10
                max: 1
                thresholds: {steps}
        """})
    assert found(root) == [
        ("a.yaml:8:14", "catalog/invalid-range", "min (10) must be below max (1)"),
        ("a.yaml:10:70", "catalog/invalid-thresholds",
         "threshold values must increase: 2 follows 5"),
        ("a.yaml:10:87", "catalog/invalid-thresholds",
         "only the first threshold step may omit `value` (it is the base)"),
    ]


def test_duplicate_panel_titles_are_a_warning_only(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        dashboards:
          board:
            title: T
            panels: [{title: Up, expr: up}, {title: Up, expr: up}]
        """})
    result = load_catalog(root)
    assert result.ok
    assert [(d.severity, d.code) for d in result.diagnostics] == [
        (Severity.WARNING, "catalog/duplicate-panel-title")]


def test_scrape_jobs_are_unique_and_labels_not_reserved(write_catalog: WriteCatalog) -> None:
    project = """project: p
scrape:
  - {job: api, targets: ["a:1"], labels: {__meta: x}}
  - {job: api, targets: ["b:1"]}
"""
    root = write_catalog({}, project=project)
    assert found(root) == [
        ("metricsctl.yaml:3:43", "catalog/reserved-label", "label `__meta` cannot be set here: "
         "names starting with `__` are reserved for Prometheus' internal use"),
        ("metricsctl.yaml:4:11", "catalog/duplicate-scrape-job",
         f"scrape job `api` is defined twice (first at {root}/metricsctl.yaml:3:11)"),
    ]


def test_a_scrape_timeout_may_not_exceed_its_interval(write_catalog: WriteCatalog) -> None:
    # Prometheus refuses such a configuration; a job's interval defaults to the global one.
    project = """project: p
defaults: {scrape_interval: 5s, scrape_timeout: 10s}
scrape:
  - {job: a, targets: ["a:1"], timeout: 6s}
  - {job: b, targets: ["b:1"], interval: 1m, timeout: 30s}
"""
    root = write_catalog({}, project=project)
    assert found(root) == [
        ("metricsctl.yaml:2:49", "catalog/invalid-value",
         "scrape_timeout 10s is longer than scrape_interval 5s"),
        ("metricsctl.yaml:4:41", "catalog/invalid-value",
         "scrape job `a` has a timeout of 6s, longer than its interval of 5s"),
    ]


def test_the_default_scrape_timeout_never_conflicts_with_a_short_interval(
        write_catalog: WriteCatalog) -> None:
    # The 10s default is not the user's: the scrape target shortens it to the interval.
    root = write_catalog({}, project="project: p\ndefaults: {scrape_interval: 5s}\n")
    assert found(root) == []


def test_numeric_label_values_are_taken_as_written(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        labels:
          code: {values: [010, 200, 1.50, 1_000, true]}
        alerts:
          Down: {expr: up == 0, severity: warning, labels: {code: 010}}
        """})
    result = load_catalog(root)
    assert result.ok and result.catalog is not None
    assert result.catalog.domains["a"].labels["code"].values == (
        "010", "200", "1.50", "1_000", "true")
    assert result.catalog.alerts["Down"].labels == {"code": "010"}


def test_a_panel_on_a_renamed_metric_says_where_it_went(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        metrics:
          job_failures_total: {type: counter, help: h, renamed_from: job_errors_total}
        dashboards:
          board: {title: T, panels: [{title: Errors, metric: job_errors_total}]}
        """})
    assert found(root) == [("a.yaml:5:54", "catalog/unknown-metric",
                            "unknown metric `job_errors_total`")]
    assert hints(root) == ["it was renamed to `job_failures_total`"]


def test_a_metric_with_an_invalid_type_still_counts_as_defined(
        write_catalog: WriteCatalog) -> None:
    # One mistake, one error: no cascade of "unknown metric `a_total`, did you mean ...".
    root = write_catalog({"d.yaml": """
        domain: d
        metrics:
          a_total: {type: countr, help: Requests.}
        dashboards:
          board:
            title: Board
            variables:
              - {name: job, label: job, metric: a_total}
            panels:
              - {title: Rate, metric: a_total}
        """, "e.yaml": """
        domain: e
        dashboards:
          other:
            title: Other
            panels:
              - {title: Rate, metric: a_total}
        """})
    result = load_catalog(root)
    assert [(d.code, str(d.location)) for d in result.diagnostics] == [
        ("catalog/invalid-value", f"{root}/d.yaml:3:19")]


def test_the_metricsctl_tag_prefix_is_reserved(write_catalog: WriteCatalog) -> None:
    """`metricsctl:<project>` is how push knows a dashboard's project (and what --prune may
    delete): a catalog claiming another project's tag by hand is refused."""
    root = write_catalog({"a.yaml": """
        domain: a
        dashboards:
          board:
            title: T
            tags: [payments, metricsctl, metricsctl:team-b, Metricsctl:x]
            panels: [{title: Text, type: text, content: hi}]
        """})
    assert found(root) == [
        ("a.yaml:5:34", "catalog/reserved-tag", "dashboard `board` cannot set the tag "
                                                "`metricsctl:team-b` by hand: the `metricsctl:` "
                                                "prefix is reserved"),
        ("a.yaml:5:53", "catalog/reserved-tag", "dashboard `board` cannot set the tag "
                                                "`Metricsctl:x` by hand: the `metricsctl:` "
                                                "prefix is reserved"),
    ]


def test_verbatim_grafana_json_is_not_checked_for_prometheus_durations(
        write_catalog: WriteCatalog) -> None:
    # Grafana's own fields (a panel's `interval`, a variable's `refresh`) only look like the
    # catalog's durations; the escape hatch is passed on as written.
    root = write_catalog({"a.yaml": """
        domain: a
        metrics:
          jobs: {type: gauge, help: Jobs.}
        dashboards:
          jobs:
            title: Jobs
            grafana: {refresh: 300y}
            panels:
              - title: Jobs
                expr: jobs
                grafana: {interval: 1000y, targets: [{expr: jobs, interval: 999y}]}
                overrides: [{matcher: {id: byName}, properties: [{id: interval, value: 5y}]}]
        """})

    assert found(root) == []
