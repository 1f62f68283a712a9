"""Golden reports; `UPDATE_GOLDEN=1` rewrites them instead of comparing."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_matches_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    golden = path.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(golden.splitlines(keepends=True),
                                        text.splitlines(keepends=True),
                                        f"golden/{name}", f"rendered/{name}"))
    assert not diff, f"{name} differs (UPDATE_GOLDEN=1 to accept):\n{diff}"
