"""Per-workspace configuration: leadership channels, the digest schedule, anonymity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.events import Clock, utc_now
from bot.store.scoping import across_workspaces
from bot.store.tables import WorkspaceSettingsRow
from bot.store.transaction import Transaction
from knowledge.anonymity import MIN_GROUP, group_size

__all__ = ["WorkspaceConfig", "Workspaces"]


@dataclass(frozen=True)
class WorkspaceConfig:
    team_id: str
    leadership_channels: tuple[str, ...] = ()
    #: 0 = Monday … 6 = Sunday; None: no scheduled digest.
    digest_weekday: int | None = None
    #: "HH:MM" in ``digest_timezone``.
    digest_time: str | None = None
    digest_timezone: str = "UTC"
    #: Nothing is broken down for fewer people (always within MIN_GROUP..MAX_GROUP).
    min_group: int = MIN_GROUP
    updated_by: str = ""
    updated_at: datetime | None = field(default=None)

    @property
    def scheduled(self) -> bool:
        return (
            self.digest_weekday is not None
            and self.digest_time is not None
            and bool(self.leadership_channels)
        )


class Workspaces:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], dialect: str, *, clock: Clock = utc_now):
        self._sessions = sessions
        self._dialect = dialect
        self._clock = clock

    async def get(self, team_id: str) -> WorkspaceConfig:
        """The workspace's settings, or the defaults when it was never configured."""
        async with Transaction(self._sessions, "read settings") as session:
            row = await session.get(WorkspaceSettingsRow, team_id)
            return _config(row) if row else WorkspaceConfig(team_id=team_id)

    @across_workspaces(
        "the digest scheduler serves every workspace; each WorkspaceConfig carries its team_id"
    )
    async def scheduled(self) -> list[WorkspaceConfig]:
        """Every workspace with a digest schedule (for the scheduler)."""
        query = select(WorkspaceSettingsRow).where(WorkspaceSettingsRow.digest_weekday.is_not(None))
        async with Transaction(self._sessions, "read settings") as session:
            return [_config(row) for row in (await session.execute(query)).scalars()]

    async def save(self, team_id: str, config: WorkspaceConfig, *, updated_by: str) -> WorkspaceConfig:
        """Store the workspace's settings (replacing any); ``config`` must be this workspace's."""
        if config.team_id != team_id:
            raise ValueError(f"settings of workspace {config.team_id!r} cannot be saved for {team_id!r}")
        values = {
            "team_id": team_id,
            "leadership_channels": list(config.leadership_channels),
            "digest_weekday": config.digest_weekday,
            "digest_time": config.digest_time,
            "digest_timezone": config.digest_timezone,
            "min_group": group_size(config.min_group),
            "updated_by": updated_by,
            "updated_at": self._clock(),
        }
        insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        statement = insert(WorkspaceSettingsRow).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["team_id"], set_={k: v for k, v in values.items() if k != "team_id"}
        )
        async with Transaction(self._sessions, "save settings") as session:
            await session.execute(statement)
        return await self.get(team_id)


def _config(row: WorkspaceSettingsRow) -> WorkspaceConfig:
    return WorkspaceConfig(
        team_id=row.team_id,
        leadership_channels=tuple(row.leadership_channels or ()),
        digest_weekday=row.digest_weekday,
        digest_time=row.digest_time,
        digest_timezone=row.digest_timezone,
        min_group=group_size(row.min_group),
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )
