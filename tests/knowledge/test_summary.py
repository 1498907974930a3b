"""The leadership summary, against the real content: what leaders see, and what they never see.

The summary condenses a period's diagnoses and quizzes; its one hard rule is
anonymity: nothing is broken down for fewer than the minimum group (3, or more if
the organization asks), whether archetypes, dimensions, change over time or quiz topics.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge import (
    MIN_GROUP,
    KnowledgeBase,
    Period,
    Summary,
    aggregate,
    build_summary,
    load_knowledge,
    render_summary_text,
    score,
    summary_headline,
)
from knowledge.summary import FOCUS_ITEMS, SHIFT_POINTS, SUGGEST_DIAGNOSE, SUGGEST_QUIZ, PeriodDiagnoses

PERIOD = Period(datetime(2026, 11, 22, 9, tzinfo=UTC), datetime(2026, 11, 29, 9, tzinfo=UTC))

#: How a member of each kind of organization answers (the personas of test_diagnosis).
RND = {
    "where_ml_happens": "research_lab",
    "data_access": "slow",
    "path_to_production": "rarely",
    "talent": "researchers",
    "time_horizon": "long_bets",
    "leadership": "small_budget",
    "engineering_or_research": "research",
    "data_ownership": "others_no_engineers",
}
EMBEDDED = {
    "where_ml_happens": "product_teams",
    "data_access": "slow",
    "path_to_production": "builders_run_them",
    "talent": "very_hard",
    "time_horizon": "quick_only",
    "leadership": "dont_know",
    "engineering_or_research": "engineering",
    "data_ownership": "pipelines_together",
}
#: Still product-embedded, but the ML people own far more data than the archetype suggests.
EMBEDDED_OWNING_DATA = {**EMBEDDED, "data_access": "good", "data_ownership": "ml_owns_infra"}
INDEPENDENT = {
    "where_ml_happens": "own_division",
    "data_access": "good",
    "path_to_production": "handoff_we_maintain",
    "talent": "hard_to_grow",
    "time_horizon": "products_plus_research",
    "leadership": "senior_sponsor",
    "engineering_or_research": "mixed",
    "data_ownership": "governance_voice",
}


def people(*answers: dict[str, str], role: str | None = None) -> list[tuple[dict[str, str], str | None]]:
    return [(a, role) for a in answers]


def summarize(kb: KnowledgeBase, **kwargs: object) -> Summary:
    args: dict[str, object] = {"period": PERIOD, "diagnoses": (), "previous": (), "quiz_records": ()}
    args.update(kwargs)
    return build_summary(kb, **args)  # type: ignore[arg-type]


def archetype_names(kb: KnowledgeBase) -> list[str]:
    return [a.short_name for a in kb.archetypes]


def assert_no_breakdown(summary: Summary) -> None:
    assert not summary.visible
    assert summary.team.distribution == ()
    assert summary.team.readings == ()
    assert summary.team.leading is None
    assert summary.team.perception_gap is None
    assert summary.change is None


# --- No data -----------------------------------------------------------------------------------


def test_with_no_data_the_summary_says_so_and_suggests_how_to_start(kb: KnowledgeBase) -> None:
    summary = summarize(kb)
    assert summary.empty
    assert summary.respondents == 0
    assert summary.suggestions == (SUGGEST_DIAGNOSE, SUGGEST_QUIZ)
    assert "/mlorg diagnose team" in SUGGEST_DIAGNOSE
    assert "/mlorg quiz" in SUGGEST_QUIZ
    assert summary.focus == ()
    assert summary.quiz is None
    text = render_summary_text(summary)
    assert "/mlorg diagnose team" in text
    assert "/mlorg quiz" in text
    assert "no diagnoses or quiz answers yet" in summary_headline(summary)


def test_a_period_with_diagnoses_but_no_quiz_suggests_a_quiz_only(kb: KnowledgeBase) -> None:
    summary = summarize(kb, diagnoses=people(EMBEDDED, EMBEDDED, EMBEDDED))
    assert not summary.empty
    assert summary.suggestions == (SUGGEST_QUIZ,)


# --- Anonymity ---------------------------------------------------------------------------------


def test_two_people_get_no_breakdown_and_a_note_saying_when_it_appears(kb: KnowledgeBase) -> None:
    summary = summarize(kb, diagnoses=people(EMBEDDED, RND))
    assert summary.respondents == 2
    assert_no_breakdown(summary)
    assert summary.focus == ()
    assert any("2 people took the diagnosis" in n and "from 3" in n for n in summary.notes)
    text = render_summary_text(summary)
    assert "from 3" in text
    for name in archetype_names(kb):
        assert name not in text


def test_exactly_three_people_are_enough_for_the_breakdown(kb: KnowledgeBase) -> None:
    summary = summarize(kb, diagnoses=people(EMBEDDED, EMBEDDED, INDEPENDENT))
    assert summary.visible
    assert summary.respondents == 3
    assert summary.leading is not None
    assert summary.leading.id == "embedded"
    counts = {t.archetype.id: t.best_fit for t in summary.team.distribution}
    assert (counts["embedded"], counts["independent"]) == (2, 1)
    assert summary.notes == ("No diagnoses in the previous period to compare with.",)
    text = render_summary_text(summary)
    assert "Product-embedded: best fit for 2 of 3" in text
    assert "Independent ML division: best fit for 1 of 3" in text


def test_a_min_group_of_five_hides_four_people(kb: KnowledgeBase) -> None:
    four = summarize(kb, diagnoses=people(*[EMBEDDED] * 4), min_group=5)
    assert four.min_group == 5
    assert_no_breakdown(four)
    assert any("from 5" in n for n in four.notes)

    five = summarize(kb, diagnoses=people(*[EMBEDDED] * 5), min_group=5)
    assert five.visible


def test_a_min_group_below_three_counts_as_three(kb: KnowledgeBase) -> None:
    for min_group in (2, 1, 0, -4):
        summary = summarize(kb, diagnoses=people(EMBEDDED, EMBEDDED), min_group=min_group)
        assert summary.min_group == MIN_GROUP
        assert_no_breakdown(summary)
        results = [(score(kb, EMBEDDED), None)] * 2
        assert not aggregate(kb, results, min_group=min_group).visible


def test_aggregate_applies_a_larger_group_to_every_threshold(kb: KnowledgeBase) -> None:
    results = [(score(kb, EMBEDDED), "leader")] * 4 + [(score(kb, RND), "contributor")] * 4
    assert aggregate(kb, results).perception_gap is not None
    strict = aggregate(kb, results, min_group=5)
    assert strict.visible  # eight placed people
    assert strict.perception_gap is None  # but only four in each role
    assert aggregate(kb, results, min_group=9).distribution == ()


def test_people_who_said_too_little_are_counted_but_not_placed(kb: KnowledgeBase) -> None:
    dont_know = {q.id: "dont_know" for q in kb.questions}
    summary = summarize(kb, diagnoses=people(EMBEDDED, EMBEDDED, dont_know))
    assert (summary.respondents, summary.team.placed) == (3, 2)
    assert_no_breakdown(summary)
    assert any(n.startswith("3 people took the diagnosis") for n in summary.notes)
    # How many were left out is a count of people too: never said below the group size.
    assert not any("placed" in n or "too few questions" in n for n in summary.notes)


# --- Change since the previous period ---------------------------------------------------------


def test_change_since_the_previous_period_names_both_archetypes(kb: KnowledgeBase) -> None:
    summary = summarize(kb, diagnoses=people(*[EMBEDDED] * 3), previous=people(*[RND] * 3))
    change = summary.change
    assert change is not None
    assert change.leader_changed
    assert (change.previous_leading.id, change.leading.id) == ("rnd", "embedded")
    moved = {s.archetype.id: s for s in change.shifts}
    assert moved["embedded"].points >= SHIFT_POINTS
    assert moved["rnd"].points <= -SHIFT_POINTS
    assert all(abs(s.points) >= SHIFT_POINTS for s in change.shifts)
    sizes = [abs(s.points) for s in change.shifts]
    assert sizes == sorted(sizes, reverse=True)
    text = render_summary_text(summary)
    assert "R&D -> Product-embedded" in text
    assert "was R&D" in summary_headline(summary)


def test_the_same_picture_twice_reports_no_shift(kb: KnowledgeBase) -> None:
    summary = summarize(kb, diagnoses=people(*[RND] * 3), previous=people(*[RND] * 4))
    assert summary.change is not None
    assert not summary.change.leader_changed
    assert summary.change.shifts == ()
    assert summary.change.previous_placed == 4


def test_no_change_when_either_period_was_too_small(kb: KnowledgeBase) -> None:
    small_before = summarize(kb, diagnoses=people(*[EMBEDDED] * 3), previous=people(RND, RND))
    assert small_before.change is None
    assert any("previous period" in n and "fewer than 3" in n for n in small_before.notes)
    small_now = summarize(kb, diagnoses=people(EMBEDDED, EMBEDDED), previous=people(*[RND] * 3))
    assert small_now.change is None
    assert "R&D" not in render_summary_text(small_now)


# --- Quizzes -----------------------------------------------------------------------------------


def quiz(topic: str, question: str, results: dict[str, list[bool]]) -> list[tuple[str, str, str, bool]]:
    """Records for one question: each user's answers, in order."""
    return [(question, topic, user, ok) for user, oks in results.items() for ok in oks]


