"""Jinja2 templates shipped with metricsctl (code stubs, docs, `init` scaffolding)."""
