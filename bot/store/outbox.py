"""The durable outbox: what must reach Slack is written here first, then delivered.

Enqueueing is idempotent by ``(team_id, dedupe_key)``. Claiming uses ``FOR UPDATE
SKIP LOCKED`` on PostgreSQL, so replicas never claim the same item; SQLite runs one
writer at a time (``BEGIN IMMEDIATE``), which gives the same guarantee.

A claim is a short lease (seconds) that the worker renews while it delivers
(:meth:`Outbox.renew`), plus a fresh claim token (``claimed_by``). If the worker dies
mid-delivery the lease runs out within seconds and another worker takes the item over,
marked ``resumed`` so it checks the channel before posting. Every outcome
(:meth:`Outbox.delivered`, :meth:`Outbox.attempt_failed`) and every renewal names the
token and changes nothing once another claim owns the item: a worker that stalled past
its lease and woke up again cannot overwrite what the new owner did.

A failed attempt puts the item back to ``pending`` with its ``next_attempt_at``; it
belongs to nobody then, so whichever replica is free when it is due claims it.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.events import Clock, utc_now
from bot.store.scoping import across_workspaces
from bot.store.tables import OutboxRow
from bot.store.transaction import Transaction, new_id

__all__ = ["Outbox", "OutboxItem", "OutboxStats", "OutboxStatus"]

#: ``held``: a preview's exact message, waiting for the Post button (never delivered as such).
OutboxStatus = Literal["held", "pending", "delivering", "delivered", "failed"]
_STATUSES: tuple[OutboxStatus, ...] = ("held", "pending", "delivering", "delivered", "failed")


@dataclass(frozen=True)
class OutboxItem:
    item_id: str
    team_id: str
    dedupe_key: str
    kind: str
    channel_id: str
    payload: Mapping[str, Any]
    requested_by: str | None
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    claimed_until: datetime | None
    last_error: str | None
    message_ts: str | None
    created_at: datetime
    delivered_at: datetime | None
    #: Claimed after another worker's lease ran out: it may have posted already.
    resumed: bool = False
    #: The token of the latest claim (``host:pid:random``); it owns the item while ``delivering``.
    claimed_by: str | None = None


@dataclass(frozen=True)
class OutboxStats:
    """The outbox at a glance, for metrics: how many items of each kind are in each status, and
    when the oldest item still waiting for delivery was created (None when nothing waits)."""

    counts: dict[tuple[str, str], int]
    oldest_waiting: datetime | None


class Outbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], dialect: str, *, clock: Clock = utc_now):
        self._sessions = sessions
        self._dialect = dialect
        self._clock = clock

    async def enqueue(
        self,
        team_id: str,
        dedupe_key: str,
        *,
        kind: str,
        channel_id: str,
        payload: Mapping[str, Any],
        requested_by: str | None = None,
        held: bool = False,
    ) -> tuple[OutboxItem, bool]:
        """Store an item for delivery; returns (item, True) or the existing one and False.

        A ``held`` item is a preview: exactly what will be posted, stored so that the Post
        button only has to name it (:meth:`release`), and nothing in the click can change it.
        """
        now = self._clock()
        values = {
            "item_id": new_id(),
            "team_id": team_id,
            "dedupe_key": dedupe_key,
            "kind": kind,
            "channel_id": channel_id,
            "payload": dict(payload),
            "requested_by": requested_by,
            "status": "held" if held else "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        statement = (
            insert(OutboxRow)
            .values(values)
            .on_conflict_do_nothing(index_elements=["team_id", "dedupe_key"])
            .returning(OutboxRow.item_id)
        )
        async with self._write() as session:
            created = (await session.execute(statement)).first() is not None
            row = (
                await session.execute(
                    select(OutboxRow).where(OutboxRow.team_id == team_id, OutboxRow.dedupe_key == dedupe_key)
                )
            ).scalar_one()
            return _item(row), created

    async def release(self, team_id: str, dedupe_key: str) -> tuple[OutboxItem, bool] | None:
        """Send a held preview: (item, True) for the click that released it, (item, False) for
        a later one (a double click, a second replica), None when there is no such preview."""
        statement = (
            update(OutboxRow)
            .where(
                OutboxRow.team_id == team_id, OutboxRow.dedupe_key == dedupe_key, OutboxRow.status == "held"
            )
            .values(status="pending", next_attempt_at=self._clock())
            .returning(OutboxRow.item_id)
        )
        query = select(OutboxRow).where(OutboxRow.team_id == team_id, OutboxRow.dedupe_key == dedupe_key)
        async with self._write() as session:
            released = (await session.execute(statement)).first() is not None
            row = (
                await session.execute(query.execution_options(populate_existing=True))
            ).scalar_one_or_none()
            return (_item(row), released) if row is not None else None

    async def discard(self, team_id: str, dedupe_key: str) -> bool:
        """Delete a preview that was never posted; True if there was one."""
        statement = (
            delete(OutboxRow)
            .where(
                OutboxRow.team_id == team_id, OutboxRow.dedupe_key == dedupe_key, OutboxRow.status == "held"
            )
            .returning(OutboxRow.item_id)
        )
        async with self._write() as session:
            return (await session.execute(statement)).first() is not None

    @across_workspaces("retention: drops every workspace's stale previews; returns only a count")
    async def prune_held(self, created_before: datetime) -> int:
        """Forget previews nobody posted (their figures are stale by now)."""
        statement = (
            delete(OutboxRow)
            .where(OutboxRow.status == "held", OutboxRow.created_at < created_before)
            .returning(OutboxRow.item_id)
        )
        async with self._write() as session:
            return len((await session.execute(statement)).all())

    async def exists(self, team_id: str, dedupe_key: str) -> bool:
        query = select(OutboxRow.item_id).where(
            OutboxRow.team_id == team_id, OutboxRow.dedupe_key == dedupe_key
        )
        async with self._read() as session:
            return (await session.execute(query)).first() is not None

    @across_workspaces("the delivery worker serves every workspace; each OutboxItem carries its team_id")
    async def claim(self, lease: timedelta, limit: int = 5, *, worker: str = "") -> list[OutboxItem]:
        """Take due items for delivery: pending ones, and ones whose delivery lease ran out.

        Each claim gets a fresh token, ``<worker>:<random>`` (``worker`` names the claimant,
        e.g. ``host:pid``, so an operator can tell which replica holds an item); the items
        carry it in ``claimed_by`` and every later call about them must name it.
        """
        now = self._clock()
        token = f"{worker}:{secrets.token_hex(8)}" if worker else secrets.token_hex(8)
        due = or_(
            (OutboxRow.status == "pending") & (OutboxRow.next_attempt_at <= now),
            (OutboxRow.status == "delivering") & (OutboxRow.claimed_until < now),
        )
        query = select(OutboxRow).where(due).order_by(OutboxRow.next_attempt_at).limit(limit)
        if self._dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed: list[OutboxItem] = []
        async with self._write() as session:
            for row in (await session.execute(query)).scalars().all():
                resumed = row.status == "delivering"
                row.status = "delivering"
                row.attempts += 1
                row.claimed_until = now + lease
                row.claimed_by = token
                claimed.append(_item(row, resumed=resumed))
        return claimed

    @across_workspaces(
        "continues a claim made by claim(): the item is named by its id and the unguessable claim "
        "token only claim() hands out, and the claimed OutboxItem carries its team_id"
    )
    async def renew(self, item_id: str, claimed_by: str, lease: timedelta) -> bool:
        """Extend a claim's lease to ``lease`` from now; False when the claim no longer owns the item.

        Renewal goes by the token, not by the clock: a claim whose lease lapsed but that
        nobody took over is still the owner and may carry on. False means stop working on
        the item: it was delivered, failed, or another worker claimed it.
        """
        return await self._set(
            item_id, claimed_by, {"claimed_until": self._clock() + lease}, doing="renew an outbox lease"
        )

    @across_workspaces(
        "continues a claim made by claim() (see renew): id plus claim token, item carries team_id"
    )
    async def delivered(self, item_id: str, message_ts: str | None, *, claimed_by: str) -> bool:
        """Record the delivery; False (and nothing changed) unless claim ``claimed_by`` owns the item."""
        return await self._set(
            item_id,
            claimed_by,
            {
                "status": "delivered",
                "message_ts": message_ts,
                "delivered_at": self._clock(),
                "claimed_until": None,
            },
        )

    @across_workspaces("continues a claim made by claim() (see renew): the item carries its team_id")
    async def record_charts(self, item: OutboxItem, charts: Sequence[Mapping[str, Any]]) -> OutboxItem | None:
        """Store what became of the item's chart uploads (file ids, or why not) in its payload.

        Recorded before posting, so that a later attempt, by this worker or another after a
        crash, reuses the uploads instead of uploading again. Returns the item as updated, or
        None (and nothing changed) unless the item's claim (``item.claimed_by``) still owns it.
        """
        payload = {**item.payload, "charts": [dict(chart) for chart in charts]}
        if not await self._set(
            item.item_id, item.claimed_by or "", {"payload": payload}, doing="record an outbox item's charts"
        ):
            return None
        return dataclasses.replace(item, payload=payload)

    @across_workspaces(
        "continues a claim made by claim() (see renew): id plus claim token, item carries team_id"
    )
    async def attempt_failed(
        self,
        item_id: str,
        error: str,
        *,
        claimed_by: str,
        retry_at: datetime | None,
        max_attempts: int,
    ) -> OutboxItem | None:
        """Record a failed attempt; park the item as ``failed`` when ``retry_at`` is None or attempts ran out.

        Otherwise the item is ``pending`` again, due at ``retry_at``, for any worker. None (and
        nothing changed) unless claim ``claimed_by`` still owns the item.
        """
        async with self._write() as session:
            # Locked on PostgreSQL so that a claim cannot take the item between the check and the write.
            row = await session.get(OutboxRow, item_id, with_for_update=True)
            if row is None or row.status != "delivering" or row.claimed_by != claimed_by:
                return None
            row.last_error = error[:500]
            row.claimed_until = None
            if retry_at is None or row.attempts >= max_attempts:
                row.status = "failed"
            else:
                row.status = "pending"
                row.next_attempt_at = retry_at
            return _item(row)

    @across_workspaces("continues a claim made by claim() (see renew): the item carries its team_id")
    async def defer(self, item_id: str, reason: str, *, claimed_by: str, until: datetime) -> bool:
        """Put a claimed item back in the queue, due at ``until``, without counting the attempt.

        For an item nobody can deliver yet (its workspace has no installation): it is not the
        item's fault, so it must not run out of attempts and be parked. False (and nothing
        changed) unless claim ``claimed_by`` still owns the item.
        """
        return await self._set(
            item_id,
            claimed_by,
            {
                "status": "pending",
                "attempts": OutboxRow.attempts - 1,
                "next_attempt_at": until,
                "claimed_until": None,
                "last_error": reason[:500],
            },
            doing="defer an outbox item",
        )

    async def get(self, team_id: str, item_id: str) -> OutboxItem | None:
        """The workspace's item ``item_id``; None when there is none, or it is another workspace's."""
        query = select(OutboxRow).where(OutboxRow.team_id == team_id, OutboxRow.item_id == item_id)
        async with self._read() as session:
            row = (await session.execute(query)).scalar_one_or_none()
            return _item(row) if row else None

    @across_workspaces(
        "the operator's queue listing and metrics cover the deployment; each OutboxItem carries its team_id"
    )
    async def items(self, statuses: Sequence[str] = ("pending", "delivering", "failed")) -> list[OutboxItem]:
        query = select(OutboxRow).where(OutboxRow.status.in_(list(statuses))).order_by(OutboxRow.created_at)
        async with self._read() as session:
            return [_item(row) for row in (await session.execute(query)).scalars()]

    async def delivered_items(self, team_id: str) -> list[OutboxItem]:
        query = (
            select(OutboxRow)
            .where(OutboxRow.team_id == team_id, OutboxRow.status == "delivered")
            .order_by(OutboxRow.delivered_at)
        )
        async with self._read() as session:
            return [_item(row) for row in (await session.execute(query)).scalars()]

    @across_workspaces("metrics of the whole deployment: counts by kind and status, naming no workspace")
    async def stats(self) -> OutboxStats:
        """Counts by (kind, status) and the oldest pending or delivering item's creation time."""
        counts = select(OutboxRow.kind, OutboxRow.status, func.count()).group_by(
            OutboxRow.kind, OutboxRow.status
        )
        oldest = select(func.min(OutboxRow.created_at)).where(OutboxRow.status.in_(["pending", "delivering"]))
        async with self._read() as session:
            by_status = {
                (str(kind), str(status)): int(n) for kind, status, n in (await session.execute(counts)).all()
            }
            first = (await session.execute(oldest)).scalar_one_or_none()
        if first is not None and first.tzinfo is None:
            first = first.replace(tzinfo=UTC)  # SQLite hands back naive datetimes; they are UTC
        return OutboxStats(by_status, first)

    @across_workspaces("the operator's `mlorg outbox retry` works on the whole queue (or one item by its id)")
    async def retry(self, item_id: str | None = None) -> int:
        """Put failed items (one, or all) back in the queue with a fresh attempt count."""
        statement = update(OutboxRow).where(OutboxRow.status == "failed")
        if item_id is not None:
            statement = statement.where(OutboxRow.item_id == item_id)
        statement = statement.values(
            status="pending", attempts=0, next_attempt_at=self._clock(), last_error=None
        ).returning(OutboxRow.item_id)
        async with self._write() as session:
            return len((await session.execute(statement)).all())

    async def _set(
        self, item_id: str, claimed_by: str, values: dict[str, Any], *, doing: str = "update the outbox"
    ) -> bool:
        """Apply ``values`` to an item being delivered under claim ``claimed_by``; False if it is not."""
        statement = (
            update(OutboxRow)
            .where(
                OutboxRow.item_id == item_id,
                OutboxRow.status == "delivering",
                OutboxRow.claimed_by == claimed_by,
            )
            .values(**values)
            .returning(OutboxRow.item_id)
        )
        async with self._write(doing) as session:
            return (await session.execute(statement)).first() is not None

    def _read(self) -> Transaction:
        return Transaction(self._sessions, "read the outbox")

    def _write(self, doing: str = "update the outbox") -> Transaction:
        return Transaction(self._sessions, doing)


def _item(row: OutboxRow, *, resumed: bool = False) -> OutboxItem:
    status: OutboxStatus = next((s for s in _STATUSES if s == row.status), "pending")
    return OutboxItem(
        item_id=row.item_id,
        team_id=row.team_id,
        dedupe_key=row.dedupe_key,
        kind=row.kind,
        channel_id=row.channel_id,
        payload=dict(row.payload),
        requested_by=row.requested_by,
        status=status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        claimed_until=row.claimed_until,
        last_error=row.last_error,
        message_ts=row.message_ts,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        resumed=resumed,
        claimed_by=row.claimed_by,
    )