def test_most_missed_topics_are_ordered_by_miss_rate_and_need_enough_answers(kb: KnowledgeBase) -> None:
    records = [
        *quiz("data_ownership", "q1", {"u1": [False], "u2": [False], "u3": [True]}),  # 67% missed
        *quiz("rnd", "q2", {"u1": [False], "u2": [True], "u3": [True], "u4": [True]}),  # 25% missed
        *quiz("embedded", "q3", {"u1": [False], "u2": [False], "u3": [False], "u4": [True]}),  # 75%
        *quiz("ml_first", "q4", {"u1": [False], "u2": [False]}),  # 100%, but only two answers
        *quiz("no_such_topic", "q5", {"u1": [False], "u2": [False], "u3": [False]}),  # unknown topic
        *quiz("nascent", "q6", {"u1": [True], "u2": [True], "u3": [True]}),  # never missed
    ]
    summary = summarize(kb, quiz_records=records)
    assert summary.quiz_visible
    assert summary.quiz is not None
    assert (summary.quiz_participants, summary.quiz_answers) == (4, len(records))
    assert [(m.topic.id, m.miss_rate, m.answers) for m in summary.most_missed_topics] == [
        ("embedded", 75, 4),
        ("data_ownership", 67, 3),
        ("rnd", 25, 4),
    ]
    text = render_summary_text(summary)
    assert "the Product-embedded archetype (75% missed of 4)" in text
    assert "Revisit the Product-embedded archetype" in summary.focus[-1]


