"""Generation targets: one module per output, all with the same small interface.

A target module defines `NAME` (its `--target` name), `DESCRIPTION`, and
`render(catalog) -> dict[str, str]`: relative output path (POSIX, under the output
directory) to the file's full text. Targets are pure: no I/O, no clock, no absolute paths;
the writer (metricsctl.generation) makes the output atomic, deterministic and manifest-guarded.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from metricsctl.catalog.model import Catalog

# The order generation runs in and the summary lists targets in.
TARGET_MODULES = {
    "grafana": "metricsctl.targets.grafana",
    "prometheus-rules": "metricsctl.targets.prometheus_rules",
    "scrape": "metricsctl.targets.scrape",
    "python": "metricsctl.targets.python_stubs",
    "typescript": "metricsctl.targets.typescript",
    "docs": "metricsctl.targets.docs",
}


class Target(Protocol):
    NAME: str
    DESCRIPTION: str

    def render(self, catalog: Catalog) -> dict[str, str]: ...


def load_target(name: str) -> Target:
    """The target module registered under `name` (KeyError when unknown)."""
    module: ModuleType = importlib.import_module(TARGET_MODULES[name])
    return cast(Target, module)


def target_names() -> list[str]:
    return list(TARGET_MODULES)
