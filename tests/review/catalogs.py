"""A base catalog to change in tests, and a real git repository to commit its versions in.

`BASE_FILES` is a small catalog in which every kind of entry is used by something: an alert
groups by `route` and templates it, a recording rule and panels read the counter, a panel
reads the histogram's buckets, an alert selects `outcome="declined"`. Tests change one
thing with `edit()` and assert on what the review says.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import textwrap
from pathlib import Path

PROJECT = """
project: shop
severities: [info, warning, critical]
labels:
  service:
    values: [web, worker]
scrape:
  - job: web
    targets: ["web:9100"]
    labels: {service: web}
  - job: worker
    targets: ["worker-1:9100"]
    labels: {service: worker}
"""

SHOP = """
domain: shop
labels:
  route:
    max_cardinality: 20
  status_code:
    max_cardinality: 10
  outcome:
    values: [paid, declined]
metrics:
  http_requests_total:
    type: counter
    help: HTTP requests served.
    labels: [service, route, status_code]
  http_request_duration_seconds:
    type: histogram
    unit: seconds
    help: Time to serve an HTTP request.
    labels: [route]
    buckets: [0.1, 0.5, 1, 5]
  checkout_total:
    type: counter
    help: Checkouts by outcome.
    labels: [outcome]
  cart_items:
    type: gauge
    help: Items currently in open carts.
recording_rules:
  route:http_requests:rate5m:
    expr: sum by (route) (rate(http_requests_total[5m]))
alerts:
  HighErrorRate:
    expr: |
      sum by (route) (rate(http_requests_total{status_code=~"5.."}[5m]))
        / sum by (route) (rate(http_requests_total[5m])) > 0.05
    for: 5m
    severity: warning
    summary: "Errors on {{ $labels.route }}"
  CheckoutsDeclined:
    expr: sum(rate(checkout_total{outcome="declined"}[10m])) > 1
    for: 10m
    severity: critical
    summary: Many declined checkouts
dashboards:
  shop:
    title: Shop
    panels:
      - {title: Request rate, metric: http_requests_total, by: [route]}
      - {title: Latency, metric: http_request_duration_seconds}
      - {title: Cart items, expr: sum(cart_items)}
      - {title: Routes, expr: 'sum by (route) (route:http_requests:rate5m)'}
"""

BASE_FILES = {"metricsctl.yaml": PROJECT, "shop.yaml": SHOP}

# Git configuration that does not depend on the machine (no global config, no signing).
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def write_specs(directory: Path, files: dict[str, str] | None = None) -> Path:
    """Write catalog files (dedented) into `directory`, replacing what was there."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (files if files is not None else BASE_FILES).items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return directory


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must occur exactly once) by `new` in a spec file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


class GitRepo:
    """A git repository in a temporary directory, with the catalog in `specs/`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.specs = root / "specs"
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, cwd: Path | None = None) -> str:
        process = subprocess.run(["git", *args], cwd=cwd or self.root, capture_output=True,
                                 text=True, env={**os.environ, **GIT_ENV}, check=False)
        assert process.returncode == 0, f"git {' '.join(args)}: {process.stderr}"
        return process.stdout.strip()

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def edit(self, name: str, old: str, new: str) -> None:
        edit(self.specs / name, old, new)

    def state(self) -> tuple[str, str, str]:
        """Status, index hash and HEAD: what must not change when the diff runs."""
        status = self.git("status", "--porcelain", "--untracked-files=all")
        index = hashlib.sha256((self.root / ".git" / "index").read_bytes()).hexdigest()
        return status, index, self.git("rev-parse", "HEAD")


def base_repo(root: Path) -> GitRepo:
    """A repository whose `main` has the base catalog, checked out on a `feature` branch."""
    repo = GitRepo(root)
    write_specs(repo.specs)
    repo.commit("base catalog")
    repo.git("checkout", "-q", "-b", "feature")
    return repo


# One change of most kinds, for report tests: breaking, risky and safe ones, with dependents.
SAMPLE_CHANGES = (
    ("shop.yaml", "labels: [service, route, status_code]", "labels: [service, status_code]"),
    ("shop.yaml", "metric: http_requests_total, by: [route]", "metric: http_requests_total"),
    ("shop.yaml", "buckets: [0.1, 0.5, 1, 5]", "buckets: [0.1, 0.25, 0.5, 1, 5]"),
    ("shop.yaml", "  cart_items:\n", "  cart_items_open:\n    renamed_from: cart_items\n"),
    ("shop.yaml", "values: [paid, declined]", "values: [paid, declined, refunded]"),
    ("shop.yaml", "> 0.05", "> 0.1"),
    ("shop.yaml", "help: Checkouts by outcome.", "help: Checkouts, by outcome."),
    ("metricsctl.yaml", "  - job: worker", "  - job: batch\n    targets: [\"batch:9100\"]\n"
                                           "  - job: worker"),
)
