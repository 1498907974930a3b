"""Quiz figures for leadership summaries and exports: participation, accuracy, what gets missed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from knowledge.anonymity import MIN_GROUP, Ledger, may_show, safe_beside

__all__ = [
    "MIN_ANSWERS_FOR_MISSED",
    "AnswerRecord",
    "QuestionTally",
    "QuizStats",
    "TopicTally",
    "question_stats",
    "released_answers",
    "round_section",
]

#: A topic must have at least this many answers before it can be called "most missed".
MIN_ANSWERS_FOR_MISSED = 3


class AnswerRecord(NamedTuple):
    """One recorded answer, as the store keeps it (a plain 4-tuple works too)."""

    question_id: str
    topic: str
    user: str
    correct: bool


class _Rates:
    """Derived figures shared by the per-question and per-topic tallies."""

    answers: int
    correct: int

    @property
    def missed(self) -> int:
        return self.answers - self.correct

    @property
    def accuracy(self) -> float:
        return self.correct / self.answers if self.answers else 0.0

    @property
    def miss_rate(self) -> float:
        return self.missed / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class QuestionTally(_Rates):
    question_id: str
    topic: str
    answers: int
    correct: int


@dataclass(frozen=True)
class TopicTally(_Rates):
    topic: str
    answers: int
    correct: int
    #: Distinct questions of this topic that were answered.
    questions: int


@dataclass(frozen=True)
class QuizStats:
    """Quiz figures for a leadership summary: how many took part, and what they get wrong.

    ``most_missed_questions`` and ``most_missed_topics`` only list entries with at least
    ``min_answers`` answers and at least one miss, highest miss rate first (then more
    answers, then id), so one unlucky answer does not headline a summary.
    """

    participants: int
    answers: int
    correct: int
    questions: tuple[QuestionTally, ...]
    topics: tuple[TopicTally, ...]
    most_missed_questions: tuple[QuestionTally, ...]
    most_missed_topics: tuple[TopicTally, ...]
    min_answers: int = MIN_ANSWERS_FOR_MISSED

    @property
    def accuracy(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


def question_stats(
    records: Iterable[tuple[str, str, str, bool]],
    *,
    min_answers: int = MIN_ANSWERS_FOR_MISSED,
    top: int = 3,
) -> QuizStats:
    """Tally ``(question_id, topic, user, correct)`` records; pure, so summaries are easy to test."""
    users: set[str] = set()
    per_question: dict[str, list[int]] = {}
    topic_of: dict[str, str] = {}
    per_topic: dict[str, list[int]] = {}
    topic_questions: dict[str, set[str]] = defaultdict(set)
    total = right = 0
    for question_id, topic, user, correct in records:
        users.add(user)
        total += 1
        right += int(bool(correct))
        tally = per_question.setdefault(question_id, [0, 0])
        tally[0] += 1
        tally[1] += int(bool(correct))
        topic_of.setdefault(question_id, topic)
        topic_tally = per_topic.setdefault(topic, [0, 0])
        topic_tally[0] += 1
        topic_tally[1] += int(bool(correct))
        topic_questions[topic].add(question_id)
    questions = tuple(
        QuestionTally(qid, topic_of[qid], n, ok) for qid, (n, ok) in sorted(per_question.items())
    )
    topics = tuple(
        TopicTally(topic, n, ok, len(topic_questions[topic])) for topic, (n, ok) in sorted(per_topic.items())
    )
    missed_questions = sorted(
        (q for q in questions if q.answers >= min_answers and q.missed),
        key=lambda q: (-q.miss_rate, -q.answers, q.question_id),
    )
    missed_topics = sorted(
        (t for t in topics if t.answers >= min_answers and t.missed),
        key=lambda t: (-t.miss_rate, -t.answers, t.topic),
    )
    return QuizStats(
        participants=len(users),
        answers=total,
        correct=right,
        questions=questions,
        topics=topics,
        most_missed_questions=tuple(missed_questions[:top]),
        most_missed_topics=tuple(missed_topics[:top]),
        min_answers=min_answers,
    )


Record = tuple[str, str, str, bool]


def round_section(unit: Hashable) -> str:
    """The ledger's name for one question round (a unit): every view of its tally is that statistic."""
    parts = unit if isinstance(unit, tuple) else (unit,)
    return "quiz:" + ":".join(str(p) for p in parts)


def released_answers(
    answers: Iterable[tuple[Hashable, Record]],
    closed: Collection[Hashable],
    min_group: int = MIN_GROUP,
    *,
    ledger: Ledger | None = None,
    token: Callable[[Hashable, str], str] | None = None,
) -> list[Record]:
    """The answers whose question tally may be shown: closed, and answered by enough people.

    ``answers`` pairs each ``(question_id, topic, user, correct)`` record with the question
    *in its quiz* it belongs to (its unit). A unit's tally is shown in the quiz's thread only
    once it closes and only from the minimum group of players; every figure built on top of
    quiz answers (a summary's accuracy, a topic's miss rate, an export, the scoreboard's most
    missed question) is built from those same tallies and nothing else, so no sum of figures
    can isolate what one player answered.

    With ``ledger`` (what the workspace's views have shown, see :mod:`knowledge.anonymity`)
    and ``token`` (a player's opaque token in a unit), a round is also left out when its
    players now are fewer than the group apart from the players its tally was shown with:
    after someone is forgotten, the whole round drops out rather than one person's answer.
    """
    pairs = list(answers)
    players: dict[Hashable, set[str]] = defaultdict(set)
    for unit, record in pairs:
        players[unit].add(record[2])

    def safe(unit: Hashable, people: set[str]) -> bool:
        if ledger is None or token is None:
            return True
        return safe_beside({token(unit, p) for p in people}, ledger.get(round_section(unit), ()), min_group)

    shown = {
        unit
        for unit, people in players.items()
        if unit in closed and may_show(people, min_group) and safe(unit, people)
    }
    return [record for unit, record in pairs if unit in shown]
