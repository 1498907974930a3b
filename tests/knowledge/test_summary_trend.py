"""The data behind the leadership summary's charts: the trend over eight weeks and quiz accuracy per topic.

Both obey the summary's one hard rule: nothing is broken down for fewer than the minimum
group. A week with too few people placed is a gap in the trend, never a small number; a
quiz topic answered by too few people is never named, whatever its number of answers.
"""

from __future__ import annotations

from knowledge import KnowledgeBase, render_summary_text
from knowledge.summary import (
    TREND_PERIODS,
    PeriodDiagnoses,
    Summary,
    TopicAccuracy,
    TrendPoint,
    build_summary,
    build_trend,
    topic_accuracy_text,
    trend_line,
)
from knowledge.summary.render import TOPICS_LISTED
from tests.knowledge.test_summary import EMBEDDED, INDEPENDENT, PERIOD, RND, people, quiz

#: The trend's eight weeks, oldest first, ending with the summary's own.
WEEKS = [PERIOD]
while len(WEEKS) < TREND_PERIODS:
    WEEKS.insert(0, WEEKS[0].previous())


def dont_know(kb: KnowledgeBase) -> dict[str, str]:
    return {q.id: "dont_know" for q in kb.questions}


def mix_of(point: TrendPoint) -> dict[str, int]:
    return {archetype.id: percent for archetype, percent in point.mix}


def summarize_with_history(kb: KnowledgeBase, **kwargs: object) -> Summary:
    """This week three embedded, last week three R&D, and six earlier weeks, one of them small."""
    earlier = [
        PeriodDiagnoses(week, people(*[RND] * 3) if n != 2 else people(RND, EMBEDDED))
        for n, week in enumerate(WEEKS[:-2])
    ]
    args: dict[str, object] = {
        "period": PERIOD,
        "diagnoses": people(EMBEDDED, EMBEDDED, INDEPENDENT),
        "previous": people(*[RND] * 3),
        "earlier": earlier,
    }
    args.update(kwargs)
    return build_summary(kb, **args)  # type: ignore[arg-type]


# --- The trend ---------------------------------------------------------------------------------


def test_eight_weeks_with_gaps_leave_the_small_weeks_empty_and_the_others_summing_to_100(
    kb: KnowledgeBase,
) -> None:
    history = [
        PeriodDiagnoses(WEEKS[0], people(RND, RND, RND)),
        PeriodDiagnoses(WEEKS[1], people(RND, EMBEDDED)),  # two people: a gap
        PeriodDiagnoses(WEEKS[2], ()),  # nobody: a gap
        PeriodDiagnoses(WEEKS[3], [*people(EMBEDDED, EMBEDDED), (dont_know(kb), None)]),  # two placed
        PeriodDiagnoses(WEEKS[4], people(RND, EMBEDDED, INDEPENDENT)),
        PeriodDiagnoses(WEEKS[5], people(*[EMBEDDED] * 4, *[RND] * 2, INDEPENDENT)),
        PeriodDiagnoses(WEEKS[6], people(EMBEDDED, EMBEDDED, EMBEDDED)),
        PeriodDiagnoses(WEEKS[7], people(*[INDEPENDENT] * 5, EMBEDDED)),
    ]

    trend = build_trend(kb, history)

    assert [p.period for p in trend] == WEEKS
    assert [p.visible for p in trend] == [True, False, False, False, True, True, True, True]
    assert [p.placed for p in trend] == [3, 2, 0, 2, 3, 7, 3, 6]
    for point in trend:
        if point.visible:
            assert [a.number for a, _ in point.mix] == [1, 2, 3, 4, 5], "every archetype, in order"
            assert sum(percent for _, percent in point.mix) == 100
        else:
            assert point.mix == (), "a week with too few people placed is a gap, not a small number"
    # A third each does not divide 100: the extra point goes to the lowest archetype number.
    assert mix_of(trend[4]) == {"nascent": 0, "rnd": 34, "embedded": 33, "independent": 33, "ml_first": 0}
    # 4/7, 2/7, 1/7 by largest remainder: 57.1, 28.6, 14.3.
    assert mix_of(trend[5]) == {"nascent": 0, "rnd": 29, "embedded": 57, "independent": 14, "ml_first": 0}
    assert mix_of(trend[7])["independent"] == 83


def test_a_larger_minimum_group_turns_more_weeks_into_gaps(kb: KnowledgeBase) -> None:
    history = [PeriodDiagnoses(WEEKS[0], people(*[RND] * 4)), PeriodDiagnoses(WEEKS[1], people(*[RND] * 5))]

    assert [p.visible for p in build_trend(kb, history, min_group=5)] == [False, True]
    assert [p.visible for p in build_trend(kb, history, min_group=1)] == [True, True], "never below 3"