def test_quiz_results_below_the_group_size_report_only_the_count(kb: KnowledgeBase) -> None:
    records = quiz("data_ownership", "q1", {"u1": [False, False, False], "u2": [True, False]})
    summary = summarize(kb, quiz_records=records)
    assert not summary.quiz_visible
    assert summary.quiz is None
    assert summary.most_missed_topics == ()
    assert summary.quiz_answers == 5
    assert summary.focus == ()
    assert any("5 quiz answers" in n and "from 3" in n for n in summary.notes)
    text = render_summary_text(summary)
    assert "%" not in text
    assert "Data ownership" not in text


def test_a_topic_answered_by_too_few_people_is_not_called_out(kb: KnowledgeBase) -> None:
    records = [
        *quiz("rnd", "q1", {"u1": [True], "u2": [True], "u3": [True]}),
        *quiz("data_ownership", "q2", {"u1": [False, False, False, False]}),  # one person, four misses
    ]
    summary = summarize(kb, quiz_records=records)
    assert summary.quiz_visible
    assert summary.most_missed_topics == ()


def test_malformed_quiz_records_are_skipped(kb: KnowledgeBase) -> None:
    records: list[object] = [
        ("q1", "rnd", "u1", False),
        ("too", "short"),
        None,
        (1, "rnd", "u2", True),
        ("q1", "rnd", "u2", "yes"),  # not a bool True: counted, as a miss
    ]
    summary = summarize(kb, quiz_records=records)
    assert (summary.quiz_answers, summary.quiz_participants) == (2, 2)


# --- Focus -------------------------------------------------------------------------------------


def test_focus_starts_with_the_leading_archetypes_next_step(kb: KnowledgeBase) -> None:
    summary = summarize(kb, diagnoses=people(*[EMBEDDED] * 3))
    embedded = kb.archetype("embedded")
    assert summary.focus[0] == embedded.next_steps[0]
    assert set(summary.focus) <= set(embedded.next_steps)
    assert 1 <= len(summary.focus) <= FOCUS_ITEMS


