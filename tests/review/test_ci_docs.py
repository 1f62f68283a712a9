"""docs/ci.md: the workflows parse, run what the issue asks, and the GitLab note script works.

The GitLab job's Python (which finds, updates or creates the single merge-request note) is
extracted from the document and run against a loopback server that answers like GitLab's
notes API, so what users copy is what is tested.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from metricsctl.review.markdown import MARKER
from tests.conftest import REPO_ROOT

CI_DOC = REPO_ROOT / "docs" / "ci.md"


def yaml_blocks() -> list[Any]:
    text = CI_DOC.read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def github_workflow() -> dict[str, Any]:
    return next(b for b in yaml_blocks() if isinstance(b, dict) and "jobs" in b)


def gitlab_job() -> dict[str, Any]:
    return next(b for b in yaml_blocks() if isinstance(b, dict) and "metrics-catalog" in b)[
        "metrics-catalog"]


def test_the_github_workflow_runs_the_three_checks_with_full_history() -> None:
    workflow = github_workflow()
    steps = workflow["jobs"]["catalog"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    uses = [step.get("uses", "") for step in steps]

    assert workflow[True] == {"pull_request": None}  # YAML 1.1 reads `on` as true
    assert steps[0]["uses"] == "actions/checkout@v4"
    assert steps[0]["with"]["fetch-depth"] == 0
    assert "metricsctl generate --check" in runs
    assert "metricsctl lint --format sarif > metricsctl-lint.sarif" in runs
    assert "--format markdown --fail-on breaking" in runs
    assert "github/codeql-action/upload-sarif@v3" in uses
    assert "actions/github-script@v7" in uses
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write",
                                       "security-events": "write"}


def test_the_comment_script_looks_for_the_reports_marker() -> None:
    steps = github_workflow()["jobs"]["catalog"]["steps"]
    script = next(s for s in steps if s.get("uses") == "actions/github-script@v7")["with"][
        "script"]

    assert f"const marker = '{MARKER}';" in script
    assert "github.rest.issues.updateComment" in script
    assert "github.rest.issues.createComment" in script


def test_the_gitlab_job_runs_the_three_checks_with_full_history() -> None:
    job = gitlab_job()
    script = "\n".join(job["script"])

    assert job["variables"]["GIT_DEPTH"] == "0"
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert "metricsctl generate --check" in script
    assert "metricsctl lint --format sarif" in script
    assert "--format markdown --fail-on breaking" in script
    assert 'git merge-base HEAD "origin/${CI_MERGE_REQUEST_TARGET_BRANCH_NAME}"' in script


def note_script() -> str:
    script = "\n".join(gitlab_job()["script"])
    found = re.search(r"python - <<'PY'\n(.*?)\nPY\n", script, re.S)
    assert found is not None
    return textwrap.dedent(found.group(1))


class FakeGitLab(ThreadingHTTPServer):
    """The merge-request notes endpoints, paginated by two, recording every request."""

    def __init__(self, notes: list[dict[str, Any]]) -> None:
        super().__init__(("127.0.0.1", 0), NotesHandler)
        self.notes = notes
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []


class NotesHandler(BaseHTTPRequestHandler):
    server: FakeGitLab
    PREFIX = "/api/v4/projects/7/merge_requests/3/notes"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _reply(self, status: int, document: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> tuple[str, dict[str, list[str]]] | None:
        if self.headers.get("PRIVATE-TOKEN") != "secret":
            self._reply(401, {"message": "401 Unauthorized"})
            return None
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode()) if length else {}
        self.server.requests.append((self.command, url.path, form))
        return url.path, parse_qs(url.query) | form

    def do_GET(self) -> None:
        found = self._record()
        if found is None:
            return
        path, query = found
        assert path == self.PREFIX and query["per_page"] == ["100"]
        page = int(query["page"][0])
        notes = self.server.notes[(page - 1) * 2:page * 2]
        more = page * 2 < len(self.server.notes)
        self._reply(200, notes, {"X-Next-Page": str(page + 1) if more else ""})

    def do_PUT(self) -> None:
        found = self._record()
        if found is None:
            return
        path, form = found
        note_id = int(path.rsplit("/", 1)[1])
        note = next(n for n in self.server.notes if n["id"] == note_id)
        note["body"] = form["body"][0]
        self._reply(200, note)

    def do_POST(self) -> None:
        found = self._record()
        if found is None:
            return
        note = {"id": 100 + len(self.server.notes), "body": found[1]["body"][0],
                "system": False}
        self.server.notes.append(note)
        self._reply(201, note)


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    server = FakeGitLab([])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def post_note(gitlab: FakeGitLab, tmp_path: Path, report: str,
              token: str | None = "secret") -> str:
    (tmp_path / "metricsctl-diff.md").write_text(report, encoding="utf-8")
    environment = {"CI_API_V4_URL": f"http://127.0.0.1:{gitlab.server_address[1]}/api/v4",
                   "CI_PROJECT_ID": "7", "CI_MERGE_REQUEST_IID": "3", "PATH": ""}
    if token is not None:
        environment["METRICSCTL_BOT_TOKEN"] = token
    done = subprocess.run([sys.executable, "-c", note_script()], cwd=tmp_path,
                          env=environment, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


REPORT = f"{MARKER}\n### metricsctl diff: ⚠️ 1 risky\n"


def test_the_first_report_creates_a_note(gitlab: FakeGitLab, tmp_path: Path) -> None:
    gitlab.notes.extend([{"id": 1, "body": "LGTM", "system": False},
                         {"id": 2, "body": "added 1 commit", "system": True}])

    assert post_note(gitlab, tmp_path, REPORT) == "created note 102\n"
    assert gitlab.notes[-1]["body"] == REPORT


def test_a_new_report_updates_the_note_found_on_a_later_page(gitlab: FakeGitLab,
                                                             tmp_path: Path) -> None:
    gitlab.notes.extend([{"id": 1, "body": "LGTM", "system": False},
                         {"id": 2, "body": "added 1 commit", "system": True},
                         {"id": 3, "body": f"{MARKER}\nold report", "system": False}])

    assert post_note(gitlab, tmp_path, REPORT) == "updated note 3\n"
    assert gitlab.notes[2]["body"] == REPORT
    assert [method for method, _, _ in gitlab.requests] == ["GET", "GET", "PUT"]


def test_the_same_report_changes_nothing(gitlab: FakeGitLab, tmp_path: Path) -> None:
    gitlab.notes.append({"id": 5, "body": REPORT, "system": False})

    assert post_note(gitlab, tmp_path, REPORT) == "note 5 is up to date\n"
    assert [method for method, _, _ in gitlab.requests] == ["GET"]


def test_no_changes_and_no_note_posts_nothing(gitlab: FakeGitLab, tmp_path: Path) -> None:
    report = f"{MARKER}\n### metricsctl diff: ✅ no changes to the metrics catalog\n"

    assert post_note(gitlab, tmp_path, report) == ""
    assert gitlab.notes == []


def test_without_a_report_or_a_token_nothing_is_sent(gitlab: FakeGitLab,
                                                     tmp_path: Path) -> None:
    assert "catalog is invalid" in post_note(gitlab, tmp_path, "")
    assert "METRICSCTL_BOT_TOKEN is not set" in post_note(gitlab, tmp_path, REPORT, token=None)
    assert gitlab.requests == []


def test_every_install_comes_from_the_repository_never_an_index_name() -> None:
    # No release is published on a package index; an unclaimed name could be anyone's.
    installs = re.findall(r"pip install[^\n]*", CI_DOC.read_text(encoding="utf-8"))
    assert installs
    for install in installs:
        assert re.search(r'"metricsctl @ git\+\S+@\S+"', install), install
        assert not re.search(r"metricsctl\s*(==|>=|~=|<)", install), install
