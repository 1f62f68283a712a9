"""One import: read the sources, add the metrics their expressions imply, plan the files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from metricsctl.adopt.drafts import DraftEntry
from metricsctl.adopt.plan import plan_import
from metricsctl.adopt.report import Outcome
from metricsctl.adopt.sources import ImportOptions, ImportRun, read_sources
from metricsctl.catalog.model import Catalog


def import_estate(sources: Sequence[str], options: ImportOptions, specs_dir: Path, *,
                  force: bool) -> tuple[ImportRun, dict[str, str]]:
    """The import run (report, texts) and the files to write; nothing is written here."""
    catalog = _existing_catalog(specs_dir)
    if catalog is not None:
        options.target_labels.update(label for job in catalog.project.scrape_jobs
                                     for label in job.labels)
        options.target_labels.update(catalog.project.external_labels)
    run = read_sources(sources, options)
    if run.report.errors:
        return run, {}
    add_inferred_metrics(run, catalog)
    keep_alerts_as_written(run, catalog)
    files = plan_import(run.estate, specs_dir, run.report, force=force)
    return run, files


def _existing_catalog(specs_dir: Path) -> Catalog | None:
    from metricsctl.catalog.loader import load_catalog

    if not specs_dir.is_dir() or not any(specs_dir.glob("*.y*ml")):
        return None
    result = load_catalog(specs_dir)
    return result.catalog if result.ok else None


def add_inferred_metrics(run: ImportRun, catalog: Catalog | None) -> None:
    """Metrics the imported expressions read that neither the sources nor the catalog define,
    with their labels defined in the same domain."""
    known: set[str] = set()
    if catalog is not None:
        for metric in catalog.metrics.values():
            known.update((metric.name, *metric.series.samples))
        known.update(rule.name for rule in catalog.recording_rules.values())
    for domain in run.estate.domains.values():
        for entry in domain.entries:
            if entry.section == "metrics":
                known.add(entry.name)
                known.update(_samples(entry))
    for name, location in run.metrics.unrecorded(known.__contains__):
        run.report.add(Outcome.UNMAPPED, "series", name, location,
                       "read like a recording rule's output, but no imported or catalog rule "
                       "records it: import its rule file too")
    project_labels = set(catalog.project.labels) if catalog is not None else set()
    for inferred in run.metrics.inferred(known.__contains__, run.options.target_labels):
        domain = run.estate.domains[inferred.domain]
        domain.entries.append(inferred.entry)
        run.report.add(Outcome.INFERRED, "metric", inferred.entry.name, inferred.entry.origin,
                       inferred.reason)
        existing = catalog.domains.get(domain.name) if catalog is not None else None
        for label in inferred.labels:
            if label in project_labels or (existing is not None and label in existing.labels):
                continue
            if any(e.section == "labels" and e.name == label for e in domain.entries):
                continue
            domain.entries.append(DraftEntry(
                "labels", label, {"description": "Seen in imported expressions; bound it "
                                  "with values or max_cardinality."},
                inferred.entry.origin, ""))


def keep_alerts_as_written(run: ImportRun, catalog: Catalog | None) -> None:
    """`absent: false` on an imported alert that the catalog would give an absent()
    companion (it reads one unlabelled gauge): the estate had none, and the round trip
    must not add one."""
    from metricsctl.promql.references import expr_references

    gauges: dict[str, bool] = {}  # metric -> an unlabelled gauge?
    if catalog is not None:
        gauges.update((m.name, m.type.value == "gauge" and not m.labels)
                      for m in catalog.metrics.values())
    for domain in run.estate.domains.values():
        for entry in domain.entries:
            if entry.section == "metrics":
                gauges[entry.name] = (entry.body.get("type") == "gauge"
                                      and not entry.body.get("labels"))
    for domain in run.estate.domains.values():
        for entry in domain.entries:
            if entry.section != "alerts":
                continue
            refs = expr_references(str(entry.body["expr"]))
            if refs is not None and len(refs.metrics) == 1 and gauges.get(next(iter(refs.metrics))):
                entry.body["absent"] = False


def _samples(entry: DraftEntry) -> tuple[str, ...]:
    from metricsctl.catalog.naming import MetricType, exposed_series

    type_name = entry.body.get("type")
    if type_name not in {t.value for t in MetricType}:
        return ()
    return exposed_series(entry.name, MetricType(type_name)).samples
