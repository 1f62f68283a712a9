"""Bad input never crashes: each case ends in a located message and exit 1, no traceback.

Runs the CLI as a real process, as users and CI do. The corpus lives in tests/bad_input/;
the 50 MB file and the symlink loops are made at test time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_metricsctl

CORPUS = Path(__file__).parent / "bad_input"

EXPECTED = {
    "yaml_syntax.yaml": ("6:1", "catalog/yaml-syntax",
                         "did not find expected ',' or ']' while parsing a flow sequence"),
    "not_utf8.yaml": ("5:14", "catalog/encoding", "file is not valid UTF-8 (byte 0xe9)"),
    "empty.yaml": ("1:1", "catalog/empty-file", "file is empty"),
    "comments_only.yaml": ("1:1", "catalog/empty-file", "file holds only comments"),
    "alias_bomb.yaml": ("5:4", "catalog/alias-expansion", "a 'billion laughs' document?"),
    "recursive_alias.yaml": ("2:10", "catalog/alias-expansion", "recursive YAML alias"),
    "python_tag.yaml": ("3:12", "catalog/unsupported-tag", "unsupported YAML tag"),
    "multiple_documents.yaml": ("2:1", "catalog/yaml-syntax", "expected a single document"),
    "top_level_list.yaml": ("1:1", "catalog/invalid-type", "a domain file holds a mapping"),
    "tabs.yaml": ("3:1", "catalog/yaml-syntax", "cannot start any token"),
    "too_deep.yaml": ("3:68", "catalog/too-deep", "YAML nested deeper than 64 levels"),
}


def catalog_with(tmp_path: Path, *files: Path) -> Path:
    root = tmp_path / "specs"
    root.mkdir()
    (root / "metricsctl.yaml").write_text("project: bad\n")
    for file in files:
        shutil.copy(file, root / file.name)
    return root


def assert_clean_failure(result_stdout: str, result_stderr: str, returncode: int) -> None:
    assert returncode == 1, result_stdout + result_stderr
    assert "Traceback" not in result_stdout + result_stderr


def test_the_corpus_covers_every_file() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_file_gets_a_located_message(tmp_path: Path, name: str) -> None:
    root = catalog_with(tmp_path, CORPUS / name)
    result = run_metricsctl("validate", root)
    assert_clean_failure(result.stdout, result.stderr, result.returncode)
    position, code, message = EXPECTED[name]
    assert f"{root}/{name}:{position}: error[{code}]: " in result.stdout
    assert message in result.stdout


def test_all_bad_files_at_once_are_all_reported(tmp_path: Path) -> None:
    root = catalog_with(tmp_path, *sorted(CORPUS.iterdir()))
    result = run_metricsctl("validate", root, "--format", "json")
    assert_clean_failure(result.stdout, result.stderr, result.returncode)
    import json

    reported = {Path(d["file"]).name for d in json.loads(result.stdout)["diagnostics"]}
    assert reported == set(EXPECTED)


def test_a_50_mb_file_is_refused_quickly(tmp_path: Path) -> None:
    root = catalog_with(tmp_path)
    with (root / "huge.yaml").open("wb") as handle:
        handle.write(b"domain: huge\nmetrics:\n")
        handle.truncate(50 * 1024 * 1024)
    result = run_metricsctl("validate", root)
    assert_clean_failure(result.stdout, result.stderr, result.returncode)
    assert f"{root}/huge.yaml:1:1: error[catalog/file-too-large]: file is too large (50.0 MiB" \
        in result.stdout


def test_symlink_loops_are_reported(tmp_path: Path) -> None:
    root = catalog_with(tmp_path)
    (root / "a.yaml").symlink_to(root / "b.yaml")
    (root / "b.yaml").symlink_to(root / "a.yaml")
    (root / "again").symlink_to(root, target_is_directory=True)
    result = run_metricsctl("validate", root)
    assert_clean_failure(result.stdout, result.stderr, result.returncode)
    assert f"{root}/a.yaml:1:1: error[catalog/unreadable]: cannot read file: " in result.stdout
    assert f"{root}/again: error[catalog/symlink-loop]" in result.stdout


def test_a_directory_without_specs_fails_with_a_message(tmp_path: Path) -> None:
    result = run_metricsctl("validate", tmp_path)
    assert_clean_failure(result.stdout, result.stderr, result.returncode)
    assert f"{tmp_path}: error[catalog/no-specs]: no spec files (*.yaml) in {tmp_path}" \
        in result.stdout


@pytest.mark.parametrize("args", [
    ("validate", "/nonexistent/specs"),
    ("validate", "--format", "xml"),
    ("validate", "--no-such-flag"),
    ("list", "--kind", "panels"),
])
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = run_metricsctl(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
