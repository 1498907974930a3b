"""The leadership summary: what a period's diagnoses and quizzes say, for people who were not there.

Leaders rarely sit in the channels where teams diagnose themselves and play quizzes,
so :func:`build_summary` condenses a period into what they need in a minute: where
the organization stands among the archetypes, where people disagree, how that moved
since the previous period, what quiz players keep missing, and what to focus on next.

Anonymity is the rule that shapes everything here. Nothing is broken down for fewer
than ``min_group`` people (:func:`knowledge.anonymity.may_show` decides, everywhere):
below it the summary says how many took part and from how many the breakdown appears,
and nothing more. That holds for the archetype distribution and dimension readings
(through :func:`~knowledge.diagnosis.aggregate`), for the comparison with the previous
period (both periods must be visible), and for quiz results (overall and per topic).

Input arrives from the store and from people's clicks, so nothing here raises on odd
data: unknown question, option or topic ids are skipped, malformed records ignored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from knowledge.anonymity import MIN_GROUP, Shown, group_size, may_show
from knowledge.base import KnowledgeBase
from knowledge.diagnosis import (
    Diagnosis,
    TeamAggregate,
    TeamReading,
    aggregate,
    score,
)
from knowledge.lookup import Topic
from knowledge.models import Archetype, Role
from knowledge.quiz import MIN_ANSWERS_FOR_MISSED, QuizStats, question_stats

__all__ = [
    "FOCUS_ITEMS",
    "SHIFT_POINTS",
    "SUGGEST_DIAGNOSE",
    "SUGGEST_QUIZ",
    "ArchetypeShift",
    "Change",
    "MissedTopic",
    "Period",
    "Summary",
    "build_summary",
    "render_summary_text",
    "summary_headline",
]

#: A change in an archetype's mean share smaller than this many points is noise, not news.
SHIFT_POINTS = 5.0
#: At most this many recommendations: a leader acts on a few, not on a list.
FOCUS_ITEMS = 4
#: How many most-missed quiz topics are named.
_MISSED_TOPICS = 3
#: Gap advice is capped so the archetype's own step and the quiz's lesson keep their place.
_GAP_ITEMS = 2
#: A headline doubles as a Block Kit header and a notification text; headers stop at 150.
_HEADLINE_MAX = 150

SUGGEST_DIAGNOSE = (
    "Run `/mlorg diagnose team` in a team channel: each member answers privately, "
    "and the team sees an anonymous result."
)
SUGGEST_QUIZ = "Start a quiz with `/mlorg quiz`: it is played in a thread and takes a few minutes."

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- The period --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The half-open time span ``[start, end)`` a summary covers; both ends timezone-aware.

    Naive datetimes are refused: a digest that runs on servers in several timezones
    must not silently shift its window by hours.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("a summary period needs timezone-aware start and end datetimes")
        if self.end < self.start:
            raise ValueError("a summary period cannot end before it starts")

    @classmethod
    def week_before(cls, moment: datetime) -> Period:
        """The last whole week (Monday 00:00 to Monday 00:00, UTC) that ended by ``moment``.

        Leadership summaries cover fixed, non-overlapping weeks chosen here, never a window
        that ends "now" or wherever a button says: two windows a few minutes apart would
        differ by one person, and comparing them would single that person out. The same
        week gives the same figures to a preview, its Post, a digest and an export.
        """
        if moment.utcoffset() is None:
            raise ValueError("a summary period needs a timezone-aware moment")
        utc = moment.astimezone(UTC)
        monday = datetime(utc.year, utc.month, utc.day, tzinfo=UTC) - timedelta(days=utc.weekday())
        return cls(monday - timedelta(days=7), monday)

    @classmethod
    def ending(cls, end: datetime, *, days: int = 7) -> Period:
        """The ``days`` (at least one) up to ``end``: the weekly digest's window."""
        return cls(end - timedelta(days=max(1, days)), end)

    def previous(self) -> Period:
        """The period of the same length just before this one, for "change since"."""
        return Period(self.start - (self.end - self.start), self.start)

    def __contains__(self, moment: object) -> bool:
        if not isinstance(moment, datetime) or moment.utcoffset() is None:
            return False
        return self.start <= moment < self.end

    @property
    def label(self) -> str:
        """Human dates, in the period's own timezone: "22–29 Nov 2026", "28 Nov – 5 Dec 2026"."""
        first = self.start.date()
        # The end is exclusive: a period ending at midnight does not include that day.
        last = (self.end - timedelta(microseconds=1)).date() if self.end > self.start else first
        if last < first:
            last = first
        if first == last:
            return _day(first)
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{_day(last)}"
        if first.year == last.year:
            return f"{first.day} {_MONTHS[first.month - 1]} – {_day(last)}"
        return f"{_day(first)} – {_day(last)}"


