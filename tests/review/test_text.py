"""The terminal report."""

from __future__ import annotations

from collections.abc import Callable

from metricsctl.review.changes import DiffReport
from metricsctl.review.text import render_text
from tests.review.catalogs import SAMPLE_CHANGES
from tests.review.golden import assert_matches_golden

Review = Callable[..., DiffReport]


def test_the_sample_report_matches_the_golden_file(review: Review) -> None:
    assert_matches_golden("report.txt", render_text(review(*SAMPLE_CHANGES)))


def test_each_change_starts_a_line_with_its_classification(review: Review) -> None:
    lines = render_text(review(*SAMPLE_CHANGES)).splitlines()

    preamble = (" ", "base:", "head:", "estimated")
    heads = [line.split()[0] for line in lines if line and not line.startswith(preamble)]
    assert heads[:6] == ["BREAKING"] * 6
    assert heads[6:8] == ["RISKY"] * 2
    assert heads[8:11] == ["safe"] * 3
    assert lines[-1] == "6 breaking, 2 risky, 3 safe changes"


def test_markup_colors_the_classification_and_escapes_names(review: Review) -> None:
    text = render_text(review(("shop.yaml", "help: Checkouts by outcome.", "help: '[bold]x'")),
                       markup=True)

    assert "[green]safe    [/] metric `checkout_total` help changed" in text


def test_no_changes(review: Review) -> None:
    assert render_text(review()).splitlines()[-1] == "no changes"
