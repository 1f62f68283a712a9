"""Prometheus durations (`30s`, `5m`, `1h30m`): parsing and printing."""

from __future__ import annotations

import re

_UNITS = (("y", 365 * 86400.0), ("w", 7 * 86400.0), ("d", 86400.0), ("h", 3600.0),
          ("m", 60.0), ("s", 1.0), ("ms", 0.001))
_PATTERN = re.compile(
    r"^(?:0|(?=\d)(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?)$"
)


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration; ValueError when it is not one."""
    match = _PATTERN.match(text)
    if match is None or text == "":
        raise ValueError(f"invalid duration {text!r}: use e.g. 30s, 5m or 1h30m")
    return sum(int(part) * seconds
               for part, (_, seconds) in zip(match.groups(), _UNITS, strict=True) if part)


def is_duration(text: str) -> bool:
    try:
        parse_duration(text)
    except ValueError:
        return False
    return True


def format_duration(seconds: float) -> str:
    """The shortest Prometheus duration for a number of seconds (`90` -> `1m30s`)."""
    if seconds <= 0:
        return "0s"
    millis = round(seconds * 1000)
    parts = []
    for unit, size in _UNITS:
        size_ms = round(size * 1000)
        count, millis = divmod(millis, size_ms)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
