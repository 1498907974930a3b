"""The event log: "process each Slack ``event_id`` once", across retries and replicas."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.group_commit import BatchCommit
from bot.store.scoping import across_workspaces
from bot.store.tables import ProcessedEvent
from bot.store.transaction import Transaction

if TYPE_CHECKING:
    from bot.store.pending_answers import PendingAnswer

__all__ = ["Clock", "EventLog", "utc_now"]

#: Returns the current time, timezone-aware. Injected so tests can pretend time has passed.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default :data:`Clock`."""
    return datetime.now(UTC)


class EventLog:
    """Remembers which events have been claimed, so that each is handled exactly once.

    Slack redelivers an event when it does not see a timely 200 (``X-Slack-Retry-Num``), and
    behind a load balancer two replicas can receive the same delivery. Checking "have I seen
    it?" and then recording it would let both pass; instead :meth:`claim` is a single
    ``INSERT ... ON CONFLICT DO NOTHING`` whose outcome the database decides atomically.

    The claim is what an event's ack waits for, so claims arriving together share one
    transaction (:class:`GroupCommit`): in a burst of mentions the ack costs a share of a
    commit, not a place in a queue of commits.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dialect: str,
        *,
        clock: Clock = utc_now,
    ) -> None:
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported dialect {dialect!r}: expected 'sqlite' or 'postgresql'")
        self._sessions = sessions
        self._dialect = dialect
        self._clock = clock
        self._claims = BatchCommit(sessions, "record Slack event", self._claim_all)

    async def claim(self, team_id: str, event_id: str, question: PendingAnswer | None = None) -> bool:
        """Record the event and return True if this caller is the first to claim it.

        Every later call for the same ``(team_id, event_id)`` returns False, whichever
        process or replica makes it, for as long as the row has not been pruned. Claim
        before doing the work: an event whose handler then fails is not retried by us,
        which is what Slack's at-least-once delivery plus idempotent handlers expects.

        ``question``: the event asks something, to be answered after the ack. The winning
        claim stores it in the same transaction (:mod:`bot.store.pending_answers`), so an
        acked question is never lost, whatever happens to this process before it replies.
        """
        _require_key("team_id", team_id)
        _require_key("event_id", event_id)
        return await self._claims.submit(_Claim(team_id, event_id, self._clock(), question))

    async def _claim_all(self, session: AsyncSession, claims: list[_Claim]) -> list[bool]:
        """One insert for the batch's ids, one for the questions of those it won.

        Sorted by key, so two replicas claiming overlapping ids on PostgreSQL take their row
        locks in the same order and cannot deadlock.
        """
        from bot.store.pending_answers import insert_pending  # it imports this module's Clock

        first: dict[tuple[str, str], _Claim] = {}
        for claim in sorted(claims, key=lambda c: (c.team_id, c.event_id)):
            first.setdefault((claim.team_id, claim.event_id), claim)  # a retry in the same batch loses
        insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        statement = (
            insert(ProcessedEvent)
            .values(
                [{"team_id": c.team_id, "event_id": c.event_id, "received_at": c.at} for c in first.values()]
            )
            .on_conflict_do_nothing(index_elements=["team_id", "event_id"])
            # RETURNING yields a row only where the insert happened: a portable "did I win?".
            .returning(ProcessedEvent.team_id, ProcessedEvent.event_id)
        )
        won = {(str(row[0]), str(row[1])) for row in await session.execute(statement)}
        questions = [first[key] for key in sorted(won) if first[key].question is not None]
        if questions:
            await session.execute(insert_pending([(c.question, c.at) for c in questions if c.question]))
        return [(c.team_id, c.event_id) in won and first[(c.team_id, c.event_id)] is c for c in claims]

    @across_workspaces("retention: drops every workspace's events older than a cut-off; returns only a count")
    async def prune(self, older_than: datetime) -> int:
        """Forget events received before ``older_than``; return how many were removed.

        Slack gives up retrying within minutes, so a day or so of history is plenty; run this
        periodically to keep the table small. ``older_than`` must be timezone-aware.
        """
        if older_than.tzinfo is None or older_than.utcoffset() is None:
            raise ValueError("older_than must be a timezone-aware datetime")
        statement = delete(ProcessedEvent).where(ProcessedEvent.received_at < older_than)
        async with Transaction(self._sessions, "prune Slack events") as session:
            result = cast(CursorResult[Any], await session.execute(statement))
            return result.rowcount


@dataclass(frozen=True)
class _Claim:
    team_id: str
    event_id: str
    at: datetime
    question: PendingAnswer | None


def _require_key(name: str, value: str) -> None:
    # An empty id would silently merge unrelated events into one claim.
    if not value:
        raise ValueError(f"{name} must be a non-empty string")
