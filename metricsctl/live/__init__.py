"""`metricsctl live-check`: the catalog against what actually runs.

Like OpenTelemetry Weaver's live-check, in separate pieces:

- inputs: `exposition_input` (a /metrics body, from --url or --file) and `prometheus_input`
  (a Prometheus server's HTTP API) fill one `samples.Observation`;
- `matching` pairs exposed families with catalog metrics (the rest is unknown or ignored);
- `advisors/`: one module per check, each turning the matches into Diagnostics;
- `report`: the findings and the coverage (catalog metrics seen, exposed metrics known);
- `check.live_check` composes them.
"""
