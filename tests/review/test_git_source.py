"""Reading a catalog from git objects: revisions, the default base, errors, and no side effects."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricsctl.review.git_source import GitRepository, GitSourceError
from tests.review.catalogs import GitRepo, base_repo


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return base_repo(tmp_path / "repo")


def test_a_catalog_is_read_at_a_revision_not_from_the_working_tree(repo: GitRepo) -> None:
    repo.edit("shop.yaml", "  cart_items:\n", "  cart_items_open:\n")

    git = GitRepository(repo.root)
    loaded = git.read_catalog(git.resolve("main"), Path("specs"))

    assert loaded.result.ok
    assert loaded.result.catalog is not None
    assert "cart_items" in loaded.result.catalog.metrics
    assert "cart_items_open" not in loaded.result.catalog.metrics
    assert loaded.revision.commit == repo.git("rev-parse", "main")
    assert sorted(loaded.texts) == ["specs/metricsctl.yaml", "specs/shop.yaml"]


def test_reading_leaves_the_working_tree_and_the_index_untouched(repo: GitRepo) -> None:
    repo.edit("shop.yaml", "help: Items currently in open carts.", "help: Open items.")
    (repo.specs / "new.yaml").write_text("domain: new\n")
    repo.git("add", "specs/new.yaml")
    before = repo.state()

    git = GitRepository(repo.root)
    git.read_catalog(git.default_base(None)[0], Path("specs"))

    assert repo.state() == before


def test_locations_name_the_specs_path_so_annotations_point_at_the_file(repo: GitRepo) -> None:
    git = GitRepository(repo.root)
    catalog = git.read_catalog(git.resolve("HEAD"), Path("specs")).result.catalog

    assert catalog is not None
    location = catalog.metrics["cart_items"].source.location
    line = (repo.specs / "shop.yaml").read_text().splitlines().index("  cart_items:") + 1
    assert (location.file, location.line, location.column) == ("specs/shop.yaml", line, 3)


def test_the_specs_directory_is_found_from_a_subdirectory(repo: GitRepo) -> None:
    subdirectory = repo.root / "docs"
    subdirectory.mkdir()

    git = GitRepository(subdirectory)
    loaded = git.read_catalog(git.resolve("main"), Path("../specs"))

    assert loaded.result.ok
    assert git.repo_path(Path("../specs")) == "specs"
    assert git.repo_path(repo.specs) == "specs"


def test_hidden_files_and_other_files_are_ignored_and_links_followed(repo: GitRepo) -> None:
    (repo.specs / ".draft.yaml").write_text("not: [valid")
    (repo.specs / "README.md").write_text("# specs\n")
    (repo.specs / "more").mkdir()
    (repo.specs / "more" / "extra.yml").write_text(
        "domain: extra\nmetrics:\n  extra_total: {type: counter, help: Extra.}\n")
    (repo.specs / "linked.yaml").symlink_to("more/extra.yml")
    commit = repo.commit("more files")

    git = GitRepository(repo.root)
    loaded = git.read_catalog(git.resolve(commit), Path("specs"))

    assert sorted(loaded.texts) == ["specs/linked.yaml", "specs/metricsctl.yaml",
                                    "specs/more/extra.yml", "specs/shop.yaml"]
    # The link and its target define the same domain: the loader reports it like on disk.
    assert [d.code for d in loaded.result.errors] == ["catalog/duplicate-domain",
                                                      "catalog/duplicate-metric"]


class TestDefaultBase:
    def test_is_the_merge_base_with_main(self, repo: GitRepo) -> None:
        fork = repo.git("rev-parse", "HEAD")
        repo.edit("shop.yaml", "help: Items currently in open carts.", "help: Open items.")
        repo.commit("feature work")
        repo.git("checkout", "-q", "main")
        repo.edit("shop.yaml", "help: Checkouts by outcome.", "help: Checkouts.")
        repo.commit("main moves on")
        repo.git("checkout", "-q", "feature")

        base, notes = GitRepository(repo.root).default_base(None)

        assert (base.name, base.commit, notes) == ("merge-base with main", fork, [])

    def test_prefers_origin_main(self, repo: GitRepo) -> None:
        fork = repo.git("rev-parse", "HEAD")
        repo.edit("shop.yaml", "help: Items currently in open carts.", "help: Open items.")
        repo.commit("feature work")
        repo.git("update-ref", "refs/remotes/origin/main", fork)
        repo.git("branch", "-q", "-f", "main", "HEAD")  # a stale local main: not the fork

        base, _ = GitRepository(repo.root).default_base(None)

        assert (base.name, base.commit) == ("merge-base with origin/main", fork)

    def test_falls_back_to_head_without_main(self, tmp_path: Path) -> None:
        repo = base_repo(tmp_path / "repo")
        repo.git("branch", "-q", "-D", "main")

        base, _ = GitRepository(repo.root).default_base(None)

        assert (base.name, base.commit) == ("HEAD", repo.git("rev-parse", "HEAD"))

    def test_unrelated_history_falls_back_to_head_with_a_note(self, repo: GitRepo) -> None:
        repo.git("checkout", "-q", "--orphan", "unrelated")
        repo.commit("a history of its own")

        base, notes = GitRepository(repo.root).default_base(None)

        assert (base.name, base.commit) == ("HEAD", repo.git("rev-parse", "HEAD"))
        assert notes == ["main shares no history with the head (a shallow clone? fetch with "
                         "`fetch-depth: 0`)"]

    def test_without_commits_asks_for_a_base(self, tmp_path: Path) -> None:
        repo = GitRepo(tmp_path / "empty")

        with pytest.raises(GitSourceError, match="no commits yet: pass --base REF"):
            GitRepository(repo.root).default_base(None)


class TestErrors:
    def test_outside_a_repository(self, tmp_path: Path) -> None:
        with pytest.raises(GitSourceError, match=r"^not a git repository: "):
            GitRepository(tmp_path)

    @pytest.mark.parametrize("ref", ["no-such-branch", "--output=x", ""])
    def test_an_unknown_revision(self, repo: GitRepo, ref: str) -> None:
        with pytest.raises(GitSourceError, match="git revision"):
            GitRepository(repo.root).resolve(ref)

    def test_a_specs_directory_missing_at_the_revision(self, repo: GitRepo) -> None:
        git = GitRepository(repo.root)

        with pytest.raises(GitSourceError,
                           match=r"^'catalog' does not exist at main \([0-9a-f]{12}\)$"):
            git.read_catalog(git.resolve("main"), Path("catalog"))

    def test_a_specs_path_that_is_a_file_at_the_revision(self, repo: GitRepo) -> None:
        git = GitRepository(repo.root)

        with pytest.raises(GitSourceError, match=r"'specs/shop\.yaml' is not a directory at"):
            git.read_catalog(git.resolve("main"), Path("specs/shop.yaml"))

    def test_a_specs_path_outside_the_repository(self, repo: GitRepo, tmp_path: Path) -> None:
        with pytest.raises(GitSourceError, match="is outside the git repository"):
            GitRepository(repo.root).repo_path(Path("../elsewhere"))
        with pytest.raises(GitSourceError, match="is outside the git repository"):
            GitRepository(repo.root).repo_path(tmp_path)
