"""docs/lint.md lists every rule with its default severity and summary, as the code has them.

Run with UPDATE_GOLDEN=1 to rewrite the table after adding or changing a rule.
"""

from __future__ import annotations

import os
import re

from metricsctl.lint import all_rules
from tests.conftest import REPO_ROOT

DOC = REPO_ROOT / "docs" / "lint.md"
_TABLE = re.compile(r"(<!-- rules: [^\n]*-->\n)(.*?)(<!-- /rules -->)", re.DOTALL)


def rules_table() -> str:
    rows = ["| Rule | Default | Summary |", "| --- | --- | --- |"]
    for rule in all_rules().values():
        summary = rule.summary.replace("|", "\\|")  # a pipe would end the Markdown cell
        rows.append(f"| `{rule.id}` | {rule.severity.label} | {summary} |")
    return "\n".join(rows) + "\n"


def test_the_rule_table_in_docs_lint_md_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    match = _TABLE.search(text)
    assert match is not None, "docs/lint.md lost its <!-- rules --> markers"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        DOC.write_text(text[:match.start(2)] + rules_table() + text[match.end(2):],
                       encoding="utf-8")
        return
    assert match.group(2) == rules_table(), "run UPDATE_GOLDEN=1 pytest tests/lint/test_docs.py"


def test_every_rule_id_in_the_docs_exists() -> None:
    mentioned = set(re.findall(r"`([a-z]+/[a-z0-9-]+)`", DOC.read_text(encoding="utf-8")))

    assert mentioned <= set(all_rules()), mentioned - set(all_rules())
