"""The words that stand in for each chart: every number the picture shows, within Slack's limit."""

from __future__ import annotations

import dataclasses

from knowledge import KnowledgeBase, score
from knowledge.charts import ALT_LIMIT
from knowledge.charts.alt import clip, diagnosis_alt, mix_alt, perception_alt, quiz_alt, trend_alt
from knowledge.charts.examples import example_diagnosis, example_summary, example_team
from knowledge.charts.render import diagnosis_picture, summary_pictures, team_pictures


def test_the_diagnosis_alt_text_carries_every_share_and_every_position(kb: KnowledgeBase) -> None:
    diagnosis = example_diagnosis(kb)
    alt = diagnosis_alt(diagnosis)
    assert alt.startswith("Best fit: Product-embedded (60%).")
    for share in diagnosis.shares:
        assert f"{share.archetype.short_name} {share.percent}%" in alt
    assert (
        "Data ownership (0 = Controls no data, 1 = Owns the data infrastructure): you 0.82, Product-embedded 0.35."
        in alt
    )


def test_an_unplaced_diagnosis_says_so_and_names_no_best_fit(kb: KnowledgeBase) -> None:
    diagnosis = score(kb, {"where_ml_happens": "dont_know", "data_access": "dont_know"})
    alt = diagnosis_alt(diagnosis)
    assert alt.startswith(f"Too few answers to place you (0 of {diagnosis.total} answered).")
    assert "Best fit" not in alt and "you not placed" in alt


def test_the_team_alt_text_counts_people_and_mean_shares(kb: KnowledgeBase) -> None:
    team = example_team(kb)
    alt = mix_alt(team)
    assert alt.startswith("Best fit of 6 people placed: Product-embedded 4 (mean share")
    assert all(
        f"{t.archetype.short_name} {t.best_fit} (mean share {t.mean_percent:g}%)" in alt
        for t in team.distribution
    )


def test_the_perception_alt_text_gives_both_groups_and_their_difference(kb: KnowledgeBase) -> None:
    gap = example_team(kb).perception_gap
    assert gap is not None
    alt = perception_alt(gap)
    assert alt.startswith("3 leaders and 3 contributors placed.")
    for d in gap.dimensions:
        # In tenths, as every group's position is shown (knowledge.anonymity.position).
        assert f"leaders {d.leaders:.1f}, contributors {d.contributors:.1f}" in alt
        assert d.difference is not None and f"difference {d.difference:+.1f}" in alt


def test_the_trend_alt_text_gives_each_period_or_says_it_had_too_few_people(kb: KnowledgeBase) -> None:
    trend = example_summary(kb).trend
    alt = trend_alt(trend)
    assert alt.count("too few people") == sum(not p.visible for p in trend) == 2
    assert (
        "5–11 Oct 2026: Nascent 0%, R&D 20%, Product-embedded 60%, Independent ML division 20%, ML-first 0% of 5 people"
        in alt
    )


def test_the_quiz_alt_text_names_the_most_missed_topic(kb: KnowledgeBase) -> None:
    alt = quiz_alt(example_summary(kb).topic_accuracy)
    assert alt.startswith(
        "Quiz accuracy by topic, lowest first: Data 39% right of 18 answers (most missed); "
    )


def test_every_title_is_short_and_every_alt_text_within_slacks_limit(
    long_kb: KnowledgeBase, kb: KnowledgeBase
) -> None:
    summary = example_summary(kb)
    # Many periods of many long names still fit: the alt text is cut at a word, with an ellipsis.
    long_trend = (
        tuple(
            dataclasses.replace(p, mix=tuple((a, 10) for a in long_kb.archetypes))
            for p in summary.trend
            if p.visible
        )
        * 10
    )
    pictures = (
        diagnosis_picture(score(long_kb, {})),
        *team_pictures(example_team(kb)),
        *summary_pictures(dataclasses.replace(summary, trend=long_trend)),
    )
    for picture in pictures:
        assert len(picture.alt) <= ALT_LIMIT
        assert picture.title == picture.heading and len(picture.title) <= 120
    trend_alt_text = next(p.alt for p in pictures if p.key == "summary-trend")
    assert len(trend_alt_text) > ALT_LIMIT - 100 and trend_alt_text.endswith("…")


def test_clip_cuts_at_a_word() -> None:
    assert clip("one two three", 9) == "one two…"
    assert clip("short", 9) == "short"
