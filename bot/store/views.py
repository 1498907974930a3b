"""What watched aggregates last showed, and the workspace's ledger of everything ever shown.

A view is keyed per workspace by a string the feature chooses (``team:<session>`` for a
team diagnosis thread, ``week:<date>`` for a week's leadership summary). Beside the views,
one row per workspace (``ledger``) holds every set of member tokens any view has shown,
by section: the ledger :mod:`knowledge.anonymity` checks each new drawing against, so
that no two views, not only no two moments of one view, differ by fewer than the
minimum group.

Saving is a compare-and-set on the views' ``version`` *and* the ledger's, in one
transaction: two replicas drawing the same view, or two different views of overlapping
people, cannot both move on from the same starting point.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.events import Clock, utc_now
from bot.store.scoping import across_workspaces
from bot.store.tables import ReleasedViewRow
from bot.store.transaction import Transaction

__all__ = ["LEDGER_KEY", "Ledger", "ReleasedView", "ReleasedViews"]

#: The row that holds a workspace's ledger; no feature's view key looks like it.
LEDGER_KEY = "ledger"
#: Keys of ``shown`` that are not sections (who the figures stand for, placed or not).
_NOT_SECTIONS = frozenset({"respondents"})


@dataclass(frozen=True)
class ReleasedView:
    """A view's last shown state; ``version`` 0 and empty ``shown`` when never shown."""

    shown: Mapping[str, tuple[str, ...]]
    version: int

    @property
    def ever_shown(self) -> bool:
        return self.version > 0


@dataclass(frozen=True)
class Ledger:
    """Every set of member tokens shown in a workspace, by section, and the ledger's version."""

    sets: Mapping[str, tuple[tuple[str, ...], ...]]
    version: int

    def adding(self, shown: Mapping[str, Sequence[str]]) -> dict[str, tuple[tuple[str, ...], ...]]:
        """The ledger with the sections of ``shown`` added (each set once)."""
        merged = {key: list(sets) for key, sets in self.sets.items()}
        for key, members in shown.items():
            if key in _NOT_SECTIONS:
                continue
            entry = tuple(sorted(members))
            if entry not in merged.setdefault(key, []):
                merged[key].append(entry)
        return {key: tuple(sets) for key, sets in merged.items()}


class _Conflict(Exception):
    """Someone saved first: roll the whole save back."""


class ReleasedViews:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], dialect: str, *, clock: Clock = utc_now):
        self._sessions = sessions
        self._dialect = dialect
        self._clock = clock
        self._key = secrets.token_bytes(32)  # until the app hands over its own (see use_key)

    @across_workspaces("sets the process's hashing key for every workspace; reads and writes no row")
    def use_key(self, key: str | bytes) -> None:
        """Key the member tokens made from user ids (the app passes its signing secret)."""
        self._key = key.encode() if isinstance(key, str) else key

    @property
    def key(self) -> bytes:
        """The key member tokens made from user ids are hashed with (see bot.features.quiz.rounds)."""
        return self._key

    async def get(self, team_id: str, view_key: str) -> ReleasedView:
        async with Transaction(self._sessions, "read a summary's state") as session:
            row = await session.get(ReleasedViewRow, (team_id, view_key))
            if row is None:
                return ReleasedView({}, 0)
            return ReleasedView(_shown(row.shown), row.version)

    async def ledger(self, team_id: str) -> Ledger:
        """Every set the workspace's views have shown, by section.

        A workspace whose views were saved before the ledger existed starts it from what
        each view shows now: the best record there is of what was shown.
        """
        async with Transaction(self._sessions, "read what a workspace has shown") as session:
            row = await session.get(ReleasedViewRow, (team_id, LEDGER_KEY))
            if row is not None:
                return Ledger(_ledger_sets(row.shown), row.version)
            rows = (
                await session.execute(select(ReleasedViewRow).where(ReleasedViewRow.team_id == team_id))
            ).scalars()
            start = Ledger({}, 0)
            for view in rows:
                start = Ledger(start.adding(_shown(view.shown)), 0)
            return start

    async def save(
        self, team_id: str, view_key: str, shown: Mapping[str, Sequence[str]], *, expected: int
    ) -> bool:
        """Store what the view now shows, if nobody saved it (or the ledger) since it was read."""
        return await self.save_many(team_id, [(view_key, shown, expected)], await self.ledger(team_id))

    async def record(self, team_id: str, shown: Mapping[str, Sequence[str]], *, attempts: int = 5) -> bool:
        """Add sets shown by a view that keeps no state of its own (a quiz round's tally)."""
        for _ in range(attempts):
            ledger = await self.ledger(team_id)
            if all(tuple(sorted(m)) in ledger.sets.get(k, ()) for k, m in shown.items()):
                return True
            if await self.save_many(team_id, [], ledger, also=shown):
                return True
        return False

    async def save_many(
        self,
        team_id: str,
        views: Sequence[tuple[str, Mapping[str, Sequence[str]], int]],
        ledger: Ledger,
        *,
        also: Mapping[str, Sequence[str]] | None = None,
    ) -> bool:
        """Store what several views now show and add it to the ledger, all or nothing.

        Each view is ``(view_key, shown, expected version)``; ``also`` holds sets shown by
        views without state of their own. Nothing is saved if any view, or the ledger, was
        saved by someone else since it was read.
        """
        if not views and not also:
            return True
        sets = Ledger(ledger.adding(also or {}), ledger.version)
        for _, shown, _ in views:
            sets = Ledger(sets.adding(shown), ledger.version)
        ledger_shown = {
            f"{key}#{n}": list(members)
            for key, all_sets in sets.sets.items()
            for n, members in enumerate(all_sets)
        }
        try:
            async with Transaction(self._sessions, "save a summary's state") as session:
                for view_key, shown, expected in views:
                    values = {key: list(members) for key, members in shown.items()}
                    if not await self._cas(session, team_id, view_key, values, expected):
                        raise _Conflict
                if not await self._cas(session, team_id, LEDGER_KEY, ledger_shown, ledger.version):
                    raise _Conflict
        except _Conflict:
            return False
        return True

    async def _cas(
        self, session: AsyncSession, team_id: str, view_key: str, shown: dict[str, list[str]], expected: int
    ) -> bool:
        values: dict[str, Any] = {"shown": shown, "version": expected + 1, "updated_at": self._clock()}
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


def _ledger_sets(raw: object) -> dict[str, tuple[tuple[str, ...], ...]]:
    sets: dict[str, list[tuple[str, ...]]] = {}
    for key, members in _shown(raw).items():
        section = key.rsplit("#", 1)[0]
        sets.setdefault(section, []).append(tuple(sorted(members)))
    return {key: tuple(found) for key, found in sets.items()}


def _shown(raw: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        return {}
    return {
        str(key): tuple(str(m) for m in members) for key, members in raw.items() if isinstance(members, list)
    }
