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
import re
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
    text = _dumps(value)
    # Python prints an integral float below 1e16 as `12.0`, and a number in this compact
    # JSON is followed by `,`, `}` or `]`: without such a token (the usual case, since both
    # Grafana's JSON and ours write integers) the walk over every value is not needed.
    return _dumps(_integral(value)) if _INTEGRAL_FLOAT.search(text) else text


_INTEGRAL_FLOAT = re.compile(r"[0-9]\.0[,}\]]")


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def content_text(dashboard: dict[str, Any]) -> str:
    """The canonical text of the normalized dashboard: what comparisons and hashes use."""
    return canonical_json(normalize(dashboard))


def text_hash(text: str) -> str:
    """`sha256:<hex>` of a content text."""
    return HASH_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(dashboard: dict[str, Any]) -> str:
    """`sha256:<hex>` of the normalized dashboard."""
    return text_hash(content_text(dashboard))


def same_content(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """Whether two dashboards have the same normalized content, compared as JSON values
    (key order aside, and 12 equal to 12.0: Grafana's Go JSON reads numbers as floats).
    Python's deep equality does that far faster than comparing texts; it also takes true
    for 1, a swap neither Grafana nor the UI makes."""
    return normalize(left) == normalize(right)


def with_marker(dashboard: dict[str, Any]) -> dict[str, Any]:
    """The dashboard to push: normalized, plus the marker of its content."""
    marked = normalize(dashboard)
    marked[MARKER_KEY] = content_hash(dashboard)
    return marked


def provenance(live: dict[str, Any]) -> Provenance:
    """Who wrote Grafana's copy last, as far as its marker tells."""
    marker = live.get(MARKER_KEY)
    if not isinstance(marker, str):
        return Provenance.UNMARKED
    return Provenance.PUSHED if marker == content_hash(live) else Provenance.EDITED


# Values that are their own canonical form; checked by exact type, as the walk is per value.
_LEAVES = frozenset({str, int, bool, type(None)})


def _integral(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: item if type(item) in _LEAVES else _integral(item)
                for key, item in value.items()}
    if kind is list:
        return [item if type(item) in _LEAVES else _integral(item) for item in value]
    if kind is float and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