def test_an_empty_history_gives_an_empty_trend(kb: KnowledgeBase) -> None:
    assert build_trend(kb, []) == ()
    without = build_summary(kb, period=PERIOD, diagnoses=people(*[RND] * 3))
    assert without.trend == () and without.earlier_shown == ()
    assert trend_line(without) is None
    assert "Over the last" not in render_summary_text(without)


def test_with_no_earlier_weeks_the_trend_is_the_previous_week_and_this_one(kb: KnowledgeBase) -> None:
    summary = build_summary(kb, period=PERIOD, diagnoses=people(*[RND] * 3), earlier=[])

    assert [p.period for p in summary.trend] == [PERIOD.previous(), PERIOD]
    assert [p.visible for p in summary.trend] == [False, True]


def test_the_trend_ends_with_the_summarys_own_week_and_agrees_with_its_distribution(
    kb: KnowledgeBase,
) -> None:
    summary = summarize_with_history(kb)

    assert len(summary.trend) == TREND_PERIODS
    assert [p.period for p in summary.trend] == WEEKS
    last = summary.trend[-1]
    assert last.visible and last.placed == summary.team.placed == 3
    counts = {t.archetype.id: t.best_fit for t in summary.team.distribution}
    assert {a: round(100 * n / 3) for a, n in counts.items()} == {**mix_of(last), "rnd": 0, "embedded": 67}
    assert max(last.mix, key=lambda pair: pair[1])[0] == summary.leading
    assert mix_of(summary.trend[-2])["rnd"] == 100, "the previous week as the change compares it"
    assert [p.visible for p in summary.trend] == [True, True, False, True, True, True, True, True]
    # The pure function over the same weeks draws exactly the same points.
    again = build_trend(
        kb,
        [
            *(
                PeriodDiagnoses(p.period, people(*[RND] * 3) if n != 2 else people(RND, EMBEDDED))
                for n, p in enumerate(summary.trend[:-2])
            ),
            PeriodDiagnoses(WEEKS[-2], people(*[RND] * 3)),
            PeriodDiagnoses(PERIOD, people(EMBEDDED, EMBEDDED, INDEPENDENT)),
        ],
    )
    assert again == summary.trend


def test_more_earlier_weeks_than_the_trend_holds_keep_the_most_recent(kb: KnowledgeBase) -> None:
    older = [WEEKS[0]]
    while len(older) < 4:
        older.insert(0, older[0].previous())
    earlier = [PeriodDiagnoses(week, people(*[RND] * 3)) for week in [*older[:-1], *WEEKS[:-2]]]

    summary = summarize_with_history(kb, earlier=earlier)

    assert [p.period for p in summary.trend] == WEEKS


def test_a_watched_week_in_the_trend_holds_back_a_change_by_one_person(kb: KnowledgeBase) -> None:
    """A week whose figures were shown for a, b, c and now would be a, b, c, d is not redrawn."""
    shown = {"all": ("a", "b", "c")}
    week = PeriodDiagnoses(WEEKS[0], people(*[RND] * 4), members=["a", "b", "c", "d"], shown=shown)
    same = PeriodDiagnoses(WEEKS[0], people(*[RND] * 3), members=["a", "b", "c"], shown=shown)

    (held,) = build_trend(kb, [week])
    (unchanged,) = build_trend(kb, [same])

    assert not held.visible and held.mix == ()
    assert unchanged.visible and unchanged.placed == 3
    summary = summarize_with_history(kb, earlier=[week, same])
    assert [s and tuple(s["all"]) for s in summary.earlier_shown] == [("a", "b", "c"), ("a", "b", "c")]


# --- Accuracy per topic ------------------------------------------------------------------------


def test_accuracy_per_topic_is_lowest_first_with_the_most_missed_topic_marked(kb: KnowledgeBase) -> None:
    records = [
        *quiz("data_ownership", "q1", {"u1": [False], "u2": [False], "u3": [True]}),  # 33% right
        *quiz("rnd", "q2", {"u1": [False], "u2": [True], "u3": [True], "u4": [True]}),  # 75%
        *quiz("embedded", "q3", {"u1": [False], "u2": [False], "u3": [False], "u4": [True]}),  # 25%
        *quiz("nascent", "q4", {"u1": [True], "u2": [True], "u3": [True]}),  # 100%
    ]

    summary = build_summary(kb, period=PERIOD, diagnoses=(), quiz_records=records)

    assert [(t.topic.id, t.answers, t.correct, t.percent) for t in summary.topic_accuracy] == [
        ("embedded", 4, 1, 25),
        ("data_ownership", 3, 1, 33),
        ("rnd", 4, 3, 75),
        ("nascent", 3, 3, 100),
    ]
    assert summary.most_missed_topics[0].topic.id == "embedded"
    assert [t.topic.id for t in summary.topic_accuracy if t.most_missed] == ["embedded"]
    text = render_summary_text(summary)
    assert "Right by topic: Product-embedded 25% of 4 (most missed), Data ownership 33% of 3" in text


