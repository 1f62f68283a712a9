"""`metricsctl generate`: exit codes, messages and files as users and CI see them."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from metricsctl.generation.paths import MANIFEST_NAME
from tests.conftest import SMALL_CATALOG, run_metricsctl
from tests.generation.directory_snapshot import snapshot_tree
from tests.generation.fake_targets import (
    render_boards,
    render_failing,
    render_index,
    use_targets,
    write_shop_catalog,
)

Cli = Callable[..., Any]


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # so table cells are not folded


@pytest.fixture
def fake_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    use_targets(monkeypatch, {"boards": render_boards, "index": render_index})


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    return write_shop_catalog(tmp_path / "specs")


@pytest.mark.usefixtures("fake_targets")
class TestWithFakeTargets:
    def test_generate_writes_files_and_prints_a_summary(self, cli: Cli, specs: Path,
                                                       tmp_path: Path) -> None:
        out = tmp_path / "generated"

        result = cli("generate", specs, "--out", out)

        assert result.exit_code == 0, result.output
        assert (out / "boards/orders.txt").read_text() == "Orders\n"
        for cells in (("boards", "boards/orders.txt", "created"),
                      ("index", "index.md", "created")):
            assert any(all(cell in line for cell in cells) for line in result.stdout.splitlines())
        assert result.stdout.rstrip().endswith(f"{out}: 3 created (2 targets)")

    def test_a_second_run_reports_everything_unchanged_without_a_table(
            self, cli: Cli, specs: Path, tmp_path: Path) -> None:
        out = tmp_path / "generated"
        cli("generate", specs, "--out", out)

        result = cli("generate", specs, "--out", out)

        assert result.exit_code == 0
        assert result.stdout == f"✓ {out}: 3 unchanged (2 targets)\n"

    def test_removed_and_updated_files_are_listed(self, cli: Cli, specs: Path,
                                                 tmp_path: Path) -> None:
        out = tmp_path / "generated"
        cli("generate", specs, "--out", out)
        (out / "index.md").write_text("edited\n")
        text = (specs / "shop.yaml").read_text()
        (specs / "shop.yaml").write_text(text[:text.index("  stock:\n    title")])

        result = cli("generate", specs, "--out", out)

        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert any("boards/stock.txt" in line and "removed" in line for line in lines)
        assert any("index.md" in line and "updated (hand edits discarded)" in line
                   for line in lines)
        assert any("1 file" in line and "unchanged" in line for line in lines)
        assert lines[-1] == f"✓ {out}: 1 updated, 1 removed, 1 unchanged (2 targets)"

    def test_quiet_prints_nothing_on_success(self, cli: Cli, specs: Path, tmp_path: Path) -> None:
        result = cli("generate", specs, "--out", tmp_path / "generated", "--quiet")

        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
        assert (tmp_path / "generated/index.md").exists()

    def test_check_passes_on_current_output(self, cli: Cli, specs: Path, tmp_path: Path) -> None:
        out = tmp_path / "generated"
        cli("generate", specs, "--out", out)

        result = cli("generate", specs, "--out", out, "--check")

        assert result.exit_code == 0
        assert result.stdout == f"✓ {out} is current: 3 files from 2 targets\n"
        assert cli("generate", specs, "--out", out, "--check", "-q").stdout == ""

    def test_check_lists_problems_with_a_diff_writes_nothing_and_exits_1(
            self, cli: Cli, specs: Path, tmp_path: Path) -> None:
        out = tmp_path / "generated"
        cli("generate", specs, "--out", out)
        (out / "index.md").write_text("# Metrics\n\n- orders_total (gauge)\n")
        (out / "boards/stock.txt").unlink()
        (out / "boards/old.txt").write_text("not in the manifest: not ours\n")
        before = snapshot_tree(out)

        result = cli("generate", specs, "--out", out, "--check", "--quiet")

        assert result.exit_code == 1
        assert result.stdout.splitlines()[:3] == [
            f"✗ {out} is not current: 1 missing, 1 stale (run `metricsctl generate` to "
            "update it)",
            f"  missing  {out}/boards/stock.txt  [boards]",
            f"  stale    {out}/index.md  [index]",
        ]
        assert "      -- orders_total (gauge)" in result.stdout
        assert "      +- orders_total (counter)" in result.stdout
        assert "old.txt" not in result.stdout
        assert snapshot_tree(out) == before

    def test_check_on_a_missing_output_directory_lists_everything_missing(
            self, cli: Cli, specs: Path, tmp_path: Path) -> None:
        result = cli("generate", specs, "--out", tmp_path / "nowhere/generated", "--check")

        assert result.exit_code == 1
        assert "4 missing" in result.stdout.splitlines()[0]  # 3 files and the manifest
        assert not (tmp_path / "nowhere").exists()

    def test_a_target_subset_is_generated_and_checked_alone(self, cli: Cli, specs: Path,
                                                           tmp_path: Path) -> None:
        out = tmp_path / "generated"

        result = cli("generate", specs, "--out", out, "--target", "index")

        assert result.exit_code == 0
        assert sorted(json.loads((out / MANIFEST_NAME).read_text())["files"]) == ["index.md"]
        assert cli("generate", specs, "--out", out, "-t", "index", "--check").exit_code == 0
        assert cli("generate", specs, "--out", out, "--check").exit_code == 1

    def test_an_unknown_target_is_a_usage_error_naming_the_valid_ones(
            self, cli: Cli, specs: Path, tmp_path: Path) -> None:
        result = cli("generate", specs, "--out", tmp_path / "generated", "--target", "grafna")

        assert result.exit_code == 2
        assert "unknown target 'grafna'; choose from boards, index" in result.stderr
        assert not (tmp_path / "generated").exists()

    def test_a_failing_target_writes_nothing_and_says_why(
            self, cli: Cli, specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        out = tmp_path / "generated"
        cli("generate", specs, "--out", out)
        before = snapshot_tree(out)
        use_targets(monkeypatch, {"boards": render_boards, "index": render_failing})

        result = cli("generate", specs, "--out", out)

        assert result.exit_code == 1
        assert result.stderr.splitlines()[0] == "error: rendering failed; nothing was written"
        assert "target `index` failed: RuntimeError: cannot render 2 metrics" in result.stderr
        assert "Traceback" not in result.output
        assert snapshot_tree(out) == before

    def test_a_foreign_file_in_the_way_needs_force(self, cli: Cli, specs: Path,
                                                  tmp_path: Path) -> None:
        out = tmp_path / "generated"
        out.mkdir()
        (out / "index.md").write_text("my notes\n")

        refused = cli("generate", specs, "--out", out)
        forced = cli("generate", specs, "--out", out, "--force")

        assert refused.exit_code == 1
        assert "were not written by metricsctl" in refused.stderr
        assert "help: move them away, or pass --force to overwrite them" in refused.stderr
        assert forced.exit_code == 0
        assert "updated (overwrote a file metricsctl did not write)" in forced.stdout
        assert (out / "index.md").read_text().startswith("# Metrics")

    def test_check_and_force_together_are_a_usage_error(self, cli: Cli, specs: Path) -> None:
        result = cli("generate", specs, "--check", "--force")

        assert result.exit_code == 2
        assert "cannot be combined with --check" in result.stderr

    def test_an_invalid_catalog_is_reported_with_locations_and_nothing_written(
            self, cli: Cli, specs: Path, tmp_path: Path) -> None:
        (specs / "shop.yaml").write_text("domain: shop\nmetrics:\n  x_total: {type: countr}\n")

        result = cli("generate", specs, "--out", tmp_path / "generated")

        assert result.exit_code == 1
        assert f"{specs}/shop.yaml:3:" in result.stderr
        assert "catalog is invalid" in result.stderr
        assert not (tmp_path / "generated").exists()

    def test_an_output_path_that_is_a_file_is_a_usage_error(self, cli: Cli, specs: Path,
                                                           tmp_path: Path) -> None:
        (tmp_path / "generated").write_text("")

        result = cli("generate", specs, "--out", tmp_path / "generated")

        assert result.exit_code == 2
        assert "exists and is not a directory" in result.stderr

    def test_an_output_directory_inside_the_catalog_is_a_usage_error(self, cli: Cli,
                                                                     specs: Path) -> None:
        result = cli("generate", specs, "--out", specs / "generated")

        assert result.exit_code == 2
        assert "the generated YAML files would be read back as catalog files" in result.stderr
        assert not (specs / "generated").exists()

    def test_a_missing_output_parent_is_a_usage_error(self, cli: Cli, specs: Path,
                                                     tmp_path: Path) -> None:
        result = cli("generate", specs, "--out", tmp_path / "no/such/generated")

        assert result.exit_code == 2
        assert f"its parent directory '{tmp_path}/no/such' does not exist" in result.stderr

    @pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs")
    def test_an_unwritable_output_parent_gives_a_clear_message(self, cli: Cli,
                                                              specs: Path) -> None:
        # sysfs refuses new directories even to root, unlike a chmod-ed temporary directory.
        result = cli("generate", specs, "--out", "/sys/kernel/metricsctl-generated")

        assert result.exit_code == 1
        assert result.stderr.startswith("error: cannot create /sys/kernel/metricsctl-generated: ")
        assert "Traceback" not in result.output


@pytest.mark.usefixtures("fake_targets")
def test_the_default_directories_are_specs_and_generated(cli: Cli, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    write_shop_catalog(tmp_path / "specs")
    monkeypatch.chdir(tmp_path)

    result = cli("generate", "--quiet")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "generated/index.md").exists()


def test_real_targets_render_the_small_catalog_identically_twice(cli: Cli,
                                                                 tmp_path: Path) -> None:
    first = cli("generate", SMALL_CATALOG, "--out", tmp_path / "one", "-q")
    second = cli("generate", SMALL_CATALOG, "--out", tmp_path / "two", "-q")

    assert (first.exit_code, second.exit_code) == (0, 0), first.output
    files = snapshot_tree(tmp_path / "one")
    assert files == snapshot_tree(tmp_path / "two")
    texts = [data.decode() for data in files.values() if data is not None]
    assert all(text.endswith("\n") and not text.endswith("\n\n") for text in texts)
    assert not any("\r" in text or str(tmp_path) in text for text in texts)


@pytest.mark.usefixtures("fake_targets")
def test_the_garbage_collector_settings_are_restored(cli: Cli, specs: Path,
                                                     tmp_path: Path) -> None:
    before = gc.get_threshold()

    cli("generate", specs, "--out", tmp_path / "generated", "-q")
    cli("generate", specs, "--out", tmp_path / "generated", "--check", "-t", "nope")

    assert gc.get_threshold() == before


def test_generate_check_in_a_real_process_reports_without_a_traceback(tmp_path: Path) -> None:
    specs = write_shop_catalog(tmp_path / "specs")
    (specs / "shop.yaml").write_text("domain: shop\nmetrics: [oops]\n")

    result = run_metricsctl("generate", specs, "--check")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{specs}/shop.yaml:2:" in result.stderr


def test_starting_the_cli_imports_no_heavy_library() -> None:
    # `generate --check` runs in CI on every push: the CLI itself must start fast.
    heavy = ("grafanalib", "jinja2", "jsonschema", "prometheus_client", "requests",
             "promql_parser", "yaml")
    code = ("import sys, metricsctl.cli; "
            f"print(','.join(m for m in {heavy!r} if m in sys.modules))")

    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()

    assert loaded == ""
