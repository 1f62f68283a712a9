"""Benchmark the instrumentation targets: the model, Python, TypeScript and user templates.

Renders the large synthetic catalog of bench_generate.py (2,000 metrics) and the shipped
catalog, in one process, best of --runs: building the instrumentation model, the `python`
and `typescript` targets, and the two worked examples of docs/templates.md (a Go module and
a CSV) as user templates. The model is built once per catalog and shared by the targets
(metricsctl.catalog.memo), as in `generate`: the target steps time rendering with the model
built, the model step times building it. Exits 1 when a target of the issue is missed:
every instrumentation target renders the large catalog in under 2 s on the reference machine.

    .venv/bin/python bench/bench_instrumentation.py [--runs 5]
"""

from __future__ import annotations

import argparse
import inspect
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_generate import machine, write_catalog

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0


def best_of(function: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def with_example_templates(specs: Path) -> None:
    shutil.copytree(REPO_ROOT / "examples" / "templates", specs / "templates")
    project = specs / "metricsctl.yaml"
    project.write_text(project.read_text(encoding="utf-8") + "templates:\n"
                       "  - {dir: templates/go, out: go}\n"
                       "  - {dir: templates/wiki, out: wiki}\n", encoding="utf-8")


def measure(specs: Path, runs: int) -> dict[str, tuple[float, int]]:
    """Seconds and output bytes per step for the catalog in `specs`."""
    from metricsctl.catalog.loader import load_catalog
    from metricsctl.instrumentation import build_instrumentation
    from metricsctl.targets import python_stubs, typescript
    from metricsctl.targets.user_templates import user_targets

    result = load_catalog(specs)
    assert result.ok and result.catalog is not None, result.diagnostics[:3]
    catalog = result.catalog
    steps: dict[str, Callable[[], dict[str, str] | object]] = {
        # unwrapped: the memoized function would time a dictionary lookup after the first run
        "instrumentation model": lambda: inspect.unwrap(build_instrumentation)(catalog),
        "python": lambda: python_stubs.render(catalog),
        "typescript": lambda: typescript.render(catalog),
    }
    for target in user_targets(catalog):
        steps[f"template {target.NAME}"] = partial(target.render, catalog)
    report = {}
    for name, step in steps.items():
        output = step()
        size = sum(len(text.encode()) for text in output.values()) \
            if isinstance(output, dict) else 0
        report[name] = (best_of(step, runs), size)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per step (best kept)")
    args = parser.parse_args()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    missed = False
    with tempfile.TemporaryDirectory() as work:
        catalogs = {"shipped specs": shutil.copytree(REPO_ROOT / "specs", Path(work) / "specs"),
                    "large (2,000 metrics)": write_catalog(Path(work) / "large", 20)}
        for title, specs in catalogs.items():
            with_example_templates(specs)
            print(f"\n{title}")
            print(f"  {'step':<32} {'seconds':>8} {'output':>10}")
            for name, (seconds, size) in measure(specs, args.runs).items():
                print(f"  {name:<32} {seconds:>8.3f} {size / 1024:>8.0f} KiB")
                missed |= title.startswith("large") and seconds > TARGET_SECONDS
    if missed:
        print(f"\nmissed: a step took more than {TARGET_SECONDS} s on the large catalog")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
