"""Label values for synthesised series: allowed by the catalog, matching the selector."""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence

from metricsctl.alert_tests.evaluator import UnmodelledError
from metricsctl.catalog.model import Catalog, Metric

_GENERIC = ("example", "500", "error", "200", "1")
# By id(catalog), with a reference that tells when that catalog is gone (a Catalog holds
# mappings, so it cannot be hashed).
_SERIES_INDEX: dict[int, tuple[weakref.ref[Catalog], dict[str, Metric]]] = {}


def metric_of(catalog: Catalog, series: str) -> Metric | None:
    """The catalog metric exposing the series `series` (its name or a suffixed sample)."""
    cached = _SERIES_INDEX.get(id(catalog))
    if cached is None or cached[0]() is not catalog:
        index: dict[str, Metric] = {}
        for metric in catalog.metrics.values():
            for name in (metric.name, *metric.series.queryable):
                index.setdefault(name, metric)
        for key in [k for k, (ref, _) in _SERIES_INDEX.items() if ref() is None]:
            del _SERIES_INDEX[key]
        cached = _SERIES_INDEX[id(catalog)] = (weakref.ref(catalog), index)
    index = cached[1]
    return index.get(series)


def _candidates(regex: str) -> list[str]:
    """Strings that may fullmatch `regex`: its first alternative with wildcards filled in."""
    first = regex.split("|")[0].strip("()^$")
    plain = first.replace(".*", "").replace(".+", "x").replace("\\.", "\x00")
    plain = re.sub(r"\[([^\]])[^\]]*\]", r"\1", plain).replace(".", "0").replace("\x00", ".")
    return [plain, first]


def label_value(name: str, allowed: Sequence[str] | None,
                matchers: Sequence[tuple[str, str, str]]) -> str | None:
    """A value for label `name` satisfying `matchers`; None when the label may stay unset."""
    mine = [(op, value) for label, op, value in matchers if label == name]
    equal = [value for op, value in mine if op == "="]
    if equal:
        return equal[0]
    pool = list(allowed or ())
    for op, value in mine:
        if op == "=~":
            pool.extend(_candidates(value))
    pool.extend(_GENERIC if not allowed else ())
    for candidate in pool:
        if all(_satisfies(candidate, op, value) for op, value in mine):
            return candidate
    if mine:
        raise UnmodelledError(f"no value of label `{name}` satisfies the matchers "
                              + ", ".join(f'{name}{op}"{value}"' for op, value in mine))
    return None


def _satisfies(candidate: str, op: str, value: str) -> bool:
    if op == "=":
        return candidate == value
    if op == "!=":
        return candidate != value
    hit = re.fullmatch(value, candidate) is not None
    return hit if op == "=~" else not hit


def series_labels(catalog: Catalog, series: str, metric: Metric | None,
                  matchers: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """The labels of one synthetic series of `series` (an exposed name of `metric`)."""
    labels: dict[str, str] = {"__name__": series, **_target_labels(catalog, matchers)}
    names: list[tuple[str, Sequence[str] | None]] = []
    if metric is not None:
        names.extend((label.name, label.values) for label in metric.labels)
    for label, _, _ in matchers:
        if label != "__name__" and label not in labels and label not in dict(names):
            names.append((label, None))
    for name, allowed in names:
        if name in labels:
            continue
        value = label_value(name, allowed, matchers)
        if value is not None:
            labels[name] = value
    return labels


def _target_labels(catalog: Catalog,
                   matchers: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """`job`, `instance` and the target labels a scrape adds: of the first scrape job whose
    labels the selector's matchers accept (as a scraped series carries them)."""
    for job in catalog.project.scrape_jobs:
        labels = {"job": job.name, "instance": job.targets[0] if job.targets else job.name,
                  **job.labels}
        if all(_satisfies(labels[name], op, value) for name, op, value in matchers
               if name in labels):
            return labels
    return {}