def test_a_topic_answered_by_two_people_never_appears_however_often_they_answered(kb: KnowledgeBase) -> None:
    records = [
        *quiz("rnd", "q1", {"u1": [True], "u2": [True], "u3": [False]}),
        *quiz("data_ownership", "q2", {"u1": [False] * 5, "u2": [False] * 5}),  # ten answers, two people
    ]

    summary = build_summary(kb, period=PERIOD, diagnoses=(), quiz_records=records)

    assert summary.quiz_visible
    assert [t.topic.id for t in summary.topic_accuracy] == ["rnd"]
    assert [m.topic.id for m in summary.most_missed_topics] == ["rnd"]
    assert summary.topic_accuracy[0].most_missed
    assert "Data ownership" not in render_summary_text(summary)


def test_no_accuracy_per_topic_while_the_quiz_itself_is_too_small_to_show(kb: KnowledgeBase) -> None:
    records = quiz("rnd", "q1", {"u1": [True, False], "u2": [True]})

    summary = build_summary(kb, period=PERIOD, diagnoses=(), quiz_records=records)

    assert not summary.quiz_visible
    assert summary.topic_accuracy == ()


def test_a_larger_minimum_group_hides_a_topic_three_people_answered(kb: KnowledgeBase) -> None:
    records = [
        *quiz("rnd", "q1", {f"u{n}": [True] for n in range(4)}),
        *quiz("embedded", "q2", {"u0": [False], "u1": [False], "u2": [True]}),
    ]

    summary = build_summary(kb, period=PERIOD, diagnoses=(), quiz_records=records, min_group=4)

    assert [t.topic.id for t in summary.topic_accuracy] == ["rnd"]


# --- The words under the charts ----------------------------------------------------------------


def test_the_trend_line_follows_the_leading_archetype_and_counts_the_small_weeks(kb: KnowledgeBase) -> None:
    summary = summarize_with_history(kb)

    line = trend_line(summary)

    assert line == (
        f"Over the last 8 weeks, Product-embedded rose from 0% of people placed ({WEEKS[0].label}) "
        f"to 67% ({PERIOD.label}); 1 of 8 weeks had too few people to show."
    )
    assert line in render_summary_text(summary)


def test_a_week_too_small_to_show_follows_the_last_leader_shown(kb: KnowledgeBase) -> None:
    summary = summarize_with_history(kb, diagnoses=people(EMBEDDED, EMBEDDED))

    line = trend_line(summary)

    assert not summary.visible
    assert line is not None
    assert line.startswith(
        f"Over the last 8 weeks, R&D held at 100% of people placed from {WEEKS[0].label} to "
    )
    assert line.endswith("2 of 8 weeks had too few people to show.")
    assert "Product-embedded" not in line


def test_a_trend_with_no_week_large_enough_says_so_without_numbers(kb: KnowledgeBase) -> None:
    earlier = [PeriodDiagnoses(week, people(RND, EMBEDDED)) for week in WEEKS[:-2]]

    summary = summarize_with_history(kb, earlier=earlier, diagnoses=people(RND), previous=people(EMBEDDED))

    assert all(not p.visible for p in summary.trend)
    assert (
        trend_line(summary)
        == "Over the last 8 weeks, no week had enough people placed to show the mix of best fits."
    )


def test_a_trend_with_one_week_shown_names_it(kb: KnowledgeBase) -> None:
    earlier = [PeriodDiagnoses(week, ()) for week in WEEKS[:-2]]

    summary = summarize_with_history(kb, earlier=earlier, previous=())

    assert trend_line(summary) == (
        f"Over the last 8 weeks, only {PERIOD.label} had enough people placed: "
        "Product-embedded was the best fit of 67%; 7 of 8 weeks had too few people to show."
    )


def test_a_long_list_of_topics_is_cut_and_counted(kb: KnowledgeBase) -> None:
    topics = tuple(
        TopicAccuracy(kb.topics[n % len(kb.topics)], answers=3, correct=1, percent=33)
        for n in range(TOPICS_LISTED + 2)
    )

    text = topic_accuracy_text(topics)

    assert text.count("33% of 3") == TOPICS_LISTED
    assert text.endswith(", and 2 more topics")


def test_a_quiet_week_still_tells_the_trend_of_the_weeks_before_it(kb: KnowledgeBase) -> None:
    summary = summarize_with_history(kb, diagnoses=())

    assert summary.empty
    line = trend_line(summary)
    assert line is not None and line.endswith("2 of 8 weeks had too few people to show.")
    assert line in render_summary_text(summary)
