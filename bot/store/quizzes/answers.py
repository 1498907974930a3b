"""Storing quiz answers: the first answer of a player to a question counts, and bursts are cheap.

"The first answer counts" is the primary key of ``quiz_answers`` (quiz, question
position, user) plus ``INSERT ... ON CONFLICT DO NOTHING``: a double click, two
clicks racing, or the same click on two replicas store one answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.events import Clock, utc_now
from bot.store.quizzes.model import AnswerOutcome, Quiz, QuizAnswer, answer_from_row, quiz_from_row
from bot.store.tables import QuizAnswerRow, QuizRow
from bot.store.transaction import Transaction

__all__ = ["AnswerWriter"]


@dataclass
class _PendingAnswer:
    team_id: str
    quiz_id: str
    position: int
    user_id: str
    option_id: str
    future: asyncio.Future[AnswerOutcome]


#: At most this many answers share one transaction.
_BATCH = 200
_ANSWER_FIELDS = frozenset(
    {"position", "user_id", "question_id", "topic_id", "option_id", "correct", "answered_at", "quiz_id"}
)


class AnswerWriter:
    """Group commit of answers (see :meth:`answer`), one per repository."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], dialect: str, *, clock: Clock = utc_now):
        self._sessions = sessions
        self._dialect = dialect
        self._clock = clock
        self._queue: list[_PendingAnswer] = []
        self._flusher: asyncio.Task[None] | None = None

    async def answer(
        self, team_id: str, quiz_id: str, position: int, user_id: str, option_id: str
    ) -> AnswerOutcome:
        """Record a player's first answer to the open question; later ones are reported, not stored.

        Answers that arrive together are written together: while one transaction commits,
        the next clicks queue up and go into the following one (group commit). Each caller
        still gets its own outcome, and only after the transaction holding its answer has
        committed, so an acked answer is always durable. A burst of clicks then costs a
        handful of transactions instead of one each, which on SQLite (one writer) is the
        difference between tens and thousands of answers a second.
        """
        pending = _PendingAnswer(
            team_id, quiz_id, position, user_id, option_id, asyncio.get_running_loop().create_future()
        )
        self._queue.append(pending)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await pending.future

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:_BATCH], self._queue[_BATCH:]
            try:
                outcomes = await self._answer_all(batch)
            except BaseException as error:
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                continue
            for item, outcome in zip(batch, outcomes, strict=True):
                if not item.future.done():
                    item.future.set_result(outcome)

    async def _answer_all(self, batch: Sequence[_PendingAnswer]) -> list[AnswerOutcome]:
        """One transaction for the batch: one multi-row insert, the first answer per key wins."""
        outcomes: list[AnswerOutcome | None] = [None] * len(batch)
        rows: dict[tuple[str, str, int, str], dict[str, Any]] = {}
        waiting: list[tuple[int, tuple[str, str, int, str], Quiz]] = []
        async with self._write() as session:
            quizzes: dict[tuple[str, str], Quiz | None] = {}
            for index, p in enumerate(batch):
                if (p.team_id, p.quiz_id) not in quizzes:
                    row = await session.get(QuizRow, (p.team_id, p.quiz_id))
                    quizzes[(p.team_id, p.quiz_id)] = quiz_from_row(row) if row else None
                quiz = quizzes[(p.team_id, p.quiz_id)]
                verdict = _check(quiz, p)
                if verdict is not None or quiz is None:
                    outcomes[index] = verdict
                    continue
                key = (p.team_id, p.quiz_id, p.position, p.user_id)
                item = quiz.items[p.position]
                rows.setdefault(
                    key,
                    {
                        "team_id": p.team_id,
                        "quiz_id": p.quiz_id,
                        "position": p.position,
                        "user_id": p.user_id,
                        "question_id": str(item["id"]),
                        "topic_id": str(item["topic"]),
                        "option_id": p.option_id,
                        "correct": p.option_id == item["answer"],
                        "answered_at": self._clock(),
                    },
                )
                waiting.append((index, key, quiz))
            inserted: set[tuple[str, str, int, str]] = set()
            if rows:
                insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
                statement = (
                    insert(QuizAnswerRow)
                    .values(list(rows.values()))
                    .on_conflict_do_nothing(index_elements=["team_id", "quiz_id", "position", "user_id"])
                    .returning(
                        QuizAnswerRow.team_id,
                        QuizAnswerRow.quiz_id,
                        QuizAnswerRow.position,
                        QuizAnswerRow.user_id,
                    )
                )
                inserted = {(r[0], r[1], int(r[2]), r[3]) for r in await session.execute(statement)}
            claimed: set[tuple[str, str, int, str]] = set()
            for index, key, quiz in waiting:
                if key in inserted and key not in claimed:
                    claimed.add(key)  # the first click of the batch is the one that counts
                    values = rows[key]
                    answer = QuizAnswer(**{k: v for k, v in values.items() if k in _ANSWER_FIELDS})
                    outcomes[index] = AnswerOutcome("recorded", quiz, answer)
                else:
                    stored = await session.get(QuizAnswerRow, key)
                    outcomes[index] = AnswerOutcome(
                        "repeat", quiz, answer_from_row(stored) if stored else None
                    )
        return [o if o is not None else AnswerOutcome("unknown") for o in outcomes]

    def _write(self) -> Transaction:
        return Transaction(self._sessions, "save a quiz answer")


def _check(quiz: Quiz | None, p: _PendingAnswer) -> AnswerOutcome | None:
    """Why a click cannot be stored (None when it can)."""
    if quiz is None:
        return AnswerOutcome("unknown")
    if quiz.status != "running":
        return AnswerOutcome("ended", quiz)
    if p.position != quiz.current or not 0 <= p.position < quiz.total:
        return AnswerOutcome("closed", quiz)
    if p.option_id not in {str(option[0]) for option in quiz.items[p.position]["options"]}:
        return AnswerOutcome("unknown", quiz)
    return None
