"""The quiz repository: starting, moving on, ending, and what the feature reads back.

Moving to the next question and ending a quiz are conditional updates, so a host's
click, a timer and a second replica cannot advance a question twice. Answers are
stored by :class:`~bot.store.quizzes.answers.AnswerWriter`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, cast, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.events import Clock, utc_now
from bot.store.quizzes.answers import AnswerWriter
from bot.store.quizzes.model import AnswerOutcome, Quiz, QuizAnswer, Standing, answer_from_row, quiz_from_row
from bot.store.scoping import across_workspaces
from bot.store.tables import QuizAnswerRow, QuizRow
from bot.store.transaction import Transaction, new_id

__all__ = ["Quizzes"]


class Quizzes:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], dialect: str, *, clock: Clock = utc_now):
        self._sessions = sessions
        self._dialect = dialect
        self._clock = clock
        self._answers = AnswerWriter(sessions, dialect, clock=clock)

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
                return quiz_from_row(running), False
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
            return quiz_from_row(row), True

    async def get(self, team_id: str, quiz_id: str) -> Quiz | None:
        async with self._read() as session:
            row = await session.get(QuizRow, (team_id, quiz_id))
            return quiz_from_row(row) if row else None

    async def running_in(self, team_id: str, channel_id: str) -> Quiz | None:
        async with self._read() as session:
            row = (await session.execute(_running(team_id, channel_id))).scalars().first()
            return quiz_from_row(row) if row else None

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
        """Record a player's first answer to the open question (see :class:`AnswerWriter`)."""
        return await self._answers.answer(team_id, quiz_id, position, user_id, option_id)

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
        unposted = QuizRow.question_ts.is_(None)
        as_seen = QuizRow.deadline == seen if seen is not None else QuizRow.deadline.is_(None)
        return await self._conditional(team_id, quiz_id, position, {"deadline": until}, unposted, as_seen)

    async def end(self, team_id: str, quiz_id: str, *, recheck_at: datetime | None = None) -> Quiz | None:
        """End a running quiz; None if it had already ended (so only one caller posts the scoreboard).

        Until the scoreboard is stored as posted (:meth:`announced`), the deadline is
        ``recheck_at``: when the timer should make sure it was.
        """
        return await self._conditional(
            team_id, quiz_id, None, {"status": "ended", "deadline": recheck_at, "ended_at": self._clock()}
        )

    async def postpone_scoreboard(
        self, team_id: str, quiz_id: str, seen: datetime, until: datetime
    ) -> Quiz | None:
        """Take over posting the scoreboard of an ended quiz whose poster went quiet; one caller
        wins for the deadline it saw, as with :meth:`postpone`. An announced quiz has no
        deadline, so nothing can take it over."""
        as_seen = QuizRow.deadline == seen
        return await self._conditional(team_id, quiz_id, None, {"deadline": until}, as_seen, status="ended")

    @across_workspaces(
        "acts on a quiz the timer found with due() (every workspace's); the Quiz names its team"
    )
    async def defer(self, quiz: Quiz, until: datetime) -> Quiz | None:
        """Push back the deadline of a due quiz nobody can move along now (its workspace has no
        installation), so the timer looks at it again at ``until`` and, meanwhile, at other
        quizzes. One caller wins for the deadline it saw, as with :meth:`postpone`."""
        as_seen = (
            QuizRow.deadline == quiz.deadline if quiz.deadline is not None else QuizRow.deadline.is_(None)
        )
        return await self._conditional(
            quiz.team_id, quiz.quiz_id, None, {"deadline": until}, as_seen, status=quiz.status
        )

    async def announced(self, team_id: str, quiz_id: str) -> None:
        """The ended quiz's scoreboard is posted: nothing is left for the timer to check."""
        async with self._write() as session:
            await session.execute(
                update(QuizRow)
                .where(QuizRow.team_id == team_id, QuizRow.quiz_id == quiz_id, QuizRow.status == "ended")
                .values(deadline=None)
            )

    @across_workspaces("the quiz timer serves every workspace; each Quiz carries its team_id")
    async def due(self, now: datetime, limit: int = 50) -> list[Quiz]:
        """Quizzes whose deadline has passed, in every workspace (for the timer): a running quiz's
        open question's time is up, or a message that should have been posted by then was not
        (a question, or an ended quiz's scoreboard)."""
        query = (
            select(QuizRow)
            .where(
                QuizRow.status.in_(("running", "ended")),
                QuizRow.deadline.is_not(None),
                QuizRow.deadline <= now,
            )
            .limit(limit)
        )
        async with self._read() as session:
            return [quiz_from_row(row) for row in (await session.execute(query)).scalars()]

    async def answers(self, team_id: str, quiz_id: str) -> list[QuizAnswer]:
        query = (
            select(QuizAnswerRow)
            .where(QuizAnswerRow.team_id == team_id, QuizAnswerRow.quiz_id == quiz_id)
            .order_by(QuizAnswerRow.position, QuizAnswerRow.answered_at)
        )
        async with self._read() as session:
            return [answer_from_row(row) for row in (await session.execute(query)).scalars()]

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
                answer_from_row(row, closed=status == "ended" or row.position < current)
                for row, status, current in (await session.execute(query)).all()
            ]

    @across_workspaces("a metric over the whole deployment; a count names no workspace")
    async def count_running(self) -> int:
        """Quizzes running now in every workspace (a metric: a figure that only grows means stuck quizzes)."""
        query = select(func.count()).select_from(QuizRow).where(QuizRow.status == "running")
        async with self._read() as session:
            return int((await session.execute(query)).scalar_one())

    @across_workspaces("exports list the workspaces to export; the result is the team ids themselves")
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
        self,
        team_id: str,
        quiz_id: str,
        position: int | None,
        values: dict[str, Any],
        *only_if: ColumnElement[bool],
        status: str = "running",
    ) -> Quiz | None:
        """Update a quiz in ``status`` (at ``position``, and where ``only_if`` holds); None if it did not match."""
        conditions = [
            QuizRow.team_id == team_id,
            QuizRow.quiz_id == quiz_id,
            QuizRow.status == status,
            *only_if,
        ]
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
            return quiz_from_row(row) if row else None

    def _read(self) -> Transaction:
        return Transaction(self._sessions, "read quizzes")

    def _write(self) -> Transaction:
        return Transaction(self._sessions, "save a quiz answer")


def _running(team_id: str, channel_id: str) -> Select[QuizRow]:
    return select(QuizRow).where(
        QuizRow.team_id == team_id, QuizRow.channel_id == channel_id, QuizRow.status == "running"
    )
