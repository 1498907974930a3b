"""Deleting everything a workspace left behind, in one transaction.

The tables are not listed by hand: every table on mlorg's metadata with a ``team_id`` column is
purged (``Base.metadata.sorted_tables``), slack-sdk's installation tables included, so a table
added later is purged without anyone remembering to add it here. A test keeps the tables
without ``team_id`` to a known few.

An org-wide install (``team_id=""``) is purged through the workspaces ``workspace_orgs`` maps to
its org, except a workspace that has an active install of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import CursorResult, Table, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.installation_tables import SLACK_BOTS, SLACK_INSTALLATIONS
from bot.store.installs import ACTIVE, UNINSTALLED
from bot.store.pending_answers import PendingAnswerRow
from bot.store.tables import Base, WorkspaceInstallRow, WorkspaceOrgRow
from bot.store.transaction import Transaction

# Imported for its table, which lives beside its repository rather than in tables.py.
_ON_METADATA = (PendingAnswerRow,)

__all__ = [
    "TABLES_WITHOUT_TEAM",
    "Purged",
    "count_workspace",
    "purge_departure",
    "purge_workspace",
    "team_tables",
]

#: Tables that hold nothing of any one workspace (a test fails when a new one joins them).
TABLES_WITHOUT_TEAM: Final = frozenset({"slack_oauth_states"})


@dataclass(frozen=True)
class Purged:
    """What a purge deleted: the workspaces, and how many rows per table (never their content)."""

    team_ids: tuple[str, ...]
    rows: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> str:
        """``diagnosis_flows=3 quizzes=1 ...`` (tables with rows only), for logs and the CLI."""
        counts = " ".join(f"{name}={count}" for name, count in sorted(self.rows.items()) if count)
        return counts or "no rows"


def team_tables() -> list[Table]:
    """Every table with a ``team_id`` column, dependents first (safe if foreign keys appear)."""
    return [table for table in reversed(Base.metadata.sorted_tables) if "team_id" in table.c]


async def _teams(session: AsyncSession, team_id: str, enterprise_id: str) -> list[str]:
    if team_id:
        return [team_id]
    # An org-wide install: the org's workspaces, unless one has an active install of its own.
    # (A Grid workspace's own install is recorded under its org too, so the org scopes this.)
    own = select(WorkspaceInstallRow.team_id).where(
        WorkspaceInstallRow.enterprise_id == enterprise_id,
        WorkspaceInstallRow.status == ACTIVE,
        WorkspaceInstallRow.team_id != "",
    )
    query = select(WorkspaceOrgRow.team_id).where(
        WorkspaceOrgRow.enterprise_id == enterprise_id, WorkspaceOrgRow.team_id.not_in(own)
    )
    return sorted((await session.execute(query)).scalars())


async def _rowcount(session: AsyncSession, statement: Any) -> int:
    return cast(CursorResult[Any], await session.execute(statement)).rowcount


async def _delete_all(session: AsyncSession, team_id: str, enterprise_id: str) -> Purged:
    teams = await _teams(session, team_id, enterprise_id)
    rows: dict[str, int] = {}
    for table in team_tables():
        rows[table.name] = (
            await _rowcount(session, delete(table).where(table.c.team_id.in_(teams))) if teams else 0
        )
    if not team_id:
        # The org-wide install's own rows: mlorg's record, and slack-sdk's (team_id NULL there).
        rows[WorkspaceInstallRow.__tablename__] += await _rowcount(
            session,
            delete(WorkspaceInstallRow).where(
                WorkspaceInstallRow.team_id == "", WorkspaceInstallRow.enterprise_id == enterprise_id
            ),
        )
        for table in (SLACK_INSTALLATIONS, SLACK_BOTS):
            rows[table.name] += await _rowcount(
                session,
                delete(table).where(table.c.enterprise_id == enterprise_id, table.c.team_id.is_(None)),
            )
    return Purged(team_ids=tuple(teams) or (team_id or enterprise_id,), rows=rows)


async def purge_workspace(
    sessions: async_sessionmaker[AsyncSession], team_id: str, enterprise_id: str | None = None
) -> Purged:
    """Delete every row of the workspace ``team_id`` now, whatever its install status.

    With ``team_id=""`` and an ``enterprise_id``: the org-wide install and its workspaces.
    Idempotent: a second purge deletes nothing and says so.
    """
    enterprise = enterprise_id or ""
    if not team_id and not enterprise:
        raise ValueError("name a team_id, or an enterprise_id for an org-wide install")
    async with Transaction(sessions, "purge a workspace") as session:
        return await _delete_all(session, team_id, enterprise)


async def purge_departure(
    sessions: async_sessionmaker[AsyncSession], team_id: str, enterprise_id: str | None, now: datetime
) -> Purged | None:
    """Purge a departed workspace if its grace period is still over at ``now``; else None.

    The departure record is deleted first, in the same transaction and only while it is still
    due: a reinstall that came in meanwhile (status active again) is left alone, and of two
    replicas purging at once one deletes the record and the data, the other finds nothing.
    """
    enterprise = enterprise_id or ""
    claim = delete(WorkspaceInstallRow).where(
        WorkspaceInstallRow.team_id == team_id,
        WorkspaceInstallRow.enterprise_id == enterprise,
        WorkspaceInstallRow.status == UNINSTALLED,
        WorkspaceInstallRow.purge_after <= now,
    )
    async with Transaction(sessions, "purge a departed workspace") as session:
        if await _rowcount(session, claim) == 0:
            return None
        purged = await _delete_all(session, team_id, enterprise)
    rows = dict(purged.rows)
    rows[WorkspaceInstallRow.__tablename__] = rows.get(WorkspaceInstallRow.__tablename__, 0) + 1
    return Purged(team_ids=purged.team_ids, rows=rows)


async def count_workspace(
    sessions: async_sessionmaker[AsyncSession], team_id: str, enterprise_id: str | None = None
) -> Purged:
    """What :func:`purge_workspace` would delete (row counts per table), deleting nothing."""
    enterprise = enterprise_id or ""
    async with Transaction(sessions, "count a workspace's rows") as session:
        teams = await _teams(session, team_id, enterprise)
        rows: dict[str, int] = {}
        for table in team_tables():
            query = select(func.count()).select_from(table).where(table.c.team_id.in_(teams))
            rows[table.name] = int((await session.execute(query)).scalar_one()) if teams else 0
    return Purged(team_ids=tuple(teams) or (team_id or enterprise,), rows=rows)
