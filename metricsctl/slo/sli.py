"""The PromQL of an SLI: its error ratio and its event rate over a window."""

from __future__ import annotations

from fractions import Fraction

from metricsctl.catalog.model import SliSelector, Slo
from metricsctl.catalog.naming import MetricType, exposed_series
from metricsctl.slo.numbers import decimal_text, exact

SLI_ERROR_PREFIX = "slo:sli_error:ratio_rate"


def sli_error_record(window: str) -> str:
    """`slo:sli_error:ratio_rate<window>`, Sloth's name of the SLI over a window."""
    return f"{SLI_ERROR_PREFIX}{window}"


def id_labels(slo: Slo) -> dict[str, str]:
    """The labels that identify an SLO's series, as Sloth names them."""
    return {"sloth_id": slo.id, "sloth_service": slo.service, "sloth_slo": slo.name}


def id_matchers(slo: Slo) -> str:
    return ", ".join(f'{name}="{value}"' for name, value in id_labels(slo).items())


def error_budget(slo: Slo) -> Fraction:
    """1 - objective, as a ratio: 99.9 -> 0.001."""
    return 1 - exact(slo.objective) / 100


def le_matcher(threshold: str) -> str:
    """The bucket of a bound, as both Go (`1`) and Python (`1.0`) clients spell it."""
    value = exact(threshold)
    text = decimal_text(value)
    if value.denominator == 1:
        return f'le=~"{text}|{text}\\\\.0"'
    return f'le="{text}"'


def _selector(selector: SliSelector, series: str, extra: str = "") -> str:
    inside = ", ".join(part for part in (extra, *(
        f'{label}{op}"{value}"' for label, op, value in selector.matchers)) if part)
    return f"{series}{{{inside}}}" if inside else series


def _sum_rate(selector_text: str, window: str, by: tuple[str, ...]) -> str:
    grouping = f" by ({', '.join(by)}) " if by else ""
    return f"sum{grouping}(rate({selector_text}[{window}]))"


def total_selector(slo: Slo) -> str:
    """The selector counting every event of the SLI."""
    if slo.latency is not None:
        return _selector(slo.latency, exposed_series(slo.latency.series,
                                                     MetricType.HISTOGRAM).count or "")
    assert slo.total is not None
    return _selector(slo.total, slo.total.series)


def total_rate(slo: Slo, window: str) -> str:
    """Events per second over `window`, per `by` group."""
    return _sum_rate(total_selector(slo), window, slo.by)


def error_ratio(slo: Slo, window: str) -> str:
    """The share of bad events over `window` (the SLI error ratio)."""
    total = total_rate(slo, window)
    if slo.latency is not None:
        assert slo.threshold is not None
        bucket = exposed_series(slo.latency.series, MetricType.HISTOGRAM).bucket or ""
        good = _sum_rate(_selector(slo.latency, bucket, le_matcher(slo.threshold)), window,
                         slo.by)
        return f"1 - (\n  {good}\n  /\n  {total}\n)"
    if slo.errors is not None:
        bad = _sum_rate(_selector(slo.errors, slo.errors.series), window, slo.by)
        return f"(\n  {bad}\n)\n/\n(\n  {total}\n)"
    assert slo.good is not None
    good = _sum_rate(_selector(slo.good, slo.good.series), window, slo.by)
    return f"1 - (\n  {good}\n  /\n  {total}\n)"
