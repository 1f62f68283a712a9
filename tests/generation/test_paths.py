"""Generated file names cannot escape the output directory; texts are normalised."""

from __future__ import annotations

import pytest

from metricsctl.generation.paths import UnsafePathError, check_relative_path, normalise_text


@pytest.mark.parametrize("path", [
    "grafana/dashboards/orders.json",
    "prometheus/rules/shop.rules.yml",
    "docs/metrics.md",
    "a/b/c/d.txt",
    ".hidden/file",
    "name with spaces.md",
])
def test_plain_relative_paths_are_accepted(path: str) -> None:
    assert check_relative_path(path) == path


@pytest.mark.parametrize(("path", "reason"), [
    ("", "empty"),
    ("/etc/passwd", "relative"),
    ("C:/Windows/win.ini", "relative"),
    ("../outside.txt", "`..`"),
    ("grafana/../../outside.txt", "`..`"),
    ("grafana/..", "`..`"),
    ("./a.txt", "`.`"),
    ("a//b.txt", "empty path part"),
    ("grafana/", "empty path part"),
    ("grafana\\..\\x.json", "backslashes"),
    ("a\x00b", "control characters"),
    ("line\nbreak.txt", "control characters"),
    (".metricsctl-manifest.json", "reserved"),
    (".metricsctl-staging-x/a.txt", "reserved"),
])
def test_paths_that_could_escape_or_clash_are_refused(path: str, reason: str) -> None:
    with pytest.raises(UnsafePathError, match=reason):
        check_relative_path(path)


def test_reserved_names_are_allowed_below_the_top_level() -> None:
    assert check_relative_path("docs/.metricsctl-notes.md") == "docs/.metricsctl-notes.md"


@pytest.mark.parametrize(("text", "expected"), [
    ("a\r\nb\r\n", "a\nb\n"),
    ("a\rb", "a\nb\n"),
    ("no newline", "no newline\n"),
    ("many\n\n\n", "many\n"),
    ("keeps inner\n\nblank lines\n", "keeps inner\n\nblank lines\n"),
    ("", "\n"),
])
def test_text_gets_lf_line_endings_and_one_trailing_newline(text: str, expected: str) -> None:
    assert normalise_text(text) == expected
