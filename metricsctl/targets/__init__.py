"""Generation targets: one module per output, all with the same small interface.

A target module defines `NAME` (its `--target` name), `DESCRIPTION`, and
`render(catalog) -> dict[str, str]`: relative output path (POSIX, under the output
directory) to the file's full text. Targets are pure: no I/O, no clock, no absolute paths;
the writer (metricsctl.generation) makes the output atomic, deterministic and manifest-guarded.

User templates (the project file's `templates:`, targets/user_templates.py) are targets of
the same interface, one per template file, named by the path they render to; they exist per
catalog, so `target_names(catalog)` and `load_target(name, catalog)` include them.
To add a built-in target: a module here with NAME, DESCRIPTION and render(), one line in
TARGET_MODULES, and its golden test under tests/targets/.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from metricsctl.catalog.model import Catalog

# The order generation runs in and the summary lists targets in.
TARGET_MODULES = {
    "grafana": "metricsctl.targets.grafana",
    "prometheus-rules": "metricsctl.targets.prometheus_rules",
    "alert-tests": "metricsctl.targets.alert_tests",
    "scrape": "metricsctl.targets.scrape",
    "python": "metricsctl.targets.python_stubs",
    "typescript": "metricsctl.targets.typescript",
    "docs": "metricsctl.targets.docs",
}


# A target that reuses what another computes per catalog (metricsctl.catalog.memo) renders in
# that target's process when targets render in forked processes: alert-tests reads the rule
# files prometheus-rules renders, typescript shares python's instrumentation model.
SHARES_WORK_WITH = {"alert-tests": "prometheus-rules", "typescript": "python"}


def render_groups(names: Sequence[str]) -> list[list[str]]:
    """`names` grouped by the work they share, each group's provider first, groups in the
    order of their first name."""
    groups: dict[str, list[str]] = {}
    for name in names:
        provider = SHARES_WORK_WITH.get(name, name)
        groups.setdefault(provider if provider in names else name, []).append(name)
    return [sorted(group, key=lambda name: name != provider)
            for provider, group in groups.items()]


class Target(Protocol):
    NAME: str
    DESCRIPTION: str

    def render(self, catalog: Catalog) -> dict[str, str]: ...


def load_target(name: str, catalog: Catalog | None = None) -> Target:
    """The target registered under `name`, or the user template of `catalog` that renders
    to `name` (KeyError when neither)."""
    if name not in TARGET_MODULES and catalog is not None:
        from metricsctl.targets.user_templates import user_targets

        for target in user_targets(catalog):
            if name == target.NAME:
                return target
    module: ModuleType = importlib.import_module(TARGET_MODULES[name])
    return cast(Target, module)


def target_names(catalog: Catalog | None = None) -> list[str]:
    """The built-in targets in generation order, then `catalog`'s user templates."""
    if catalog is None or not catalog.project.templates:
        return list(TARGET_MODULES)
    from metricsctl.targets.user_templates import user_targets

    return [*TARGET_MODULES, *(target.NAME for target in user_targets(catalog))]