def _day(day: date) -> str:
    # Not strftime("%b"): month names must not change with the server's locale.
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


# --- What the summary holds --------------------------------------------------------------------


class MissedTopic(NamedTuple):
    """A topic quiz players often get wrong: its miss rate in whole percent, over how many answers."""

    topic: Topic
    miss_rate: int
    answers: int


@dataclass(frozen=True)
class ArchetypeShift:
    """How an archetype's mean share moved between two periods, in percentage points."""

    archetype: Archetype
    before: float
    after: float
    points: float


@dataclass(frozen=True)
class Change:
    """This period against the previous one; only built when both were visible."""

    previous_leading: Archetype
    leading: Archetype
    #: People placed in the previous period.
    previous_placed: int
    #: Archetypes whose mean share moved at least SHIFT_POINTS, biggest move first.
    shifts: tuple[ArchetypeShift, ...]

    @property
    def leader_changed(self) -> bool:
        return self.previous_leading.id != self.leading.id


@dataclass(frozen=True)
class Summary:
    """A period's digest for leaders, already anonymised: render it, do not filter it again."""

    period: Period
    #: The group size below which nothing is broken down (never below MIN_GROUP).
    min_group: int
    #: People who took the diagnosis (one entry each), placed or not.
    respondents: int
    #: Always the aggregate; when not visible its breakdowns are empty.
    team: TeamAggregate
    visible: bool
    #: None unless both this and the previous period are visible.
    change: Change | None
    #: Full quiz figures, only when ``quiz_visible``; otherwise None (not even overall accuracy).
    quiz: QuizStats | None
    quiz_visible: bool
    #: Quiz answers and distinct players in the period, always reported.
    quiz_answers: int
    quiz_participants: int
    #: Highest miss rate first; only topics answered by at least ``min_group`` people.
    most_missed_topics: tuple[MissedTopic, ...]
    focus: tuple[str, ...]
    #: No diagnoses and no quiz answers at all.
    empty: bool
    #: How to start what has no data yet.
    suggestions: tuple[str, ...]
    #: For a watched summary: what the previous period's figures now reflect (see ``team.shown``).
    previous_shown: dict[str, tuple[str, ...]] | None
    #: Why parts are missing ("2 people took the diagnosis; the breakdown appears from 3.").
    notes: tuple[str, ...]

    @property
    def leading(self) -> Archetype | None:
        return self.team.leading


# --- Building it -------------------------------------------------------------------------------


