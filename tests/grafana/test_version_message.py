"""The version-history message: the git commit by default, at most 500 bytes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from metricsctl.grafana.version_message import fit_message, git_commit, version_message


def git(directory: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-C",
               str(directory), *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "metricsctl.yaml").write_text("project: x\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "Add the catalog")
    return specs


def test_the_default_message_names_the_commit(repository: Path) -> None:
    commit = git(repository, "rev-parse", "--short", "HEAD")
    assert version_message(None, repository) == f"metricsctl push: {commit} Add the catalog"


def test_uncommitted_catalog_changes_are_flagged(repository: Path) -> None:
    (repository / "metricsctl.yaml").write_text("project: y\n")
    assert git_commit(repository) is not None
    assert str(git_commit(repository)).endswith("Add the catalog (uncommitted changes)")


def test_outside_git_the_message_is_plain(tmp_path: Path) -> None:
    assert git_commit(tmp_path) is None
    assert version_message(None, tmp_path) == "metricsctl push"


def test_an_explicit_message_wins_on_one_line(repository: Path) -> None:
    assert version_message("  fix\n the   panels ", repository) == "fix the panels"
    assert version_message("   ", Path("/nonexistent")) == "metricsctl push"


@pytest.mark.parametrize("text", ["a" * 600, "é" * 300, "€" * 200, "a" + "😀" * 150])
def test_long_messages_are_cut_to_500_bytes_at_a_character_boundary(text: str) -> None:
    cut = fit_message(text)
    assert len(cut.encode("utf-8")) <= 500
    assert cut.endswith("…")
    assert text.startswith(cut[:-1])


def test_a_message_of_exactly_500_bytes_is_kept() -> None:
    assert fit_message("é" * 250) == "é" * 250