def test_focus_adds_the_advice_for_a_dimension_gap(kb: KnowledgeBase) -> None:
    summary = summarize(kb, diagnoses=people(*[EMBEDDED_OWNING_DATA] * 3))
    assert summary.leading is not None
    assert summary.leading.id == "embedded"
    data = next(r for r in summary.team.readings if r.dimension.id == "data_ownership")
    assert data.is_gap
    assert data.gap is not None
    assert data.gap > 0  # further toward owning the data infrastructure than embedded suggests
    assert summary.focus[0] == summary.leading.next_steps[0]
    assert kb.dimension("data_ownership").toward_low in summary.focus
    assert kb.dimension("data_ownership").toward_high not in summary.focus
    assert "a gap" in render_summary_text(summary)


def test_focus_holds_a_step_a_gap_and_a_topic_to_revisit_within_four_items(kb: KnowledgeBase) -> None:
    records = quiz("model_ownership", "q1", {"u1": [False], "u2": [False], "u3": [True]})
    summary = summarize(kb, diagnoses=people(*[EMBEDDED_OWNING_DATA] * 3), quiz_records=records)
    assert len(summary.focus) == FOCUS_ITEMS
    assert summary.focus[0] == kb.archetype("embedded").next_steps[0]
    assert kb.dimension("data_ownership").toward_low in summary.focus
    assert summary.focus[-1].startswith("Revisit Model ownership")
    assert len(set(summary.focus)) == len(summary.focus)


def test_an_archetype_without_next_steps_turns_its_challenges_into_focus(kb: KnowledgeBase) -> None:
    bare = tuple(a.model_copy(update={"next_steps": ()}) for a in kb.archetypes)
    plain = KnowledgeBase(bare, kb.dimensions, kb.questions, kb.role_question, kb.quiz)
    summary = summarize(plain, diagnoses=people(*[RND] * 3))
    assert summary.focus
    assert summary.focus[0].startswith("Work on a known challenge of the R&D archetype")


# --- Rendering and the period ------------------------------------------------------------------


def test_a_full_summary_reads_in_about_a_minute(kb: KnowledgeBase) -> None:
    records = [
        *quiz("data_ownership", "q1", {"u1": [False], "u2": [False], "u3": [True]}),
        *quiz("rnd", "q2", {"u1": [False], "u2": [True], "u3": [True]}),
    ]
    weeks = [PERIOD.previous().previous()]
    while len(weeks) < 6:
        weeks.insert(0, weeks[0].previous())
    summary = summarize(
        kb,
        diagnoses=[*people(EMBEDDED_OWNING_DATA, EMBEDDED, INDEPENDENT, RND), (EMBEDDED, "leader")],
        previous=people(*[RND] * 3),
        quiz_records=records,
        earlier=[PeriodDiagnoses(week, people(*[RND] * (1 + n % 3))) for n, week in enumerate(weeks)],
    )
    text = render_summary_text(summary)
    assert "Over the last 8 weeks" in text and "Right by topic" in text
    # About a minute at an ordinary reading pace, with the trend and accuracy per topic in it.
    assert len(text.split()) <= 360
    assert len(text) < 3000
    headline = summary_headline(summary)
    assert "\n" not in headline
    assert len(headline) <= 150
    assert headline.startswith("22–29 Nov 2026: 5 people diagnosed")


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (datetime(2026, 11, 22, 9, tzinfo=UTC), datetime(2026, 11, 29, 9, tzinfo=UTC), "22–29 Nov 2026"),
        (datetime(2026, 11, 22, tzinfo=UTC), datetime(2026, 11, 29, tzinfo=UTC), "22–28 Nov 2026"),
        (datetime(2026, 11, 28, tzinfo=UTC), datetime(2026, 12, 5, 12, tzinfo=UTC), "28 Nov – 5 Dec 2026"),
        (datetime(2026, 12, 28, tzinfo=UTC), datetime(2027, 1, 4, 8, tzinfo=UTC), "28 Dec 2026 – 4 Jan 2027"),
        (datetime(2026, 11, 22, 9, tzinfo=UTC), datetime(2026, 11, 22, 17, tzinfo=UTC), "22 Nov 2026"),
    ],
)
def test_a_period_has_a_human_label(start: datetime, end: datetime, label: str) -> None:
    assert Period(start, end).label == label


