"""Changes to scrape jobs: what is collected, from where, and how often."""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.catalog.durations import parse_duration
from metricsctl.catalog.model import Project, ScrapeJob
from metricsctl.diagnostics import Location
from metricsctl.review.changes import Change, Classification, Side, Subject, code, codes
from metricsctl.review.dependents import dependents
from metricsctl.review.pair import CatalogPair

BREAKING, RISKY, SAFE = Classification.BREAKING, Classification.RISKY, Classification.SAFE


def scrape_changes(catalogs: CatalogPair) -> Iterator[Change]:
    base_project, head_project = catalogs.base.project, catalogs.head.project
    base = {job.name: job for job in base_project.scrape_jobs}
    head = {job.name: job for job in head_project.scrape_jobs}
    for name, job in base.items():
        if name in head:
            continue
        found = dependents(catalogs.head_usage.matching_label_value("job", name),
                           catalogs.base_usage.matching_label_value("job", name))
        still_read = any(d.side is Side.HEAD for d in found)
        yield Change(
            "scrape-job.removed", Subject.SCRAPE_JOB, name, BREAKING if still_read else RISKY,
            f"scrape job {code(name)} removed ({_count(job.targets, 'target')})",
            "its targets are no longer scraped: every series they expose goes absent"
            + (f", and queries selecting {code('job=' + _quoted(name))} return nothing."
               if still_read else "; alerts on those series can no longer fire."),
            before=job.targets, location=job.source.location, location_side=Side.BASE,
            dependents=found)
    for name, job in head.items():
        if name not in base:
            yield Change("scrape-job.added", Subject.SCRAPE_JOB, name, SAFE,
                         f"scrape job {code(name)} added ({_count(job.targets, 'target')})",
                         "new series from new targets break no existing query.",
                         after=job.targets, location=job.source.location)
            continue
        yield from _job_changes(catalogs, base[name], base_project, job, head_project)


def _job_changes(catalogs: CatalogPair, before: ScrapeJob, base_project: Project,
                 after: ScrapeJob, head_project: Project) -> Iterator[Change]:
    name, source = after.name, after.source

    def where(key: str) -> Location:
        return source.field(key) if source.has(key) else source.location

    if before.targets != after.targets:
        added = [t for t in after.targets if t not in before.targets]
        removed = [t for t in before.targets if t not in after.targets]
        parts = ([f"added {codes(added)}"] if added else []) + (
            [f"removed {codes(removed)}"] if removed else [])
        yield Change("scrape-job.targets-changed", Subject.SCRAPE_JOB, name, SAFE,
                     f"scrape job {code(name)} targets: {'; '.join(parts) or 'reordered'}",
                     "which instances are scraped; queries select by job, not by target.",
                     field="targets", before=before.targets, after=after.targets,
                     location=where("targets"))
    if dict(before.labels) != dict(after.labels):
        dropped = sorted(k for k in before.labels if after.labels.get(k) != before.labels[k])
        users = dependents([c for k in dropped
                            for c in catalogs.head_usage.matching_label_value(
                                k, before.labels[k])])
        classification = RISKY if dropped else SAFE
        yield Change("scrape-job.labels-changed", Subject.SCRAPE_JOB, name, classification,
                     f"scrape job {code(name)} target labels changed",
                     (f"series lose or change {codes(dropped)}: queries, routes and "
                      "recording rules that match on them stop matching.") if dropped
                     else "labels were only added.",
                     field="labels", before=dict(before.labels), after=dict(after.labels),
                     location=where("labels"), dependents=users)
    old_interval = before.interval or base_project.scrape_interval
    new_interval = after.interval or head_project.scrape_interval
    if old_interval != new_interval:
        longer = _seconds(new_interval) > _seconds(old_interval)
        yield Change(
            "scrape-job.interval-changed", Subject.SCRAPE_JOB, name, RISKY if longer else SAFE,
            f"scrape job {code(name)} interval {code(old_interval)} → {code(new_interval)}",
            "samples are further apart: range windows shorter than twice the interval "
            "(rate over [1m] at a 60s interval) return nothing." if longer
            else "more samples per window, more load on Prometheus.",
            field="interval", before=old_interval, after=new_interval,
            location=where("interval"))
    for key in ("metrics_path", "scheme", "honor_labels"):
        old, new = getattr(before, key), getattr(after, key)
        if old != new:
            yield Change(
                f"scrape-job.{key.replace('_', '-')}-changed", Subject.SCRAPE_JOB, name, RISKY,
                f"scrape job {code(name)} {key} {code(old)} → {code(new)}",
                "a wrong value takes every target of the job down (up == 0)."
                if key != "honor_labels" else
                "label conflicts between targets and Prometheus now resolve differently.",
                field=key, before=old, after=new,
                location=where(key))
    old_timeout = before.timeout or base_project.scrape_timeout
    new_timeout = after.timeout or head_project.scrape_timeout
    if old_timeout != new_timeout:
        yield Change("scrape-job.timeout-changed", Subject.SCRAPE_JOB, name, SAFE,
                     f"scrape job {code(name)} timeout {code(old_timeout)} → "
                     f"{code(new_timeout)}", "how long a slow target may take to answer.",
                     field="timeout", before=old_timeout, after=new_timeout,
                     location=where("timeout"))


def _seconds(duration: str) -> float:
    try:
        return parse_duration(duration)
    except ValueError:
        return 0.0


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _count(items: tuple[str, ...], noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"
