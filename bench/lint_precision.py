"""Measure lint's precision on real-world rule sets: how many of its findings are true.

    .venv/bin/python bench/lint_precision.py [--code DIR] [--markdown] [--json]

The public rule sets in tests/fixtures/rules/ (kubernetes-mixin, node-exporter, etcd,
Prometheus, Alertmanager, Thanos, CoreDNS, PostgreSQL, MySQL and cert-manager mixins) are
wrapped into a catalog by tests/lint/rule_files.py and linted. Every finding is looked up in
bench/lint_precision_verdicts.json, where each was judged by reading the rule:

- `true`: what the finding says about the rule holds, and acting on it improves the rule;
- `false`: lint is wrong, or right only in letter (the concern cannot apply to this rule);
- `adapter`: wrong because the catalog the adapter had to write is wrong, not because of
  lint: a counter exposed without `_total` (node_vmstat_pgmajfault) can only be a gauge in a
  catalog, and rate() over it then reads as rate() over a gauge.

It prints the findings per rule id and the precision, true / (true + false), with and
without the adapter's findings counted as false. `--code DIR` lints with the metricsctl
package found in DIR instead (e.g. an older commit from `git archive <commit> metricsctl`),
to measure before and after a change. `--markdown` prints the judged list for docs/lint.md.

Exit status 1 when a finding has no verdict or lint's own precision is below 90%.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "rules"
VERDICTS = Path(__file__).resolve().parent / "lint_precision_verdicts.json"
TARGET = 0.90
_ENTRY = re.compile(r"^  ('?)(\S.*?)\1:\s*$")


@dataclass(frozen=True)
class Judged:
    key: str  # "rule-id | fixture | entry | message"
    code: str
    verdict: str | None
    reason: str


def _entry_at(text: str, line: int) -> str:
    """The alert, recording rule or metric whose YAML block holds `line` (1-based)."""
    lines = text.splitlines()
    for index in range(min(line, len(lines)) - 1, -1, -1):
        match = _ENTRY.match(lines[index])
        if match:
            return match.group(2)
    return "-"


def lint_fixtures(code: Path | None) -> tuple[list[Any], Path, Any]:
    if code is not None:
        sys.path.insert(0, str(code))
    sys.path.insert(1 if code is not None else 0, str(REPO_ROOT))
    from metricsctl.catalog import load_catalog
    from metricsctl.lint import lint_catalog
    from tests.lint.rule_files import write_rule_files_catalog

    root = Path(tempfile.mkdtemp(prefix="lint-precision-")) / "specs"
    written = write_rule_files_catalog(sorted(FIXTURES.glob("*.yaml")), root)
    loaded = load_catalog(root)
    if loaded.catalog is None or loaded.errors:
        for diagnostic in loaded.diagnostics:
            print(f"{diagnostic.location}: {diagnostic.message}", file=sys.stderr)
        raise SystemExit("the rule files did not make a valid catalog")
    return lint_catalog(loaded.catalog), root, written


def judge(diagnostics: list[Any], root: Path) -> list[Judged]:
    verdicts: dict[str, dict[str, str]] = json.loads(VERDICTS.read_text(encoding="utf-8"))
    judged = []
    texts: dict[str, str] = {}
    for diagnostic in diagnostics:
        name = Path(diagnostic.file or "").name
        if name not in texts:
            texts[name] = (root / name).read_text(encoding="utf-8")
        fixture = name.split("--", 1)[0].removesuffix(".yaml")
        entry = _entry_at(texts[name], diagnostic.line or 0)
        key = f"{diagnostic.code} | {fixture} | {entry} | {diagnostic.message}"
        verdict = verdicts.get(key, {})
        judged.append(Judged(key, diagnostic.code, verdict.get("verdict"),
                             verdict.get("reason", "")))
    return judged


def summarize(judged: list[Judged]) -> dict[str, Any]:
    per_rule: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for item in judged:
        per_rule[item.code][item.verdict or "unjudged"] += 1
    totals = collections.Counter(item.verdict or "unjudged" for item in judged)
    true, false, adapter = totals["true"], totals["false"], totals["adapter"]
    return {
        "findings": len(judged),
        "verdicts": dict(totals),
        "precision_lint": true / (true + false) if true + false else None,
        "precision_all": true / (true + false + adapter) if true + false + adapter else None,
        "per_rule": {code: dict(counts) for code, counts in sorted(per_rule.items())},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, help="lint with the metricsctl package in DIR")
    parser.add_argument("--markdown", action="store_true", help="print the judged list")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args()
    diagnostics, root, written = lint_fixtures(args.code)
    judged = judge(diagnostics, root)
    summary = summarize(judged)
    if args.json:
        print(json.dumps(summary, indent=2))
    elif args.markdown:
        print("| Rule | Where | Finding | Verdict | Why |")
        print("| --- | --- | --- | --- | --- |")
        for item in sorted(judged, key=lambda j: j.key):
            code, fixture, entry, message = item.key.split(" | ", 3)
            message = message.replace("|", "\\|")
            print(f"| `{code}` | {fixture}: {entry} | {message} | {item.verdict} | "
                  f"{item.reason} |")
    else:
        print(f"{len(judged)} findings over {len(list(FIXTURES.glob('*.yaml')))} rule files "
              f"({len(written.skipped)} rules left out: duplicate names, colliding metrics)")
        for code, counts in summary["per_rule"].items():
            parts = ", ".join(f"{verdict} {n}" for verdict, n in sorted(counts.items()))
            print(f"  {code}: {sum(counts.values())} ({parts})")
        for name in ("precision_lint", "precision_all"):
            value = summary[name]
            print(f"{name}: {'-' if value is None else f'{value:.1%}'}")
        for item in judged:
            if item.verdict is None:
                print(f"unjudged: {item.key}")
    unjudged = summary["verdicts"].get("unjudged", 0)
    precision = summary["precision_lint"]
    return 1 if unjudged or (precision is not None and precision < TARGET) else 0


if __name__ == "__main__":
    sys.exit(main())
