"""The Markdown report posted as a pull-request comment."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from metricsctl.review import markdown
from metricsctl.review.changes import DiffReport
from metricsctl.review.markdown import MARKER, render_markdown
from tests.review.catalogs import SAMPLE_CHANGES
from tests.review.golden import assert_matches_golden

Review = Callable[..., DiffReport]


def test_the_sample_report_matches_the_golden_file(review: Review) -> None:
    assert_matches_golden("report.md", render_markdown(review(*SAMPLE_CHANGES)))


def test_a_rerun_gives_the_same_bytes(review: Review) -> None:
    first = render_markdown(review(*SAMPLE_CHANGES))
    second = render_markdown(review(*SAMPLE_CHANGES))

    assert first == second
    assert first.endswith("\n") and "\r" not in first


def test_the_marker_then_a_one_line_verdict_with_counts(review: Review) -> None:
    lines = render_markdown(review(*SAMPLE_CHANGES)).splitlines()

    assert lines[0] == MARKER == "<!-- metricsctl-diff -->"
    assert lines[1] == "### metricsctl diff: ❌ 6 breaking, ⚠️ 2 risky, ✅ 3 safe"


def test_breaking_first_then_risky_then_safe_folded(review: Review) -> None:
    text = render_markdown(review(*SAMPLE_CHANGES))

    breaking = text.index("#### ❌ Breaking changes (6)")
    risky = text.index("#### ⚠️ Risky changes (2)")
    safe = text.index("<details>\n<summary><b>✅ Safe changes (3)</b></summary>")
    assert breaking < risky < safe


def test_a_breaking_change_lists_its_dependents_with_locations(review: Review) -> None:
    text = render_markdown(review(*SAMPLE_CHANGES))

    item = text[text.index("- **label `route` removed from `http_requests_total`**"):]
    item = item[:item.index("\n- **")]
    assert "Used by 3 queries:" in item
    assert re.search(r"- alert `HighErrorRate` · `head/shop\.yaml:\d+`\n", item)
    assert re.search(r"- panel `shop / Request rate` · `base/shop\.yaml:\d+` "
                     r"\*\(before this change only\)\*", item)


def test_a_cardinality_increase_shows_the_delta(review: Review) -> None:
    text = render_markdown(review(*SAMPLE_CHANGES))

    assert "Estimated series: `checkout_total` 2 → 3 (+1)" in text
    assert "| `checkout_total` | 2 | 3 | +1 |" in text


def test_no_changes(review: Review) -> None:
    text = render_markdown(review())

    assert text.splitlines()[1] == "### metricsctl diff: ✅ no changes to the metrics catalog"
    assert "<details>" not in text


def test_only_safe_changes(review: Review) -> None:
    text = render_markdown(review(("shop.yaml", "help: Checkouts by outcome.", "help: Sales.")))

    assert text.splitlines()[1] == ("### metricsctl diff: ✅ no breaking or risky changes "
                                    "(0 breaking, 0 risky, 1 safe change)")


def test_hostile_names_and_values_cannot_break_the_markup(review: Review) -> None:
    report = review(("shop.yaml", "values: [paid, declined]",
                     "values: [paid, declined, 'a|`b`', '<script>x</script>']"),
                    ("shop.yaml", "help: Checkouts by outcome.",
                     "help: 'Checkouts *by* outcome </details> ``` |'"))

    text = render_markdown(report)

    # Code spans padded where the value ends with a backtick (CommonMark strips the pads).
    assert "values added `` a|`b` ``, `<script>x</script>`;" in text
    # A fence longer than any backtick run in the diff it holds.
    assert "  ````diff\n  - Checkouts by outcome.\n  + Checkouts *by* outcome </details> ``` |\n" \
           "  ````" in text


def test_message_escaping() -> None:
    assert markdown.text("a *b* <i>|c|</i> #1") == r"a \*b\* &lt;i&gt;\|c\|&lt;/i&gt; \#1"
    assert markdown.code("x") == "`x`"
    assert markdown.code("a `b` c") == "``a `b` c``"
    assert markdown.code("`x`") == "`` `x` ``"


def test_a_long_report_is_shortened_to_fit_a_comment(review: Review,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    report = review(*SAMPLE_CHANGES)
    full = render_markdown(report)
    monkeypatch.setattr(markdown, "MAX_LENGTH", len(full) - 1)
    monkeypatch.setattr(markdown, "SHORT_LIST", 2)

    short = render_markdown(report)

    assert len(short) < len(full)
    assert "- …and 4 more" in short
    assert "This report was shortened to fit in a comment" in short
    assert "```diff" not in short
    assert short.count("</details>") == short.count("<details>")


def test_a_long_breaking_section_is_foldable_but_open(review: Review,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "FOLD_BREAKING", 2)

    text = render_markdown(review(*SAMPLE_CHANGES))

    assert "<details open>\n<summary><b>❌ Breaking changes (6)</b></summary>" in text
    assert "#### ⚠️ Risky changes (2)" in text
