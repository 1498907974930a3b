"""Questions acked but not yet answered: what survives a ``kill -9`` between the ack and the reply.

A mention or DM is acked as soon as its event id is claimed (:meth:`EventLog.claim`); the
answer comes after the ack. So that a process dying in between neither loses the question nor
answers it twice, the claim writes, in the same transaction, one row here: the question, where
to reply, and the id the answer will be logged under. The row is deleted once the reply is
posted. A row whose lease has run out belongs to a process that died (or stalled): another
process (:mod:`bot.jobs.answers`) takes it over, and checks the thread for the reply before
posting it.

The row names no person: like the answer log, it holds what was asked, never who asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Index, String, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.events import Clock, utc_now
from bot.store.group_commit import GroupCommit
from bot.store.scoping import across_workspaces
from bot.store.tables import Base, UTCDateTime
from bot.store.transaction import Transaction, new_id

__all__ = ["ANSWER_LEASE", "PendingAnswer", "PendingAnswerRow", "PendingAnswers", "insert_pending"]

#: How long the process that claimed a question has to answer it before another may take over.
#: An answer takes milliseconds to a second even in a burst; a stalled Slack call is cut at 10 s.
ANSWER_LEASE = timedelta(seconds=15)


class PendingAnswerRow(Base):
    """A claimed question whose reply is not yet known to be posted (see the module docstring)."""

    __tablename__ = "pending_answers"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    event_id: Mapped[str] = mapped_column(String, primary_key=True)
    answer_id: Mapped[str] = mapped_column(String)
    channel_id: Mapped[str] = mapped_column(String)
    thread_ts: Mapped[str | None] = mapped_column(String, nullable=True)
    conversation_key: Mapped[str] = mapped_column(String)
    question: Mapped[str] = mapped_column(String)
    #: A top-level mention starts its own thread: there is no subject to read.
    new: Mapped[bool] = mapped_column(Boolean)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_pending_answers_lease", "lease_until"),)


@dataclass(frozen=True)
class PendingAnswer:
    """A question to answer: where, what, and the answer id its log row and buttons carry."""

    team_id: str
    event_id: str
    channel_id: str
    thread_ts: str | None
    conversation_key: str
    question: str
    new: bool
    answer_id: str = ""
    #: Taken over after another process's lease ran out: the reply may already be in the thread.
    resumed: bool = False

    @staticmethod
    def of(
        team_id: str,
        event_id: str,
        *,
        channel_id: str,
        thread_ts: str | None,
        conversation_key: str,
        question: str,
        new: bool,
    ) -> PendingAnswer:
        """A fresh question, with a new unguessable answer id (it travels in vote buttons)."""
        return PendingAnswer(
            team_id, event_id, channel_id, thread_ts, conversation_key, question, new, answer_id=new_id()
        )


class PendingAnswers:
    """The rows above: added with the event's claim, removed once answered, taken over when stale."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock = utc_now,
        group: GroupCommit | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._done = group or GroupCommit(sessions, "finish an answered question")
        self._finished: list[tuple[str, str]] = []

    async def done(self, team_id: str, event_id: str) -> None:
        """The reply is posted: forget the question (grouped with other answers finishing now).

        The questions finished since the last transaction go in one ``DELETE`` per workspace,
        taken by the first of them to run; the others find nothing left to do. Each caller still
        returns only once a transaction that deleted its row has committed.
        """
        self._finished.append((team_id, event_id))
        await self._done.run(self._forget_finished, key=(team_id, event_id))

    async def _forget_finished(self, session: AsyncSession) -> None:
        finished, self._finished = self._finished, []
        by_team: dict[str, list[str]] = {}
        for team_id, event_id in finished:
            by_team.setdefault(team_id, []).append(event_id)
        for team_id, event_ids in sorted(by_team.items()):
            await session.execute(
                delete(PendingAnswerRow).where(
                    PendingAnswerRow.team_id == team_id, PendingAnswerRow.event_id.in_(sorted(event_ids))
                )
            )

    @across_workspaces("takes over any workspace's stale questions; each is answered in its own workspace")
    async def take_over(self, limit: int = 20) -> list[PendingAnswer]:
        """Questions whose lease ran out, each now leased to the caller (and marked ``resumed``).

        The lease is moved only where it still holds the value read, so two processes looking
        at once take over each row once.
        """
        now = self._clock()
        query = (
            select(PendingAnswerRow)
            .where(PendingAnswerRow.lease_until < now)
            .order_by(PendingAnswerRow.lease_until)
            .limit(limit)
        )
        taken: list[PendingAnswer] = []
        async with Transaction(self._sessions, "take over unanswered questions") as session:
            for row in (await session.execute(query)).scalars().all():
                moved = await session.execute(
                    update(PendingAnswerRow)
                    .where(
                        PendingAnswerRow.team_id == row.team_id,
                        PendingAnswerRow.event_id == row.event_id,
                        PendingAnswerRow.lease_until == row.lease_until,
                    )
                    .values(lease_until=now + ANSWER_LEASE)
                    .returning(PendingAnswerRow.event_id)
                )
                if moved.first() is not None:
                    taken.append(_pending(row, resumed=True))
        return taken

    async def waiting(self, team_id: str) -> int:
        """How many of a workspace's questions are claimed but not yet answered (for tests, ops)."""
        query = select(PendingAnswerRow.event_id).where(PendingAnswerRow.team_id == team_id)
        async with Transaction(self._sessions, "count unanswered questions") as session:
            return len((await session.execute(query)).all())


def insert_pending(questions: list[tuple[PendingAnswer, datetime]]) -> Any:
    """One insert of the questions whose event the claim's transaction won (:meth:`EventLog.claim`)."""
    return insert(PendingAnswerRow).values(
        [
            {
                "team_id": p.team_id,
                "event_id": p.event_id,
                "answer_id": p.answer_id,
                "channel_id": p.channel_id,
                "thread_ts": p.thread_ts,
                "conversation_key": p.conversation_key,
                "question": p.question,
                "new": p.new,
                "received_at": at,
                "lease_until": at + ANSWER_LEASE,
            }
            for p, at in questions
        ]
    )


def _pending(row: PendingAnswerRow, *, resumed: bool) -> PendingAnswer:
    values: dict[str, Any] = {
        "team_id": row.team_id,
        "event_id": row.event_id,
        "channel_id": row.channel_id,
        "thread_ts": row.thread_ts,
        "conversation_key": row.conversation_key,
        "question": row.question,
        "new": row.new,
        "answer_id": row.answer_id,
    }
    return PendingAnswer(**values, resumed=resumed)
