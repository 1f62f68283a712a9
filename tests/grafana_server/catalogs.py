"""Catalogs written for push tests: N dashboards in nested folders, easy to change and rewrite."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.grafana_server.targets import GrafanaTarget


@dataclass
class PushCatalog:
    """A catalog on disk whose dashboards a test can change, `write()` and push again."""

    root: Path
    target: GrafanaTarget
    project: str
    folders: dict[str, tuple[str, str | None]]  # uid -> (title, parent uid)
    dashboards: dict[str, tuple[str, str | None]]  # uid -> (title, folder uid)
    grafana_url: str | None = None

    def uid(self, base: str) -> str:
        return self.target.name(base)

    def write(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        lines = [f"project: {self.project}", "grafana:"]
        if self.grafana_url:
            lines.append(f"  url: {self.grafana_url}")
        lines.append("  folders:" if self.folders else "  folders: {}")
        for uid, (title, parent) in self.folders.items():
            parent_field = f", parent: {parent}" if parent else ""
            lines.append(f"    {uid}: {{title: {json.dumps(title)}{parent_field}}}")
        (self.root / "metricsctl.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        lines = ["domain: app", "metrics:", "  app_requests_total:", "    type: counter",
                 "    help: Requests served.",
                 "dashboards:" if self.dashboards else "dashboards: {}"]
        for uid, (title, folder) in self.dashboards.items():
            lines += [f"  {uid}:", f"    title: {json.dumps(title)}"]
            lines += [f"    folder: {folder}"] if folder else []
            lines += ["    panels:", "      - {title: Requests, metric: app_requests_total}"]
        (self.root / "app.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.target.uses(folders=tuple(self.folders), projects=(self.project,))
        return self.root


def make_push_catalog(directory: Path, target: GrafanaTarget, count: int = 2, *,
                      project: str = "shop", nested: bool = True,
                      name: str = "specs") -> PushCatalog:
    """`count` dashboards `board-<n>`; with `nested`, odd ones go to `shop-business` (a
    sub-folder of `shop`), even ones to `shop`. Written to `directory/name`."""
    top, child = target.name("shop"), target.name("shop-business")
    folders: dict[str, tuple[str, str | None]] = {top: ("Shop", None)}
    if nested:
        folders[child] = ("Business", top)
    dashboards: dict[str, tuple[str, str | None]] = {
        target.name(f"board-{n}"): (f"Board {n}", child if nested and n % 2 else top)
        for n in range(count)}
    catalog = PushCatalog(directory / name, target, target.name(project), folders, dashboards)
    catalog.write()
    return catalog
