"""GitHub Actions output: workflow annotations and the job summary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from metricsctl.review.changes import DiffReport
from metricsctl.review.github import append_step_summary, render_annotations
from tests.review.catalogs import SAMPLE_CHANGES

Review = Callable[..., DiffReport]


def test_breaking_changes_are_errors_and_risky_ones_warnings_at_their_line(
        review: Review) -> None:
    lines = render_annotations(review(*SAMPLE_CHANGES)).splitlines()

    assert [line.split(" ", 1)[0] for line in lines] == ["::error"] * 6 + ["::warning"] * 2
    first = lines[0]
    assert first.startswith("::error file=head/shop.yaml,line=25,col=19,"
                            "title=metricsctl diff%3A metric.renamed::metric `cart_items` "
                            "renamed to `cart_items_open`%0A")
    assert "%0Aused by: panel shop / Cart items (head/shop.yaml:50)" in first


def test_a_removal_is_annotated_in_the_base_file(review: Review) -> None:
    report = review(("shop.yaml", "  CheckoutsDeclined:", "  Declines:"))

    removed = next(line for line in render_annotations(report).splitlines()
                   if "alert.removed" in line)

    assert removed.startswith("::warning file=base/shop.yaml,line=")


def test_messages_are_escaped(review: Review) -> None:
    report = review(("shop.yaml", "values: [paid, declined]",
                     "values: [paid, declined, '100%', 'a,b:c']"))

    line = render_annotations(report)

    assert "`100%25`" in line
    assert line.count("\n") == 1  # one command per line, whatever the message holds


def test_the_step_summary_is_appended_to(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# lint\n")

    append_step_summary(summary, "## diff\n")
    append_step_summary(summary, "again")

    assert summary.read_text() == "# lint\n## diff\nagain\n"
