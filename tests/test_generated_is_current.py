"""The committed generated/ is exactly what `metricsctl generate` makes from specs/.

CI runs `metricsctl generate --check`; this test runs the same check, so a change to the
catalog or to a target that is committed without regenerating fails here first.
"""

from __future__ import annotations

import json

from metricsctl.generation.paths import MANIFEST_NAME, STAGING_PREFIX
from tests.conftest import REPO_ROOT, run_metricsctl

GENERATED = REPO_ROOT / "generated"


def test_generate_check_passes_on_the_committed_output() -> None:
    result = run_metricsctl("generate", "specs", "--out", "generated", "--check", cwd=REPO_ROOT)

    assert result.returncode == 0, (
        "generated/ is not current; run `metricsctl generate` and commit it\n"
        + result.stdout + result.stderr)
    assert result.stdout.startswith("✓ generated is current: ")


def test_the_manifest_lists_every_committed_file_and_nothing_else() -> None:
    manifest = json.loads((GENERATED / MANIFEST_NAME).read_text(encoding="utf-8"))
    on_disk = {path.relative_to(GENERATED).as_posix() for path in GENERATED.rglob("*")
               if path.is_file()} - {MANIFEST_NAME}

    assert sorted(manifest["files"]) == sorted(on_disk)
    assert manifest["targets"] == ["alert-tests", "docs", "grafana", "prometheus-rules",
                                   "python", "scrape", "typescript"]
    assert not any(part.startswith(STAGING_PREFIX) for path in on_disk
                   for part in path.split("/"))