def build_summary(
    kb: KnowledgeBase,
    *,
    period: Period,
    diagnoses: Sequence[tuple[Mapping[str, str], str | None]],
    previous: Sequence[tuple[Mapping[str, str], str | None]] = (),
    quiz_records: Sequence[tuple[str, str, str, bool]] = (),
    min_group: int = MIN_GROUP,
    members: Sequence[str] | None = None,
    shown: Shown | None = None,
    previous_members: Sequence[str] | None = None,
    previous_shown: Shown | None = None,
    held_back: int = 0,
    quiz_activity: tuple[int, int] | None = None,
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
    part is no secret, how they did is.
    """
    group = group_size(min_group)
    results, tokens = _results(kb, diagnoses, members)
    team = aggregate(kb, results, group, members=tokens, shown=shown)
    results, tokens = _results(kb, previous, previous_members)
    before = aggregate(kb, results, group, members=tokens, shown=previous_shown)
    change = _change(before, team)

    records = _records(quiz_records)
    stats = question_stats(records)
    quiz_visible = may_show(stats.participants, group)
    missed = _most_missed(kb, records, stats, group) if quiz_visible else ()
    quiz_answers, quiz_players = quiz_activity or (stats.answers, stats.participants)

    notes = _diagnosis_notes(team, group)
    if held_back:
        notes.append(
            f"{_people(held_back)} took the diagnosis since these figures were first shown; "
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
            f"{_count(quiz_answers, 'quiz answer')} from {_count(quiz_players, 'player')}; "
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
    )


def _results(
    kb: KnowledgeBase,
    entries: Sequence[tuple[Mapping[str, str], str | None]] | None,
    members: Sequence[str] | None,
) -> tuple[list[tuple[Diagnosis, str | None]], list[str] | None]:
    """Scored entries (malformed ones skipped), each with its member token when there are any."""
    results: list[tuple[Diagnosis, str | None]] = []
    tokens: list[str] = []
    for index, entry in enumerate(entries or ()):
        try:
            answers, role = entry
        except (TypeError, ValueError):
            continue
        clean = (
            {k: v for k, v in answers.items() if isinstance(k, str)} if isinstance(answers, Mapping) else {}
        )
        results.append((score(kb, clean), _role(role)))
        tokens.append(members[index] if members is not None and index < len(members) else f"#{index}")
    return results, tokens if members is not None else None


def _role(role: object) -> Role | None:
    if role == "leader":
        return "leader"
    if role == "contributor":
        return "contributor"
    return None


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


def _most_missed(
    kb: KnowledgeBase, records: Sequence[tuple[str, str, str, bool]], stats: QuizStats, group: int
) -> tuple[MissedTopic, ...]:
    """Topics to revisit: enough answers to mean something, and enough people to stay anonymous."""
    people: dict[str, set[str]] = defaultdict(set)
    for _, topic_id, user, _ in records:
        people[topic_id].add(user)
    candidates = sorted(
        (
            t
            for t in stats.topics
            if t.answers >= max(MIN_ANSWERS_FOR_MISSED, stats.min_answers)
            and t.missed
            and may_show(people[t.topic], group)
        ),
        key=lambda t: (-t.miss_rate, -t.answers, t.topic),
    )
    missed = []
    for tally in candidates:
        topic = kb.get(tally.topic)
        if topic is not None:
            missed.append(MissedTopic(topic, round(100 * tally.missed / tally.answers), tally.answers))
    return tuple(missed[:_MISSED_TOPICS])


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
        f"Revisit {_topic_name(topic)}: {missed.miss_rate}% of {missed.answers} quiz answers on it were wrong. "
        f"`/mlorg explain {topic.id}` is a good start, then `/mlorg quiz {topic.id}`."
    )


def _diagnosis_notes(team: TeamAggregate, group: int) -> list[str]:
    if team.respondents == 0:
        return []
    if not may_show(team.respondents, group):
        return [f"{_people(team.respondents)} took the diagnosis; the breakdown appears from {group}."]
    if not team.visible:
        return [
            f"{_people(team.respondents)} took the diagnosis but {team.placed} answered enough to be "
            f"placed; the breakdown appears from {group} placed people."
        ]
    unplaced = team.respondents - team.placed
    if unplaced:
        return [f"{_count(unplaced, 'person', 'people')} answered too few questions to be counted."]
    return []


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _people(n: int) -> str:
    return _count(n, "person", "people")


# --- Rendering ---------------------------------------------------------------------------------


def summary_headline(summary: Summary) -> str:
    """One line (at most 150 characters) for a notification, a header or a log."""
    if summary.empty:
        return _clip(f"{summary.period.label}: no diagnoses or quiz answers yet")
    parts = []
    team = summary.team
    if summary.visible and team.leading is not None:
        lead = team.distribution[0]
        was = ""
        if summary.change is not None and summary.change.leader_changed:
            was = f", was {summary.change.previous_leading.short_name}"
        parts.append(
            f"{_people(team.placed)} diagnosed, leading archetype {lead.archetype.short_name} "
            f"({lead.best_fit} of {team.placed}{was})"
        )
    elif summary.respondents:
        parts.append(f"{_people(summary.respondents)} took the diagnosis (too few to show)")
    else:
        parts.append("no diagnoses")
    if summary.quiz is not None:
        parts.append(
            f"{_count(summary.quiz_answers, 'quiz answer')}, {_percent(summary.quiz.accuracy)} right"
        )
    elif summary.quiz_answers:
        parts.append(_count(summary.quiz_answers, "quiz answer"))
    else:
        parts.append("no quizzes")
    return _clip(f"{summary.period.label}: " + "; ".join(parts))


def render_summary_text(summary: Summary) -> str:
    """The summary as plain text, for the terminal and the tests; Slack has its own blocks."""
    title = f"mlorg summary, {summary.period.label}"
    lines = [title, "=" * len(title), summary_headline(summary), ""]
    if summary.empty:
        lines += ["Nobody has taken a diagnosis or played a quiz in this period yet. To start:"]
        lines += [f"  - {s}" for s in summary.suggestions]
        return "\n".join(lines)

    lines += _render_team(summary)
    lines += _render_change(summary.change)
    lines += _render_quiz(summary)
    if summary.focus:
        lines.append("Recommended focus")
        lines += [f"  {n}. {item}" for n, item in enumerate(summary.focus, 1)]
        lines.append("")
    if summary.notes:
        lines.append("Notes")
        lines += [f"  - {note}" for note in summary.notes]
        lines.append("")
    if summary.suggestions:
        lines.append("To get more out of the next summary")
        lines += [f"  - {s}" for s in summary.suggestions]
        lines.append("")
    if summary.visible:
        lines.append(
            "The diagnosis is mlorg's own model built from the framework, not part of the framework."
        )
    return "\n".join(lines).rstrip()


def _render_team(summary: Summary) -> list[str]:
    team = summary.team
    if not (summary.visible and team.leading is not None):
        return []
    lines = [f"Where the organization stands ({_people(team.placed)} placed)"]
    for tally in team.distribution:
        if tally.best_fit:
            lines.append(
                f"  - {tally.archetype.short_name}: best fit for {tally.best_fit} of {team.placed} "
                f"(mean share {tally.mean_percent:.0f}%)"
            )
    gap = team.perception_gap
    if gap is not None:
        if gap.same_best_fit:
            lines.append(f"  Leaders and contributors both lean {gap.leaders_lead.short_name}.")
        else:
            lines.append(
                f"  Leaders lean {gap.leaders_lead.short_name}; "
                f"contributors lean {gap.contributors_lead.short_name}."
            )
    lines += ["", "On the design dimensions (0 to 1 from one end to the other)"]
    lines += [f"  - {_reading(r, team.leading)}" for r in team.readings]
    lines.append("")
    return lines


def _reading(reading: TeamReading, leading: Archetype) -> str:
    d = reading.dimension
    if reading.mean is None:
        return f"{d.name}: not enough answers to place the organization yet"
    if reading.mean < 0.35:
        where = f"toward {d.low_end.lower()}"
    elif reading.mean > 0.65:
        where = f"toward {d.high_end.lower()}"
    else:
        where = f"between {d.low_end.lower()} and {d.high_end.lower()}"
    text = f"{d.name}: {where} ({reading.mean:.2f})"
    if reading.suggested is not None and reading.suggested.scale is not None:
        text += f"; {leading.short_name} suggests {reading.suggested.scale:.2f}"
        if reading.is_gap:
            text += " — a gap"
    if reading.disagreement is not None:
        text += f"; {reading.disagreement}"
    return text


def _render_change(change: Change | None) -> list[str]:
    if change is None:
        return []
    lines = [f"Since the previous period ({_people(change.previous_placed)} placed then)"]
    if change.leader_changed:
        lines.append(
            f"  - Leading archetype: {change.previous_leading.short_name} -> {change.leading.short_name}"
        )
    else:
        lines.append(f"  - Leading archetype unchanged: {change.leading.short_name}")
    for shift in change.shifts:
        lines.append(
            f"  - {shift.archetype.short_name}: {shift.points:+.0f} points "
            f"(mean share {shift.before:.0f}% -> {shift.after:.0f}%)"
        )
    if not change.shifts:
        lines.append(f"  - No archetype's mean share moved {SHIFT_POINTS:.0f} points or more.")
    lines.append("")
    return lines


def _render_quiz(summary: Summary) -> list[str]:
    stats = summary.quiz
    if stats is None:
        return []
    lines = [
        "Quizzes",
        f"  - {_count(stats.answers, 'answer')} from {_count(stats.participants, 'player')}, "
        f"{_percent(stats.accuracy)} right",
    ]
    if summary.most_missed_topics:
        missed = ", ".join(
            f"{_topic_name(m.topic)} ({m.miss_rate}% missed of {m.answers})"
            for m in summary.most_missed_topics
        )
        lines.append(f"  - Most missed: {missed}")
    else:
        lines.append("  - No topic was missed often enough, by enough people, to call out.")
    lines.append("")
    return lines


def _topic_name(topic: Topic) -> str:
    # Archetype names are long ("Research and development (R&D) ML"); their short names read better.
    return f"the {topic.short_name} archetype" if isinstance(topic, Archetype) else topic.name


def _percent(ratio: float) -> str:
    return f"{round(100 * ratio)}%"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _HEADLINE_MAX else text[: _HEADLINE_MAX - 1] + "…"
