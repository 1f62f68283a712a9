"""Grafana's own published types as the oracle: every generated dashboard, and every panel's
`options` and `fieldConfig.defaults.custom` for its plug-in, type-check against
`@grafana/schema` 13 with TypeScript: no unknown key, no wrong value, no required key left out.

Grafana's TS enums are written in JSON as their values ("thresholds", not
`FieldColorModeId.Thresholds`), so the declared types are read through `Json<T>`, which
turns a string enum into the union of its values and leaves everything else as declared.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from metricsctl.catalog.loader import load_catalog
from metricsctl.targets import grafana
from tests.conftest import SHIPPED_SPECS, SMALL_CATALOG
from tests.npm_packages import node_bin, npm_packages

PANEL_CONFIG = ("@grafana/schema/dist/esm/raw/composable/{plugin}/panelcfg/x/"
                "{name}PanelCfg_types.gen")
# Plug-in id -> the module name of its generated types; `custom` is only checked where the
# plug-in declares a FieldConfig (stat, gauge, bar gauge and text declare none).
PLUGINS = {"timeseries": "TimeSeries", "stat": "Stat", "gauge": "Gauge",
           "bargauge": "BarGauge", "heatmap": "Heatmap", "table": "Table", "text": "Text"}
WITH_FIELD_CONFIG = {"timeseries", "heatmap", "table"}

PRELUDE = """\
import type { Dashboard } from '@grafana/schema';
{imports}

// A string enum as its JSON values; other types as declared.
type Json<T> = T extends string ? `${T}`
  : T extends number | boolean | null | undefined ? T
  : T extends ReadonlyArray<infer U> ? Array<Json<U>>
  : T extends object ? { [K in keyof T]: Json<T[K]> }
  : T;
"""


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    result = []
    for panel in dashboard["panels"]:
        result.append(panel)
        result.extend(panel.get("panels", []))
    return [panel for panel in result if panel["type"] != "row"]


def typescript_source(dashboards: dict[str, dict[str, Any]]) -> str:
    """One typed constant per dashboard, panel options object and custom field config."""
    imports = "\n".join(
        f"import type * as {plugin} from '{PANEL_CONFIG.format(plugin=plugin, name=name)}';"
        for plugin, name in PLUGINS.items())
    lines = [PRELUDE.replace("{imports}", imports)]
    for index, (uid, dashboard) in enumerate(sorted(dashboards.items())):
        lines.append(f"// {uid}")
        lines.append(f"export const dashboard{index}: Json<Dashboard> = {json.dumps(dashboard)};")
        for panel in _panels(dashboard):
            plugin = panel["type"]
            name = f"{index}_{panel['id']}"
            lines.append(f"export const options{name}: Json<{plugin}.Options> = "
                         f"{json.dumps(panel.get('options'))};")
            custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom")
            if plugin in WITH_FIELD_CONFIG:
                lines.append(f"export const custom{name}: Json<{plugin}.FieldConfig> = "
                             f"{json.dumps(custom)};")
            else:
                assert custom is None, f"{uid}: {plugin} panel {panel['title']} has custom"
    return "\n".join(lines) + "\n"


def type_check(source: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    packages = npm_packages("@grafana/schema@13", "typescript@5")
    (tmp_path / "node_modules").symlink_to(packages / "node_modules")
    (tmp_path / "dashboards.ts").write_text(source, encoding="utf-8")
    return subprocess.run(
        [str(node_bin(packages, "tsc")), "--noEmit", "--strict", "--skipLibCheck",
         "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler",
         "dashboards.ts"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)


def dashboards_of(root: Path) -> dict[str, dict[str, Any]]:
    result = load_catalog(root)
    assert result.catalog is not None
    return grafana.build_dashboards(result.catalog)


@pytest.mark.parametrize("root", [SHIPPED_SPECS, SMALL_CATALOG], ids=["shipped", "small"])
def test_generated_dashboards_type_check_against_grafana_schema(root: Path,
                                                                tmp_path: Path) -> None:
    result = type_check(typescript_source(dashboards_of(root)), tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_the_oracle_rejects_a_missing_required_key_and_an_unknown_one(tmp_path: Path) -> None:
    dashboards = dashboards_of(SMALL_CATALOG)
    stat = next(p for d in dashboards.values() for p in _panels(d) if p["type"] == "stat")
    del stat["options"]["wideLayout"]
    stat["options"]["sparkles"] = True
    result = type_check(typescript_source(dashboards), tmp_path)
    assert result.returncode != 0
    assert "wideLayout" in result.stdout or "sparkles" in result.stdout, result.stdout
