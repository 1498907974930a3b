"""Which charts a result gets and what they show: highlights, markers, gaps said in words.

Built from real results of the real knowledge base; the decisions are checked on the
pictures' parts, and what is drawn on the figures ``figure_of`` returns.
"""

from __future__ import annotations

import dataclasses

from knowledge import KnowledgeBase, aggregate, score
from knowledge.charts import render_summary, render_team, swatch
from knowledge.charts.examples import (
    CONTRIBUTORS,
    LEADERS,
    PERIOD,
    YOU,
    example_diagnosis,
    example_summary,
    example_team,
)
from knowledge.charts.figures import figure_of
from knowledge.charts.render import diagnosis_picture, summary_pictures, team_pictures
from knowledge.charts.spec import Bars, Scales, Stacks, lighten
from knowledge.diagnosis import Share
from knowledge.summary import build_summary
from tests.knowledge.charts.drawn import (
    DONT_KNOW,
    RND,
    assert_texts_apart,
    parts_of,
    summary_with,
    trend,
    words_of,
)

# --- The personal diagnosis --------------------------------------------------------------------


def test_the_best_fit_is_highlighted_in_its_colour_and_the_others_lighter(kb: KnowledgeBase) -> None:
    diagnosis = example_diagnosis(kb)
    bars, _ = parts_of(diagnosis_picture(diagnosis))
    assert isinstance(bars, Bars)
    assert [(b.label, b.text) for b in bars.bars] == [
        (s.archetype.name, f"{s.percent}%") for s in diagnosis.shares
    ]
    best, *others = bars.bars
    assert best.strong and best.colour == swatch(diagnosis.best).colour
    for bar, share in zip(others, diagnosis.shares[1:], strict=True):
        assert not bar.strong and bar.colour == lighten(swatch(share.archetype).colour)


def test_a_tie_highlights_every_archetype_tied_for_first(kb: KnowledgeBase) -> None:
    diagnosis = score(kb, RND)
    a, b, *rest = diagnosis.shares
    tied = dataclasses.replace(
        diagnosis, shares=(Share(a.archetype, 40), Share(b.archetype, 40), *rest), blend=True
    )
    bars, _ = parts_of(diagnosis_picture(tied))
    assert isinstance(bars, Bars)
    assert [bar.strong for bar in bars.bars] == [True, True] + [False] * len(rest)
    assert "close to" in diagnosis_picture(tied).title


def test_you_and_the_best_fits_place_are_two_markers_on_each_scale_between_its_ends(
    kb: KnowledgeBase,
) -> None:
    diagnosis = example_diagnosis(kb)
    _, scales = parts_of(diagnosis_picture(diagnosis))
    assert isinstance(scales, Scales)
    assert [m.label for m in scales.markers] == ["You", "Where the framework places Product-embedded"]
    assert scales.markers[1].colour == swatch(diagnosis.best).colour
    for scale, reading in zip(scales.scales, diagnosis.readings, strict=True):
        assert (scale.low, scale.high) == (reading.dimension.low_end, reading.dimension.high_end)
        assert scale.values == (reading.team, reading.suggested.scale if reading.suggested else None)
        assert scale.note == ""
    words = words_of(figure_of(diagnosis_picture(diagnosis)))
    for dimension in kb.dimensions:
        assert dimension.low_end in words and dimension.high_end in words


def test_all_dont_know_highlights_nothing_and_says_in_words_what_is_not_drawn(kb: KnowledgeBase) -> None:
    diagnosis = score(kb, DONT_KNOW)
    assert not diagnosis.enough
    picture = diagnosis_picture(diagnosis)
    bars, scales = parts_of(picture)
    assert isinstance(bars, Bars) and isinstance(scales, Scales)
    assert not any(bar.strong for bar in bars.bars)
    assert [m.label for m in scales.markers] == ["You"], "no best fit, so no best-fit marker"
    assert all(s.values == (None,) and s.note == "No answer placed you here" for s in scales.scales)
    figure = figure_of(picture)
    assert words_of(figure).count("No answer placed you here") == len(kb.dimensions)
    assert_texts_apart(figure)


def test_a_best_fit_without_a_position_is_said_in_words_not_drawn(kb: KnowledgeBase) -> None:
    nascent = kb.archetype("nascent")
    diagnosis = score(kb, RND)
    placed_nowhere = dataclasses.replace(
        diagnosis,
        best=nascent,
        readings=tuple(dataclasses.replace(r, suggested=None, gap=None) for r in diagnosis.readings),
    )
    _, scales = parts_of(diagnosis_picture(placed_nowhere))
    assert isinstance(scales, Scales)
    for scale in scales.scales:
        assert scale.values[1] is None
        assert scale.note == "The framework gives Nascent no position here"


def test_one_persons_diagnosis_draws_with_texts_apart(kb: KnowledgeBase) -> None:
    assert_texts_apart(figure_of(diagnosis_picture(score(kb, RND))))


# --- Teams -------------------------------------------------------------------------------------


