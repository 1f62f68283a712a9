"""Golden-file comparison for generated output; `UPDATE_GOLDEN=1` rewrites the golden files."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path

GOLDEN_ROOT = Path(__file__).resolve().parent / "golden"


def assert_matches_golden(files: Mapping[str, str], directory: str, pattern: str = "**/*") -> None:
    """`files` (output path -> text) equal the golden files in golden/<directory>, exactly.

    The golden files of this target are those matching `pattern` in that directory; one
    without an output counts as a difference too. With the environment variable
    UPDATE_GOLDEN=1 the golden files are rewritten instead.
    """
    expected_paths = {path.relative_to(GOLDEN_ROOT).as_posix()
                      for path in (GOLDEN_ROOT / directory).glob(pattern) if path.is_file()}
    if os.environ.get("UPDATE_GOLDEN") == "1":
        for stale in expected_paths - set(files):
            (GOLDEN_ROOT / stale).unlink()
        for relative, text in files.items():
            path = GOLDEN_ROOT / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        return
    assert set(files) == expected_paths, (
        "generated files differ from the golden files; rerun with UPDATE_GOLDEN=1 if the "
        "change is intended")
    for relative, text in sorted(files.items()):
        golden = (GOLDEN_ROOT / relative).read_text(encoding="utf-8")
        diff = "".join(difflib.unified_diff(golden.splitlines(keepends=True),
                                            text.splitlines(keepends=True),
                                            f"golden/{relative}", f"generated/{relative}"))
        assert not diff, f"{relative} differs (UPDATE_GOLDEN=1 to accept):\n{diff}"
