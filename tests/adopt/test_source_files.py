"""Only regular files are read, and only so much of them: a named pipe or a device given
as a source (or found in a source directory) is a located error, never waited on or read
without end; links out of a source directory are refused as for spec files.

Each import runs in its own process with a timeout, so a regression fails instead of
hanging the suite.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.adopt.conftest import RULE_FIXTURES
from tests.conftest import run_metricsctl

RULES = RULE_FIXTURES / "awesome-alerts-ssl.yaml"
TIMEOUT = 60

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


def _import(tmp_path: Path, *sources: Path | str):  # type: ignore[no-untyped-def]
    return run_metricsctl("import", *sources, "--into", tmp_path / "specs", cwd=tmp_path,
                          timeout=TIMEOUT)


def _rules_directory(tmp_path: Path) -> Path:
    directory = tmp_path / "estate"
    directory.mkdir()
    shutil.copy(RULES, directory / "ssl.yaml")
    return directory


def test_a_named_pipe_given_as_a_source(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "rules.yaml")

    result = _import(tmp_path, "rules.yaml", RULES)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "rules.yaml: error[import/not-a-file]: a named pipe, not a regular file" \
        in result.stderr
    assert not (tmp_path / "specs").exists()


def test_dev_zero_given_as_a_source(tmp_path: Path) -> None:
    result = _import(tmp_path, "/dev/zero")

    assert result.returncode == 1
    assert "/dev/zero: error[import/not-a-file]: a character device" in result.stderr
    assert not (tmp_path / "specs").exists()


def test_a_pipe_and_a_link_to_dev_zero_inside_a_source_directory(tmp_path: Path) -> None:
    directory = _rules_directory(tmp_path)
    os.mkfifo(directory / "pipe.yaml")
    (directory / "zero.prom").symlink_to("/dev/zero")

    result = _import(tmp_path, "estate")

    assert result.returncode == 1
    assert "estate/pipe.yaml: error[import/not-a-file]: a named pipe" in result.stderr
    assert ("estate/zero.prom: error[import/link-outside]: symbolic link leads outside "
            "estate (to /dev/zero): not read") in result.stderr
    assert not (tmp_path / "specs").exists()


def test_a_link_out_of_a_source_directory_is_refused_one_inside_is_followed(
        tmp_path: Path) -> None:
    directory = _rules_directory(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(RULE_FIXTURES / "node-exporter-mixin-rules.yaml", elsewhere / "node.yaml")
    (directory / "node.yaml").symlink_to(elsewhere / "node.yaml")
    (directory / "shared").mkdir()
    (directory / "shared" / "ssl-again.yaml").symlink_to(directory / "ssl.yaml")

    refused = _import(tmp_path, "estate")
    (directory / "node.yaml").unlink()
    followed = _import(tmp_path, "estate", "--dry-run")

    assert refused.returncode == 1
    assert (f"estate/node.yaml: error[import/link-outside]: symbolic link leads outside estate "
            f"(to {elsewhere.resolve() / 'node.yaml'}): not read") in refused.stderr
    assert not (tmp_path / "specs").exists()
    assert followed.returncode == 0, followed.stderr
    # The link inside the directory leads to a file already included: it is read once,
    # under the name found first.
    assert "estate/shared/ssl-again.yaml: 2 mapped" in followed.stdout
    assert "estate/ssl.yaml" not in followed.stdout


def test_a_file_over_the_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(8 * 1024 * 1024 + 1)  # sparse: nothing is written to disk

    result = _import(tmp_path, big)

    assert result.returncode == 1
    assert "big.yaml: error[import/too-large]: file is too large (8.0 MiB; the limit is 8 " \
        "MiB)" in result.stderr
    assert not (tmp_path / "specs").exists()
