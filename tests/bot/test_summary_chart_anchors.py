"""Where the summary's charts go, and the words that stay when there are no pictures.

The charts are added after sections found by stable block ids (``CHART_ANCHORS``); the
sections themselves carry the same figures as text, for screen readers, notifications and
a message whose upload failed. With three images added, a message still fits in 50 blocks.
"""

from __future__ import annotations

from typing import Any

from bot.features.summary import ids
from bot.features.summary.blocks import CHART_ANCHORS, build_preview, build_summary_message
from knowledge.summary import PeriodDiagnoses, Summary, build_summary, trend_line
from tests.bot.test_summary_blocks import (
    KB,
    MAX_BLOCKS_MESSAGE,
    PERIOD,
    _people,
    _quiz,
    assert_within_message_limits,
)


def earlier(sizes: list[int]) -> list[PeriodDiagnoses]:
    """Six weeks before the previous one, oldest first, with this many people each."""
    weeks = [PERIOD.previous().previous()]
    while len(weeks) < len(sizes):
        weeks.insert(0, weeks[0].previous())
    return [
        PeriodDiagnoses(week, _people(size, offset=n))
        for n, (week, size) in enumerate(zip(weeks, sizes, strict=True))
    ]


def full_with_trend() -> Summary:
    return build_summary(
        KB,
        period=PERIOD,
        diagnoses=_people(60),
        previous=_people(40, offset=3),
        quiz_records=_quiz(25),
        earlier=earlier([30, 2, 0, 12, 45, 9]),
    )


def section_with(blocks: list[dict[str, Any]], block_id: str) -> dict[str, Any]:
    (found,) = [b for b in blocks if b.get("block_id") == block_id]
    assert found["type"] == "section"
    return found


def test_the_chart_keys_name_three_distinct_sections() -> None:
    assert CHART_ANCHORS == {
        "summary-mix": "summary_mix",
        "summary-trend": "summary_trend",
        "summary-quiz": "summary_quiz",
    }
    assert tuple(CHART_ANCHORS.values()) == (ids.MIX_BLOCK, ids.TREND_BLOCK, ids.QUIZ_BLOCK)


def test_every_chart_of_a_full_summary_has_its_section_with_the_figures_in_words() -> None:
    summary = full_with_trend()
    blocks = build_summary_message(summary)

    mix = section_with(blocks, CHART_ANCHORS["summary-mix"])["text"]["text"]
    trend = section_with(blocks, CHART_ANCHORS["summary-trend"])["text"]["text"]
    quiz = section_with(blocks, CHART_ANCHORS["summary-quiz"])["text"]["text"]

    assert mix.startswith("*Where the organization stands* (60 people placed)")
    line = trend_line(summary)
    assert line is not None and line in trend
    assert "2 of 8 weeks had too few people to show" in line  # the week of two, the week of nobody
    assert summary.topic_accuracy
    assert "Right by topic: " in quiz
    assert quiz.count("(most missed)") == 1
    marked = next(t for t in summary.topic_accuracy if t.most_missed)
    assert f"{marked.percent}% of {marked.answers} (most missed)" in quiz
    order = [b.get("block_id") for b in blocks]
    assert order.index(ids.MIX_BLOCK) < order.index(ids.TREND_BLOCK) < order.index(ids.QUIZ_BLOCK)


def test_a_full_summary_with_three_charts_added_still_fits_a_message_and_a_preview() -> None:
    summary = full_with_trend()
    message = build_summary_message(summary)
    preview = build_preview(summary, channel_id="C0LEAD", channel_name="leadership", value="v")

    for blocks in (message, preview):
        assert_within_message_limits(blocks)
        assert len(blocks) + len(CHART_ANCHORS) <= MAX_BLOCKS_MESSAGE
        block_ids = [b["block_id"] for b in blocks if "block_id" in b]
        assert len(block_ids) == len(set(block_ids)), "Slack refuses a message with a repeated block_id"


def test_a_summary_too_small_to_break_down_has_no_mix_section_and_names_no_topic() -> None:
    summary = build_summary(
        KB, period=PERIOD, diagnoses=_people(2), quiz_records=_quiz(2), earlier=earlier([0, 0, 0, 0, 0, 0])
    )
    blocks = build_summary_message(summary)
    found = {b.get("block_id") for b in blocks}

    assert ids.MIX_BLOCK not in found
    assert "Right by topic" not in section_with(blocks, ids.QUIZ_BLOCK)["text"]["text"]
    trend = section_with(blocks, ids.TREND_BLOCK)["text"]["text"]
    assert "no week had enough people placed" in trend
    assert "%" not in trend


def test_a_quiet_week_keeps_the_trend_of_the_weeks_before_it() -> None:
    summary = build_summary(KB, period=PERIOD, diagnoses=[], previous=_people(5), earlier=earlier([3] * 6))
    blocks = build_summary_message(summary)

    assert summary.empty
    line = trend_line(summary)
    assert line is not None and line in section_with(blocks, ids.TREND_BLOCK)["text"]["text"]
    assert "1 of 8 weeks had too few people to show" in line


def test_a_quiet_week_with_nothing_to_show_before_it_has_no_trend_section() -> None:
    summary = build_summary(KB, period=PERIOD, diagnoses=[], earlier=earlier([2] * 6))

    assert ids.TREND_BLOCK not in {b.get("block_id") for b in build_summary_message(summary)}
