"""The `review` fixture: compare the base catalog with a changed copy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from metricsctl.catalog import load_catalog
from metricsctl.review.changes import CatalogSide, DiffReport
from metricsctl.review.compare import compare_catalogs
from tests.review.catalogs import edit, write_specs

Edit = tuple[str, str, str]  # (file, old text, new text)


@pytest.fixture
def review(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., DiffReport]:
    """Compare the base catalog (changed by `base`) with a copy changed by `edits` too.

    Catalogs are loaded by relative path, so locations read `head/shop.yaml:12:3` whatever
    the temporary directory is (reports stay comparable with golden files).
    """
    monkeypatch.chdir(tmp_path)

    def run(*edits: Edit, base: Sequence[Edit] = ()) -> DiffReport:
        catalogs = []
        for side, changes in (("base", base), ("head", (*base, *edits))):
            root = write_specs(Path(side))
            for name, old, new in changes:
                edit(root / name, old, new)
            result = load_catalog(root)
            assert result.ok, [f"{d.location}: {d.message}" for d in result.errors]
            assert result.catalog is not None
            catalogs.append(result.catalog)
        return compare_catalogs(catalogs[0], catalogs[1],
                                CatalogSide("merge-base with origin/main (0123456789ab)", "specs"),
                                CatalogSide("working tree", "specs"))

    return run
