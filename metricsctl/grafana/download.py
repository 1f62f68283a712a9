"""`pull`: copy Grafana's dashboards into files, to review what changed there.

Files are normalized like `generate`'s output (no `id`/`version`/`iteration`, no push
marker, sorted keys, two-space indent, trailing newline), so `diff -r` against
generated/grafana/dashboards shows exactly the edits made in Grafana. File names come from
uids the server sent, so they are sanitised: a file never lands outside the output folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from metricsctl.grafana.client import GrafanaClient, path_segment
from metricsctl.grafana.errors import GrafanaError
from metricsctl.grafana.normalize import normalize, same_content
from metricsctl.grafana.parallel import in_parallel

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_MAX_STEM = 80


class Comparison(StrEnum):
    SAME = "same as the catalog"
    DIFFERENT = "differs from the catalog"
    UNKNOWN = "not in the catalog"


@dataclass(frozen=True, slots=True)
class Pulled:
    uid: str
    path: Path | None = None  # where it was written
    comparison: Comparison | None = None
    error: str | None = None


def safe_file_name(uid: str) -> str:
    """`<uid>.json` for a well-formed uid; any other uid is sanitised and made unique with
    a hash of it, so `../../etc` becomes `______etc-<hash>.json`."""
    stem = _UNSAFE.sub("_", uid)[:_MAX_STEM]
    if stem != uid or not stem:
        stem = f"{stem or 'dashboard'}-{hashlib.sha256(uid.encode('utf-8')).hexdigest()[:12]}"
    return f"{stem}.json"


def pull_dashboards(client: GrafanaClient, uids: Sequence[str], out_dir: Path,
                    catalog_dashboards: Mapping[str, dict[str, Any]], *,
                    concurrency: int = 4) -> list[Pulled]:
    """Download `uids` into `out_dir` (created if needed), one file each; never raises for
    one dashboard's failure (it is reported in its `Pulled.error`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    root = out_dir.resolve()

    def pull(uid: str) -> Pulled:
        try:
            response = client.get(f"/api/dashboards/uid/{path_segment(uid)}")
        except GrafanaError as error:
            return Pulled(uid, error=error.message)
        body = response.body if response.is_json_object else {}
        dashboard = body.get("dashboard")
        if response.status == 404 and response.is_json_object:
            return Pulled(uid, error="Grafana has no dashboard with this uid")
        if not response.ok or not isinstance(dashboard, dict):
            return Pulled(uid, error=f"could not read it: {response.describe()}")
        target = root / safe_file_name(uid)
        if target.parent != root:  # cannot happen with a sanitised name; never write if it does
            return Pulled(uid, error="refusing a file name outside the output folder")
        write_atomically(target, dashboard_file_text(dashboard))
        desired = catalog_dashboards.get(uid)
        if desired is None:
            comparison = Comparison.UNKNOWN
        else:
            comparison = Comparison.SAME if same_content(dashboard, desired) else \
                Comparison.DIFFERENT
        return Pulled(uid, target, comparison)

    return in_parallel(pull, list(dict.fromkeys(uids)), concurrency)


def dashboard_file_text(dashboard: dict[str, Any]) -> str:
    """The normalized dashboard as `generate` writes dashboards."""
    from metricsctl.targets.grafana import dashboard_text

    return dashboard_text(normalize(dashboard))


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` in one step: a reader sees the old file or the new one, never half."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
