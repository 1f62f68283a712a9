"""`metricsctl import`: turn an existing estate (rule files, Grafana dashboards, a scrape
configuration, /metrics expositions) into catalog entries, with a report of what was mapped,
carried verbatim or could not be mapped. One module per source kind; `plan` merges the result
into an existing catalog without overwriting it.
"""
