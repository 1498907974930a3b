"""Quizzes and their answers.

"The first answer counts" is the primary key of ``quiz_answers`` (quiz, question
position, user) plus ``INSERT ... ON CONFLICT DO NOTHING``: a double click, two
clicks racing, or the same click on two replicas store one answer. Moving to the
next question and ending a quiz are conditional updates, so a host's click, a
timer and a second replica cannot advance a question twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Integer, Select, cast, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.events import Clock, utc_now
from bot.store.tables import QuizAnswerRow, QuizRow
from bot.store.transaction import Transaction, new_id

__all__ = ["AnswerOutcome", "Quiz", "QuizAnswer", "Quizzes", "Standing"]

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


@dataclass(frozen=True)
class Standing:
    user_id: str
    correct: int
    answered: int
    quizzes: int


class Quizzes:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], dialect: str, *, clock: Clock = utc_now):
        self._sessions = sessions
        self._dialect = dialect
        self._clock = clock
        self._queue: list[_PendingAnswer] = []
        self._flusher: asyncio.Task[None] | None = None

    async def create(
        self,
        team_id: str,
        channel_id: str,
        host_id: str,
        items: Sequence[dict[str, Any]],
        *,
        topic_id: str | None = None,
        time_limit: int | None = None,
        recheck_at: datetime | None = None,
    ) -> tuple[Quiz, bool]:
        """Start a quiz, or return the one already running in this channel (and False).

        ``recheck_at`` is when the timer should make sure the quiz's first messages were
        posted (see :meth:`postpone`): the replica posting them may die first.
        """
        async with self._write() as session:
            if self._dialect == "postgresql":
                # Replicas starting a quiz in one channel at once take turns (SQLite's BEGIN
                # IMMEDIATE already does this), so the second finds the first's quiz.
                key = func.hashtext(f"mlorg quiz {team_id} {channel_id}")
                await session.execute(select(func.pg_advisory_xact_lock(key)))
            running = (await session.execute(_running(team_id, channel_id))).scalars().first()
            if running is not None:
                return _quiz(running), False
            row = QuizRow(
                team_id=team_id,
                quiz_id=new_id(),
                channel_id=channel_id,
                host_id=host_id,
                topic_id=topic_id,
                items=[dict(item) for item in items],
                current=0,
                time_limit=time_limit,
                deadline=recheck_at,
                status="running",
                created_at=self._clock(),
            )
            session.add(row)
            await session.flush()
            return _quiz(row), True

    async def get(self, team_id: str, quiz_id: str) -> Quiz | None:
        async with self._read() as session:
            row = await session.get(QuizRow, (team_id, quiz_id))
            return _quiz(row) if row else None

    async def running_in(self, team_id: str, channel_id: str) -> Quiz | None:
        async with self._read() as session:
            row = (await session.execute(_running(team_id, channel_id))).scalars().first()
            return _quiz(row) if row else None

    async def set_parent(self, team_id: str, quiz_id: str, parent_ts: str) -> None:
        async with self._write() as session:
            await session.execute(
                update(QuizRow)
                .where(QuizRow.team_id == team_id, QuizRow.quiz_id == quiz_id)
                .values(parent_ts=parent_ts)
            )

    async def set_question(
        self, team_id: str, quiz_id: str, position: int, ts: str, deadline: datetime | None
    ) -> None:
        """Remember the message of the open question (and when it times out)."""
        async with self._write() as session:
            await session.execute(
                update(QuizRow)
                .where(QuizRow.team_id == team_id, QuizRow.quiz_id == quiz_id, QuizRow.current == position)
                .values(question_ts=ts, deadline=deadline)
            )

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
                    quizzes[(p.team_id, p.quiz_id)] = _quiz(row) if row else None
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
                    outcomes[index] = AnswerOutcome("repeat", quiz, _answer(stored) if stored else None)
        return [o if o is not None else AnswerOutcome("unknown") for o in outcomes]

    async def advance(
        self, team_id: str, quiz_id: str, position: int, *, recheck_at: datetime | None = None
    ) -> Quiz | None:
        """Close question ``position`` and open the next; None if someone already moved on.

        Until the next question's message is stored (:meth:`set_question`), the deadline is
        ``recheck_at``: when the timer should make sure it was posted.
        """
        return await self._conditional(
            team_id,
            quiz_id,
            position,
            {"current": position + 1, "question_ts": None, "deadline": recheck_at},
        )

    async def postpone(
        self, team_id: str, quiz_id: str, position: int, seen: datetime | None, until: datetime
    ) -> Quiz | None:
        """Take over posting the open question of a quiz whose poster went quiet.

        Only one caller wins for the deadline it saw (``seen``): a second replica's timer, or
        the same timer's next pass, finds the deadline moved to ``until`` and does nothing.
        """
        statement = (
            update(QuizRow)
            .where(
                QuizRow.team_id == team_id,
                QuizRow.quiz_id == quiz_id,
                QuizRow.status == "running",
                QuizRow.current == position,
                QuizRow.question_ts.is_(None),
                QuizRow.deadline == seen if seen is not None else QuizRow.deadline.is_(None),
            )
            .values(deadline=until)
            .returning(QuizRow.quiz_id)
            .execution_options(synchronize_session=False)
        )
        async with self._write() as session:
            if (await session.execute(statement)).first() is None:
                return None
            row = await session.get(QuizRow, (team_id, quiz_id), populate_existing=True)
            return _quiz(row) if row else None

    async def end(self, team_id: str, quiz_id: str) -> Quiz | None:
        """End a running quiz; None if it had already ended (so only one caller posts the scoreboard)."""
        return await self._conditional(
            team_id, quiz_id, None, {"status": "ended", "deadline": None, "ended_at": self._clock()}
        )

    async def due(self, now: datetime, limit: int = 50) -> list[Quiz]:
        """Running quizzes whose deadline has passed, in every workspace (for the timer): the open
        question's time is up, or a message that should have been posted by then was not."""
        query = (
            select(QuizRow)
            .where(QuizRow.status == "running", QuizRow.deadline.is_not(None), QuizRow.deadline <= now)
            .limit(limit)
        )
        async with self._read() as session:
            return [_quiz(row) for row in (await session.execute(query)).scalars()]

    async def answers(self, team_id: str, quiz_id: str) -> list[QuizAnswer]:
        query = (
            select(QuizAnswerRow)
            .where(QuizAnswerRow.team_id == team_id, QuizAnswerRow.quiz_id == quiz_id)
            .order_by(QuizAnswerRow.position, QuizAnswerRow.answered_at)
        )
        async with self._read() as session:
            return [_answer(row) for row in (await session.execute(query)).scalars()]

    async def count(self, team_id: str, quiz_id: str, position: int) -> int:
        query = select(func.count()).where(
            QuizAnswerRow.team_id == team_id,
            QuizAnswerRow.quiz_id == quiz_id,
            QuizAnswerRow.position == position,
        )
        async with self._read() as session:
            return int((await session.execute(query)).scalar_one())

    async def standings(self, team_id: str, channel_id: str, limit: int = 10) -> list[Standing]:
        """The channel's players over all ended quizzes, most correct answers first."""
        correct = func.sum(cast(QuizAnswerRow.correct, Integer))
        query = (
            select(
                QuizAnswerRow.user_id,
                correct.label("correct"),
                func.count().label("answered"),
                func.count(func.distinct(QuizAnswerRow.quiz_id)).label("quizzes"),
            )
            .join(
                QuizRow,
                (QuizRow.team_id == QuizAnswerRow.team_id) & (QuizRow.quiz_id == QuizAnswerRow.quiz_id),
            )
            .where(QuizRow.team_id == team_id, QuizRow.channel_id == channel_id, QuizRow.status == "ended")
            .group_by(QuizAnswerRow.user_id)
            .order_by(correct.desc(), func.count().asc(), QuizAnswerRow.user_id)
            .limit(limit)
        )
        async with self._read() as session:
            rows = (await session.execute(query)).all()
            return [
                Standing(str(r.user_id), int(r.correct or 0), int(r.answered), int(r.quizzes)) for r in rows
            ]

    async def answers_since(self, team_id: str, since: datetime) -> list[QuizAnswer]:
        """Every answer in a workspace since ``since``, each saying whether its question closed
        (summaries and exports only count closed questions' final tallies)."""
        query = (
            select(QuizAnswerRow, QuizRow.status, QuizRow.current)
            .join(
                QuizRow,
                (QuizRow.team_id == QuizAnswerRow.team_id) & (QuizRow.quiz_id == QuizAnswerRow.quiz_id),
            )
            .where(QuizAnswerRow.team_id == team_id, QuizAnswerRow.answered_at >= since)
        )
        async with self._read() as session:
            return [
                _answer(row, closed=status == "ended" or row.position < current)
                for row, status, current in (await session.execute(query)).all()
            ]

    async def teams(self) -> list[str]:
        """Workspaces with at least one quiz answer (for exports)."""
        query = select(QuizAnswerRow.team_id).distinct()
        async with self._read() as session:
            return [str(team) for team in (await session.execute(query)).scalars()]

    async def forget_user(self, team_id: str, user_id: str) -> int:
        async with self._write() as session:
            result = await session.execute(
                delete(QuizAnswerRow)
                .where(QuizAnswerRow.team_id == team_id, QuizAnswerRow.user_id == user_id)
                .returning(QuizAnswerRow.quiz_id)
            )
            return len(result.all())

    async def _conditional(
        self, team_id: str, quiz_id: str, position: int | None, values: dict[str, Any]
    ) -> Quiz | None:
        conditions = [QuizRow.team_id == team_id, QuizRow.quiz_id == quiz_id, QuizRow.status == "running"]
        if position is not None:
            conditions.append(QuizRow.current == position)
        statement = (
            update(QuizRow)
            .where(*conditions)
            .values(**values)
            .returning(QuizRow.quiz_id)
            .execution_options(synchronize_session=False)
        )
        async with self._write() as session:
            if (await session.execute(statement)).first() is None:
                return None
            row = await session.get(QuizRow, (team_id, quiz_id), populate_existing=True)
            return _quiz(row) if row else None

    def _read(self) -> Transaction:
        return Transaction(self._sessions, "read quizzes")

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


def _running(team_id: str, channel_id: str) -> Select[QuizRow]:
    return select(QuizRow).where(
        QuizRow.team_id == team_id, QuizRow.channel_id == channel_id, QuizRow.status == "running"
    )


def _quiz(row: QuizRow) -> Quiz:
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


def _answer(row: QuizAnswerRow, *, closed: bool = False) -> QuizAnswer:
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
