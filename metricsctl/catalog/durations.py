"""Prometheus durations (`30s`, `5m`, `1h30m`): parsing and printing."""

from __future__ import annotations

import re

_UNITS = (("y", 365 * 86400.0), ("w", 7 * 86400.0), ("d", 86400.0), ("h", 3600.0),
          ("m", 60.0), ("s", 1.0), ("ms", 0.001))
_PATTERN = re.compile(
    r"^(?:0|(?=\d)(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?)$"
)


# Prometheus refuses a duration past what a signed 64-bit count of nanoseconds holds.
MAX_DURATION_NANOSECONDS = 2**63 - 1
_UNIT_NANOSECONDS = tuple(round(seconds * 1_000_000_000) for _, seconds in _UNITS)


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration; ValueError when it is not one or is out of the
    range Prometheus accepts (about 292 years)."""
    match = _PATTERN.match(text)
    if match is None or text == "":
        raise ValueError(f"invalid duration {text!r}: use e.g. 30s, 5m or 1h30m")
    # Whole numbers of nanoseconds: no float rounding, no overflow however many digits.
    parts = [(part, unit) for part, unit in zip(match.groups(), _UNIT_NANOSECONDS, strict=True)
             if part]
    if any(len(part) > 20 for part, _ in parts):
        raise ValueError(f"duration {text[:40]!r} is out of range")
    nanoseconds = sum(int(part) * unit for part, unit in parts)
    if nanoseconds > MAX_DURATION_NANOSECONDS:
        raise ValueError(f"duration {text!r} is out of range")
    return nanoseconds / 1_000_000_000


def duration_out_of_range(text: str) -> bool:
    """Whether `text` is written as a duration but is longer than Prometheus accepts."""
    return _PATTERN.match(text) is not None and text != "" and not is_duration(text)


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
