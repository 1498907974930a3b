"""What a leadership summary holds: already anonymised, so renderers never filter again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from knowledge.diagnosis import TeamAggregate
from knowledge.lookup import Topic
from knowledge.models import Archetype
from knowledge.quiz import QuizStats
from knowledge.summary.period import Period

__all__ = [
    "TREND_PERIODS",
    "ArchetypeShift",
    "Change",
    "MissedTopic",
    "Summary",
    "TopicAccuracy",
    "TrendPoint",
    "count_words",
    "people_words",
    "topic_name",
]

#: How many periods (the summary's own included) the trend covers.
TREND_PERIODS = 8

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
class TrendPoint:
    """One period of the trend: how the people placed then split by best fit.

    ``mix`` pairs every archetype with the whole percent of placed people whose best fit
    it is (summing to 100), in archetype order; it is empty when the period is not
    ``visible`` (fewer than the minimum group placed), and the chart leaves a gap there.
    """

    period: Period
    placed: int
    visible: bool
    mix: tuple[tuple[Archetype, int], ...] = ()


@dataclass(frozen=True)
class TopicAccuracy:
    """How quiz players did on one topic: only topics answered by at least the group size of people."""

    topic: Topic
    answers: int
    correct: int
    #: Whole percent of answers that were right.
    percent: int
    #: The topic the summary names first among the most missed.
    most_missed: bool = False


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
    #: Questions people asked in plain words that mlorg could not answer (or that were voted
    #: down), with how often each was asked, most asked first. Never who asked.
    unanswered: tuple[tuple[str, int], ...] = ()
    #: The last TREND_PERIODS periods, oldest first, this one last (empty when not computed).
    trend: tuple[TrendPoint, ...] = ()
    #: Quiz accuracy per topic, lowest first; only when ``quiz_visible`` and per topic only
    #: when at least ``min_group`` people answered it.
    topic_accuracy: tuple[TopicAccuracy, ...] = ()
    #: For a watched trend: what each period before the previous one now reflects (oldest
    #: first, like ``trend``), for the caller to keep as it keeps ``team.shown``.
    earlier_shown: tuple[dict[str, tuple[str, ...]] | None, ...] = ()

    @property
    def leading(self) -> Archetype | None:
        return self.team.leading


def count_words(n: int, one: str, many: str | None = None) -> str:
    """``1 answer``, ``3 answers``: the summary says numbers the way people do."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def people_words(n: int) -> str:
    return count_words(n, "person", "people")


def topic_name(topic: Topic) -> str:
    # Archetype names are long ("Research and development (R&D) ML"); their short names read better.
    return f"the {topic.short_name} archetype" if isinstance(topic, Archetype) else topic.name
