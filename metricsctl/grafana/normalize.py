"""Compare dashboards as content, and tell whether Grafana's copy is still what we pushed.

Grafana rewrites `id`, `version` (and old versions `iteration`) on every save, so both
sides are compared without them, as canonical JSON (sorted keys, integral floats as
integers: Grafana's Go JSON turns every number into a float64).

Ownership marker: each pushed dashboard carries `metricsctlHash`, the SHA-256 of its own
normalized content. When Grafana's copy still hashes to its marker, nobody changed it since
metricsctl pushed it; when it does not (or the marker is gone: Grafana's UI drops unknown
keys when it saves), someone edited it in Grafana and a push must not overwrite it blindly.
"""

from __future__ import annotations

import hashlib
import json
from enum import Enum
from typing import Any

VOLATILE_KEYS = ("id", "version", "iteration")
MARKER_KEY = "metricsctlHash"
HASH_PREFIX = "sha256:"


class Provenance(Enum):
    """What Grafana's copy of a dashboard says about who wrote it last."""

    PUSHED = "pushed"  # its marker matches its content: exactly as metricsctl left it
    EDITED = "edited"  # it has a marker, but the content changed since
    UNMARKED = "unmarked"  # no marker: never pushed by metricsctl, or saved from the UI


def normalize(dashboard: dict[str, Any]) -> dict[str, Any]:
    """The dashboard without the fields Grafana manages and without our marker."""
    return {key: value for key, value in dashboard.items()
            if key not in VOLATILE_KEYS and key != MARKER_KEY}


def canonical_json(value: Any) -> str:
    """One text per content: sorted keys, no spaces, integral floats as integers."""
    return json.dumps(_integral(value), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False)


def content_hash(dashboard: dict[str, Any]) -> str:
    """`sha256:<hex>` of the normalized dashboard."""
    digest = hashlib.sha256(canonical_json(normalize(dashboard)).encode("utf-8")).hexdigest()
    return HASH_PREFIX + digest


def same_content(left: dict[str, Any], right: dict[str, Any]) -> bool:
    return canonical_json(normalize(left)) == canonical_json(normalize(right))


def with_marker(dashboard: dict[str, Any]) -> dict[str, Any]:
    """The dashboard to push: normalized, plus the marker of its content."""
    marked = normalize(dashboard)
    marked[MARKER_KEY] = content_hash(dashboard)
    return marked


def provenance(live: dict[str, Any]) -> Provenance:
    marker = live.get(MARKER_KEY)
    if not isinstance(marker, str):
        return Provenance.UNMARKED
    return Provenance.PUSHED if marker == content_hash(live) else Provenance.EDITED


def _integral(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral(item) for item in value]
    return value
