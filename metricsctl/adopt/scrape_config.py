"""Prometheus scrape configuration (`prometheus.yml` or a `scrape_configs:` file) -> the
project's scrape jobs and defaults.

Static targets, labels, metrics path, scheme, interval, timeout and honor_labels map to the
catalog; service discovery, relabelling, authentication and the rest are reported as not
mapped, each with its location.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from metricsctl.adopt.report import Outcome
from metricsctl.catalog.yaml_source import PathKey, SourceDocument

if TYPE_CHECKING:
    from metricsctl.adopt.sources import ImportRun

_JOB = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_HOST_PORT = re.compile(r"[A-Za-z0-9._\[\]:-]+:[0-9]{1,5}")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_JOB_FIELDS = {"metrics_path": "metrics_path", "scheme": "scheme",
               "scrape_interval": "interval", "scrape_timeout": "timeout",
               "honor_labels": "honor_labels"}
_GLOBAL_FIELDS = ("scrape_interval", "scrape_timeout", "evaluation_interval")


def is_scrape_document(data: Any) -> bool:
    return isinstance(data, dict) and "scrape_configs" in data


def read_scrape_config(run: ImportRun, document: SourceDocument) -> None:
    data = document.data
    defaults: dict[str, Any] = {}
    for key, value in (data.get("global") or {}).items():
        where = document.locate(("global", key), key=True)
        if key in _GLOBAL_FIELDS and isinstance(value, str):
            defaults[key] = value
            run.report.add(Outcome.MAPPED, "global setting", key, where)
        elif key == "external_labels" and isinstance(value, dict):
            run.estate.project.settings["external_labels"] = {
                str(k): str(v) for k, v in value.items()}
            run.options.target_labels.update(str(k) for k in value)
            run.report.add(Outcome.MAPPED, "global setting", key, where)
        else:
            run.report.add(Outcome.UNMAPPED, "global setting", key, where,
                           "the catalog has no such project setting")
    if defaults:
        run.estate.project.settings.setdefault("defaults", {}).update(defaults)
    _alertmanagers(run, document)
    for key in data:
        if key not in ("global", "scrape_configs", "alerting"):
            run.report.add(Outcome.UNMAPPED, "configuration section", key,
                           document.locate((key,), key=True),
                           "only global settings and scrape jobs are imported")
    jobs = data.get("scrape_configs")
    if not isinstance(jobs, list):
        run.error("import/invalid-scrape-config", "`scrape_configs:` must be a list of jobs",
                  document.locate(("scrape_configs",)))
        return
    for index, job in enumerate(jobs):
        _job(run, document, ("scrape_configs", index), job)


def _alertmanagers(run: ImportRun, document: SourceDocument) -> None:
    alerting = document.data.get("alerting")
    if alerting is None:
        return
    found: list[str] = []
    for index, config in enumerate((alerting or {}).get("alertmanagers") or []):
        path: PathKey = ("alerting", "alertmanagers", index)
        statics = config.get("static_configs") if isinstance(config, dict) else None
        targets = [t for s in statics or [] if isinstance(s, dict)
                   for t in s.get("targets") or []]
        mapped = [t for t in targets if isinstance(t, str) and _HOST_PORT.fullmatch(t)]
        found.extend(mapped)
        extra = set(config) - {"static_configs"} if isinstance(config, dict) else set()
        if extra or len(mapped) != len(targets) or not mapped:
            run.report.add(Outcome.UNMAPPED, "alertmanager config", str(index),
                           document.locate(path), "only static host:port targets are modelled")
    for key in alerting or {}:
        if key != "alertmanagers":
            run.report.add(Outcome.UNMAPPED, "alerting setting", key,
                           document.locate(("alerting", key), key=True))
    if found:
        known = run.estate.project.settings.setdefault("alertmanagers", [])
        known.extend(t for t in found if t not in known)
        run.report.add(Outcome.MAPPED, "alertmanagers", ", ".join(found),
                       document.locate(("alerting",), key=True))


def _job(run: ImportRun, document: SourceDocument, path: PathKey, job: Any) -> None:
    location = document.locate(path)
    if not isinstance(job, dict) or not isinstance(job.get("job_name"), str):
        run.error("import/invalid-scrape-config", "a scrape job needs a `job_name`", location)
        return
    name = job["job_name"]
    if not _JOB.fullmatch(name):
        run.report.add(Outcome.UNMAPPED, "scrape job", name, location,
                       "catalog job names are lower-case identifiers")
        return
    entry: dict[str, Any] = {"job": name}
    targets: list[str] = []
    labels: dict[str, str] = {}
    for static_index, static in enumerate(job.get("static_configs") or []):
        static_path = (*path, "static_configs", static_index)
        if not isinstance(static, dict):
            continue
        group_labels = {str(k): str(v) for k, v in (static.get("labels") or {}).items()}
        if static_index > 0 and group_labels != labels:
            run.report.add(Outcome.UNMAPPED, "static config", f"{name}[{static_index}]",
                           document.locate(static_path),
                           "a catalog job has one set of labels for all its targets")
            continue
        labels = group_labels
        for target_index, target in enumerate(static.get("targets") or []):
            if isinstance(target, str) and _HOST_PORT.fullmatch(target):
                targets.append(target)
            else:
                run.report.add(Outcome.UNMAPPED, "target", str(target),
                               document.locate((*static_path, "targets", target_index)),
                               "targets are host:port")
    if not targets:
        run.report.add(Outcome.UNMAPPED, "scrape job", name, location,
                       "no static host:port targets (service discovery is not modelled)")
        return
    entry["targets"] = targets
    if labels and all(_LABEL_NAME.fullmatch(k) for k in labels):
        entry["labels"] = labels
        run.options.target_labels.update(labels)
    for key, value in job.items():
        where = document.locate((*path, key), key=True)
        if key in ("job_name", "static_configs"):
            continue
        if key in _JOB_FIELDS:
            entry[_JOB_FIELDS[key]] = value
        else:
            run.report.add(Outcome.UNMAPPED, "scrape setting", f"{name}.{key}", where,
                           "the catalog's scrape jobs do not model it")
    run.estate.project.scrape_jobs.append((entry, location))
    run.report.add(Outcome.MAPPED, "scrape job", name, location)
