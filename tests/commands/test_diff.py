"""`metricsctl diff` in a real git repository: reports, exit codes, errors, no side effects."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHIPPED_SPECS, run_metricsctl
from tests.review.catalogs import GitRepo, base_repo, edit, write_specs

Cli = Callable[..., Any]

BREAKING_EDIT = ("shop.yaml", "buckets: [0.1, 0.5, 1, 5]", "buckets: [0.1, 1, 5]")
RISKY_EDIT = ("shop.yaml", "> 0.05", "> 0.1")
SAFE_EDIT = ("shop.yaml", "help: Checkouts by outcome.", "help: Checkouts.")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """The base catalog committed on main; we are on `feature`, in the repository."""
    repository = base_repo(tmp_path / "repo")
    monkeypatch.chdir(repository.root)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return repository


class TestWorkingTree:
    def test_compares_the_working_tree_with_the_merge_base(self, cli: Cli,
                                                          repo: GitRepo) -> None:
        repo.edit(*RISKY_EDIT)

        result = cli("diff")

        assert result.exit_code == 0, result.output
        main = repo.git("rev-parse", "main")[:12]
        assert result.stdout.startswith(f"base: merge-base with main ({main}) (specs)\n"
                                        "head: working tree (specs)\n")
        assert "RISKY    alert `HighErrorRate` threshold changed: `> 0.05` → `> 0.1`" in (
            result.stdout)
        assert result.stdout.endswith("0 breaking, 1 risky, 0 safe change\n")

    def test_leaves_the_working_tree_and_the_index_untouched(self, cli: Cli,
                                                             repo: GitRepo) -> None:
        repo.edit(*BREAKING_EDIT)
        repo.git("add", "specs/shop.yaml")  # staged ...
        repo.edit(*SAFE_EDIT)  # ... and unstaged changes
        (repo.specs / "draft.yaml").write_text("domain: draft\n")  # and an untracked file
        before = repo.state()

        for output_format in ("text", "markdown", "json", "github"):
            assert cli("diff", "--format", output_format).exit_code == 0
        assert cli("diff", "--base", "main", "--head", "HEAD").exit_code == 0

        assert repo.state() == before

    def test_an_explicit_specs_directory(self, cli: Cli, repo: GitRepo) -> None:
        repo.git("mv", "specs", "catalog")
        repo.commit("move the catalog")
        edit(repo.root / "catalog" / "shop.yaml", *SAFE_EDIT[1:])

        result = cli("diff", "catalog", "--base", "HEAD")

        assert result.exit_code == 0, result.output
        assert "safe     metric `checkout_total` help changed" in result.stdout
        assert "at catalog/shop.yaml:22" in result.stdout


class TestRevisions:
    def test_head_and_base_refs_ignore_the_working_tree(self, cli: Cli, repo: GitRepo) -> None:
        repo.edit(*BREAKING_EDIT)
        repo.commit("new buckets")
        repo.edit(*SAFE_EDIT)  # not committed: not part of the comparison

        result = cli("diff", "--base", "main", "--head", "feature")

        assert result.exit_code == 0, result.output
        feature = repo.git("rev-parse", "feature")[:12]
        assert f"head: feature ({feature}) (specs)" in result.stdout
        assert "buckets changed" in result.stdout
        assert "help changed" not in result.stdout

    def test_the_default_base_for_a_head_ref_is_its_merge_base(self, cli: Cli,
                                                               repo: GitRepo) -> None:
        repo.edit(*RISKY_EDIT)
        repo.commit("raise the threshold")
        repo.git("checkout", "-q", "main")
        repo.edit(*SAFE_EDIT)
        repo.commit("main moves on")

        result = cli("diff", "--head", "feature", "--format", "json")

        document = json.loads(result.stdout)
        assert [c["kind"] for c in document["changes"]] == ["alert.threshold-changed"]
        assert document["base"]["description"].startswith("merge-base with main (")


    def test_a_fallback_base_is_noted_in_the_report(self, cli: Cli, repo: GitRepo) -> None:
        repo.git("checkout", "-q", "--orphan", "rewritten")
        repo.commit("a history of its own")
        repo.edit(*SAFE_EDIT)

        result = cli("diff", "--format", "markdown")

        assert result.exit_code == 0
        assert "merge-base" not in result.stdout.splitlines()[3]
        assert result.stdout.endswith(
            "> main shares no history with the head (a shallow clone? fetch with "
            "\\`fetch-depth: 0\\`)\n")


class TestFailOn:
    @pytest.mark.parametrize(("edits", "fail_on", "code"), [
        ([BREAKING_EDIT], "breaking", 1),
        ([RISKY_EDIT, SAFE_EDIT], "breaking", 0),
        ([SAFE_EDIT], "any", 1),
        ([], "any", 0),
        ([BREAKING_EDIT], None, 0),
    ])
    def test_exit_codes(self, cli: Cli, repo: GitRepo, edits: list[tuple[str, str, str]],
                        fail_on: str | None, code: int) -> None:
        for change in edits:
            repo.edit(*change)

        result = cli("diff", *(["--fail-on", fail_on] if fail_on else []))

        assert result.exit_code == code, result.output

    def test_the_reason_for_failing_is_printed_on_stderr(self, cli: Cli,
                                                         repo: GitRepo) -> None:
        repo.edit(*BREAKING_EDIT)

        result = cli("diff", "--fail-on", "breaking", "--format", "markdown")

        assert result.exit_code == 1
        assert result.stderr == "1 breaking change (--fail-on breaking)\n"
        assert result.stdout.startswith("<!-- metricsctl-diff -->\n")


class TestTwoDirectories:
    def test_compares_two_directories(self, cli: Cli, tmp_path: Path) -> None:
        old = write_specs(tmp_path / "old")
        new = write_specs(tmp_path / "new")
        edit(new / "shop.yaml", *BREAKING_EDIT[1:])

        result = cli("diff", old, new, "--fail-on", "breaking")

        assert result.exit_code == 1
        assert f"base: old directory ({old.as_posix()})" in result.stdout
        assert "BREAKING histogram `http_request_duration_seconds` buckets changed" in (
            result.stdout)

    def test_refs_do_not_apply_to_directories(self, cli: Cli, tmp_path: Path) -> None:
        old, new = write_specs(tmp_path / "old"), write_specs(tmp_path / "new")

        result = cli("diff", old, new, "--base", "main")

        assert result.exit_code == 2
        assert result.stderr == ("error: --base and --head compare git revisions; they do not "
                                 "apply to two directories\n")

    def test_a_missing_directory_is_a_usage_error(self, cli: Cli, tmp_path: Path) -> None:
        result = cli("diff", write_specs(tmp_path / "old"), tmp_path / "nowhere")

        assert result.exit_code == 2
        assert "does not exist" in result.stderr


class TestErrors:
    def test_outside_a_git_repository(self, cli: Cli, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
        write_specs(tmp_path / "specs")
        monkeypatch.chdir(tmp_path)

        result = cli("diff")

        assert result.exit_code == 2
        assert result.stderr == (f"error: not a git repository: {tmp_path} (to compare two "
                                 "directories use `metricsctl diff OLD_DIR NEW_DIR`)\n")

    def test_an_unknown_revision(self, cli: Cli, repo: GitRepo) -> None:
        result = cli("diff", "--base", "release-9")

        assert result.exit_code == 2
        assert result.stderr.startswith("error: unknown git revision 'release-9'")
        assert result.stderr.count("\n") == 1

    def test_specs_missing_at_the_base(self, cli: Cli, repo: GitRepo) -> None:
        repo.git("mv", "specs", "catalog")
        repo.commit("move the catalog")

        result = cli("diff", "catalog", "--base", "main")

        main = repo.git("rev-parse", "main")[:12]
        assert result.exit_code == 2
        assert result.stderr == f"error: 'catalog' does not exist at main ({main})\n"

    def test_specs_missing_in_the_working_tree(self, cli: Cli, repo: GitRepo) -> None:
        result = cli("diff", "nowhere")

        assert result.exit_code == 2
        assert "'nowhere'" in result.stderr

    def test_too_many_paths(self, cli: Cli, repo: GitRepo) -> None:
        assert cli("diff", "a", "b", "c").exit_code == 2

    def test_an_invalid_base_catalog_shows_its_located_errors(self, cli: Cli,
                                                              repo: GitRepo) -> None:
        repo.git("checkout", "-q", "main")
        repo.edit("shop.yaml", "    type: gauge", "    type: gauge\n    colour: blue")
        repo.commit("an unknown key")
        repo.git("checkout", "-q", "feature")
        repo.git("merge", "-q", "main")
        repo.edit("shop.yaml", "    colour: blue\n", "")

        result = cli("diff", "--base", "main")

        main = repo.git("rev-parse", "main")[:12]
        assert result.exit_code == 1
        assert result.stdout == ""
        assert "specs/shop.yaml:26:5: error[catalog/unknown-key]" in result.stderr
        assert "26 |     colour: blue" in result.stderr  # the base's line, not the working tree's
        assert f"base catalog at main ({main}) is invalid: 1 error" in result.stderr

    def test_an_invalid_head_catalog_shows_its_located_errors(self, cli: Cli,
                                                              repo: GitRepo) -> None:
        repo.edit("shop.yaml", "severity: warning", "severity: loud")

        result = cli("diff")

        assert result.exit_code == 1
        assert "error[catalog/unknown-severity]" in result.stderr
        assert "head catalog (working tree) is invalid: 1 error" in result.stderr


class TestFormats:
    def test_markdown_is_byte_identical_across_runs(self, repo: GitRepo) -> None:
        for change in (BREAKING_EDIT, RISKY_EDIT, SAFE_EDIT):
            repo.edit(*change)

        first = run_metricsctl("diff", "--format", "markdown", cwd=repo.root)
        second = run_metricsctl("diff", "--format", "markdown", cwd=repo.root)

        assert first.returncode == 0, first.stderr
        assert first.stdout == second.stdout
        assert first.stdout.splitlines()[:2] == [
            "<!-- metricsctl-diff -->",
            "### metricsctl diff: ❌ 1 breaking, ⚠️ 1 risky, ✅ 1 safe"]

    def test_github_appends_the_summary_and_annotates(self, cli: Cli, repo: GitRepo,
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
        summary = tmp_path / "step-summary.md"
        summary.write_text("## lint\n", encoding="utf-8")
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
        repo.edit(*BREAKING_EDIT)
        repo.edit(*RISKY_EDIT)

        result = cli("diff", "--format", "github")

        assert result.exit_code == 0, result.output
        written = summary.read_text(encoding="utf-8")
        assert written.startswith("## lint\n<!-- metricsctl-diff -->\n### metricsctl diff: ")
        annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
        assert [line.split(" ", 1)[0] for line in annotations] == ["::error", "::warning"]
        assert annotations[0].startswith("::error file=specs/shop.yaml,line=19,col=14,")

    def test_github_without_a_step_summary_only_prints(self, cli: Cli, repo: GitRepo) -> None:
        repo.edit(*RISKY_EDIT)

        result = cli("diff", "--format", "github")

        assert result.exit_code == 0
        assert "::warning file=specs/shop.yaml" in result.stdout

    def test_json(self, cli: Cli, repo: GitRepo) -> None:
        repo.edit(*SAFE_EDIT)

        document = json.loads(cli("diff", "--format", "json").stdout)

        assert document["counts"] == {"breaking": 0, "risky": 0, "safe": 1}
        assert document["changes"][0]["location"] == {"file": "specs/shop.yaml", "line": 22,
                                                      "column": 11}


def test_the_command_is_listed_and_imports_nothing_heavy_at_start_up() -> None:
    probe = ("import sys, metricsctl.cli; "
             "print(sorted(m for m in sys.modules if m.startswith(('metricsctl.review', "
             "'promql_parser'))))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    assert loaded.stdout.strip() == "[]"

    help_text = run_metricsctl("diff", "--help").stdout
    assert "Usage: metricsctl diff [OPTIONS] [SPECS_DIR|OLD_DIR] [NEW_DIR]" in help_text
    for option in ("--base", "--head", "--format", "--fail-on"):
        assert option in help_text


def test_the_shipped_catalog(cli: Cli, tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(SHIPPED_SPECS, old)
    shutil.copytree(SHIPPED_SPECS, new)
    edit(new / "venice.yaml", "expr: venice_balance_diem < 10", "expr: venice_balance_diem < 3")
    edit(new / "http.yaml", "buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10]",
         "buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10]")

    assert cli("diff", old, old, "--fail-on", "any").exit_code == 0
    result = cli("diff", old, new, "--format", "json")

    changes = {c["kind"]: c for c in json.loads(result.stdout)["changes"]}
    assert changes["alert.threshold-changed"]["subject"] == "LowDiemBalance"
    assert changes["alert.threshold-changed"]["classification"] == "risky"
    buckets = changes["metric.buckets-changed"]
    assert buckets["classification"] == "breaking"
    assert ("alert", "HighResponseTime") in {(d["kind"], d["name"])
                                             for d in buckets["dependents"]}
