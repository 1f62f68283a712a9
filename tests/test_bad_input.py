"""Bad input never crashes: each case ends in a located message and exit 1, no traceback.

Runs the CLI as a real process, as users and CI do. The corpus lives in tests/bad_input/;
the 50 MB file and the symlink loops are made at test time.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SMALL_CATALOG, run_metricsctl

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


def run_limited(*args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    """The CLI in a process limited to 1 GiB of address space and 20 s, as the issue asks."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    environment = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "metricsctl", *map(str, args)],
                          env=environment, capture_output=True, text=True, timeout=20,
                          check=False, preexec_fn=limit)


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


# -- spec paths that are not regular files inside SPECS_DIR ----------------------------------

@pytest.mark.parametrize("command", ["validate", "lint", "generate"])
def test_a_named_pipe_does_not_hang_any_command(tmp_path: Path, command: str) -> None:
    root = catalog_with(tmp_path)
    os.mkfifo(root / "x.yaml")
    result = run_metricsctl(command, root, timeout=60)  # opening the pipe would block forever
    assert_clean_failure(result.stdout, result.stderr, result.returncode)
    assert (f"{root}/x.yaml:1:1: error[catalog/not-a-file]: a named pipe, not a regular file: "
            "not read") in result.stdout + result.stderr


def test_links_to_dev_zero_and_proc_environ_are_refused_and_nothing_of_them_printed(
        tmp_path: Path) -> None:
    root = catalog_with(tmp_path)
    (root / "zero.yaml").symlink_to("/dev/zero")
    (root / "env.yaml").symlink_to("/proc/self/environ")
    secret = "glsa_not-a-real-token-5f2b9c"
    result = run_metricsctl("validate", root, env={"GRAFANA_TOKEN": secret}, timeout=60)
    assert_clean_failure(result.stdout, result.stderr, result.returncode)
    assert secret not in result.stdout + result.stderr
    assert "GRAFANA_TOKEN" not in result.stdout + result.stderr
    assert f"{root}/env.yaml: error[catalog/link-outside]: symbolic link leads outside " \
        f"{root} (to /proc/" in result.stdout
    assert f"{root}/zero.yaml: error[catalog/link-outside]: symbolic link leads outside " \
        f"{root} (to /dev/zero): not read" in result.stdout


def test_a_directory_link_to_etc_is_refused_not_walked(tmp_path: Path) -> None:
    root = catalog_with(tmp_path)
    (root / "etc").symlink_to("/etc", target_is_directory=True)
    result = run_metricsctl("validate", root, "--format", "json", timeout=60)
    assert_clean_failure(result.stdout, result.stderr, result.returncode)
    import json

    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert [(d["file"], d["code"]) for d in diagnostics] == [
        (f"{root}/etc", "catalog/link-outside")]


# -- values and expressions too large to handle --------------------------------------------

def domain_file(root: Path, text: str) -> None:
    (root / "app.yaml").write_text("domain: app\n" + text, encoding="utf-8")


def test_an_integer_past_pythons_4300_digit_limit_in_buckets_is_a_located_error(
        tmp_path: Path) -> None:
    root = catalog_with(tmp_path)
    domain_file(root, "metrics:\n  wait_seconds:\n    type: histogram\n    help: Waits.\n"
                      f"    buckets: [0.1, {'9' * 5000}, {'1' * 400}]\n")
    result = run_metricsctl("validate", root)
    assert_clean_failure(result.stdout, result.stderr, result.returncode)
    assert (f"{root}/app.yaml:6:20: error[catalog/number-out-of-range]: number "
            "`999999999999…999999` (5,000 digits) is out of range: numbers must fit a 64-bit "
            "float (about ±1.8e308, at most 400 digits)") in result.stdout
    assert f"{root}/app.yaml:6:5022: error[catalog/number-out-of-range]: number " \
        "`111111111111…111111` (400 digits)" in result.stdout
    assert "2 errors" in result.stdout  # not a schema error about the same values


def test_a_duration_longer_than_prometheus_accepts_is_a_located_error(tmp_path: Path) -> None:
    root = catalog_with(tmp_path)
    domain_file(root, "metrics:\n  up_gauge: {type: gauge, help: Up.}\nalerts:\n"
                      f"  Down:\n    expr: up_gauge == 0\n    for: {'9' * 5000}s\n"
                      "    severity: warning\n    keep_firing_for: 293y\n")
    result = run_metricsctl("validate", root)
    assert_clean_failure(result.stdout, result.stderr, result.returncode)
    assert f"{root}/app.yaml:7:10: error[catalog/invalid-duration]: duration " \
        "`999999999999…99999s` is out of range: Prometheus accepts at most 292 years" \
        in result.stdout
    assert f"{root}/app.yaml:9:22: error[catalog/invalid-duration]: duration `293y`" \
        in result.stdout


DEEP = {"5,000 nested parentheses": "(" * 5_000 + "up" + ")" * 5_000,
        "50,000 nested parentheses": "(" * 50_000 + "up" + ")" * 50_000,
        "a 20,000-term + chain": " + ".join(["up"] * 20_000)}


@pytest.mark.parametrize("command", ["validate", "lint", "generate", "diff"])
@pytest.mark.parametrize("shape", sorted(DEEP))
def test_deeply_nested_or_huge_promql_is_refused_with_the_limit_by_every_command(
        tmp_path: Path, command: str, shape: str) -> None:
    root = catalog_with(tmp_path)
    domain_file(root, f"alerts:\n  Deep:\n    expr: '{DEEP[shape]}'\n    severity: warning\n")
    args: list[str | Path] = [command, root] if command != "diff" else [
        "diff", SMALL_CATALOG, root]
    result = run_limited(*args)
    assert_clean_failure(result.stdout, result.stderr, result.returncode)
    output = result.stdout + result.stderr
    assert f"{root}/app.yaml:4:" in output and "error[catalog/promql-limit]" in output
    assert ("the limit is 65,536" in output or "nested more than 64 levels deep" in output)
