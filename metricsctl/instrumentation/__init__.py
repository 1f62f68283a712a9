"""The instrumentation model: what code in any language needs to declare and record metrics.

`build_instrumentation(catalog)` turns the catalog into language-neutral facts (exposed
names and series, label kinds and allowed values, bucket bounds, the helper verbs of each
metric type, `record_<event>` helpers, documentation text, the HTTP server metrics). The
Python and TypeScript targets and every user template render this one model; how a language
spells identifiers and strings stays in its target (identifiers.py helps them stay unique).
"""

from metricsctl.instrumentation.model import (
    BOOL_VALUES,
    RECORD_PARAMETER,
    RECORD_SUFFIX,
    Enumeration,
    Helper,
    HttpServerMetrics,
    Instrumentation,
    InstrumentedLabel,
    InstrumentedMetric,
    build_instrumentation,
    module_stem,
)

__all__ = [
    "BOOL_VALUES",
    "RECORD_PARAMETER",
    "RECORD_SUFFIX",
    "Enumeration",
    "Helper",
    "HttpServerMetrics",
    "Instrumentation",
    "InstrumentedLabel",
    "InstrumentedMetric",
    "build_instrumentation",
    "module_stem",
]
