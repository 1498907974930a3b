"""What the quiz repository hands out: quizzes, answers, outcomes and standings.

Plain frozen dataclasses, built from rows here and nowhere else, so the feature code
never sees SQLAlchemy objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.store.tables import QuizAnswerRow, QuizRow

__all__ = [
    "AnswerOutcome",
    "Quiz",
    "QuizAnswer",
    "QuizStatus",
    "Standing",
    "answer_from_row",
    "quiz_from_row",
]

QuizStatus = Literal["running", "ended"]


@dataclass(frozen=True)
class Quiz:
    team_id: str
    quiz_id: str
    channel_id: str
    host_id: str
    topic_id: str | None
    #: Snapshots of the questions: id, prompt, options [[id, text], ...], answer, explanation, topic.
    items: tuple[dict[str, Any], ...]
    current: int
    parent_ts: str | None
    question_ts: str | None
    time_limit: int | None
    #: When the timer next looks at the quiz: the open question's time limit, or, while a
    #: message is being posted, when to make sure it was (its poster may have died).
    deadline: datetime | None
    status: QuizStatus
    created_at: datetime
    ended_at: datetime | None

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def asked(self) -> int:
        """Questions actually put to players: all up to the open (or last) one."""
        return min(self.current + 1, self.total)


@dataclass(frozen=True)
class QuizAnswer:
    position: int
    user_id: str
    question_id: str
    topic_id: str
    option_id: str
    correct: bool
    answered_at: datetime
    quiz_id: str = ""
    #: The question has closed (the quiz moved past it or ended): its tally is final.
    closed: bool = False


@dataclass(frozen=True)
class AnswerOutcome:
    """What happened to a click: ``recorded`` (first answer), ``repeat``, ``closed`` or ``ended``."""

    status: Literal["recorded", "repeat", "closed", "ended", "unknown"]
    quiz: Quiz | None = None
    answer: QuizAnswer | None = None


@dataclass(frozen=True)
class Standing:
    user_id: str
    correct: int
    answered: int
    quizzes: int


def quiz_from_row(row: QuizRow) -> Quiz:
    return Quiz(
        team_id=row.team_id,
        quiz_id=row.quiz_id,
        channel_id=row.channel_id,
        host_id=row.host_id,
        topic_id=row.topic_id,
        items=tuple(dict(item) for item in row.items),
        current=row.current,
        parent_ts=row.parent_ts,
        question_ts=row.question_ts,
        time_limit=row.time_limit,
        deadline=row.deadline,
        status="ended" if row.status == "ended" else "running",
        created_at=row.created_at,
        ended_at=row.ended_at,
    )


def answer_from_row(row: QuizAnswerRow, *, closed: bool = False) -> QuizAnswer:
    return QuizAnswer(
        position=row.position,
        user_id=row.user_id,
        question_id=row.question_id,
        topic_id=row.topic_id,
        option_id=row.option_id,
        correct=bool(row.correct),
        answered_at=row.answered_at,
        quiz_id=row.quiz_id,
        closed=closed,
    )
