"""What the source readers produce: catalog entries still to be merged into a catalog."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from metricsctl.diagnostics import Location

_NOT_IN_IDENTIFIER = re.compile(r"[^a-z0-9_-]+")
_NOT_IN_KEY = re.compile(r"[^A-Za-z0-9_]+")
_NOT_IN_UID = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass
class DraftEntry:
    """A catalog entry: `section` (metrics, alerts...), its name, body and origin.

    `name` is what Prometheus or Grafana calls it; the catalog key is chosen when merging
    (the name when it is free and fits, else a variant, with the name in `alert:`/`record:`).
    """

    section: str
    name: str
    body: dict[str, Any]
    origin: Location
    comment: str
    key_origin: Location | None = None  # where the source names it (a dashboard's uid)


@dataclass
class DomainDraft:
    name: str
    origin: Location
    settings: dict[str, Any] = field(default_factory=dict)  # title, rule_group...
    entries: list[DraftEntry] = field(default_factory=list)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ProjectDraft:
    scrape_jobs: list[tuple[dict[str, Any], Location]] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    folders: dict[str, str] = field(default_factory=dict)  # uid -> title
    settings: dict[str, Any] = field(default_factory=dict)  # defaults, alertmanagers...


@dataclass
class Estate:
    """Everything read from the sources, in source order."""

    domains: dict[str, DomainDraft] = field(default_factory=dict)
    project: ProjectDraft = field(default_factory=ProjectDraft)

    def domain(self, name: str, origin: Location) -> DomainDraft:
        """The draft of domain `name`, created on first use."""
        if name not in self.domains:
            self.domains[name] = DomainDraft(name, origin, {"domain": name})
        return self.domains[name]


def domain_name(text: str) -> str:
    """A domain identifier from a group or folder name (`node.rules` -> node-rules)."""
    name = _NOT_IN_IDENTIFIER.sub("-", text.lower()).strip("-_")
    if not name or not name[0].isalpha():
        name = "imported-" + name if name else "imported"
    return name[:63].rstrip("-_")


def entry_key(name: str) -> str:
    """A catalog key for an alert name: the name itself when it is an identifier."""
    key = _NOT_IN_KEY.sub("_", name).strip("_")
    if not key:
        return "alert"
    return "_" + key if key[0].isdigit() else key


def dashboard_uid(text: str) -> str:
    """A dashboard uid from a uid or a title (1 to 40 characters of [A-Za-z0-9_-])."""
    uid = _NOT_IN_UID.sub("-", text).strip("-")
    return (uid or "dashboard")[:40]


def origin_comment(location: Location, what: str) -> str:
    """The comment above an imported entry."""
    return f"imported from {location} ({what})" if what else f"imported from {location}"
