"""Values as Grafana shows them for a panel's unit (the common units, and custom
`suffix:`/`prefix:` ones); anything else is a plain number with the unit after it."""

from __future__ import annotations

import math

_SHORT = ((1e12, " Tri"), (1e9, " Bil"), (1e6, " Mil"), (1e3, " K"))
_BYTES = ((2**40, " TiB"), (2**30, " GiB"), (2**20, " MiB"), (2**10, " KiB"))
_SECONDS = ((86400, " day"), (3600, " hour"), (60, " min"), (1, " s"), (1e-3, " ms"),
            (1e-6, " µs"))


def _number(value: float, decimals: int | None) -> str:
    if decimals is not None:
        return f"{value:.{decimals}f}"
    magnitude = abs(value)
    if magnitude == 0 or magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 0.01:
        return f"{value:.2f}".rstrip("0").rstrip(".") if magnitude >= 1 else f"{value:.3g}"
    return f"{value:.2g}"


def _scaled(value: float, steps: tuple[tuple[float, str], ...], decimals: int | None,
            base: str = "") -> str:
    for size, suffix in steps:
        if abs(value) >= size:
            return _number(value / size, decimals) + suffix
    return _number(value, decimals) + base


def format_value(value: float | None, unit: str | None, decimals: int | None = None) -> str:
    """`0.25` with unit `s` -> `250 ms`; `1500` with `short` -> `1.5 K`; None -> `No data`."""
    if value is None:
        return "No data"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    unit = unit or "short"
    if unit == "none":
        return _number(value, decimals)
    if unit in ("s", "ms"):
        seconds = value / 1000 if unit == "ms" else value
        if seconds == 0:
            return "0 s"
        return _scaled(seconds, _SECONDS, decimals, " s")
    if unit in ("bytes", "decbytes"):
        return _scaled(value, _BYTES, decimals, " B")
    if unit == "percentunit":
        return _number(value * 100, decimals) + "%"
    if unit == "percent":
        return _number(value, decimals) + "%"
    if unit == "reqps":
        return _scaled(value, _SHORT, decimals) + " req/s"
    if unit == "currencyUSD":
        return "$" + _scaled(value, _SHORT, decimals)
    if unit.startswith("suffix:"):
        return _scaled(value, _SHORT, decimals) + " " + unit.removeprefix("suffix:").strip()
    if unit.startswith("prefix:"):
        return unit.removeprefix("prefix:").strip() + _scaled(value, _SHORT, decimals)
    if unit == "short":
        return _scaled(value, _SHORT, decimals)
    return _scaled(value, _SHORT, decimals) + " " + unit
