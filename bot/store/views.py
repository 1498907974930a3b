"""What watched aggregates last showed, so the next drawing can tell how many people changed.

A view is keyed per workspace by a string the feature chooses (``team:<session>`` for a
team diagnosis thread, ``week:<date>`` for a week's leadership summary). Saving is a
compare-and-set on ``version``: two replicas drawing the same view at once cannot both
move it on from the same starting point, which would let two consecutive views differ
by one person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.events import Clock, utc_now
from bot.store.tables import ReleasedViewRow
from bot.store.transaction import Transaction

__all__ = ["ReleasedView", "ReleasedViews"]


@dataclass(frozen=True)
class ReleasedView:
    """A view's last shown state; ``version`` 0 and empty ``shown`` when never shown."""

    shown: Mapping[str, tuple[str, ...]]
    version: int

    @property
    def ever_shown(self) -> bool:
        return self.version > 0


class ReleasedViews:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], dialect: str, *, clock: Clock = utc_now):
        self._sessions = sessions
        self._dialect = dialect
        self._clock = clock

    async def get(self, team_id: str, view_key: str) -> ReleasedView:
        async with Transaction(self._sessions, "read a summary's state") as session:
            row = await session.get(ReleasedViewRow, (team_id, view_key))
            if row is None:
                return ReleasedView({}, 0)
            return ReleasedView(_shown(row.shown), row.version)

    async def save(
        self, team_id: str, view_key: str, shown: Mapping[str, Sequence[str]], *, expected: int
    ) -> bool:
        """Store what the view now shows, if nobody saved it since ``expected`` was read."""
        values: dict[str, Any] = {
            "shown": {key: list(members) for key, members in shown.items()},
            "version": expected + 1,
            "updated_at": self._clock(),
        }
        async with Transaction(self._sessions, "save a summary's state") as session:
            if expected == 0:
                insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
                statement = (
                    insert(ReleasedViewRow)
                    .values(team_id=team_id, view_key=view_key, **values)
                    .on_conflict_do_nothing(index_elements=["team_id", "view_key"])
                    .returning(ReleasedViewRow.view_key)
                )
                return (await session.execute(statement)).first() is not None
            result = await session.execute(
                update(ReleasedViewRow)
                .where(
                    ReleasedViewRow.team_id == team_id,
                    ReleasedViewRow.view_key == view_key,
                    ReleasedViewRow.version == expected,
                )
                .values(**values)
                .returning(ReleasedViewRow.view_key)
            )
            return result.first() is not None

    async def delete(self, team_id: str, view_key: str) -> int:
        async with Transaction(self._sessions, "delete a summary's state") as session:
            result = await session.execute(
                delete(ReleasedViewRow).where(
                    ReleasedViewRow.team_id == team_id, ReleasedViewRow.view_key == view_key
                )
            )
            return cast(CursorResult[Any], result).rowcount


def _shown(raw: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        return {}
    return {
        str(key): tuple(str(m) for m in members) for key, members in raw.items() if isinstance(members, list)
    }
