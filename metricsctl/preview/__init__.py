"""`metricsctl preview`: dashboards drawn to PNG without Grafana.

The dashboards are the grafana target's JSON (what Grafana would load); their queries run
against a Prometheus: the one given with `--prometheus`, or a real Prometheus started on
127.0.0.1 over synthetic data made from the catalog (`synthetic`) and the series of the
recording rules the dashboards read, evaluated by that Prometheus (`recorded`), or, without a
`prometheus` binary, nothing: the picture is then a wireframe that still shows the layout,
titles and units, and says so. matplotlib (the `preview` extra) is imported by `draw` only.
"""
