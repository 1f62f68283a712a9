"""Compile and run generated TypeScript with the real compiler and Node.js.

`tsc` and prom-client come from npm (tests/npm_packages.py); programs are written into a
directory that links the packages' node_modules, so `import ... from "prom-client"` resolves
as in a user's project.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

from metricsctl.catalog.model import Catalog
from metricsctl.instrumentation import build_instrumentation
from metricsctl.targets import typescript
from metricsctl.targets.typescript import TsMetric, ts_string
from tests.npm_packages import node_bin, npm_packages

BASE_PACKAGES = ("typescript@5", "prom-client@15", "@types/node@20")
FASTIFY_PACKAGES = (*BASE_PACKAGES, "fastify@5")
COMPILE_TIMEOUT_SECONDS = 180
# CommonJS output for Node, the strictest checks, and Node's types (the module uses node:http).
TSC_OPTIONS = ("--strict", "--target", "es2022", "--module", "commonjs", "--types", "node",
               "--esModuleInterop", "--skipLibCheck", "--noUnusedLocals",
               "--noUnusedParameters", "--noImplicitReturns", "--exactOptionalPropertyTypes")


def project_directory(tmp_path: Path, packages: tuple[str, ...] = BASE_PACKAGES) -> Path:
    """A fresh directory whose node_modules holds `packages`."""
    installed = npm_packages(*packages)
    directory = tmp_path / "ts"
    directory.mkdir()
    (directory / "node_modules").symlink_to(installed / "node_modules",
                                            target_is_directory=True)
    return directory


def write_module(catalog: Catalog, directory: Path) -> Path:
    """Render the target and write its one file into `directory`."""
    (relative, text), = typescript.render(catalog).items()
    path = directory / Path(relative).name
    path.write_text(text, encoding="utf-8")
    return path


def tsc(directory: Path, *files: str, options: tuple[str, ...] = ("--noEmit",)
        ) -> subprocess.CompletedProcess[str]:
    """Run the TypeScript compiler on `files` in `directory` (not checked: callers assert)."""
    return subprocess.run([str(node_bin(directory, "tsc")), *TSC_OPTIONS, *options, *files],
                          cwd=directory, capture_output=True, text=True,
                          timeout=COMPILE_TIMEOUT_SECONDS, check=False)


def compile_ok(directory: Path, *files: str, options: tuple[str, ...] = ("--noEmit",)) -> None:
    result = tsc(directory, *files, options=options)
    assert result.returncode == 0, result.stdout + result.stderr


def label_literals(metric: TsMetric) -> Iterator[str]:
    """A TypeScript labels object for every combination of valid values of `metric`."""
    choices = []
    for label in metric.labels:
        if label.label.kind == "bool":
            values = ["true", "false"]
        elif label.label.values is not None:
            values = [ts_string(value) for value in label.label.values]
        else:
            values = [ts_string("example")]
        choices.append([f"{label.key}: {value}" for value in values])
    for combination in itertools.product(*choices):
        yield "{ " + ", ".join(combination) + " }"


def record_every_metric(catalog: Catalog) -> list[str]:
    """Statements calling every helper of every metric, with every valid label combination."""
    view = typescript.module_view(build_instrumentation(catalog))
    statements = []
    for metric in view.metrics:
        for labels in label_literals(metric) if metric.labels else [""]:
            for helper in metric.helpers:
                arguments = [labels] if labels else []
                verb = helper.helper.verb
                if verb == "time":
                    statements.append(f"m.{helper.name}({', '.join(arguments)})();")
                    continue
                value = {"inc": "1", "dec": "1", "set": "100", "observe": "0.3",
                         "record": "0.3"}[verb]
                statements.append(f"m.{helper.name}({', '.join([*arguments, value])});")
    return statements


def exposition_server_program(module: str, statements: list[str]) -> str:
    """A program that runs `statements`, serves /metrics on 127.0.0.1 and prints its port."""
    body = "\n".join(f"  {statement}" for statement in statements)
    return f"""import * as m from {json.dumps("./" + module)};

async function main(): Promise<void> {{
{body}
  const server = await m.startMetricsServer(0, "127.0.0.1");
  const address = server.address();
  console.log(typeof address === "object" && address !== null ? address.port : -1);
  process.stdin.resume();
  process.stdin.on("end", () => server.close());
}}

main().catch((error: unknown) => {{
  console.error(error);
  process.exit(1);
}});
"""