def test_a_team_below_the_minimum_gets_no_chart(kb: KnowledgeBase) -> None:
    for size in (1, 2):
        team = aggregate(kb, [(score(kb, YOU), "contributor")] * size)
        assert not team.visible
        assert render_team(team) == ()


def test_the_team_mix_counts_people_by_best_fit(kb: KnowledgeBase) -> None:
    team = example_team(kb)
    (mix, perception) = team_pictures(team)
    assert (mix.key, perception.key) == ("team-mix", "team-perception")
    (bars,) = parts_of(mix)
    assert isinstance(bars, Bars)
    assert bars.top == team.placed == 6
    assert [(b.value, b.text) for b in bars.bars][:2] == [(4, "4 people (67%)"), (2, "2 people (33%)")]
    assert [b.strong for b in bars.bars] == [True, False, False, False, False]


def test_leaders_and_contributors_are_side_by_side_only_when_the_aggregate_has_them(
    kb: KnowledgeBase,
) -> None:
    without_roles = aggregate(kb, [(score(kb, answers), None) for answers in (*LEADERS, *CONTRIBUTORS)])
    assert without_roles.perception_gap is None
    assert [c.key for c in render_team(without_roles)] == ["team-mix"]

    team = example_team(kb)
    assert team.perception_gap is not None
    _, perception = team_pictures(team)
    (scales,) = parts_of(perception)
    assert isinstance(scales, Scales)
    assert [m.label for m in scales.markers] == ["Leaders (3)", "Contributors (3)"]
    assert len({(m.shape, m.filled) for m in scales.markers}) == 2, "the two groups need distinct markers"
    for scale, reading in zip(scales.scales, team.perception_gap.dimensions, strict=True):
        assert scale.values == (reading.leaders, reading.contributors)


def test_a_group_too_small_on_one_dimension_is_said_not_drawn(kb: KnowledgeBase) -> None:
    gap = example_team(kb).perception_gap
    assert gap is not None
    first = dataclasses.replace(gap.dimensions[0], leaders=None, difference=None)
    partial = dataclasses.replace(gap, dimensions=(first, *gap.dimensions[1:]))
    (scales,) = parts_of(team_pictures(dataclasses.replace(example_team(kb), perception_gap=partial))[1])
    assert isinstance(scales, Scales)
    assert scales.scales[0].values[0] is None and scales.scales[0].note == "Too few leaders placed here"


# --- Summaries ---------------------------------------------------------------------------------


def test_a_summary_gets_its_mix_trend_and_quiz_charts(kb: KnowledgeBase) -> None:
    assert [c.key for c in render_summary(example_summary(kb))] == [
        "summary-mix",
        "summary-trend",
        "summary-quiz",
    ]


def test_a_summary_below_the_minimum_has_no_mix_and_nothing_without_data(kb: KnowledgeBase) -> None:
    small = build_summary(kb, period=PERIOD, diagnoses=[(YOU, None), (RND, None)])
    assert not small.visible
    assert summary_pictures(small) == ()


def test_eight_empty_periods_draw_no_trend(kb: KnowledgeBase) -> None:
    summary = summary_with(example_summary(kb), trend=trend(kb, (False,) * 8))
    assert [p.key for p in summary_pictures(summary)] == ["summary-mix", "summary-quiz"]


def test_a_period_with_too_few_people_is_marked_instead_of_drawn(kb: KnowledgeBase) -> None:
    visible = (True, False, True, True, False, False, True, True)
    summary = summary_with(example_summary(kb), trend=trend(kb, visible))
    (picture,) = [p for p in summary_pictures(summary) if p.key == "summary-trend"]
    (stacks,) = parts_of(picture)
    assert isinstance(stacks, Stacks)
    assert [bool(c.segments) for c in stacks.columns] == list(visible)
    assert [c.note for c in stacks.columns if not c.segments] == ["too few people"] * 3
    assert stacks.columns[0].segments == (
        (swatch(kb.archetype("embedded")).colour, 50),
        (swatch(kb.archetype("independent")).colour, 30),
        (swatch(kb.archetypes[-1]).colour, 20),
    )
    assert [c.label for c in stacks.columns][-2:] == ["16 Nov", "23 Nov"]
    figure = figure_of(picture)
    assert words_of(figure).count("too few people") == 3
    assert_texts_apart(figure)


def test_the_most_missed_topic_is_highlighted_and_named(kb: KnowledgeBase) -> None:
    summary = example_summary(kb)
    (picture,) = [p for p in summary_pictures(summary) if p.key == "summary-quiz"]
    (bars,) = parts_of(picture)
    assert isinstance(bars, Bars)
    assert [b.strong for b in bars.bars] == [t.most_missed for t in summary.topic_accuracy]
    assert bars.bars[0].text == "39% of 18 · most missed"
    without = summary_pictures(summary_with(summary, topic_accuracy=()))
    assert [p.key for p in without] == ["summary-mix", "summary-trend"]
