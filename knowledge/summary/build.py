"""Building the leadership summary: what a period's diagnoses and quizzes say, for people who were not there.

Leaders rarely sit in the channels where teams diagnose themselves and play quizzes,
so :func:`build_summary` condenses a period into what they need in a minute: where
the organization stands among the archetypes, where people disagree, how that moved
since the previous period, what quiz players keep missing, and what to focus on next.

Anonymity is the rule that shapes everything here. Nothing is broken down for fewer
than ``min_group`` people (:func:`knowledge.anonymity.may_show` decides, everywhere):
below it the summary says how many took part and from how many the breakdown appears,
and nothing more. That holds for the archetype distribution and dimension readings
(through :func:`~knowledge.diagnosis.aggregate`), for the comparison with the previous
period (both periods must be visible), for every week of the trend (see
:mod:`~knowledge.summary.trend`), and for quiz results (overall and per topic).

Input arrives from the store and from people's clicks, so nothing here raises on odd
data: unknown question, option or topic ids are skipped, malformed records ignored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from fractions import Fraction

from knowledge.anonymity import MIN_GROUP, Ledger, Shown, group_size, may_show
from knowledge.base import KnowledgeBase
from knowledge.diagnosis import TeamAggregate, TeamReading, aggregate
from knowledge.quiz import MIN_ANSWERS_FOR_MISSED, TopicTally, question_stats
from knowledge.summary.entries import Entry, scored
from knowledge.summary.model import (
    TREND_PERIODS,
    ArchetypeShift,
    Change,
    MissedTopic,
    Summary,
    TopicAccuracy,
    TrendPoint,
    count_words,
    people_words,
    topic_name,
)
from knowledge.summary.period import Period
from knowledge.summary.trend import PeriodDiagnoses, period_aggregate, trend_point

__all__ = ["FOCUS_ITEMS", "SHIFT_POINTS", "SUGGEST_DIAGNOSE", "SUGGEST_QUIZ", "build_summary"]

#: A change in an archetype's mean share smaller than this many points is noise, not news.
SHIFT_POINTS = 5.0
#: At most this many recommendations: a leader acts on a few, not on a list.
FOCUS_ITEMS = 4
#: How many most-missed quiz topics are named.
_MISSED_TOPICS = 3
#: Gap advice is capped so the archetype's own step and the quiz's lesson keep their place.
_GAP_ITEMS = 2

SUGGEST_DIAGNOSE = (
    "Run `/mlorg diagnose team` in a team channel: each member answers privately, "
    "and the team sees an anonymous result."
)
SUGGEST_QUIZ = "Start a quiz with `/mlorg quiz`: it is played in a thread and takes a few minutes."

# --- Building it -------------------------------------------------------------------------------


def build_summary(
    kb: KnowledgeBase,
    *,
    period: Period,
    diagnoses: Sequence[Entry],
    previous: Sequence[Entry] = (),
    quiz_records: Sequence[tuple[str, str, str, bool]] = (),
    min_group: int = MIN_GROUP,
    members: Sequence[str] | None = None,
    shown: Shown | None = None,
    previous_members: Sequence[str] | None = None,
    previous_shown: Shown | None = None,
    held_back: int = 0,
    quiz_activity: tuple[int, int] | None = None,
    unanswered: Sequence[tuple[str, int]] = (),
    earlier: Sequence[PeriodDiagnoses] | None = None,
    ledger: Ledger | None = None,
) -> Summary:
    """Summarise a period.

    ``diagnoses`` and ``previous`` hold one entry per person: the answers (question id ->
    option id) of their latest finished diagnosis in that period, and the role they gave.
    ``quiz_records`` are ``(question_id, topic, user, correct)`` answers in the period.
    With ``members`` and ``shown`` (and their ``previous_`` twins) each period is a watched
    view (see :func:`~knowledge.diagnosis.aggregate`): parts that changed by fewer people
    than the group size since they were last shown are held back. ``held_back`` says how
    many people's diagnoses the caller kept out for that reason, so the summary can say so.
    ``quiz_activity`` is ``(answers, players)`` over *all* the period's quiz answers, when
    ``quiz_records`` holds only those whose question tallies may be shown: how many took
    part is no secret, how they did is. ``unanswered`` lists questions mlorg could not answer
    well in the period (text and times asked), for leaders to see where people got no help.

    ``earlier`` asks for the trend: the released diagnoses of the periods before
    ``previous``, oldest first (at most ``TREND_PERIODS - 2`` are kept, the most recent).
    The summary's ``trend`` is then those periods, the previous one and this one, the last
    two drawn from the very aggregates the summary shows, so they cannot disagree with it;
    ``earlier_shown`` says what each earlier period's figures now reflect, for the caller to
    keep as it keeps ``team.shown``. Without ``earlier`` the summary has no trend.

    ``ledger`` is every set of people the workspace's views have shown, by section (see
    :mod:`knowledge.anonymity`): each period's figures are held back unless they are the
    same people as, or at least the group size apart from, everything shown before.
    """
    group = group_size(min_group)
    results, tokens = scored(kb, diagnoses, members)
    team = aggregate(kb, results, group, members=tokens, shown=shown, ledger=ledger)
    results, tokens = scored(kb, previous, previous_members)
    before = aggregate(kb, results, group, members=tokens, shown=previous_shown, ledger=ledger)
    change = _change(before, team)
    older = list(earlier or ())[-(TREND_PERIODS - 2) :]
    older_teams = [period_aggregate(kb, h, group, ledger) for h in older]
    trend: tuple[TrendPoint, ...] = ()
    if earlier is not None:
        trend = (
            *(trend_point(h.period, t) for h, t in zip(older, older_teams, strict=True)),
            trend_point(period.previous(), before),
            trend_point(period, team),
        )

    records = _records(quiz_records)
    stats = question_stats(records)
    quiz_visible = may_show(stats.participants, group)
    topics = _topics_shown(records, stats.topics, group) if quiz_visible else []
    missed = _most_missed(kb, topics, stats.min_answers)
    quiz_answers, quiz_players = quiz_activity or (stats.answers, stats.participants)

    notes = _diagnosis_notes(team, group)
    if held_back:
        notes.append(
            f"{people_words(held_back)} took the diagnosis since these figures were first shown; "
            f"they appear once at least {group} have, so that nobody's answers can be singled out."
        )
    if team.perception_held:
        notes.append(
            f"Leaders against contributors updates once at least {group} more of each have answered."
        )
    if team.visible and change is None:
        notes.append(
            "No diagnoses in the previous period to compare with."
            if before.respondents == 0
            else f"No comparison with the previous period: fewer than {group} people were placed then."
        )
    if quiz_answers and not quiz_visible:
        notes.append(
            f"{count_words(quiz_answers, 'quiz answer')} from {count_words(quiz_players, 'player')}; "
            f"quiz results appear from {group} players answering the same question."
        )

    suggestions = []
    if team.respondents == 0:
        suggestions.append(SUGGEST_DIAGNOSE)
    if quiz_answers == 0:
        suggestions.append(SUGGEST_QUIZ)

    return Summary(
        period=period,
        min_group=group,
        respondents=team.respondents,
        previous_shown=before.shown,
        team=team,
        visible=team.visible,
        change=change,
        quiz=stats if quiz_visible else None,
        quiz_visible=quiz_visible,
        quiz_answers=quiz_answers,
        quiz_participants=quiz_players,
        most_missed_topics=missed,
        focus=_focus(team, missed),
        empty=team.respondents == 0 and quiz_answers == 0,
        suggestions=tuple(suggestions),
        notes=tuple(notes),
        unanswered=tuple(unanswered),
        trend=trend,
        topic_accuracy=_topic_accuracy(kb, topics, missed),
        earlier_shown=tuple(t.shown for t in older_teams),
    )


def _records(records: Iterable[tuple[str, str, str, bool]] | None) -> list[tuple[str, str, str, bool]]:
    clean: list[tuple[str, str, str, bool]] = []
    for record in records or ():
        try:
            question_id, topic, user, correct = record
        except (TypeError, ValueError):
            continue
        if isinstance(question_id, str) and isinstance(topic, str) and isinstance(user, str):
            clean.append((question_id, topic, user, correct is True))
    return clean


def _change(before: TeamAggregate, now: TeamAggregate) -> Change | None:
    if not (before.visible and now.visible and before.leading and now.leading):
        return None
    previous = {t.archetype.id: t.mean_percent for t in before.distribution}
    shifts = []
    for tally in now.distribution:
        was = previous.get(tally.archetype.id, 0.0)
        points = round(tally.mean_percent - was, 1)
        if abs(points) >= SHIFT_POINTS:
            shifts.append(ArchetypeShift(tally.archetype, was, tally.mean_percent, points))
    shifts.sort(key=lambda s: (-abs(s.points), s.archetype.number))
    return Change(
        previous_leading=before.leading,
        leading=now.leading,
        previous_placed=before.placed,
        shifts=tuple(shifts),
    )


def _topics_shown(
    records: Sequence[tuple[str, str, str, bool]], tallies: Sequence[TopicTally], group: int
) -> list[TopicTally]:
    """Topics answered by at least the group size of distinct people: the only ones ever named."""
    people: dict[str, set[str]] = defaultdict(set)
    for _, topic_id, user, _ in records:
        people[topic_id].add(user)
    return [t for t in tallies if may_show(people[t.topic], group)]


def _most_missed(
    kb: KnowledgeBase, topics: Sequence[TopicTally], min_answers: int
) -> tuple[MissedTopic, ...]:
    """Topics to revisit: enough answers to mean something (among those anonymous enough to name)."""
    candidates = sorted(
        (t for t in topics if t.answers >= max(MIN_ANSWERS_FOR_MISSED, min_answers) and t.missed),
        key=lambda t: (-t.miss_rate, -t.answers, t.topic),
    )
    missed = []
    for tally in candidates:
        topic = kb.get(tally.topic)
        if topic is not None:
            missed.append(MissedTopic(topic, round(100 * tally.missed / tally.answers), tally.answers))
    return tuple(missed[:_MISSED_TOPICS])


def _topic_accuracy(
    kb: KnowledgeBase, topics: Sequence[TopicTally], missed: Sequence[MissedTopic]
) -> tuple[TopicAccuracy, ...]:
    """Accuracy per topic, lowest first (exact ratios, then more answers, then id).

    The topic the summary names first among the most missed is marked, so a chart and
    the text point at the same one.
    """
    first = missed[0].topic.id if missed else None
    known = [(t, topic) for t in topics if t.answers and (topic := kb.get(t.topic)) is not None]
    known.sort(key=lambda pair: (Fraction(pair[0].correct, pair[0].answers), -pair[0].answers, pair[1].id))
    return tuple(
        TopicAccuracy(
            topic=topic,
            answers=t.answers,
            correct=t.correct,
            percent=round(100 * t.correct / t.answers),
            most_missed=topic.id == first,
        )
        for t, topic in known
    )


def _focus(team: TeamAggregate, missed: Sequence[MissedTopic]) -> tuple[str, ...]:
    """The leading archetype's own steps, the dimension gaps' advice, and the most-missed topic.

    One step of each kind is kept before any kind gets a second, so a team with three
    gaps still hears what its archetype should work on and what people should relearn.
    """
    steps: list[str] = []
    if team.visible and team.leading is not None:
        leading = team.leading
        steps = list(leading.next_steps) or [
            f"Work on a known challenge of the {leading.short_name} archetype: {challenge}"
            for challenge in leading.challenges
        ]
    gaps = [_advice(r) for r in sorted(team.readings, key=lambda r: -abs(r.gap or 0.0)) if r.is_gap]
    revisit = [_revisit(m) for m in missed[:1]]
    first_gaps = gaps[:_GAP_ITEMS]
    room = max(1, FOCUS_ITEMS - len(first_gaps) - len(revisit))
    ordered = [*steps[:room], *first_gaps, *revisit, *gaps[_GAP_ITEMS:], *steps[room:]]
    focus: list[str] = []
    for item in ordered:
        if item not in focus:
            focus.append(item)
    return tuple(focus[:FOCUS_ITEMS])


def _advice(reading: TeamReading) -> str:
    gap = reading.gap or 0.0
    # A negative gap: the team sits further toward the low end than its archetype suggests.
    return reading.dimension.toward_high if gap < 0 else reading.dimension.toward_low


def _revisit(missed: MissedTopic) -> str:
    topic = missed.topic
    return (
        f"Revisit {topic_name(topic)}: {missed.miss_rate}% of {missed.answers} quiz answers on it were wrong. "
        f"`/mlorg explain {topic.id}` is a good start, then `/mlorg quiz {topic.id}`."
    )


def _diagnosis_notes(team: TeamAggregate, group: int) -> list[str]:
    """Why the breakdown is missing, in words that count people taking part, never how they answered.

    How many answered too few questions to be placed is never said: it would be the
    difference between two groups of people (those who took part, those placed) smaller
    than the minimum group, so "1 person answered too few" names what the newcomer did.
    """
    if team.respondents == 0 or team.visible:
        return []
    if not may_show(team.respondents, group):
        return [f"{people_words(team.respondents)} took the diagnosis; the breakdown appears from {group}."]
    return [
        f"{people_words(team.respondents)} took the diagnosis; the breakdown appears once at least "
        f"{group} people's answers can be shown together."
    ]
