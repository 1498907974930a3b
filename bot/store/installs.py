"""Who installed mlorg, who left, and when a departed workspace's data is deleted.

Slack's ``app_uninstalled`` and ``tokens_revoked`` events say a workspace has gone; its tokens
go at once, its data after a grace period (``MLORG_RETENTION_DAYS_AFTER_UNINSTALL``). The date
lives in ``workspace_installs``, not in memory, so a restart or another replica still purges
on time, and a reinstall inside the grace period cancels the purge and finds the data again.

An installation is keyed by ``(team_id, enterprise_id)``: a workspace's own install has its
team (and its Enterprise Grid org, if any); an org-wide install has ``team_id=""`` and the
org's id. ``enterprise_id`` is ``""`` outside Enterprise Grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import case, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.events import Clock, utc_now
from bot.store.scoping import across_workspaces
from bot.store.tables import UTCDateTime, WorkspaceInstallRow
from bot.store.transaction import Transaction

__all__ = ["ACTIVE", "UNINSTALLED", "Install", "Installs"]

ACTIVE: Final = "active"
UNINSTALLED: Final = "uninstalled"


@dataclass(frozen=True)
class Install:
    """One installation as mlorg records it (never a token: those are slack-sdk's)."""

    team_id: str
    enterprise_id: str
    team_name: str
    is_enterprise_install: bool
    status: str
    installed_at: datetime | None
    uninstalled_at: datetime | None
    purge_after: datetime | None

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    @property
    def label(self) -> str:
        """How an operator names it: the team, or the org for an org-wide install."""
        return self.team_id or self.enterprise_id


def _key(team_id: str, enterprise_id: str | None) -> tuple[str, str]:
    enterprise = enterprise_id or ""
    if not team_id and not enterprise:
        # Every row is scoped by workspace: an install that names neither is nobody's.
        raise ValueError("an installation needs a team_id, or an enterprise_id for an org-wide install")
    return team_id, enterprise


def _active(
    team: str, enterprise: str, team_name: str, is_enterprise_install: bool, *, installed_at: datetime
) -> dict[str, Any]:
    """The columns of an active installation (no departure pending)."""
    return {
        "team_id": team,
        "enterprise_id": enterprise,
        "team_name": team_name,
        "is_enterprise_install": is_enterprise_install,
        "status": ACTIVE,
        "installed_at": installed_at,
        "uninstalled_at": None,
        "purge_after": None,
    }


def _install(row: WorkspaceInstallRow) -> Install:
    return Install(
        team_id=row.team_id,
        enterprise_id=row.enterprise_id,
        team_name=row.team_name,
        is_enterprise_install=row.is_enterprise_install,
        status=row.status,
        installed_at=row.installed_at,
        uninstalled_at=row.uninstalled_at,
        purge_after=row.purge_after,
    )


class Installs:
    """The ``workspace_installs`` repository (``store.installs``)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], dialect: str, *, clock: Clock = utc_now
    ) -> None:
        self._sessions = sessions
        self._dialect = dialect
        self._clock = clock

    def _insert(self) -> Any:
        return postgresql.insert if self._dialect == "postgresql" else sqlite.insert

    async def record_install(
        self, team_id: str, enterprise_id: str | None, team_name: str, is_enterprise_install: bool
    ) -> Install:
        """Mark the installation active (call it when an OAuth install succeeds).

        A pending purge is cancelled: a workspace that comes back inside the grace period
        finds its data. Repeating it (a re-authorization) only refreshes name and date.
        """
        team, enterprise = _key(team_id, enterprise_id)
        values = _active(team, enterprise, team_name, is_enterprise_install, installed_at=self._clock())
        statement = (
            self._insert()(WorkspaceInstallRow)
            .values(values)
            .on_conflict_do_update(
                index_elements=["team_id", "enterprise_id"],
                set_={k: v for k, v in values.items() if k not in ("team_id", "enterprise_id")},
            )
        )
        async with Transaction(self._sessions, "record an installation") as session:
            await session.execute(statement)
            row = await session.get(WorkspaceInstallRow, (team, enterprise), populate_existing=True)
            assert row is not None
            return _install(row)

    async def confirm_install(
        self,
        team_id: str,
        enterprise_id: str | None,
        team_name: str,
        is_enterprise_install: bool,
        *,
        checked_at: datetime,
    ) -> tuple[Install, bool] | None:
        """Single-token mode: the bot token worked at ``checked_at``, so mlorg is installed.

        Records the workspace if it never was (keeping the first install date otherwise), and
        cancels a departure recorded *before* ``checked_at``: a reinstall (which issues a new
        token, and so a restart) inside the grace period finds the data again. A departure
        recorded after the check stands, since the token was revoked after it answered.
        Returns the install and whether a pending purge was cancelled; None if the check was
        too old to change anything.
        """
        team, enterprise = _key(team_id, enterprise_id)
        row = WorkspaceInstallRow
        values = _active(team, enterprise, team_name, is_enterprise_install, installed_at=checked_at)
        statement = (
            self._insert()(row)
            .values(values)
            .on_conflict_do_update(
                index_elements=["team_id", "enterprise_id"],
                set_={
                    "team_name": team_name,
                    "is_enterprise_install": is_enterprise_install,
                    "status": ACTIVE,
                    "installed_at": case(
                        (row.status == ACTIVE, row.installed_at), else_=literal(checked_at, UTCDateTime())
                    ),
                    "uninstalled_at": None,
                    "purge_after": None,
                },
                where=(row.status == ACTIVE) | (row.uninstalled_at < checked_at),
            )
            .returning(row.team_id)
        )
        async with Transaction(self._sessions, "confirm an installation") as session:
            before = await session.get(row, (team, enterprise))
            was_departed = before is not None and before.status == UNINSTALLED
            if (await session.execute(statement)).first() is None:
                return None
            after = await session.get(row, (team, enterprise), populate_existing=True)
            assert after is not None
            return _install(after), was_departed

    async def record_departure(
        self, team_id: str, enterprise_id: str | None, purge_after: datetime
    ) -> Install:
        """Mark the installation uninstalled, its data due for deletion at ``purge_after``.

        Idempotent: Slack may send both ``app_uninstalled`` and ``tokens_revoked``, or retry
        either; a departure already recorded keeps its date (a later event never postpones
        the purge). A workspace never recorded as installed (single-token mode) is recorded
        now, as departed.
        """
        if purge_after.tzinfo is None or purge_after.utcoffset() is None:
            raise ValueError("purge_after must be a timezone-aware datetime")
        team, enterprise = _key(team_id, enterprise_id)
        now = self._clock()
        statement = (
            self._insert()(WorkspaceInstallRow)
            .values(
                team_id=team,
                enterprise_id=enterprise,
                team_name="",
                is_enterprise_install=not team,
                status=UNINSTALLED,
                installed_at=None,
                uninstalled_at=now,
                purge_after=purge_after,
            )
            .on_conflict_do_update(
                index_elements=["team_id", "enterprise_id"],
                set_={"status": UNINSTALLED, "uninstalled_at": now, "purge_after": purge_after},
                # Only an active install departs; a departed one keeps its first date.
                where=WorkspaceInstallRow.status != UNINSTALLED,
            )
        )
        async with Transaction(self._sessions, "record a departure") as session:
            await session.execute(statement)
            row = await session.get(WorkspaceInstallRow, (team, enterprise), populate_existing=True)
            assert row is not None
            return _install(row)

    async def get(self, team_id: str, enterprise_id: str | None) -> Install | None:
        team, enterprise = _key(team_id, enterprise_id)
        async with Transaction(self._sessions, "read an installation") as session:
            row = await session.get(WorkspaceInstallRow, (team, enterprise))
            return _install(row) if row is not None else None

    @across_workspaces("the operator's `mlorg workspaces purge NAME`: a team id or an org id, either one")
    async def find(self, name: str) -> list[Install]:
        """Installations an operator means by ``name``: a team id, or an org's id (org-wide)."""
        query = select(WorkspaceInstallRow).where(
            (WorkspaceInstallRow.team_id == name)
            | ((WorkspaceInstallRow.team_id == "") & (WorkspaceInstallRow.enterprise_id == name))
        )
        async with Transaction(self._sessions, "read installations") as session:
            return [_install(row) for row in (await session.execute(query)).scalars()]

    @across_workspaces("the purge job serves every departed workspace; each Install names its own")
    async def due(self, now: datetime) -> list[Install]:
        """Departures whose grace period has run out by ``now``, oldest date first."""
        query = (
            select(WorkspaceInstallRow)
            .where(WorkspaceInstallRow.status == UNINSTALLED, WorkspaceInstallRow.purge_after <= now)
            .order_by(WorkspaceInstallRow.purge_after, WorkspaceInstallRow.team_id)
        )
        async with Transaction(self._sessions, "read due departures") as session:
            return [_install(row) for row in (await session.execute(query)).scalars()]

    @across_workspaces("single-token mode's start-up check: is any workspace's purge pending at all")
    async def departed(self) -> bool:
        """Whether any workspace has left and is not purged yet."""
        query = select(WorkspaceInstallRow.team_id).where(WorkspaceInstallRow.status == UNINSTALLED).limit(1)
        async with Transaction(self._sessions, "read departures") as session:
            return (await session.execute(query)).first() is not None

    @across_workspaces("the operator's `mlorg workspaces` lists every installation")
    async def list(self) -> list[Install]:
        """Every installation, installed or departed, for ``mlorg workspaces``."""
        query = select(WorkspaceInstallRow).order_by(
            WorkspaceInstallRow.enterprise_id, WorkspaceInstallRow.team_id
        )
        async with Transaction(self._sessions, "list installations") as session:
            return [_install(row) for row in (await session.execute(query)).scalars()]
