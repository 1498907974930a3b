"""Which Enterprise Grid org each workspace belongs to (``workspace_orgs``).

An org-wide install is stored by slack-sdk under the org alone (``team_id`` empty), and a
workspace install on Enterprise Grid under the org *and* the workspace. A request names both,
so the Bolt app knows which bot to use; background work (quiz timers, the outbox) has only the
``team_id`` it stored. This directory, filled in from requests, gives it the org back.

Recording is an upsert, made at most once per (team, org) per process: the first request from
a workspace after start-up writes a row, every later one costs a set lookup.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.events import Clock, utc_now
from bot.store.tables import WorkspaceOrgRow
from bot.store.transaction import Transaction

__all__ = ["WorkspaceOrgs"]


class WorkspaceOrgs:
    """Read and record the org of a workspace; exposed as ``store.orgs``."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], dialect: str, *, clock: Clock = utc_now):
        self._sessions = sessions
        self._dialect = dialect
        self._clock = clock
        #: What this process knows already: recorded by it, or read by it. A workspace never
        #: changes org (Slack would give it a new team id), so a known answer never goes stale.
        self._known: dict[str, str] = {}

    async def record(self, team_id: str, enterprise_id: str) -> None:
        """Remember that ``team_id`` belongs to ``enterprise_id`` (cheap after the first call)."""
        if not team_id or not enterprise_id or self._known.get(team_id) == enterprise_id:
            return
        values = {"team_id": team_id, "enterprise_id": enterprise_id, "seen_at": self._clock()}
        insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        statement = insert(WorkspaceOrgRow).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["team_id"],
            set_={"enterprise_id": enterprise_id, "seen_at": values["seen_at"]},
        )
        async with Transaction(self._sessions, "record a workspace's org") as session:
            await session.execute(statement)
        self._known[team_id] = enterprise_id

    async def enterprise_of(self, team_id: str) -> str | None:
        """The org ``team_id`` was last seen under, or None (not on Enterprise Grid, or not seen yet)."""
        known = self._known.get(team_id)
        if known is not None:
            return known
        query = select(WorkspaceOrgRow.enterprise_id).where(WorkspaceOrgRow.team_id == team_id)
        async with Transaction(self._sessions, "read a workspace's org") as session:
            enterprise_id = (await session.execute(query)).scalar_one_or_none()
        if enterprise_id:
            self._known[team_id] = enterprise_id
        return enterprise_id or None