def test_a_period_is_aware_and_knows_its_predecessor() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Period(datetime(2026, 11, 22), datetime(2026, 11, 29))
    with pytest.raises(ValueError, match="end before"):
        Period(PERIOD.end, PERIOD.start)
    week = Period.ending(PERIOD.end)
    assert week == PERIOD
    assert week.previous() == Period(PERIOD.start - timedelta(days=7), PERIOD.start)
    assert PERIOD.start in PERIOD
    assert PERIOD.end not in PERIOD
    assert datetime(2026, 11, 25, tzinfo=timezone(timedelta(hours=5))) in PERIOD
    assert datetime(2026, 11, 25) not in PERIOD


# --- Any input ---------------------------------------------------------------------------------

_KB = load_knowledge()
_QUESTION_IDS = [q.id for q in _KB.questions] + ([_KB.role_question.id] if _KB.role_question else [])
_OPTION_IDS = sorted({o.id for q in _KB.questions for o in q.options})
_TOPIC_IDS = [t.id for t in _KB.topics]
_answers = st.dictionaries(
    st.one_of(st.sampled_from(_QUESTION_IDS), st.text(max_size=20)),
    st.one_of(st.sampled_from(_OPTION_IDS), st.text(max_size=20)),
    max_size=12,
)
_people = st.lists(st.tuples(_answers, st.sampled_from(["leader", "contributor", None, "x"])), max_size=8)
_records = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(["q1", "q2", "q3"]), st.text(max_size=10)),
        st.one_of(st.sampled_from(_TOPIC_IDS), st.text(max_size=10)),
        st.sampled_from(["u1", "u2", "u3", "u4", "u5"]),
        st.booleans(),
    ),
    max_size=30,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_people, _people, _records, st.integers(min_value=-3, max_value=8))
def test_any_input_gives_a_summary_that_keeps_people_anonymous(
    now: list[tuple[dict[str, str], str | None]],
    before: list[tuple[dict[str, str], str | None]],
    records: list[tuple[str, str, str, bool]],
    min_group: int,
) -> None:
    summary = build_summary(
        _KB, period=PERIOD, diagnoses=now, previous=before, quiz_records=records, min_group=min_group
    )
    group = max(MIN_GROUP, min_group)
    assert summary.min_group == group
    assert summary.respondents == len(now)
    if summary.team.placed < group:
        assert_no_breakdown(summary)
        assert all(step.startswith("Revisit") for step in summary.focus)
    else:
        assert sum(t.best_fit for t in summary.team.distribution) == summary.team.placed
    players = len({user for _, _, user, _ in records})
    assert summary.quiz_participants == players
    if players < group:
        assert summary.quiz is None
        assert summary.most_missed_topics == ()
    for accuracy in summary.topic_accuracy:
        answered = {user for _, topic, user, _ in records if topic == accuracy.topic.id}
        assert len(answered) >= group, "a topic is only named when enough people answered it"
    assert len(summary.most_missed_topics) <= 3
    assert all(m.topic.id in _TOPIC_IDS for m in summary.most_missed_topics)
    assert len(summary.focus) <= FOCUS_ITEMS
    assert summary.empty == (not now and not records)
    render_summary_text(summary)
    headline = summary_headline(summary)
    assert "\n" not in headline
    assert len(headline) <= 150


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 7, 0, 0, tzinfo=UTC),  # Monday midnight: the week just ended
        datetime(2026, 12, 9, 15, 30, tzinfo=UTC),
        datetime(2026, 12, 13, 23, 59, 59, tzinfo=UTC),
        datetime(2026, 12, 14, 1, 0, tzinfo=timezone(timedelta(hours=3))),  # still Sunday in UTC
    ],
)
def test_the_last_whole_week_is_fixed_by_the_moment_not_by_who_asks(moment: datetime) -> None:
    # Every moment from Monday 7 December 00:00 UTC to the next Monday reports the same week.
    assert Period.week_before(moment) == Period(
        datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC)
    )


def test_week_before_refuses_a_naive_moment() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Period.week_before(datetime(2026, 12, 9))
